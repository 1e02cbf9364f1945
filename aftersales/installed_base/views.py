from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    htmx_partial,
)
from aftersales.customers.models import Customer, Phone
from aftersales.customers.phones import candidates as phone_candidates
from aftersales.customers.selectors import matching_text
from aftersales.installed_base import selectors, services
from aftersales.installed_base.filters import InstalledProductFilter
from aftersales.installed_base.forms import InstalledProductForm, TransferForm, WarrantyCheckForm
from aftersales.installed_base.models import InstalledProduct

VIEW = "installed_base.view_installedproduct"
ADD = "installed_base.add_installedproduct"
CHANGE = "installed_base.change_installedproduct"
OWNER_CANDIDATES = 20


def _warranty_today(product: InstalledProduct) -> str:
    return selectors.warranty_status(product, timezone.localdate()).label


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


class ProductListView(ObjectListView):
    model = InstalledProduct
    permission_required = VIEW
    filterset_class = InstalledProductFilter
    template_name = "installed_base/product_list.html"
    sortable = {
        "serial": "serial",
        "model": "model__code",
        "owner": "customer__name",
        "purchase_date": "purchase_date",
        "warranty_end": "warranty_end",
    }
    default_sort = "-purchase_date"
    columns = [
        ("serial", _("Serial number / IMEI")),
        ("model", _("Model")),
        ("owner", _("Owner")),
        ("purchase_date", _("Purchase date")),
        ("warranty_end", _("Warranty end")),
        ("", _("Warranty today")),
    ]
    export_columns = [
        (_("Serial number / IMEI"), "serial"),
        (_("Model"), "model.code"),
        (_("Model name"), "model.name"),
        (_("Category"), "model.category.name"),
        (_("Owner"), "customer.name"),
        (_("Customer number"), "customer.code"),
        (_("Serving unit"), "customer.unit.name"),
        (_("Production batch"), "batch.code"),
        (_("Purchase date"), "purchase_date"),
        (_("Dealer"), "dealer"),
        (_("Warranty end"), "warranty_end"),
        (_("Extended warranty end"), "extended_warranty_end"),
        (_("Warranty today"), _warranty_today),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("model__category", "customer__unit", "batch")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class ProductDetailView(ObjectDetailView):
    model = InstalledProduct
    permission_required = VIEW
    template_name = "installed_base/product_detail.html"
    context_object_name = "product"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("model__category", "customer", "batch")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        product = self.object
        user = self.request.user
        context.update(
            {
                "today": today,
                "warranty": selectors.warranty_status(product, today),
                "warranty_form": WarrantyCheckForm(initial={"on": today}),
                "ownership_changes": product.ownership_changes.select_related(
                    "previous_owner", "new_owner", "changed_by"
                ),
                "can_change": user.has_perm(CHANGE),
                "history": history_of(product),
            }
        )
        return context


class ProductWarrantyView(ObjectDetailView):
    """Is the product covered on a date? (GET; for HTMX only the answer fragment)."""

    model = InstalledProduct
    permission_required = VIEW
    template_name = "installed_base/product_warranty.html"
    context_object_name = "product"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = WarrantyCheckForm(self.request.GET or None)
        checked = None
        if form.is_valid():
            checked = selectors.warranty_status(self.object, form.cleaned_data["on"])
        context.update({"warranty_form": form, "checked": checked})
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{name}#result" for name in names]
        return names


class ProductRegisterView(ServiceErrorsMixin, ObjectCreateView):
    """Register a product from a customer's card: the route's pk is the customer's."""

    model = Customer
    permission_required = ADD
    form_class = InstalledProductForm
    template_name = "installed_base/product_form.html"
    success_message = _("The product has been registered.")

    def _customer(self) -> Customer:
        if not hasattr(self, "customer"):
            self.customer = get_object_or_404(
                Customer.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
            )
        return self.customer

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._customer()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._customer()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = InstalledProduct(customer=self._customer())
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["customer"] = self._customer()
        context["product"] = None
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.product_register(
            customer=self._customer(), user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self) -> str:
        return reverse("installed_base:product_detail", args=[self.object.pk])


class ProductUpdateView(ServiceErrorsMixin, ObjectUpdateView):
    model = InstalledProduct
    permission_required = CHANGE
    form_class = InstalledProductForm
    template_name = "installed_base/product_form.html"
    success_message = _("The product has been saved.")
    context_object_name = "product"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("customer", "model")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["customer"] = self.object.customer
        return context

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.product_update(
            product=self.object, user=self.request.user, **form.cleaned_data
        )

    def get_success_url(self) -> str:
        return reverse("installed_base:product_detail", args=[self.object.pk])


def owner_candidates(user: Any, product: InstalledProduct, query: str) -> list[Customer]:
    """Customers the user sees whose name, number or phone matches `query` (for the transfer
    form's search), the current owner left out."""
    query = query.strip()
    if not query:
        return []
    visible = Customer.objects.visible_to(user).exclude(pk=product.customer_id)
    found = Q(pk__in=matching_text(visible, query).values("pk")) | Q(code__iexact=query)
    numbers = phone_candidates(query)
    if numbers:
        found |= Q(pk__in=Phone.objects.filter(number__in=numbers).values("customer"))
    return list(
        visible.filter(found).select_related("unit").order_by("name", "pk")[:OWNER_CANDIDATES]
    )


class ProductTransferView(ServiceErrorsMixin, ObjectUpdateView):
    """Pass the product to another customer: find the new owner (by name, number or phone),
    give the date. GET with `find` (HTMX: only the candidates) searches; POST transfers."""

    model = InstalledProduct
    permission_required = CHANGE
    form_class = TransferForm
    template_name = "installed_base/product_transfer.html"
    success_message = _("The product has been passed to its new owner.")
    context_object_name = "product"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("customer", "model")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "user": self.request.user, "product": self.object}

    def get_initial(self) -> dict[str, Any]:
        return {"changed_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        find = self.request.GET.get("find", "") or self.request.POST.get("find", "")
        candidates = owner_candidates(self.request.user, self.object, find)
        chosen = str(context["form"]["new_owner"].value() or "")
        if chosen.isdigit() and all(str(customer.pk) != chosen for customer in candidates):
            # The owner chosen before the form came back with an error stays on offer.
            again = Customer.objects.visible_to(self.request.user).filter(pk=int(chosen))
            candidates = [*again.exclude(pk=self.object.customer_id), *candidates]
        context.update({"find": find, "candidates": candidates, "chosen": chosen})
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request) and self.request.method == "GET":
            return [name.replace("#form", "#candidates") for name in names]
        return names

    def save_form(self, form):  # type: ignore[no-untyped-def]
        services.product_transfer(product=self.object, user=self.request.user, **form.cleaned_data)
        return self.object

    def get_success_url(self) -> str:
        return reverse("installed_base:product_detail", args=[self.object.pk])
