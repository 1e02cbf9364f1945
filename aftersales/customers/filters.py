import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.core.scoping import subtree_q
from aftersales.customers.models import Customer, CustomerKind, Tag
from aftersales.customers.selectors import MAX_QUERY_LENGTH, customers_matching
from aftersales.organisation.models import Unit


def _visible_units(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Unit.objects.none()
    return Unit.objects.visible_to(request.user)


def _visible_people(request):  # type: ignore[no-untyped-def]
    from aftersales.accounts.models import User

    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user).order_by("username")


class CustomerFilter(StyledFilterFormMixin, django_filters.FilterSet):
    """Shared by the customer list page and GET /api/v1/customers/."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Name, contact, address, phone, e-mail, customer or tax number."),
    )
    kind = django_filters.ChoiceFilter(choices=CustomerKind.choices, label=_("Kind"))
    unit = django_filters.ModelChoiceFilter(
        queryset=_visible_units, method="in_subtree", label=_("Unit (with the units below)")
    )
    responsible = django_filters.ModelChoiceFilter(
        queryset=_visible_people, label=_("Responsible specialist")
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(), field_name="tags", label=_("Tag")
    )
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Customer
        fields = ["q", "kind", "unit", "responsible", "tag", "is_active"]

    def in_subtree(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(subtree_q("unit", [value.path]))

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return customers_matching(queryset, value)
