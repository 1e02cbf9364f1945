"""The work orders list's filters, shared by the page and the API list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.customers.models import Customer
from aftersales.customers.selectors import MAX_QUERY_LENGTH, customers_matching
from aftersales.installed_base.models import normalise_serial
from aftersales.organisation.models import Unit
from aftersales.work_orders.models import (
    CLOSED_STATUSES,
    Custody,
    Kind,
    Status,
    Warranty,
    WorkOrder,
    parse_number,
)

# See service_requests.filters: a customer text matching more customers is too vague.
CUSTOMER_MATCHES = 1000


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _technicians(request):  # type: ignore[no-untyped-def]
    if request is None:
        return User.objects.none()
    return User.objects.filter(unit__in=Unit.objects.visible_to(request.user)).order_by(
        "last_name", "first_name", "username"
    )


class WorkOrderFilter(StyledFilterFormMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Number, serial or customer number"))
    customer = django_filters.CharFilter(
        method="of_customer",
        label=_("Customer"),
        help_text=_("Name, customer number, phone or e-mail."),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    open = StrictBooleanFilter(method="only_open", label=_("Open only"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units,
        method="in_subtree",
        label=_("Unit (with the units below)"),
    )
    technician = django_filters.ModelChoiceFilter(
        queryset=_technicians, label=_("Technician / engineer")
    )
    custody = django_filters.ChoiceFilter(choices=Custody.choices, label=_("Device is"))
    warranty = django_filters.ChoiceFilter(choices=Warranty.choices, label=_("Warranty"))
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created to")
    )

    class Meta:
        model = WorkOrder
        fields = [
            "q",
            "customer",
            "status",
            "open",
            "kind",
            "unit",
            "technician",
            "custody",
            "warranty",
            "created_from",
            "created_to",
        ]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:MAX_QUERY_LENGTH]
        if not value:
            return queryset
        number = parse_number(value)
        if number is not None:
            return queryset.filter(pk=number)
        return queryset.filter(
            Q(product__serial=normalise_serial(value)) | Q(customer__code__iexact=value)
        )

    def of_customer(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:MAX_QUERY_LENGTH]
        if not value:
            return queryset
        # The ids, not a subquery: the name search is raw SQL naming the customers table.
        matching = customers_matching(Customer.objects.order_by("pk"), value)
        return queryset.filter(
            customer_id__in=list(matching.values_list("pk", flat=True)[:CUSTOMER_MATCHES])
        )

    def only_open(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        return queryset.open() if value else queryset.filter(status__in=CLOSED_STATUSES)

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("unit", [value.path]))
