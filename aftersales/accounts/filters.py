import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Position, User
from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.organisation.models import Unit


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


class UserFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the people list page and GET /api/v1/users/."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="in_subtree", label=_("Unit (with the units below)")
    )
    position = django_filters.ModelChoiceFilter(
        queryset=Position.objects.all(), label=_("Position")
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "unit", "position", "is_active"]

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("unit", [value.path]))

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )


class PositionFilter(StyledFilterFormMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Position
        fields = ["q"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
