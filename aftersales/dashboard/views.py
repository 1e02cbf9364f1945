from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from aftersales.organisation.models import Unit
from aftersales.service_requests import selectors as request_selectors

QUEUE_LABELS = {
    "mine": _("Mine"),
    "unit": _("My unit's"),
    "unassigned": _("Unassigned"),
    "overdue": _("Overdue"),
}


class HomeView(LoginRequiredMixin, generic.TemplateView):
    """The landing page after sign-in: who and where I am, and my menu. Reads from every app
    and writes nothing (the dashboard app sits downstream of all domain apps)."""

    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["visible_units"] = Unit.objects.visible_to(user).count()
        if user.has_perm("service_requests.view_servicerequest"):
            # What is due and what is overdue, for everyone who works on requests.
            counts = request_selectors.queue_counts(user, timezone.now())
            context["request_queues"] = [
                (key, label, counts[key], key == "overdue" and counts[key] > 0)
                for key, label in QUEUE_LABELS.items()
            ]
            context["queue_limit"] = request_selectors.QUEUE_LIMIT
        return context
