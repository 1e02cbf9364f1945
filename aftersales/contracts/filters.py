import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.core.forms import StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.customers.models import Customer
from aftersales.customers.selectors import MAX_QUERY_LENGTH, customers_matching
from aftersales.organisation.models import Unit

# See service_requests.filters: a customer text matching more customers is too vague.
CUSTOMER_MATCHES = 1000


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


class ServiceContractFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the contracts page and GET /api/v1/contracts/."""

    q = django_filters.CharFilter(method="search", label=_("Number or subject"))
    customer = django_filters.CharFilter(
        method="of_customer",
        label=_("Customer"),
        help_text=_("Name, customer number, phone or e-mail."),
    )
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("Status"))
    service_level = django_filters.ChoiceFilter(
        choices=ServiceLevel.choices, label=_("Service level")
    )
    in_force_on = django_filters.DateFilter(method="in_force", label=_("In force on"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units,
        field_name="customer__unit",
        method="in_subtree",
        label=_("Customer's unit (with the units below)"),
    )

    class Meta:
        model = ServiceContract
        fields = ["q", "customer", "status", "service_level", "in_force_on", "unit"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:MAX_QUERY_LENGTH]
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value))

    def of_customer(self, queryset, name, value):  # type: ignore[no-untyped-def]
        # A longer text is cut rather than refused: a search box has no length to respect.
        value = value.strip()[:MAX_QUERY_LENGTH]
        if not value:
            return queryset
        # The ids, not a subquery: the name search is raw SQL naming the customers table.
        matching = customers_matching(Customer.objects.order_by("pk"), value)
        return queryset.filter(
            customer_id__in=list(matching.values_list("pk", flat=True)[:CUSTOMER_MATCHES])
        )

    def in_force(self, queryset, name, value: datetime.date):  # type: ignore[no-untyped-def]
        return queryset.in_force(value)

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("customer__unit", [value.path]))
