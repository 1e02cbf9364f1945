import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.core.forms import StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct, normalise_serial
from aftersales.installed_base.selectors import WarrantyState, warranty_state_q
from aftersales.organisation.models import Unit


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _visible_customers(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Customer.objects.none()
    return Customer.objects.visible_to(request.user)


class InstalledProductFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the installed-products page and GET /api/v1/products/."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Serial number / IMEI"),
        help_text=_("The whole number or its beginning; spaces and dashes are ignored."),
    )
    model = django_filters.ModelChoiceFilter(queryset=ProductModel.objects.all(), label=_("Model"))
    category = django_filters.ModelChoiceFilter(
        queryset=ProductCategory.objects.all(),
        field_name="model__category",
        method="in_category",
        label=_("Category"),
    )
    warranty = django_filters.ChoiceFilter(
        choices=WarrantyState.choices,
        method="warranty_today",
        label=_("Warranty today"),
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units,
        field_name="customer__unit",
        method="in_subtree",
        label=_("Customer's unit (with the units below)"),
    )
    # By id, as the customer card links to it; a select of every customer would not scale.
    customer = django_filters.ModelChoiceFilter(
        queryset=_visible_customers,
        label=_("Owner (customer id)"),
        widget=forms.NumberInput,
    )

    class Meta:
        model = InstalledProduct
        fields = ["q", "model", "category", "warranty", "unit", "customer"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        serial = normalise_serial(value)
        if not serial:
            return queryset
        # The serial column holds normalised values: a prefix match finds "35-2099…" typed
        # with dashes. SQLite's LIKE ignores case and so skips the index; the equivalent range
        # on the (binary-collated) column uses it, as in core.scoping.subtree_q.
        if connection.vendor == "sqlite":
            return queryset.filter(serial__gte=serial, serial__lt=serial + "\U0010ffff")
        return queryset.filter(serial__startswith=serial)

    def in_category(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(model__category=value) | Q(model__category__parent=value))

    def warranty_today(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(warranty_state_q(value, timezone.localdate()))

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("customer__unit", [value.path]))
