"""The pages agents work from: their queues and the requests report."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from aftersales.core.views import ObjectListView
from aftersales.service_requests import selectors
from aftersales.service_requests.models import ServiceRequest

VIEW = "service_requests.view_servicerequest"

QUEUE_TITLES = {
    "mine": _("My requests"),
    "unit": _("My unit's requests"),
    "unassigned": _("Unassigned requests"),
    "overdue": _("Overdue requests"),
}


class QueueView(ObjectListView):
    """An agent's queue: open requests ordered by due time (the overdue first)."""

    model = ServiceRequest
    permission_required = VIEW
    template_name = "service_requests/queue.html"
    paginate_by = 50

    def get_queryset(self):  # type: ignore[no-untyped-def]
        self.filterset, self.sort = None, ""
        which = self.which = self.request.GET.get("view", "mine")
        if which not in QUEUE_TITLES:
            raise Http404
        return selectors.queue(self.request.user, which).select_related(
            "customer", "request_type", "responsible", "unit"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["which"] = self.which
        context["queues"] = QUEUE_TITLES
        return context
