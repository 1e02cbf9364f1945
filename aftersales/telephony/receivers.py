"""How telephony hears about requests registered from a call.

Telephony is downstream of service requests (it links to them; they do not know about calls),
so the request side never imports this app. A request registered with channel "phone" and the
exchange's call id as its channel reference (the pop-up's "Register request" link carries it)
is linked to its call here, on the request's post_save, inside the request's own transaction:
the link commits or rolls back with the request, and the calls page reads it as a plain
foreign key (no lookup by reference on every page view). Requests registered without a call
id cost nothing (the service returns before any query)."""

from typing import Any

from django.db.models.signals import post_save

DISPATCH_UID = "telephony.link_request_to_call"


def link_request_to_call(
    sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any
) -> None:
    if not created or raw:
        return
    from aftersales.telephony.services import call_link_request

    call_link_request(request=instance)


def connect() -> None:
    from aftersales.service_requests.models import ServiceRequest

    post_save.connect(link_request_to_call, sender=ServiceRequest, dispatch_uid=DISPATCH_UID)
