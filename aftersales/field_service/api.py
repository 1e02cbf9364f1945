"""Field service over the API: engineers (read), field jobs with their clocks (read; record
the contact), visits (list by unit, engineer and time range; plan one; arrive; depart)."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.fields import InputSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet, ScopedWriteViewSet
from aftersales.field_service import clocks, services
from aftersales.field_service.filters import EngineerFilter, FieldJobFilter, VisitFilter
from aftersales.field_service.models import Engineer, FieldJob, Outcome, Visit
from aftersales.work_orders.models import WorkOrder


class HasRequiredPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class EngineerOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    regions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    skills = serializers.SerializerMethodField()

    class Meta:
        model = Engineer
        fields = [
            "id",
            "user",
            "username",
            "name",
            "unit",
            "regions",
            "categories",
            "skills",
            "calendar",
            "is_active",
        ]

    def get_skills(self, engineer: Engineer) -> list[int]:
        return [skill.pk for skill in engineer.user.skills.all()]


class FieldJobOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="work_order.number", read_only=True)
    unit = serializers.IntegerField(source="work_order.unit_id", read_only=True)
    contact_state = serializers.SerializerMethodField()
    onsite_state = serializers.SerializerMethodField()

    class Meta:
        model = FieldJob
        fields = [
            "id",
            "work_order",
            "number",
            "unit",
            "policy",
            "business_hours",
            "received_at",
            "contact_due_at",
            "onsite_due_at",
            "contacted_at",
            "appointment_start",
            "appointment_end",
            "first_arrival_at",
            "contact_state",
            "onsite_state",
        ]

    def _state(self, job: FieldJob, clock: str) -> str:
        now = self.context.setdefault("now", timezone.now())
        return job.clock_state(clock, now)

    def get_contact_state(self, job: FieldJob) -> str:
        """One of running, warned, breached, met, met_late."""
        return self._state(job, "contact")

    def get_onsite_state(self, job: FieldJob) -> str:
        """One of running, warned, breached, met, met_late."""
        return self._state(job, "onsite")


class VisitOutput(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "work_order",
            "engineer",
            "window_start",
            "window_end",
            "status",
            "arrived_at",
            "departed_at",
            "outcome",
            "note",
            "created_at",
        ]


class VisitInput(InputSerializer):
    work_order = ScopedPrimaryKeyRelatedField(WorkOrder)
    engineer = ScopedPrimaryKeyRelatedField(Engineer)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    agreed = serializers.BooleanField(
        default=False, help_text="The window was agreed with the customer: the contact clock stops."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DepartInput(InputSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class JobContactInput(InputSerializer):
    window_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    window_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List field engineers",
        responses={200: EngineerOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A field engineer", responses={200: EngineerOutput, **ERROR_RESPONSES}
    ),
)
class EngineerViewSet(ScopedReadViewSet):
    """Field engineers of the caller's units."""

    model = Engineer
    queryset = Engineer.objects.none()
    output_serializer_class = EngineerOutput
    filterset_class = EngineerFilter
    ordering_fields = ["id"]
    ordering = ["pk"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset()
            .select_related("user")
            .prefetch_related("regions", "categories", "user__skills")
        )


@extend_schema_view(
    list=extend_schema(
        summary="List field jobs with their clocks",
        responses={200: FieldJobOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A field job with its clocks", responses={200: FieldJobOutput, **ERROR_RESPONSES}
    ),
)
class FieldJobViewSet(ScopedReadViewSet):
    """Field work orders as received by their unit, with the contact and on-site clocks."""

    model = FieldJob
    queryset = FieldJob.objects.none()
    output_serializer_class = FieldJobOutput
    filterset_class = FieldJobFilter
    ordering_fields = ["contact_due_at", "onsite_due_at", "received_at"]
    ordering = ["contact_due_at", "pk"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("work_order")


@extend_schema_view(
    list=extend_schema(
        summary="List visits", responses={200: VisitOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(summary="A visit", responses={200: VisitOutput, **ERROR_RESPONSES}),
    create=extend_schema(
        summary="Plan a visit",
        request=VisitInput,
        responses={201: VisitOutput, **ERROR_RESPONSES},
    ),
)
class VisitViewSet(ScopedWriteViewSet):
    """Visits of engineers to customers; planning one schedules and assigns the work order."""

    model = Visit
    queryset = Visit.objects.none()
    output_serializer_class = VisitOutput
    input_serializer_class = VisitInput
    filterset_class = VisitFilter
    ordering_fields = ["window_start", "created_at"]
    ordering = ["window_start", "pk"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, data: dict[str, Any]) -> Visit:
        return services.visit_schedule(
            order=data["work_order"],
            engineer=data["engineer"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            agreed=data["agreed"],
            note=data["note"],
            user=self.request.user,
        )


class StepView(APIView):
    permission_classes = [HasRequiredPermission]
    parser_classes = [JSONParser]
    model: Any = Visit
    permission_required = "field_service.work_visit"
    input_class: type[serializers.Serializer]

    def _data(self, request: Request) -> dict[str, Any]:
        data = self.input_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


class VisitArriveView(StepView):
    """The engineer arrived: the order goes on site; the first arrival stops the on-site
    clock. The engineer records their own visits; dispatchers anyone's."""

    @extend_schema(
        summary="Record the arrival on site",
        request=None,
        responses={200: VisitOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
        visit = services.visit_arrive(visit=visit, user=request.user)
        return Response(VisitOutput(visit).data)


class VisitDepartView(StepView):
    """The engineer leaves: work finished (the service record sheet must be signed; the order
    completes) or another visit needed (the order goes back to scheduled)."""

    input_class = DepartInput

    @extend_schema(
        summary="Record the departure",
        request=DepartInput,
        responses={200: VisitOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
        data = self._data(request)
        visit = services.visit_depart(visit=visit, user=request.user, **data)
        return Response(VisitOutput(visit).data)


class JobContactView(StepView):
    """The customer was contacted (and the visit time agreed): the contact clock stops."""

    model = FieldJob
    permission_required = "field_service.contact_fieldjob"
    input_class = JobContactInput

    @extend_schema(
        summary="Record the contact with the customer",
        request=JobContactInput,
        responses={200: FieldJobOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(FieldJob.objects.visible_to(request.user), pk=pk)
        job = clocks.contact_record(job=job, user=request.user, **self._data(request))
        return Response(FieldJobOutput(job, context={"request": request}).data)


ROUTES = [
    ("field/engineers", EngineerViewSet, "engineer"),
    ("field/jobs", FieldJobViewSet, "fieldjob"),
    ("field/visits", VisitViewSet, "visit"),
]
URLS = [
    path("field/visits/<int:pk>/arrive/", VisitArriveView.as_view(), name="visit_arrive"),
    path("field/visits/<int:pk>/depart/", VisitDepartView.as_view(), name="visit_depart"),
    path("field/jobs/<int:pk>/contact/", JobContactView.as_view(), name="fieldjob_contact"),
]
