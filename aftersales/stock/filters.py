"""FilterSets shared by the stock pages and the API lists."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.organisation.models import Unit
from aftersales.stock.models import (
    Condition,
    MovementKind,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
)

MAX_QUERY_LENGTH = 100


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _visible_warehouses(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Warehouse.objects.none()
    return Warehouse.objects.visible_to(request.user)


def _day_start(day: datetime.date) -> datetime.datetime:
    # The viewer's days, as a range on the stored instant (the index stays usable).
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def part_q(value: str, prefix: str = "part__") -> Q:
    """A part typed as its number (exact, any case) or a piece of its name in any language."""
    value = value.strip()[:MAX_QUERY_LENGTH]
    condition = Q(**{f"{prefix}part_number__iexact": value})
    for column in ("name_en", "name_zh_hans", "name_zh_hant", "name_ru"):
        condition |= Q(**{f"{prefix}{column}__icontains": value})
    return condition


class WarehouseFilter(StyledFilterFormMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Code or name"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="in_subtree", label=_("Unit (with the units below)")
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Warehouse
        fields = ["q", "unit", "is_active"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:MAX_QUERY_LENGTH]
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value))

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("unit", [value.path]))


class BalanceFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by a warehouse's balances, the balances page and GET /api/v1/stock/balances/."""

    warehouse = django_filters.ModelChoiceFilter(queryset=_visible_warehouses, label=_("Warehouse"))
    part = django_filters.CharFilter(
        method="of_part", label=_("Part"), help_text=_("Part number or name.")
    )
    condition = django_filters.ChoiceFilter(choices=Condition.choices, label=_("Condition"))
    in_stock = StrictBooleanFilter(method="is_in_stock", label=_("In stock"))

    class Meta:
        model = StockBalance
        fields = ["warehouse", "part", "condition", "in_stock"]

    def of_part(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(part_q(value)) if value.strip() else queryset

    def is_in_stock(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)


class MovementFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the movement journal and GET /api/v1/stock/movements/."""

    warehouse = django_filters.ModelChoiceFilter(queryset=_visible_warehouses, label=_("Warehouse"))
    part = django_filters.CharFilter(
        method="of_part", label=_("Part"), help_text=_("Part number or name.")
    )
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label=_("Kind"))
    reference = django_filters.CharFilter(method="of_reference", label=_("Reference"))
    date_from = django_filters.DateFilter(method="since", label=_("Date from"))
    date_to = django_filters.DateFilter(method="until", label=_("Date to"))

    class Meta:
        model = StockMovement
        fields = ["warehouse", "part", "kind", "reference", "date_from", "date_to"]

    def of_part(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(part_q(value)) if value.strip() else queryset

    def of_reference(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()[:MAX_QUERY_LENGTH]
        return queryset.filter(reference__iexact=value) if value else queryset

    def since(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(created_at__gte=_day_start(value))

    def until(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(created_at__lt=_day_start(value + datetime.timedelta(days=1)))


class TransferFilter(StyledFilterFormMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TransferStatus.choices, label=_("Status"))
    warehouse = django_filters.ModelChoiceFilter(
        queryset=_visible_warehouses,
        field_name="source",
        method="at_either_end",
        label=_("Warehouse (either end)"),
    )

    class Meta:
        model = Transfer
        fields = ["status", "warehouse"]

    def at_either_end(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(source=value) | Q(destination=value))
