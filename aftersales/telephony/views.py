import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.cache import never_cache

from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
)
from aftersales.customers.phones import display as display_phone
from aftersales.service_requests.models import format_number
from aftersales.telephony import selectors, services
from aftersales.telephony.filters import CallFilter
from aftersales.telephony.forms import PhoneLineForm
from aftersales.telephony.models import AgentPresence, Call, PhoneLine

VIEW_CALL = "telephony.view_call"
REGISTER_REQUEST = "service_requests.add_servicerequest"
# htmx stops polling when a poll answers with this status (a signed-out screen).
HTMX_STOP_POLLING = 286


def caller_display(call: Call) -> str:
    if call.withheld:
        return str(_("Number withheld"))
    return display_phone(call.caller_number) if call.caller_number else call.caller


def register_request_url(customer_pk: int, call_id: str) -> str:
    """The request registration page for the caller, told the channel and the call id (the
    request is then linked to the call: receivers.py)."""
    try:
        path = reverse("service_requests:request_register", args=[customer_pk])
    except NoReverseMatch:
        # The page is built alongside this app; its address is agreed: /requests/new/for/<pk>/.
        path = f"/requests/new/for/{customer_pk}/"
    return f"{path}?{urlencode({'channel': 'phone', 'ref': call_id})}"


def new_customer_url(call: Call) -> str:
    # `phone` pre-fills the new card's first phone once the customer form reads it (noted in
    # docs/operations.md, Telephony); until then the agent types the number shown in the pop-up.
    url = reverse("customers:customer_create")
    return f"{url}?{urlencode({'phone': call.caller_number})}" if call.caller_number else url


def _page_is_stale(opened: str) -> bool:
    """Whether the polling page was opened longer than half the idle limit ago."""
    if not opened.isdigit() or len(opened) > 12:
        return False
    return time.time() - int(opened) > settings.SESSION_COOKIE_AGE // 2


def _current_page(request: HttpRequest) -> str:
    """The page the poll comes from (htmx says which), when it is on this site."""
    url = getattr(getattr(request, "htmx", None), "current_url", None) or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@method_decorator(never_cache, name="dispatch")
class CallPopView(PositionPermissionMixin, generic.View):
    """What every staff page of an agent on duty polls (htmx, every 3 s): the newest call given
    to this agent that has not popped up yet, as a toast with the caller's card; showing it
    marks the call answered, so it pops up once, in one tab.

    Why polling and not a WebSocket: the application runs under WSGI workers with no channel
    layer (no ASGI server, no Redis pub/sub between web processes), and a call pops up within
    the poll interval, which is what an agent needs. The cost of an idle poll is the session
    and user reads every page has plus one query on a partial index (agent, received, where
    not answered), see tests/test_pop.py.

    An idle poll answers 200 with an empty body and `HX-Reswap: none` (so a toast already on
    the screen stays), rather than 204: every page answers 200 to a reader with the permission
    (tests/test_access_matrix.py).

    Every poll renews the session (SESSION_SAVE_EVERY_REQUEST), so a page left open would keep
    an unattended browser signed in forever. The poller sends when its page was opened
    (`opened`, a Unix time); after half the idle limit the page stops polling (286) and says
    so, as the notification bell does. Opening any page (an agent who answers calls opens
    cards) starts again. Calls still go to an agent on duty whose pages have stopped: they
    show on the missed calls list, and the duty page shows who is on duty."""

    permission_required = VIEW_CALL
    model = Call

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            # The session has ended: stop polling instead of swapping the sign-in page in.
            return HttpResponse(status=HTMX_STOP_POLLING)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if _page_is_stale(request.GET.get("opened", "")):
            return TemplateResponse(
                request,
                "telephony/call_popup_stopped.html",
                {"reload_url": _current_page(request)},
                status=HTMX_STOP_POLLING,
            )
        call = selectors.call_to_pop(user)
        if call is None or not services.call_answer(call=call, agent=user):
            return HttpResponse(headers={"HX-Reswap": "none"})
        customer = selectors.card_summary(call.customer_id, user)
        context = {
            "call": call,
            "caller": caller_display(call),
            "customer": customer,
            # The number is on a card this agent may not open: show the number only.
            "hidden_customer": call.customer_id is not None and customer is None,
            "first_contact": call.first_contact,
            "new_customer_url": new_customer_url(call)
            if user.has_perm("customers.add_customer")
            else "",
            "register_url": register_request_url(customer.pk, call.call_id)
            if customer is not None and user.has_perm(REGISTER_REQUEST)
            else "",
        }
        return TemplateResponse(request, "telephony/call_popup.html", context)


