"""The bell and the list of one's own notifications. A notification belongs to its recipient
alone (whatever their unit), so these pages need no position permission: every signed-in
user reads and marks their own, and another user's answers 404."""

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View, generic

from aftersales.core.views import htmx_partial
from aftersales.notifications import services
from aftersales.notifications.models import Notification

# The bell shows "99+" beyond this: counting stops there, so the query stays cheap.
BELL_CAP = 99
POLL_SECONDS = 30
# The bell polls for half the idle limit and then stops: every poll renews the session
# (SESSION_SAVE_EVERY_REQUEST), so endless polling would keep an unattended browser signed in
# forever. A page the user opens starts the count again.
MAX_POLLS = max(1, settings.SESSION_COOKIE_AGE // 2 // POLL_SECONDS)


def unread_count(user: Any) -> int:
    """The user's unread notifications, counted up to BELL_CAP + 1 (one query)."""
    return Notification.objects.for_user(user).unread()[: BELL_CAP + 1].count()


def bell_context(user: Any, polls: int = 0) -> dict[str, Any]:
    count = unread_count(user)
    return {
        "unread": count,
        "unread_label": f"{BELL_CAP}+" if count > BELL_CAP else str(count),
        "next_poll": polls + 1 if polls + 1 < MAX_POLLS else None,
        "poll_seconds": POLL_SECONDS,
    }


class BellView(LoginRequiredMixin, View):
    """The bell alone, for HTMX polling: `?polls=N` counts the polls since the page opened."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and htmx_partial(request):
            # Signed out meanwhile: stop polling (286) instead of swapping the login page in.
            return HttpResponse(status=286)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("polls", "0")
        polls = int(raw) if raw.isdigit() and len(raw) < 6 else MAX_POLLS
        html = render_to_string(
            "notifications/_bell.html", bell_context(request.user, polls), request=request
        )
        return HttpResponse(html)


class NotificationListView(LoginRequiredMixin, generic.ListView):
    """My notifications, the newest first; `?unread=1` shows only the unread ones."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self) -> models.QuerySet[Notification]:
        rows = Notification.objects.for_user(self.request.user).order_by("-created_at", "-pk")
        if self.request.GET.get("unread") == "1":
            rows = rows.unread()
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            only_unread=self.request.GET.get("unread") == "1",
            query_without_page=query.urlencode(),
            any_unread=unread_count(self.request.user) > 0,
        )
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{name}#table" for name in names]
        return names


def _safe_target(request: HttpRequest, url: str) -> str:
    # Links are written by our own services as paths; anything else (another host, a scheme)
    # is not followed.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("notifications:list")


class NotificationOpenView(LoginRequiredMixin, View):
    """Follow a notification's link and mark it read."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
        services.mark_read(request.user, [notification.pk])
        return HttpResponseRedirect(_safe_target(request, notification.url))


class MarkReadView(LoginRequiredMixin, View):
    """POST `id` (one or more) to mark those read, or nothing to mark all read."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.getlist("id")
        ids = [int(value) for value in raw if value.isdigit() and len(value) < 19]
        if raw and not ids:
            return redirect("notifications:list")
        services.mark_read(request.user, ids or None)
        back = request.POST.get("next", "")
        return redirect(_safe_target(request, back) if back else "notifications:list")
