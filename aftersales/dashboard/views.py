from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic

from aftersales.organisation.models import Unit


class HomeView(LoginRequiredMixin, generic.TemplateView):
    """The landing page after sign-in: who and where I am, and my menu. Reads from every app
    and writes nothing (the dashboard app sits downstream of all domain apps)."""

    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["visible_units"] = Unit.objects.visible_to(self.request.user).count()
        return context
