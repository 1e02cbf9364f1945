import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.customers.models import Customer
from aftersales.customers.selectors import MAX_QUERY_LENGTH, customers_matching
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import RequestType, ServiceRequest, Status

CUSTOMER_MATCHES = 1000


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _visible_people(request):  # type: ignore[no-untyped-def]
    from aftersales.accounts.models import User

    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user).order_by("username")


def _day_start(day: datetime.date) -> datetime.datetime:
    # Days are the viewer's days; a range on the stored instant keeps the index usable
    # (registered_at__date would convert every row).
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class ServiceRequestFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the requests report and GET /api/v1/requests/."""

    customer = django_filters.CharFilter(
        method="of_customer",
        label=_("Customer"),
        help_text=_("Name, customer number, phone or e-mail."),
    )
    responsible = django_filters.ModelChoiceFilter(queryset=_visible_people, label=_("Responsible"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    request_type = django_filters.ModelChoiceFilter(
        queryset=RequestType.objects.all(), label=_("Type")
    )
    overdue = StrictBooleanFilter(method="is_overdue", label=_("Overdue"))
    registered_from = django_filters.DateFilter(
        method="registered_since", label=_("Registered from")
    )
    registered_to = django_filters.DateFilter(method="registered_until", label=_("Registered to"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units,
        method="in_subtree",
        label=_("Handling unit (with the units below)"),
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "customer",
            "responsible",
            "status",
            "request_type",
            "overdue",
            "registered_from",
            "registered_to",
            "unit",
        ]

    def of_customer(self, queryset, name, value):  # type: ignore[no-untyped-def]
        # A longer text is cut rather than refused: a search box has no length to respect.
        value = value.strip()[:MAX_QUERY_LENGTH]
        if not value:
            return queryset
        # The ids, not a subquery: the name search is raw SQL naming the customers table,
        # which a subquery would alias. A text that matches more customers than this is too
        # vague to report on; the first ones are taken.
        matching = customers_matching(Customer.objects.order_by("pk"), value)
        return queryset.filter(
            customer_id__in=list(matching.values_list("pk", flat=True)[:CUSTOMER_MATCHES])
        )

    def is_overdue(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        late = Q(is_open=True, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def registered_since(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(registered_at__gte=_day_start(value))

    def registered_until(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(registered_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("unit", [value.path]))
