"""The work order pages: the list, creating an order (directly, from the customer card, from a
request), the counter's intake, the order page with its actions, photos and signatures, the
printable documents and the customer's one-time link page.

Views translate HTTP only: reads come from selectors, writes from services, and a service's
refusal (ValidationError) comes back on the page as form errors with nothing changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views import View, generic

from aftersales.core.files import serve_private_file
from aftersales.core.views import (
    ObjectDetailView,
    ObjectFormMixin,
    ObjectListView,
    PositionPermissionMixin,
    htmx_partial,
)
from aftersales.customers.models import Customer
from aftersales.installed_base.services import product_register
from aftersales.service_requests.models import ServiceRequest
from aftersales.work_orders import forms, selectors, services
from aftersales.work_orders.filters import WorkOrderFilter
from aftersales.work_orders.models import (
    AWAY,
    FIELD_KINDS,
    Custody,
    CustomerLink,
    Kind,
    Photo,
    QuoteStatus,
    Signature,
    SignatureKind,
    Status,
    Warranty,
    WorkOrder,
)

VIEW = "work_orders.view_workorder"
ADD = "work_orders.add_workorder"
WORK = "work_orders.work_workorder"
DISPATCH = "work_orders.dispatch_workorder"

STATUS_STYLES = {
    Status.NEW: "text-bg-secondary",
    Status.SCHEDULED: "text-bg-info",
    Status.ON_SITE: "text-bg-primary",
    Status.DIAGNOSIS: "text-bg-primary",
    Status.AWAITING_APPROVAL: "text-bg-warning",
    Status.IN_REPAIR: "text-bg-primary",
    Status.TESTING: "text-bg-primary",
    Status.READY: "text-bg-success",
    Status.COMPLETED: "text-bg-dark",
    Status.CANCELLED: "text-bg-light border",
}
WARRANTY_STYLES = {
    Warranty.UNKNOWN: "text-bg-light border",
    Warranty.IN_WARRANTY: "text-bg-success",
    Warranty.EXTENDED: "text-bg-info",
    Warranty.OUT_OF_WARRANTY: "text-bg-secondary",
}
# The one-time customer link is shown once, on the page the employee lands on after making it.
LINK_SESSION_KEY = "work_order_link:%d"


def add_service_errors(
    form: Form, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """A service's ValidationError onto the form: keyed messages on their fields (renamed where
    the form calls the field otherwise; keys the form lacks become errors of the whole form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = (rename or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


def _detail_url(order: WorkOrder) -> str:
    return reverse("work_orders:order_detail", args=[order.pk])


def customer_language(order: WorkOrder, fallback: str = "") -> str:
    """The language the customer reads: the order's, else the customer card's, else
    `fallback` (the reader's), else the site's."""
    return order.customer_language or order.customer.language or fallback or settings.LANGUAGE_CODE


# --- The list --------------------------------------------------------------------------------


def _custody_text(order: WorkOrder) -> str:
    text = str(Custody(order.custody).label)
    return f"{text} · {order.custody_unit.name}" if order.custody_unit else text


class OrderListView(ObjectListView):
    model = WorkOrder
    permission_required = VIEW
    filterset_class = WorkOrderFilter
    template_name = "work_orders/order_list.html"
    sortable = {
        "number": "pk",
        "created": "created_at",
        "customer": "customer__name",
        "kind": "kind",
        "status": "status",
        "technician": "technician__last_name",
        "unit": "unit__name",
    }
    default_sort = "-created"
    columns = [
        ("number", _("Number")),
        ("created", _("Created")),
        ("kind", _("Kind")),
        ("status", _("Status")),
        ("customer", _("Customer")),
        ("", _("Product")),
        ("technician", _("Technician / engineer")),
        ("", _("Device is")),
        ("unit", _("Unit")),
    ]
    export_columns = [
        (_("Number"), "number"),
        (_("Created"), "created_at"),
        (_("Kind"), "get_kind_display"),
        (_("Status"), "get_status_display"),
        (_("Customer"), "customer.name"),
        (_("Customer number"), "customer.code"),
        (_("Model"), "product.model.code"),
        (_("Serial number"), "product.serial"),
        (_("Technician / engineer"), "technician"),
        (_("Unit"), "unit.name"),
        (_("Warranty"), "get_warranty_display"),
        (_("Device is"), _custody_text),
        (_("Labour"), "labour_cost"),
        (_("Parts cost"), "parts_cost"),
        (_("Customer's price"), "customer_price"),
        (_("Completed"), "completed_at"),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("unit", "customer", "product__model", "technician", "custody_unit")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for order in context["object_list"]:
            order.status_style = STATUS_STYLES.get(Status(order.status), "")
        return context


# --- Creating an order -----------------------------------------------------------------------


class OrderCreateView(PositionPermissionMixin, generic.TemplateView):
    """ "New work order": find the customer (name, number, phone, e-mail), then the order is
    drawn up for them (order_for_customer) or the device taken in at the counter (intake)."""

    permission_required = ADD
    template_name = "work_orders/order_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        find = self.request.GET.get("find", "")[:200]
        context.update(find=find, candidates=selectors.customer_candidates(self.request.user, find))
        return context

    def get_template_names(self) -> list[str]:
        if htmx_partial(self.request):
            return [f"{self.template_name}#candidates"]
        return [self.template_name]


class OrderFormView(ObjectFormMixin, generic.FormView):
    """A new order for a customer; subclasses say whose (the card's customer, the request's)."""

    permission_required = ADD
    form_class = forms.OrderCreateForm
    template_name = "work_orders/order_form.html"
    success_message = _("The work order has been created.")
    customer: Customer
    service_request: ServiceRequest | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(customer=self.customer, user=self.request.user)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        kind = self.request.GET.get("kind", "")
        return {"kind": kind if kind in Kind.values else Kind.VISIT}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(customer=self.customer, service_request=self.service_request)
        return context

    def form_valid(self, form: forms.OrderCreateForm) -> HttpResponse:
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)

    def save_form(self, form: forms.OrderCreateForm) -> WorkOrder:
        data = form.cleaned_data
        return services.work_order_create(
            kind=data["kind"],
            customer=self.customer,
            product=data["product"],
            service_request=self.service_request,
            reported_fault=data["reported_fault"],
            address=data["address"],
            technician=data["technician"],
            user=self.request.user,
        )

    def get_success_url(self) -> str:
        return _detail_url(self.object)


class OrderForCustomerView(OrderFormView):
    """ "New work order" on the customer card: the route's pk is the customer's."""

    model = Customer  # the access matrix makes a customer for the route's pk

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.customer = get_object_or_404(
                Customer.objects.visible_to(request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)


class OrderFromRequestView(OrderFormView):
    """ "Create work order" on a request page: the route's pk is the request's. Prefilled with
    the request's customer, product and description; only an open request the user sees."""

    model = ServiceRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.service_request = get_object_or_404(
                ServiceRequest.objects.visible_to(request.user).select_related("customer"),
                pk=kwargs["pk"],
            )
            if not self.service_request.is_open:
                messages.error(request, _("A work order can be created only from an open request."))
                return redirect("service_requests:request_detail", self.service_request.pk)
            self.customer = self.service_request.customer
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        assert self.service_request is not None
        initial.update(
            product=self.service_request.product_id,
            reported_fault=self.service_request.description,
        )
        return initial


class IntakeView(ObjectFormMixin, generic.FormView):
    """The counter's intake of a device for repair, for the customer of the route's pk: the
    device found by serial/IMEI among the customer's products or registered on the spot, the
    order, the photos and the signed intake receipt, in one transaction: a refusal of any part
    keeps none of it."""

    model = Customer
    permission_required = ADD
    form_class = forms.IntakeForm
    template_name = "work_orders/intake_form.html"
    form_takes_user = True
    # Service field names → the form's.
    RENAME = {"file": "photos", "product": "serial"}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.customer = get_object_or_404(
                Customer.objects.visible_to(request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"signer_name": self.customer.name}

    def get_template_names(self) -> list[str]:
        return [self.template_name]  # a plain form: the signature pad and files post normally

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        context["products"] = list(selectors.products_of(self.customer, self.request.user)[:50])
        return context

    def form_valid(self, form: forms.IntakeForm) -> HttpResponse:
        try:
            with transaction.atomic():
                self.object = self._take_in(form)
        except ValidationError as error:
            add_service_errors(form, error, self.RENAME)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The device has been taken in as %(number)s. "
                "Print the intake receipt for the customer."
            )
            % {"number": self.object.number},
        )
        return redirect(_detail_url(self.object))

    def _take_in(self, form: forms.IntakeForm) -> WorkOrder:
        data = form.cleaned_data
        user = self.request.user
        # An unreadable signature is refused before any photo reaches the disk (files written
        # before a rollback would stay behind).
        services.decode_signature(data["signature"])
        model = data["model"]
        found = selectors.product_by_serial(
            self.customer, user, data["serial"], model.pk if model else None
        )
        if len(found) > 1:
            raise ValidationError(
                {"model": _("The customer has several devices with this serial; give the model.")}
            )
        if found:
            product = found[0]
        elif model is None:
            raise ValidationError(
                {
                    "model": _(
                        "This serial is not among the customer's products: give the model code "
                        "to register the device."
                    )
                }
            )
        else:
            product = product_register(
                customer=self.customer,
                model=model,
                serial=data["serial"],
                purchase_date=data["purchase_date"],
                user=user,
            )
        order = services.work_order_create(
            kind=Kind.REPAIR,
            customer=self.customer,
            product=product,
            reported_fault=data["reported_fault"],
            accessories=data["accessories"],
            condition=data["condition"],
            technician=data["technician"],
            user=user,
        )
        for upload in data["photos"]:
            services.photo_add(order=order, stage=Photo.Stage.INTAKE, upload=upload, user=user)
        services.signature_record(
            order=order,
            kind=SignatureKind.INTAKE,
            signer_name=data["signer_name"],
            image_data_url=data["signature"],
            user=user,
        )
        return order


# --- The order page --------------------------------------------------------------------------


def _applies(action: str, order: WorkOrder, part_lines: list[Any], signed: set[str]) -> bool:
    closed = order.is_closed
    if action == "status":
        return bool(services.manual_statuses(order))
    if action == "quote":
        return (
            not closed
            and order.quote_status != QuoteStatus.SENT
            and Status.AWAITING_APPROVAL in order.allowed_statuses()
        )
    if action == "quote_answer":
        return order.quote_status == QuoteStatus.SENT and order.status == Status.AWAITING_APPROVAL
    if action == "part_return":
        return not closed and any(line.used_quantity > 0 for line in part_lines)
    if action == "custody":
        return bool(services.custody_steps_for(order))
    if action == "swap":
        return (
            not closed
            and order.kind == Kind.REPAIR
            and order.product_id is not None
            and order.custody not in AWAY
        )
    if action == "sign":
        kinds = (
            {SignatureKind.SERVICE_RECORD, SignatureKind.QUOTE}
            if order.kind in FIELD_KINDS
            else {SignatureKind.INTAKE, SignatureKind.HANDBACK}
        )
        return bool(kinds - signed) and (not closed or SignatureKind.HANDBACK not in signed)
    if action == "sign_link":
        return not closed and order.is_field and SignatureKind.SERVICE_RECORD not in signed
    if action == "complete":
        return Status.COMPLETED in order.allowed_statuses()
    return not closed  # assign, diagnosis, parts, labour, photos


# action → (form, permission). Each action is a POST to its own route; GET shows the page.
PAGE_FORMS: dict[str, tuple[type[forms.OrderPageForm], str]] = {
    "status": (forms.StatusForm, WORK),
    "assign": (forms.AssignForm, DISPATCH),
    "diagnosis": (forms.DiagnosisForm, WORK),
    "quote": (forms.QuoteSendForm, WORK),
    "quote_answer": (forms.QuoteAnswerForm, WORK),
    "part_issue": (forms.PartIssueForm, WORK),
    "part_return": (forms.PartReturnForm, WORK),
    "labour": (forms.LabourForm, WORK),
    "custody": (forms.CustodyForm, WORK),
    "swap": (forms.SwapForm, WORK),
    "photo": (forms.PhotoForm, WORK),
    "sign": (forms.SignForm, WORK),
    "sign_link": (forms.LinkForm, WORK),
    "complete": (forms.CompleteForm, WORK),
}


def _initial(action: str, order: WorkOrder, page: dict[str, Any]) -> dict[str, Any]:
    if action == "assign":
        return {"technician": order.technician_id}
    if action == "diagnosis":
        return {
            "diagnosis": order.diagnosis,
            "work_done": order.work_done,
            "fault_codes": [code.pk for code in page["fault_codes"]],
            "repair_codes": [code.pk for code in page["repair_codes"]],
        }
    if action == "quote" and order.quote_amount is not None:
        return {"amount": order.quote_amount, "note": order.quote_note}
    return {}


def _form_kwargs(action: str, signed: set[str]) -> dict[str, Any]:
    return {"signed": signed} if action == "sign" else {}


def order_page_context(
    order: WorkOrder,
    user: Any,
    bound: dict[str, forms.OrderPageForm] | None = None,
    new_link: str = "",
) -> dict[str, Any]:
    """Everything the order page shows besides the order's own fields, in a fixed number of
    queries however many lines, events and files the order holds."""
    bound = bound or {}
    page = selectors.order_page(order, user)
    signed = {signature.kind for signature in page["signatures"]}
    page_forms: dict[str, forms.OrderPageForm] = {}
    for action, (form_class, permission) in PAGE_FORMS.items():
        if action in bound:
            page_forms[action] = bound[action]
        elif user.has_perm(permission) and _applies(action, order, page["part_lines"], signed):
            page_forms[action] = form_class(
                initial=_initial(action, order, page),
                order=order,
                user=user,
                **_form_kwargs(action, signed),
            )
    return {
        **page,
        "page_forms": page_forms,
        "status_style": STATUS_STYLES.get(Status(order.status), ""),
        "warranty_style": WARRANTY_STYLES.get(Warranty(order.warranty), ""),
        "custody_away": order.custody in AWAY,
        "new_link": new_link,
        "documents": _documents(order),
    }


def _documents(order: WorkOrder) -> list[tuple[str, Any]]:
    documents = [("work_orders:print_order", _("Work order"))]
    if order.kind == Kind.REPAIR:
        documents.insert(0, ("work_orders:print_intake", _("Intake receipt")))
    else:
        documents.append(("work_orders:print_service_record", _("Service record sheet")))
    return documents


class OrderDetailView(ObjectDetailView):
    model = WorkOrder
    permission_required = VIEW
    template_name = "work_orders/order_detail.html"
    context_object_name = "order"
    bound_forms: dict[str, forms.OrderPageForm] = {}

    def get_queryset(self) -> models.QuerySet[WorkOrder]:
        return selectors.order_for_page(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        new_link = self.request.session.pop(LINK_SESSION_KEY % self.object.pk, "")
        context.update(
            order_page_context(self.object, self.request.user, self.bound_forms, new_link)
        )
        return context


class OrderActionView(OrderDetailView):
    """One of the order page's forms: GET shows the page, POST calls the service. A refusal
    changes nothing and comes back in place with the service's words (HTMX: the form alone)."""

    action = ""
    success_message: Any = ""

    def perform(self, form: Any) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form_class, _permission = PAGE_FORMS[self.action]
        extra: dict[str, Any] = {}
        if self.action == "sign":
            extra["signed"] = set(self.object.signatures.values_list("kind", flat=True))
        form = form_class(
            request.POST, request.FILES, order=self.object, user=request.user, **extra
        )
        if form.is_valid():
            try:
                with transaction.atomic():
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
        self.object = self.get_object()  # as it is now: the refused step changed nothing
        self.bound_forms = {self.action: form}
        context = self.get_context_data(object=self.object)
        if htmx_partial(request):
            return TemplateResponse(
                request, f"work_orders/_action_{self.action}.html", context, status=422
            )
        return self.render_to_response(context)

    def _remember_link(self, token: str) -> None:
        self.request.session[LINK_SESSION_KEY % self.object.pk] = services.link_url(token)


class OrderStatusView(OrderActionView):
    action = "status"
    permission_required = WORK
    success_message = _("The status has been changed.")

    def perform(self, form: forms.StatusForm) -> None:
        services.work_order_transition(
            order=self.object,
            to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            user=self.request.user,
        )


class OrderAssignView(OrderActionView):
    action = "assign"
    permission_required = DISPATCH
    success_message = _("The assignment has been saved.")

    def perform(self, form: forms.AssignForm) -> None:
        services.work_order_assign(
            order=self.object,
            technician=form.cleaned_data["technician"],
            reason=form.cleaned_data["reason"],
            user=self.request.user,
        )


class OrderDiagnosisView(OrderActionView):
    action = "diagnosis"
    permission_required = WORK
    success_message = _("The diagnosis has been saved.")

    def perform(self, form: forms.DiagnosisForm) -> None:
        data = form.cleaned_data
        services.work_order_update_diagnosis(
            order=self.object,
            diagnosis=data["diagnosis"],
            work_done=data["work_done"],
            fault_codes=data["fault_codes"],
            repair_codes=data["repair_codes"],
            user=self.request.user,
        )


class QuoteSendView(OrderActionView):
    action = "quote"
    permission_required = WORK
    success_message = _("The quote is waiting for the customer's answer. Send them the link below.")

    def perform(self, form: forms.QuoteSendForm) -> None:
        _order, token = services.quote_send(
            order=self.object,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
            user=self.request.user,
        )
        self._remember_link(token)


class QuoteAnswerView(OrderActionView):
    action = "quote_answer"
    permission_required = WORK
    success_message = _("The customer's answer has been recorded.")

    def perform(self, form: forms.QuoteAnswerForm) -> None:
        services.quote_answer(
            order=self.object,
            approve=form.cleaned_data["answer"] == "approve",
            user=self.request.user,
        )


class PartIssueView(OrderActionView):
    action = "part_issue"
    permission_required = WORK
    success_message = _("The part has been taken from stock for this order.")

    def perform(self, form: forms.PartIssueForm) -> None:
        data = form.cleaned_data
        services.part_issue(
            order=self.object,
            part=data["part"],
            quantity=data["quantity"],
            warehouse=data["warehouse"],
            serial=data["serial"].strip(),
            user=self.request.user,
        )


class PartReturnView(OrderActionView):
    action = "part_return"
    permission_required = WORK
    success_message = _("The part has been returned to stock.")

    def perform(self, form: forms.PartReturnForm) -> None:
        services.part_return(
            line=form.cleaned_data["line"],
            quantity=form.cleaned_data["quantity"],
            user=self.request.user,
        )


class LabourView(OrderActionView):
    action = "labour"
    permission_required = WORK
    success_message = _("The work has been recorded.")

    def perform(self, form: forms.LabourForm) -> None:
        data = form.cleaned_data
        services.labour_add(
            order=self.object,
            labour_item=data["labour_item"],
            description=data["description"],
            minutes=data["minutes"] or 0,
            amount=data["amount"],
            user=self.request.user,
        )


class CustodyView(OrderActionView):
    action = "custody"
    permission_required = WORK
    success_message = _("The device's whereabouts have been recorded.")

    def perform(self, form: forms.CustodyForm) -> None:
        data = form.cleaned_data
        services.custody_record(
            order=self.object,
            kind=data["kind"],
            to_unit=data["to_unit"],
            reference=data["reference"],
            note=data["note"],
            user=self.request.user,
        )


class SwapView(OrderActionView):
    action = "swap"
    permission_required = WORK
    success_message = _("The device has been swapped.")

    def perform(self, form: forms.SwapForm) -> None:
        services.device_swap(
            order=self.object,
            new_serial=form.cleaned_data["new_serial"],
            note=form.cleaned_data["note"],
            user=self.request.user,
        )


class PhotoAddView(OrderActionView):
    action = "photo"
    permission_required = WORK
    success_message = _("The photos have been added.")

    def perform(self, form: forms.PhotoForm) -> None:
        for upload in form.cleaned_data["files"]:
            try:
                services.photo_add(
                    order=self.object,
                    stage=form.cleaned_data["stage"],
                    upload=upload,
                    caption=form.cleaned_data["caption"],
                    user=self.request.user,
                )
            except ValidationError as error:
                raise ValidationError(
                    {"files": [f"{upload.name}: {message}" for message in error.messages]}
                ) from None


class SignView(OrderActionView):
    action = "sign"
    permission_required = WORK
    success_message = _("The signature has been recorded.")

    def perform(self, form: forms.SignForm) -> None:
        services.signature_record(
            order=self.object,
            kind=form.cleaned_data["kind"],
            signer_name=form.cleaned_data["signer_name"],
            image_data_url=form.cleaned_data["signature"],
            user=self.request.user,
        )


class SignLinkView(OrderActionView):
    action = "sign_link"
    permission_required = WORK
    success_message = _("Send the customer the link below to sign the service record.")

    def perform(self, form: forms.LinkForm) -> None:
        token = services.signature_link_create(order=self.object, user=self.request.user)
        self._remember_link(token)


class CompleteView(OrderActionView):
    action = "complete"
    permission_required = WORK

    def perform(self, form: forms.CompleteForm) -> None:
        services.work_order_complete(
            order=self.object, note=form.cleaned_data["note"], user=self.request.user
        )
        messages.success(
            self.request,
            _("The device has been handed back and the order closed.")
            if self.object.kind == Kind.REPAIR
            else _("The work order has been completed."),
        )


# --- Files -----------------------------------------------------------------------------------


class PhotoView(ObjectDetailView):
    """A photo of an order, to those who see the order; never rendered in our origin."""

    model = Photo
    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        photo = self.get_object()
        try:
            return serve_private_file(
                photo.file, name=photo.original_name, content_type=photo.content_type
            )
        except FileNotFoundError:
            raise Http404 from None


class SignatureImageView(ObjectDetailView):
    model = Signature
    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signature = self.get_object()
        try:
            return serve_private_file(
                signature.image,
                name=f"signature-{signature.work_order_id}-{signature.kind}.png",
                content_type="image/png",
            )
        except FileNotFoundError:
            raise Http404 from None


# --- Printable documents ---------------------------------------------------------------------


class PrintView(ObjectDetailView):
    """A printable document of the order (HTML with print CSS), in the customer's language:
    the intake receipt, the work order, the service record sheet with the signature."""

    model = WorkOrder
    permission_required = VIEW
    document = ""

    def get_queryset(self) -> models.QuerySet[WorkOrder]:
        return selectors.order_for_page(self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = self.get_object()
        language = customer_language(order, getattr(request, "LANGUAGE_CODE", ""))
        page = selectors.order_page(order, request.user)
        kind = selectors.DOCUMENT_SIGNATURE[self.document]
        signature = next((s for s in page["signatures"] if s.kind == kind), None)
        with translation.override(language):
            html = render_to_string(
                f"work_orders/print_{self.document}.html",
                {
                    **page,
                    "order": order,
                    "signature": signature,
                    "signature_src": selectors.signature_data_uri(signature) if signature else "",
                    "printed_at": timezone.now(),
                    "back_url": _detail_url(order),
                },
                request=request,
            )
        return HttpResponse(html)


# --- The customer's link page ----------------------------------------------------------------


def _link_state(link: CustomerLink | None) -> tuple[int, Any]:
    """(status, message) of a link that cannot be used, or (200, "")."""
    if link is None:
        return 404, _("This link is not valid. Please check that it was copied whole.")
    if link.used_at is not None:
        return 410, _("This link has already been used. Thank you — nothing more is needed.")
    if link.expires_at <= timezone.now():
        return 410, _("This link has expired. Please ask the service centre for a new one.")
    return 200, ""


class CustomerLinkView(View):
    """The page a customer opens from the link they were sent: no sign-in, their language,
    their order only. A quote: approve or decline. A service record: sign, name, rating.
    An unknown link answers 404, a used or expired one 410, and nothing changes."""

    template_name = "work_orders/customer_link.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.token = kwargs["token"]
        self.link = services.link_for_token(self.token)
        language = (
            customer_language(self.link.work_order)
            if self.link is not None
            else getattr(request, "LANGUAGE_CODE", "")
        )
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, TemplateResponse):
                response.render()
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def render(self, context: dict[str, Any], status: int = 200) -> TemplateResponse:
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def refused(self, status: int, message: Any) -> TemplateResponse:
        return self.render({"refused": message}, status=status)

    def page(
        self, sign_form: forms.LinkSignForm | None = None, error: Any = ""
    ) -> TemplateResponse:
        link = self.link
        assert link is not None
        order = selectors.order_for_link(link)
        return self.render(
            {
                "link": link,
                "order": order,
                "is_quote": link.purpose == CustomerLink.Purpose.QUOTE,
                "sign_form": sign_form or forms.LinkSignForm(initial={"signer_name": ""}),
                "error": error,
                **selectors.customer_view_of(order),
            }
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        status, message = _link_state(self.link)
        if status != 200:
            return self.refused(status, message)
        return self.page()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        status, message = _link_state(self.link)
        if status != 200:
            return self.refused(status, message)
        assert self.link is not None
        if self.link.purpose == CustomerLink.Purpose.QUOTE:
            return self._answer()
        return self._sign()

    def _after_refusal(self, error: ValidationError) -> tuple[int, Any]:
        """A refusal caused by the link itself (used meanwhile, expired) is the 410 page."""
        self.link = services.link_for_token(self.token)
        return _link_state(self.link)

    def _answer(self) -> HttpResponse:
        form = forms.LinkQuoteForm(self.request.POST)
        if not form.is_valid():
            return self.page(error=_("Choose to approve or to decline the quote."))
        approve = form.cleaned_data["answer"] == "approve"
        try:
            services.quote_answer_by_link(token=self.token, approve=approve)
        except ValidationError as error:
            status, message = self._after_refusal(error)
            if status != 200:
                return self.refused(status, message)
            return self.refused(409, " ".join(error.messages))
        return self.render({"done": "approved" if approve else "declined"})

    def _sign(self) -> HttpResponse:
        form = forms.LinkSignForm(self.request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.sign_by_link(
                    token=self.token,
                    signer_name=data["signer_name"],
                    image_data_url=data["signature"],
                    rating=data["rating"],
                    comment=data["comment"],
                )
            except ValidationError as error:
                status, message = self._after_refusal(error)
                if status != 200:
                    return self.refused(status, message)
                add_service_errors(form, error)
            else:
                return self.render({"done": "signed"})
        return self.page(sign_form=form)
