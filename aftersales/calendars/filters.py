import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.calendars.models import BusinessCalendar
from aftersales.core.forms import StyledFilterFormMixin


class CalendarFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the calendar list page and GET /api/v1/calendars/."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.CharFilter(method="by_country", label=_("Country"))

    class Meta:
        model = BusinessCalendar
        fields = ["q", "country"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(name__icontains=value) | Q(owner__name__icontains=value))

    def by_country(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(country__iexact=value.strip())
