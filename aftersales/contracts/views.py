from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _

from aftersales.contracts import selectors, services
from aftersales.contracts.filters import ServiceContractFilter
from aftersales.contracts.forms import ContractForm
from aftersales.contracts.models import ServiceContract
from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from aftersales.customers.models import Customer

VIEW = "contracts.view_servicecontract"
ADD = "contracts.add_servicecontract"
CHANGE = "contracts.change_servicecontract"
REQUEST_ROWS = 20


class ServiceErrorsMixin:
    """A ValidationError from the service becomes form errors (keys the form lacks become
    non-field errors) instead of a server error."""

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)  # type: ignore[attr-defined]


def _valid_to(contract: ServiceContract) -> Any:
    return contract.valid_to


def _in_force_today(contract: ServiceContract) -> bool:
    return selectors.is_in_force(contract, timezone.localdate())


class ContractListView(ObjectListView):
    model = ServiceContract
    permission_required = VIEW
    filterset_class = ServiceContractFilter
    template_name = "contracts/contract_list.html"
    sortable = {
        "number": "number",
        "customer": "customer__name",
        "title": "title",
        "level": "service_level",
        "status": "status",
        "valid_from": "valid_from",
        "valid_to": "valid_to",
    }
    default_sort = "-valid_from"
    columns = [
        ("number", _("Number")),
        ("customer", _("Customer")),
        ("title", _("Subject")),
        ("level", _("Service level")),
        ("status", _("Status")),
        ("valid_from", _("Valid from")),
        ("valid_to", _("Valid to")),
    ]
    export_columns = [
        (_("Number"), "number"),
        (_("Customer"), "customer.name"),
        (_("Customer number"), "customer.code"),
        (_("Serving unit"), "customer.unit.name"),
        (_("Subject"), "title"),
        (_("Service level"), "get_service_level_display"),
        (_("Status"), "get_status_display"),
        (_("Valid from"), "valid_from"),
        (_("Valid to"), _valid_to),
        (_("In force today"), _in_force_today),
        (_("Notes"), "notes"),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("customer__unit")


class ContractDetailView(ObjectDetailView):
    model = ServiceContract
    permission_required = VIEW
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("customer", "source_request", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract, user = self.object, self.request.user
        requests = list(selectors.requests_under(contract, user)[: REQUEST_ROWS + 1])
        source = contract.source_request
        context.update(
            in_force_today=selectors.is_in_force(contract, timezone.localdate()),
            # The request it was drawn up from is linked only for those who may see it.
            source_request=source
            if source is not None
            and source.__class__.objects.visible_to(user).filter(pk=source.pk).exists()
            else None,
            served_requests=requests[:REQUEST_ROWS],
            more_requests=len(requests) > REQUEST_ROWS,
            can_change=user.has_perm(CHANGE),
            history=history_of(contract),
        )
        return context


class ContractFormMixin(ServiceErrorsMixin):
    form_class = ContractForm
    template_name = "contracts/contract_form.html"
    request: HttpRequest
    # Set when the customer is not typed but given by the page (card, request, the contract).
    fixed_customer: Customer | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()  # type: ignore[misc]
        kwargs.update(user=self.request.user, fixed_customer=self.fixed_customer)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["fixed_customer"] = self.fixed_customer
        return context

    def get_success_url(self) -> str:
        return reverse("contracts:contract_detail", args=[self.object.pk])  # type: ignore[attr-defined]


class ContractCreateView(ContractFormMixin, ObjectCreateView):
    """A new contract; the customer typed by number (prefilled by `?customer=<id>`)."""

    model = ServiceContract
    permission_required = ADD
    success_message = _("The contract has been saved.")
    source_request: Any = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ServiceContract(customer=self.fixed_customer)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"valid_from": timezone.localdate()}
        chosen = self.request.GET.get("customer", "")
        if self.fixed_customer is None and chosen.isdigit():
            customer = Customer.objects.visible_to(self.request.user).filter(pk=int(chosen))
            code = customer.values_list("code", flat=True).first()
            if code:
                initial["customer"] = code
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(contract=None, source_request=self.source_request)
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        fields = dict(form.cleaned_data)
        customer = fields.pop("customer", None) or self.fixed_customer
        return services.contract_create(
            user=self.request.user,
            customer=customer,
            source_request=self.source_request,
            **fields,
        )


class ContractForCustomerView(ContractCreateView):
    """A new contract from the customer's card: the route's pk is the customer's."""

    model = Customer  # type: ignore[assignment]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.fixed_customer = get_object_or_404(
                Customer.objects.visible_to(request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)


class ContractFromRequestView(ContractCreateView):
    """ "Create contract from this request": the route's pk is the request's. The contract is
    prefilled with the request's customer, subject and description and remembers the request.

    Requests are downstream of contracts, so the request model is not imported: it is the
    model the contract's `source_request` link points at (selectors.source_request_model)."""

    @classproperty
    def model(cls) -> type[Any]:  # type: ignore[override]
        return selectors.source_request_model()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            requests = self.model.objects.visible_to(request.user).select_related("customer")
            self.source_request = get_object_or_404(requests, pk=kwargs["pk"])
            self.fixed_customer = self.source_request.customer
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        initial.update(
            title=self.source_request.subject,
            notes=self.source_request.description,
        )
        return initial


class ContractUpdateView(ContractFormMixin, ObjectUpdateView):
    model = ServiceContract
    permission_required = CHANGE
    success_message = _("The contract has been saved.")
    context_object_name = "contract"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("customer", "source_request")

    def get_object(self, queryset=None):  # type: ignore[no-untyped-def]
        contract = super().get_object(queryset)
        if contract.source_request_id is not None:
            self.fixed_customer = contract.customer
        return contract

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["source_request"] = None
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        fields = dict(form.cleaned_data)
        return services.contract_update(contract=self.object, user=self.request.user, **fields)
