"""The visit list's filters, shared by the API (GET /api/v1/field/visits/)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StrictBooleanFilter, StyledFilterFormMixin
from aftersales.field_service.models import Engineer, Visit, VisitStatus
from aftersales.organisation.models import Unit


def _units(request):  # type: ignore[no-untyped-def]
    return Unit.objects.visible_to(request.user) if request else Unit.objects.none()


def _engineers(request):  # type: ignore[no-untyped-def]
    return Engineer.objects.visible_to(request.user) if request else Engineer.objects.none()


class VisitFilter(StyledFilterFormMixin, django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=_units, field_name="engineer__unit", label=_("Unit (board)")
    )
    engineer = django_filters.ModelChoiceFilter(queryset=_engineers, label=_("Engineer"))
    status = django_filters.ChoiceFilter(choices=VisitStatus.choices, label=_("Status"))
    work_order = django_filters.NumberFilter(field_name="work_order_id", label=_("Work order"))
    starts_from = django_filters.IsoDateTimeFilter(
        field_name="window_start", lookup_expr="gte", label=_("Starting at or after")
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="window_start", lookup_expr="lt", label=_("Starting before")
    )

    class Meta:
        model = Visit
        fields = ["unit", "engineer", "status", "work_order", "starts_from", "starts_before"]


class FieldJobFilter(StyledFilterFormMixin, django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=_units, field_name="work_order__unit", label=_("Unit")
    )
    contacted = StrictBooleanFilter(
        field_name="contacted_at", lookup_expr="isnull", exclude=True, label=_("Contacted")
    )
    arrived = StrictBooleanFilter(
        field_name="first_arrival_at", lookup_expr="isnull", exclude=True, label=_("Arrived")
    )

    class Meta:
        from aftersales.field_service.models import FieldJob

        model = FieldJob
        fields = ["unit", "contacted", "arrived"]


class EngineerFilter(StyledFilterFormMixin, django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    is_active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = Engineer
        fields = ["unit", "is_active"]
