"""The pages agents work from: their queues and the requests report."""

from typing import Any

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.views import ObjectListView
from aftersales.service_requests import selectors
from aftersales.service_requests.filters import ServiceRequestFilter
from aftersales.service_requests.models import ServiceRequest

VIEW = "service_requests.view_servicerequest"

QUEUE_TITLES = {
    "mine": _("My requests"),
    "unit": _("My unit's requests"),
    "unassigned": _("Unassigned requests"),
    "overdue": _("Overdue requests"),
}
QUEUE_LIMIT = selectors.QUEUE_LIMIT
QUEUE_ROWS = 50


def _due_kind(item: ServiceRequest) -> str:
    if item.paused_at is not None:
        return "paused"
    if item.due_at is None:
        return ""
    if item.responded_at is None and item.due_at == item.response_due_at:
        return "response"
    return "resolution"


class _QueueRows:
    """A queue for the paginator, which slices it (up to QUEUE_LIMIT rows; the count comes
    from the tab): each slice is `selectors.queue_slice` with what the page shows."""

    ordered = True

    def __init__(self, user: Any, which: str, now: Any) -> None:
        self.user, self.which, self.now = user, which, now

    def __getitem__(self, part: slice) -> list[ServiceRequest]:
        stop = min(part.stop, QUEUE_LIMIT)
        rows = selectors.queue_slice(self.user, self.which, part.start, stop, self.now)
        return list(rows.select_related("customer", "request_type", "responsible", "unit"))


class QueueView(ObjectListView):
    """An agent's queue: open requests ordered by due time (the overdue first, the paused last),
    due times in the viewer's time zone, counts on the tabs."""

    model = ServiceRequest
    permission_required = VIEW
    template_name = "service_requests/queue.html"
    paginate_by = QUEUE_ROWS

    def get_queryset(self) -> models.QuerySet[Any]:
        self.filterset, self.sort = None, ""
        which = self.which = self.request.GET.get("view", "mine")
        if which not in QUEUE_TITLES:
            raise Http404
        self.now = timezone.now()
        self.counts = selectors.queue_counts(self.request.user, self.now, QUEUE_LIMIT)
        return _QueueRows(self.request.user, which, self.now)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):  # type: ignore[no-untyped-def]
        paginator = Paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        # The tab's count already says how many rows there are (up to the limit).
        paginator.count = min(self.counts[self.which], QUEUE_LIMIT)
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for item in context["object_list"]:
            item.due_kind = _due_kind(item)
            item.late = item.due_at is not None and item.due_at < self.now
        context.update(
            which=self.which,
            title=QUEUE_TITLES[self.which],
            tabs=[
                (key, title, self.counts[key], self.counts[key] > QUEUE_LIMIT)
                for key, title in QUEUE_TITLES.items()
            ],
            limited=self.counts[self.which] > QUEUE_LIMIT,
            limit=QUEUE_LIMIT,
            time_zone=timezone.get_current_timezone_name(),
        )
        return context


def _responsible(item: ServiceRequest) -> str:
    return str(item.responsible or "")


def _overdue(item: ServiceRequest) -> bool:
    return item.is_overdue


class ReportView(ObjectListView):
    """Every request the user may see, filtered by customer, employee, status, type, overdue,
    period and unit; sortable; exportable as the user sees it."""

    model = ServiceRequest
    permission_required = VIEW
    filterset_class = ServiceRequestFilter
    template_name = "service_requests/report.html"
    paginate_by = 50
    sortable = {
        "number": "id",
        "registered": "registered_at",
        "customer": "customer__name",
        "type": "request_type__name",
        "status": "status",
        "responsible": "responsible__username",
        "unit": "unit__name",
        "due": "due_at",
    }
    default_sort = "-registered"
    columns = [
        ("number", _("Number")),
        ("registered", _("Registered")),
        ("customer", _("Customer")),
        ("", _("Subject")),
        ("type", _("Type")),
        ("status", _("Status")),
        ("responsible", _("Responsible")),
        ("unit", _("Handling unit")),
        ("due", _("Due")),
    ]
    export_columns = [
        (_("Number"), "number"),
        (_("Registered"), "registered_at"),
        (_("Channel"), "get_channel_display"),
        (_("Customer"), "customer.name"),
        (_("Customer number"), "customer.code"),
        (_("Subject"), "subject"),
        (_("Type"), "request_type.name"),
        (_("Priority"), "get_priority_display"),
        (_("Status"), "get_status_display"),
        (_("Responsible"), _responsible),
        (_("Handling unit"), "unit.name"),
        (_("Respond by"), "response_due_at"),
        (_("Responded"), "responded_at"),
        (_("Resolve by"), "resolution_due_at"),
        (_("Overdue"), _overdue),
        (_("Escalation level"), "escalation.level"),
        (_("Decision"), "decision.name"),
        (_("Decided"), "decided_at"),
        (_("Closed"), "closed_at"),
        (_("Rating"), "rating"),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related(
                "customer", "request_type", "responsible", "unit", "decision", "escalation"
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for item in context["object_list"]:
            item.late = item.is_open and item.due_at is not None and item.due_at < now
        context["time_zone"] = timezone.get_current_timezone_name()
        return context