class CallListView(ObjectListView):
    """Recent calls of the user's units; the missed ones are those nobody answered."""

    model = Call
    permission_required = VIEW_CALL
    filterset_class = CallFilter
    template_name = "telephony/call_list.html"
    sortable = {"received": "received_at", "answered": "answered_at"}
    default_sort = "-received"
    columns = [
        ("received", _("Received")),
        ("", _("Caller")),
        ("", _("Customer")),
        ("", _("Line")),
        ("", _("Agent")),
        ("answered", _("Answered")),
        ("", _("Request")),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("line", "agent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        calls = list(context["object_list"])
        # Identification is organisation-wide; what a row shows is this viewer's scope.
        customers = selectors.visible_customers(user, {c.customer_id for c in calls})
        requests = selectors.visible_requests(user, {c.request_id for c in calls})
        context["rows"] = [
            {
                "call": call,
                "caller": caller_display(call),
                "customer": customers.get(call.customer_id),
                "hidden_customer": call.customer_id is not None
                and call.customer_id not in customers,
                "request_visible": call.request_id in requests,
                "request_number": format_number(call.request_id),
            }
            for call in calls
        ]
        return context


class DutyView(PositionPermissionMixin, generic.TemplateView):
    """An agent starts or stops taking calls (the navbar's switch posts here); the page shows
    who is on duty in the user's units."""

    permission_required = VIEW_CALL
    model = AgentPresence
    template_name = "telephony/duty.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            on_duty=selectors.is_on_duty(user),
            can_take_calls=user.has_perm(REGISTER_REQUEST),
            agents=AgentPresence.objects.visible_to(user)
            .filter(on_duty=True, user__is_active=True)
            .select_related("user__unit")
            .order_by("user__unit__path", "user__username"),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        on_duty = request.POST.get("on_duty") == "1"
        if on_duty and not request.user.has_perm(REGISTER_REQUEST):
            messages.error(
                request, _("Your position does not register requests: calls cannot go to you.")
            )
        else:
            services.agent_duty_set(user=request.user, on_duty=on_duty)
            messages.success(
                request,
                _("You are on duty: calls will pop up on your screen.")
                if on_duty
                else _("You are off duty: no more calls will come to you."),
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("telephony:duty")
        return redirect(target)


class PhoneLineListView(ObjectListView):
    model = PhoneLine
    permission_required = "telephony.view_phoneline"
    template_name = "telephony/line_list.html"
    sortable = {"number": "number", "name": "name", "unit": "unit__path"}
    default_sort = "number"
    columns = [
        ("number", _("Number")),
        ("name", _("Name")),
        ("unit", _("Answering unit")),
        ("", _("Active")),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("unit")


class PhoneLineFormMixin:
    model = PhoneLine
    form_class = PhoneLineForm
    template_name = "telephony/line_form.html"
    form_takes_user = True
    success_message = _("The phone line has been saved.")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
            return self.form_invalid(form)  # type: ignore[attr-defined]

    def get_success_url(self) -> str:
        return reverse("telephony:line_list")


class PhoneLineCreateView(PhoneLineFormMixin, ObjectCreateView):
    permission_required = "telephony.add_phoneline"

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.phone_line_create(**form.cleaned_data)


class PhoneLineUpdateView(PhoneLineFormMixin, ObjectUpdateView):
    permission_required = "telephony.change_phoneline"
    context_object_name = "line"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_of(self.object)
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.phone_line_update(line=self.object, **form.cleaned_data)
