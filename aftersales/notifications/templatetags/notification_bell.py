"""`{% notification_bell %}` in the navbar: the unread count (one query) and HTMX polling."""

from typing import Any

from django import template

from aftersales.notifications.views import bell_context

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return {**bell_context(user), "request": request}
