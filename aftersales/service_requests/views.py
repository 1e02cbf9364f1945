"""The request pages: registering a request from the customer card, the request page with
its conversation, log and actions, and attachment downloads. (The queues and the report are
in work_views.)"""

import datetime
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from aftersales.core.files import serve_private_file
from aftersales.core.history import history_of
from aftersales.core.views import ObjectDetailView, ObjectFormMixin, htmx_partial
from aftersales.customers.models import Customer
from aftersales.customers.selectors import is_first_contact
from aftersales.service_requests import actions, selectors, services
from aftersales.service_requests.forms import (
    AGENT_CHANNELS,
    AssignForm,
    DecideForm,
    MessageForm,
    ReopenForm,
    RequestPageForm,
    RequestRegisterForm,
    StatusForm,
)
from aftersales.service_requests.models import (
    Attachment,
    EventKind,
    RequestEvent,
    RequestMessage,
    ServiceRequest,
    Status,
)

VIEW = "service_requests.view_servicerequest"
ADD = "service_requests.add_servicerequest"
WORK = "service_requests.work_servicerequest"
REASSIGN = "service_requests.reassign_servicerequest"


def add_service_errors(form: Form, error: ValidationError, field_for=None) -> None:  # type: ignore[no-untyped-def]
    """Put a service's ValidationError on the form: keyed messages on their fields (keys the
    form lacks become errors of the whole form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = field_for(key) if field_for else (key if key in form.fields else None)
        form.add_error(name, errors)


def _detail_url(service_request: ServiceRequest) -> str:
    return reverse("service_requests:request_detail", args=[service_request.pk])


# --- Registration ------------------------------------------------------------------------------


class RequestRegisterView(ObjectFormMixin, generic.FormView):
    """Register a request from a customer's card: the route's pk is the customer's.
    `?channel=phone&ref=<call id>` prefills the channel (the telephony pop-up links here).
    A POST with `refresh` only asks which questions to show for the answers so far (HTMX:
    just the questions block); nothing is saved."""

    model = Customer  # the access matrix makes a customer for the route's pk
    permission_required = ADD
    form_class = RequestRegisterForm
    template_name = "service_requests/request_form.html"
    success_message = _("The request has been registered.")

    def _customer(self) -> Customer:
        if not hasattr(self, "customer"):
            self.customer = get_object_or_404(
                Customer.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
            )
        return self.customer

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"channel": AGENT_CHANNELS[0]}
        channel = self.request.GET.get("channel", "")
        if channel in AGENT_CHANNELS:
            initial["channel"] = channel
        ref = " ".join(self.request.GET.get("ref", "").split())[:200]
        if ref:
            initial["external_ref"] = ref
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(
            customer=self._customer(),
            user=self.request.user,
            refresh_url=self.request.get_full_path(),
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = self._customer()
        context["customer"] = customer
        context["first_contact"] = is_first_contact(customer, self.request.user)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "refresh" in request.POST:
            return self.refresh()
        return super().post(request, *args, **kwargs)

    def refresh(self) -> HttpResponse:
        """The form again with what was typed so far, unvalidated (no errors yet)."""
        kwargs = self.get_form_kwargs()
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        kwargs["initial"] = {**self.get_initial(), **self.request.POST.dict()}
        form = self.form_class(**kwargs)
        htmx = getattr(self.request, "htmx", None)
        if form.chosen_type and htmx and htmx.trigger_name == "request_type":
            form.initial["priority"] = form.chosen_type.default_priority
        if htmx_partial(self.request):
            return TemplateResponse(self.request, f"{self.template_name}#questions", {"form": form})
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form: RequestRegisterForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error, form.error_field)
            return self.form_invalid(form)

    def save_form(self, form: RequestRegisterForm) -> ServiceRequest:
        data = form.cleaned_data
        return services.request_register(
            customer=self._customer(),
            request_type=data["request_type"],
            channel=data["channel"],
            external_ref=data["external_ref"],
            subject=data["subject"],
            description=data["description"],
            answers=form.answers(),
            files=form.new_files(),
            priority=data["priority"],
            contact=data["contact"],
            product=data["product"],
            registered_by=self.request.user,
        )

    def get_success_url(self) -> str:
        return _detail_url(self.object)


# --- The request page --------------------------------------------------------------------------

STATUS_STYLES = {
    Status.REGISTERED: "text-bg-secondary",
    Status.IN_WORK: "text-bg-primary",
    Status.WAITING_CUSTOMER: "text-bg-warning",
    Status.DONE: "text-bg-success",
    Status.DISPUTED: "text-bg-danger",
    Status.CLOSED: "text-bg-dark",
    Status.CANCELLED: "text-bg-light border",
}
# How the registration assigned the request (RequestEvent.reason of REGISTERED events).
ASSIGNMENT_RULES = {
    "responsible": _("the customer's responsible specialist"),
    "region": _("routing by region and skill"),
    "load": _("the least loaded employee of the unit"),
    "unit": _("nobody free: the unit's queue"),
}
ESCALATION_REASONS = {"overdue": _("Overdue")}

# action → (form, permission); each action is a POST to its own route.
PAGE_FORMS: dict[str, tuple[type[RequestPageForm], str]] = {
    "status": (StatusForm, WORK),
    "decide": (DecideForm, WORK),
    "assign": (AssignForm, REASSIGN),
    "reopen": (ReopenForm, WORK),
    "message": (MessageForm, WORK),
}


def _reopenable(
    service_request: ServiceRequest, allowed: list[str], now: datetime.datetime
) -> bool:
    if service_request.status != Status.CLOSED or Status.IN_WORK not in allowed:
        return False
    limit = datetime.timedelta(days=service_request.request_type.reopen_days)
    return service_request.closed_at is None or now - service_request.closed_at <= limit


def _applies(action: str, service_request: ServiceRequest, allowed: list[str]) -> bool:
    if action == "status":
        return any(
            s != Status.DONE
            and not (service_request.status == Status.CLOSED and s == Status.IN_WORK)
            for s in allowed
        )
    if action == "decide":
        return Status.DONE in allowed
    if action == "assign":
        return service_request.is_open
    if action == "reopen":
        return _reopenable(service_request, allowed, timezone.now())
    return True


def _event_reason(event: RequestEvent) -> str:
    if event.kind == EventKind.REGISTERED:
        return str(ASSIGNMENT_RULES.get(event.reason, event.reason))
    if event.kind == EventKind.ESCALATED:
        return str(ESCALATION_REASONS.get(event.reason, event.reason))
    return event.reason


def request_page(
    service_request: ServiceRequest, user: Any, bound: dict[str, RequestPageForm] | None = None
) -> dict[str, Any]:
    """Everything the request page shows besides the request's own fields, in a fixed number
    of queries however long the thread, the log and the file list grow."""
    bound = bound or {}
    executors = list(service_request.executors.all())
    questions_asked = list(service_request.request_type.fields.all())
    files = list(
        Attachment.objects.visible_to(user)
        .filter(request=service_request)
        .select_related("uploaded_by")
    )
    thread = list(
        RequestMessage.objects.visible_to(user)
        .filter(request=service_request)
        .select_related("author")
    )
    events = list(
        RequestEvent.objects.visible_to(user)
        .filter(request=service_request)
        .select_related("actor", "target_user", "target_unit")
    )
    for event in events:
        event.reason_text = _event_reason(event)  # type: ignore[attr-defined]

    by_message: dict[int | None, list[Attachment]] = defaultdict(list)
    for attachment in files:
        by_message[attachment.message_id].append(attachment)
    for message in thread:
        message.files = by_message.get(message.pk, [])  # type: ignore[attr-defined]
    own_files = by_message.get(None, [])
    by_question: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in own_files:
        if attachment.field_key:
            by_question[attachment.field_key].append(attachment)

    answers = []
    asked = set()
    for question in questions_asked:
        asked.add(question.key)
        value = service_request.answers.get(question.key)
        if value not in (None, "") or by_question.get(question.key):
            answers.append((question.label, value, by_question.get(question.key, [])))
    for key, value in service_request.answers.items():
        if key not in asked:  # a question removed from the type since
            answers.append((key, value, []))
    labels = {q.key: q.label for q in questions_asked}
    for attachment in own_files:
        attachment.question_label = labels.get(attachment.field_key, attachment.field_key)  # type: ignore[attr-defined]

    allowed = selectors.allowed_targets(service_request)
    page_forms: dict[str, RequestPageForm] = {}
    for action, (form_class, permission) in PAGE_FORMS.items():
        if action in bound:
            page_forms[action] = bound[action]
        elif user.has_perm(permission) and _applies(action, service_request, allowed):
            initial = {}
            if action == "assign":
                initial = {
                    "responsible": service_request.responsible_id,
                    "executors": [person.pk for person in executors],
                }
            page_forms[action] = form_class(
                initial=initial, service_request=service_request, user=user, allowed=allowed
            )
    return {
        "executors": executors,
        "answers": answers,
        "files": own_files,
        "thread": thread,
        "events": events,
        "status_style": STATUS_STYLES.get(Status(service_request.status), ""),
        "page_forms": page_forms,
        "actions": actions.actions_for(service_request, user),
        "history": history_of(service_request),
    }


class RequestDetailView(ObjectDetailView):
    model = ServiceRequest
    permission_required = VIEW
    template_name = "service_requests/request_detail.html"
    context_object_name = "service_request"
    bound_forms: dict[str, RequestPageForm] = {}

    def get_queryset(self) -> models.QuerySet[ServiceRequest]:
        return (
            super()
            .get_queryset()
            .select_related(
                "customer",
                "contact",
                "product__model",
                "contract",
                "request_type",
                "responsible",
                "unit",
                "decision",
                "registered_by",
                "sla_policy",
                "escalation",
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(request_page(self.object, self.request.user, self.bound_forms))
        return context


class RequestActionView(RequestDetailView):
    """One of the request page's forms: GET shows the page, POST calls the service. Bad input
    changes nothing and comes back in place (HTMX: the form alone, 422)."""

    action = ""
    success_message: Any = ""

    def perform(self, form: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form_class, _permission = PAGE_FORMS[self.action]
        form = form_class(
            request.POST,
            request.FILES,
            service_request=self.object,
            user=request.user,
            allowed=selectors.allowed_targets(self.object),
        )
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                url = _detail_url(self.object)
                if htmx_partial(request):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        self.bound_forms = {self.action: form}
        context = self.get_context_data(object=self.object)
        if htmx_partial(request):
            return TemplateResponse(
                request, f"service_requests/_action_{self.action}.html", context, status=422
            )
        return self.render_to_response(context)


class RequestStatusView(RequestActionView):
    action = "status"
    permission_required = WORK
    success_message = _("The status has been changed.")

    def perform(self, form: StatusForm) -> None:
        services.request_transition(
            request=self.object,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            user=self.request.user,
        )


class RequestDecideView(RequestActionView):
    action = "decide"
    permission_required = WORK
    success_message = _("The decision and the result have been recorded and sent to the customer.")

    def perform(self, form: DecideForm) -> None:
        services.request_decide(
            request=self.object,
            decision=form.cleaned_data["decision"],
            result=form.cleaned_data["result"],
            user=self.request.user,
        )


class RequestAssignView(RequestActionView):
    action = "assign"
    permission_required = REASSIGN
    success_message = _("The assignment has been saved.")

    def perform(self, form: AssignForm) -> None:
        services.request_assign(
            request=self.object,
            responsible=form.cleaned_data["responsible"],
            executors=form.cleaned_data["executors"],
            reason=form.cleaned_data["reason"],
            user=self.request.user,
        )


class RequestReopenView(RequestActionView):
    action = "reopen"
    permission_required = WORK
    success_message = _("The request has been reopened.")

    def perform(self, form: ReopenForm) -> None:
        services.request_reopen(
            request=self.object, reason=form.cleaned_data["reason"], user=self.request.user
        )


class RequestMessageView(RequestActionView):
    action = "message"
    permission_required = WORK

    def perform(self, form: MessageForm) -> None:
        internal = form.cleaned_data["internal"]
        services.message_post(
            request=self.object,
            body=form.cleaned_data["body"],
            author=self.request.user,
            internal=internal,
            files=form.new_files(),
        )
        messages.success(
            self.request,
            _("The internal note has been added.")
            if internal
            else _("The message has been sent to the customer."),
        )


class AttachmentDownloadView(ObjectDetailView):
    """A request's file, to those who see the request; never rendered in our origin
    (core.files.serve_private_file)."""

    model = Attachment
    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        attachment = self.get_object()
        try:
            return serve_private_file(
                attachment.file, name=attachment.original_name, content_type=attachment.content_type
            )
        except FileNotFoundError:
            raise Http404 from None
