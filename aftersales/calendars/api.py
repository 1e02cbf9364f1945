from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.fields import InputSerializer
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet
from aftersales.calendars import selectors
from aftersales.calendars.filters import CalendarFilter
from aftersales.calendars.forms import MAX_MINUTES, SUPPORTED_YEARS, out_of_range_message
from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
from aftersales.organisation.models import Unit

YEAR_PARAMETER = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": SUPPORTED_YEARS.start, "maximum": SUPPORTED_YEARS.stop - 1},
    description="The year whose exceptional days are listed (default: the current year).",
)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:30"}
)
class HourMinuteField(serializers.TimeField):
    """A time of day as `HH:MM`. Not OpenAPI's `format: time`, which needs seconds and an offset."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class WorkingIntervalOutput(serializers.ModelSerializer):
    start = HourMinuteField()
    end = HourMinuteField()

    class Meta:
        model = WorkingInterval
        fields = ["weekday", "start", "end"]


class CalendarDayOutput(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]


class CalendarOutput(serializers.ModelSerializer):
    intervals = WorkingIntervalOutput(many=True, read_only=True)
    days = CalendarDayOutput(many=True, read_only=True, source="days_of_year")

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "owner", "country", "intervals", "days"]


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=SUPPORTED_YEARS.start, max_value=SUPPORTED_YEARS.stop - 1, required=False
    )


@extend_schema_view(
    list=extend_schema(
        summary="List business calendars",
        parameters=[YEAR_PARAMETER],
        responses={200: CalendarOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A business calendar",
        parameters=[YEAR_PARAMETER],
        responses={200: CalendarOutput, **ERROR_RESPONSES},
    ),
)
class CalendarViewSet(ScopedReadViewSet):
    """Calendars the caller can read: those of their units' subtrees and those inherited from
    the units above. Each comes with its weekly intervals and the exceptional days of `year`."""

    model = BusinessCalendar
    queryset = BusinessCalendar.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = CalendarOutput
    filterset_class = CalendarFilter
    ordering_fields = ["name", "country"]
    ordering = ["name"]

    def _read_year(self, request: Request) -> None:
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.year = query.validated_data.get("year") or timezone.localdate().year

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._read_year(request)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._read_year(request)
        return super().retrieve(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        # The permission check also calls this, before list/retrieve have read `year`.
        year = getattr(self, "year", None) or timezone.localdate().year
        days = CalendarDay.objects.filter(date__year=year).order_by("date")
        intervals = WorkingInterval.objects.order_by("weekday", "start")
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("intervals", queryset=intervals),
                Prefetch("days", queryset=days, to_attr="days_of_year"),
            )
        )


class OffsetKeepingDateTimeField(serializers.DateTimeField):
    """Keeps the caller's offset as sent, or none: the unit's zone decides, not the server's."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value


class DeadlineInput(InputSerializer):
    start = OffsetKeepingDateTimeField(
        help_text="ISO 8601. Without an offset it is read in the unit's time zone."
    )
    minutes = serializers.IntegerField(min_value=0, max_value=MAX_MINUTES)

    def validate_start(self, value: datetime) -> datetime:
        if value.year not in SUPPORTED_YEARS:
            raise serializers.ValidationError(out_of_range_message())
        return value


class DeadlineOutput(serializers.Serializer):
    deadline = serializers.DateTimeField()
    timezone = serializers.CharField()
    calendar = serializers.IntegerField(allow_null=True)


class CanViewUnits(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class UnitDeadlineView(APIView):
    """When `minutes` of a unit's working time after `start` are done, by its calendar."""

    permission_classes = [CanViewUnits]
    parser_classes = [JSONParser]
    permission_required = "organisation.view_unit"
    model = Unit

    @extend_schema(
        summary="A unit's business-time deadline",
        request=DeadlineInput,
        responses={200: DeadlineOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        data = DeadlineInput(data=request.data)
        data.is_valid(raise_exception=True)
        start = data.validated_data["start"]
        tz_name = unit.effective_timezone()
        if timezone.is_naive(start):
            start = start.replace(tzinfo=ZoneInfo(tz_name))
        try:
            deadline = selectors.deadline_for_unit(unit, start, data.validated_data["minutes"])
        except ValueError as error:
            raise serializers.ValidationError(
                {"minutes": [_("The unit's calendar has no working time to count.")]}
            ) from error
        return Response(
            {
                "deadline": deadline.isoformat(),
                "timezone": tz_name,
                "calendar": unit.effective_calendar_id(),
            }
        )


ROUTES = [("calendars", CalendarViewSet, "calendar")]
URLS = [path("units/<int:pk>/deadline/", UnitDeadlineView.as_view(), name="unit_deadline")]
