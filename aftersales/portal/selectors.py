"""Reads for the portal: a customer's requests and what of each the customer may see.

Everything is filtered by the signed-in account's customer, never by an id from the URL
alone: another customer's request answers 404 like one that does not exist. The customer
sees the public thread and public files only; internal notes, internal files, escalations,
reassignments and the reasons staff wrote stay inside.
"""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from aftersales.customers.models import Customer
from aftersales.service_requests.models import (
    Attachment,
    EventKind,
    RequestEvent,
    RequestMessage,
    RequestType,
    ServiceRequest,
    Status,
)

# The steps of a request the customer hears about (dates and statuses only, no reasons).
PUBLIC_EVENTS = (
    EventKind.REGISTERED,
    EventKind.STATUS,
    EventKind.DECIDED,
    EventKind.CONFIRMED,
    EventKind.DISPUTED,
    EventKind.REOPENED,
)


def request_types() -> QuerySet[RequestType]:
    return RequestType.objects.filter(is_active=True).order_by("order", "name")


def customer_requests(customer: Customer) -> QuerySet[ServiceRequest]:
    """The customer's requests, newest first, each with its last public change; one query."""
    last_event = (
        RequestEvent.objects.filter(request=OuterRef("pk"), kind__in=PUBLIC_EVENTS)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    last_message = (
        RequestMessage.objects.filter(request=OuterRef("pk"), is_internal=False)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        ServiceRequest.objects.filter(customer=customer)
        .only("pk", "subject", "status", "registered_at", "customer_id")
        .annotate(
            last_update=Greatest(
                F("registered_at"),
                Coalesce(Subquery(last_event), F("registered_at")),
                Coalesce(Subquery(last_message), F("registered_at")),
            )
        )
        .order_by("-registered_at", "-pk")
    )


def request_of(customer: Customer, pk: int) -> ServiceRequest:
    """The customer's request `pk`, or 404 (another customer's too)."""
    found = (
        ServiceRequest.objects.filter(customer=customer, pk=pk)
        .select_related("request_type", "decision", "customer")
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_attachments() -> QuerySet[Attachment]:
    return Attachment.objects.filter(is_internal=False).exclude(message__is_internal=True)


def public_thread(request: ServiceRequest) -> list[RequestMessage]:
    return list(
        RequestMessage.objects.filter(request=request, is_internal=False)
        .prefetch_related(Prefetch("attachments", queryset=public_attachments()))
        .order_by("created_at", "pk")
    )


def request_files(request: ServiceRequest) -> list[Attachment]:
    """Files that came with the request itself (not with a message)."""
    return list(public_attachments().filter(request=request, message__isnull=True))


def status_history(request: ServiceRequest) -> list[RequestEvent]:
    return list(
        RequestEvent.objects.filter(request=request, kind__in=PUBLIC_EVENTS)
        .only("kind", "created_at", "to_status", "request_id")
        .order_by("created_at", "pk")
    )


def attachment_of(customer: Customer, pk: int) -> Attachment:
    """A public file of one of the customer's requests, or 404."""
    found = public_attachments().filter(pk=pk, request__customer=customer).first()
    if found is None:
        raise Http404
    return found


def can_reopen(request: ServiceRequest, now: datetime.datetime | None = None) -> bool:
    if request.status != Status.CLOSED or request.closed_at is None:
        return False
    limit = datetime.timedelta(days=request.request_type.reopen_days)
    return (now or timezone.now()) - request.closed_at <= limit
