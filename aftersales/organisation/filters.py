import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.organisation.choices import Ownership, UnitKind
from aftersales.organisation.models import Unit


class UnitFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the unit list page and GET /api/v1/units/."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "ownership", "is_active"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(address__icontains=value)
        )
