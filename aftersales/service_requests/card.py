"""What requests add to the customer card: a requests section and timeline events (registered,
decision recorded, closed or cancelled). Registered in ServiceRequestsConfig.ready(); each
takes one query whatever the customer holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.customers.card import TimelineEvent
from aftersales.service_requests.models import EventKind, RequestEvent, ServiceRequest, Status

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.customers.models import Customer

VIEW = "service_requests.view_servicerequest"
# Rows on the card; the rest is one click away in the report.
CARD_ROWS = 20
# Events a customer's timeline tells: the request's beginning, its decision and its end.
TIMELINE_EVENTS = 200


def requests_section(customer: Customer, user: User) -> dict[str, Any] | None:
    """Context of service_requests/card_requests.html; None (hidden) without the permission."""
    if not user.has_perm(VIEW):
        return None
    rows = list(
        ServiceRequest.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("request_type")
        .order_by("-registered_at", "-pk")[: CARD_ROWS + 1]
    )
    now = timezone.now()
    for item in rows:
        item.late = item.is_open and item.due_at is not None and item.due_at < now
    query = {"customer": customer.code} if customer.code else {"customer": customer.name}
    return {
        "customer": customer,
        "request_rows": rows[:CARD_ROWS],
        "more_requests": len(rows) > CARD_ROWS,
        "requests_url": reverse("service_requests:request_list") + "?" + urlencode(query),
    }


def _title(event: RequestEvent) -> str:
    request = event.request
    if event.kind == EventKind.DECIDED:
        decision = event.reason.split("\n", 1)[0]
        return f"{request.number} · {request.subject} · {decision}"
    return f"{request.number} · {request.subject}"


def _kind(event: RequestEvent) -> tuple[str, str]:
    if event.kind == EventKind.REGISTERED:
        return _("Request registered"), "headset"
    if event.kind == EventKind.DECIDED:
        return _("Decision recorded"), "clipboard-check"
    if event.to_status == Status.CANCELLED:
        return _("Request cancelled"), "x-circle"
    return _("Request closed"), "check2-circle"


def requests_timeline(customer: Customer, user: User) -> Iterable[TimelineEvent]:
    """The customer's requests on the timeline: registered, decided, closed (one query)."""
    if not user.has_perm(VIEW):
        return []
    events = (
        RequestEvent.objects.visible_to(user)
        .filter(request__customer=customer)
        .filter(
            Q(kind__in=[EventKind.REGISTERED, EventKind.DECIDED])
            | Q(to_status__in=[Status.CLOSED, Status.CANCELLED])
        )
        .select_related("request")
        .order_by("-created_at", "-pk")[:TIMELINE_EVENTS]
    )
    timeline = []
    for event in events:
        kind, icon = _kind(event)
        timeline.append(
            TimelineEvent(
                when=event.created_at,
                kind=kind,
                title=_title(event),
                url=reverse("service_requests:request_detail", args=[event.request_id]),
                icon=icon,
            )
        )
    return timeline
