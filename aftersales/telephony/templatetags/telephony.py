"""The phone channel on every staff page (templates/base.html): the navbar's "on duty" switch
and, for an agent on duty, the element that polls for calls to pop up."""

import time
from typing import Any

from django import template

from aftersales.telephony import selectors

register = template.Library()

_CACHE = "_telephony_on_duty"


def _may_take_calls(user: Any) -> bool:
    return (
        user.is_authenticated
        and user.has_perm("telephony.view_call")
        and user.has_perm("service_requests.add_servicerequest")
    )


def _on_duty(context: template.Context) -> bool:
    """Whether the page's user is on duty: one query per page, for those who may take calls."""
    request = context.get("request")
    if request is None or not _may_take_calls(request.user):
        return False
    if not hasattr(request, _CACHE):
        setattr(request, _CACHE, selectors.is_on_duty(request.user))
    return getattr(request, _CACHE)


@register.inclusion_tag("telephony/_duty_switch.html", takes_context=True)
def duty_switch(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "show": user is not None and _may_take_calls(user),
        "on_duty": _on_duty(context),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("telephony/_call_poller.html", takes_context=True)
def call_poller(context: template.Context) -> dict[str, Any]:
    # When the page was opened: the pop-up stops polling a page left alone too long (views).
    return {"on_duty": _on_duty(context), "opened": int(time.time())}
