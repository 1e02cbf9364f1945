"""Service requests over the API: the list (with the report's filters), one request (answers,
deadlines, events), registering one, the agent's queues, the request types with their
questions, and the steps staff take on a request: a change of status, the decision, the
assignment, the conversation.

The customer's own steps (confirm, dispute, rate) belong to the portal, not to the staff API.
Every write goes through `service_requests.services` (one transaction, history and events,
notifications after commit); a refusal by a service answers 400 on the field it concerns."""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.fields import (
    InputSerializer,
    OutputModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from aftersales.api.idempotency import idempotent
from aftersales.api.permissions import PositionModelPermissions
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet
from aftersales.customers.models import Contact, Customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.service_requests import selectors, services
from aftersales.service_requests.filters import ServiceRequestFilter
from aftersales.service_requests.models import (
    Channel,
    Decision,
    Priority,
    RequestEvent,
    RequestMessage,
    RequestType,
    RequestTypeField,
    ServiceRequest,
    Status,
    format_number,
)

VIEW = "service_requests.view_servicerequest"
WORK = "service_requests.work_servicerequest"
REASSIGN = "service_requests.reassign_servicerequest"
QUEUE_ROWS = 50


def _refused(
    error: DjangoValidationError,
    *,
    renamed: Mapping[str, str] | None = None,
    unnamed: str = "non_field_errors",
    others: str | None = None,
) -> serializers.ValidationError:
    """A service's refusal as the API's 400: its field keys `renamed` to the input's names,
    a refusal about no field put on `unnamed`, and, with `others`, keys the input does not
    have (a question's key) nested under `others`."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({unnamed: error.messages})
    fields: dict[str, Any] = {}
    nested: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        name = (renamed or {}).get(key, key)
        if key == NON_FIELD_ERRORS:
            name = unnamed
        elif others is not None and name not in (renamed or {}).values():
            nested[key] = messages
            continue
        fields.setdefault(name, []).extend(messages)
    if nested:
        fields[others] = nested  # type: ignore[index]
    return serializers.ValidationError(fields)


class HasRequiredPermission(BasePermission):
    """The view's `permission_required`, from the caller's position."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class StrictText(serializers.CharField):
    """Text that must arrive as a JSON string (DRF's CharField would take 5 as "5")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- request types ---------------------------------------------------------------------------


class QuestionOutput(serializers.ModelSerializer):
    choices = serializers.ListField(
        source="choice_list", child=serializers.CharField(), help_text="For kind `choice`."
    )
    show_if_question = serializers.SlugRelatedField(
        source="show_if_field",
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text="Asked only when the answer to this question (its key) is one of "
        "`show_if_answers`; null: always asked.",
    )
    show_if_answers = serializers.ListField(source="show_if_list", child=serializers.CharField())

    class Meta:
        model = RequestTypeField
        fields = [
            "key",
            "label",
            "help_text",
            "kind",
            "required",
            "choices",
            "show_if_question",
            "show_if_answers",
        ]


class DecisionOutput(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "name", "outcome"]


class TransitionOutput(serializers.Serializer):
    from_status = serializers.ChoiceField(choices=Status.choices)
    to_status = serializers.ChoiceField(choices=Status.choices)


class RequestTypeOutput(serializers.ModelSerializer):
    questions = QuestionOutput(source="fields", many=True, read_only=True)
    transitions = TransitionOutput(many=True, read_only=True)
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = RequestType
        fields = [
            "id",
            "code",
            "name",
            "description",
            "default_priority",
            "is_active",
            "questions",
            "transitions",
            "decisions",
        ]

    @extend_schema_field(DecisionOutput(many=True))
    def get_decisions(self, request_type: RequestType) -> list[dict[str, Any]]:
        """The type's own decisions, then the general ones."""
        general = self.context.get("general_decisions")
        if general is None:
            general = self.context["general_decisions"] = list(
                Decision.objects.filter(request_type__isnull=True, is_active=True)
            )
        own = [d for d in request_type.decisions.all() if d.is_active]
        return DecisionOutput([*own, *general], many=True).data


@extend_schema_view(
    list=extend_schema(
        summary="List the request types in use, with their questions",
        responses={200: RequestTypeOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A request type with its questions",
        responses={200: RequestTypeOutput, **ERROR_RESPONSES},
    ),
)
class RequestTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What a client must answer when it registers a request of each type: the questions (a
    conditional one only when the answer to its controlling question is one of the listed
    answers), the statuses the type allows and its decisions. Configured in the application."""

    model = RequestType
    queryset = RequestType.objects.none()
    serializer_class = RequestTypeOutput
    parser_classes = [JSONParser]
    permission_classes = [HasRequiredPermission]
    permission_required = VIEW
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[RequestType]:
        rows = RequestType.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("fields", queryset=RequestTypeField.objects.select_related("show_if_field")),
            "transitions",
            "decisions",
        )
        return rows.filter(is_active=True) if self.action == "list" else rows


# --- requests: output ------------------------------------------------------------------------


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = [
            "id",
            "kind",
            "created_at",
            "actor",
            "from_status",
            "to_status",
            "target_user",
            "target_unit",
            "level",
            "reason",
        ]


class RequestOutput(OutputModelSerializer):
    """A request as lists and queues show it."""

    number = serializers.CharField(read_only=True, help_text="R and eight digits.")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    request_type_name = serializers.CharField(source="request_type.name", read_only=True)
    escalation_level = serializers.IntegerField(source="escalation.level", read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Open and past the deadline that matters now (`due_at`)."
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "request_type",
            "request_type_name",
            "channel",
            "subject",
            "priority",
            "status",
            "is_open",
            "unit",
            "responsible",
            "registered_at",
            "response_due_at",
            "resolution_due_at",
            "due_at",
            "is_overdue",
            "paused_at",
            "escalation_level",
            "closed_at",
        ]


REGISTERED_FIELDS = [
    "description",
    "answers",
    "contact",
    "product",
    "contract",
    "external_ref",
    "sla_policy",
    "customer_email",
    "registered_by",
    "responded_at",
]


class RegisteredRequestOutput(RequestOutput):
    """A request as registered: what was asked, the contract and SLA policy found, the
    handling unit, the responsible and the deadlines."""

    class Meta(RequestOutput.Meta):
        fields = [*RequestOutput.Meta.fields, *REGISTERED_FIELDS]


class RequestDetailOutput(RegisteredRequestOutput):
    """A request with everything that happened to it."""

    allowed_statuses = serializers.SerializerMethodField(
        help_text="The statuses the request's type allows it to move to now."
    )
    events = EventOutput(many=True, read_only=True)

    class Meta(RequestOutput.Meta):
        fields = [
            *RegisteredRequestOutput.Meta.fields,
            "executors",
            "decision",
            "result",
            "decided_at",
            "customer_claim",
            "rating",
            "rating_comment",
            "allowed_statuses",
            "events",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Status.choices)))
    def get_allowed_statuses(self, request: ServiceRequest) -> list[str]:
        return selectors.allowed_targets(request)


class MessageOutput(serializers.ModelSerializer):
    internal = serializers.BooleanField(source="is_internal", read_only=True)

    class Meta:
        model = RequestMessage
        fields = ["id", "created_at", "source", "author", "author_name", "internal", "body"]


# --- requests: input -------------------------------------------------------------------------


class TypeField(serializers.PrimaryKeyRelatedField):
    """A request type by id, from the configuration kept in process (no query)."""

    def to_internal_value(self, data: Any) -> RequestType:
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            found = selectors.request_type_by_pk(int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class CustomerField(ScopedPrimaryKeyRelatedField):
    """A customer the caller sees, read with what registration needs (their unit, their
    responsible specialist and the specialist's unit, today's contract, region and e-mail) in
    the same query: `selectors.customer_to_register_for`."""

    def to_internal_value(self, data: Any) -> Customer:
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = int(data)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite number
            self.fail("incorrect_type", data_type=type(data).__name__)
        request = self.context.get("request")
        found = (
            None
            if request is None
            else selectors.customer_to_register_for(request.user, pk, timezone.localdate())
        )
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class RequestInput(InputSerializer):
    customer = CustomerField(Customer, help_text="A customer you see.")
    request_type = TypeField(
        queryset=RequestType.objects.all(), help_text="An active type (GET /request-types/)."
    )
    subject = serializers.CharField(max_length=200, help_text="What the request is about.")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    answers = serializers.DictField(
        child=StrictText(allow_blank=True, max_length=10_000),
        required=False,
        help_text="Answers to the type's questions by question key, as text (numbers as "
        "digits, dates as YYYY-MM-DD, a choice as offered). Answers to questions the type "
        "does not ask (or asks only after another answer) are dropped.",
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text="Default: the type's."
    )
    contact = ScopedPrimaryKeyRelatedField(
        Contact, required=False, allow_null=True, help_text="A contact person of the customer."
    )
    product = ScopedPrimaryKeyRelatedField(
        InstalledProduct, required=False, allow_null=True, help_text="A product of the customer."
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        default=Channel.API,
        help_text="How the request came in (default: api).",
    )
    customer_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text="Where the customer hears about the request (default: the contact's or the "
        "customer's first e-mail).",
    )
    external_ref = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Your reference (a call id, a ticket number).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF deep-copies every declared field for each body, running each field's __init__
        # again (~4% of a registration: bench requests.create). These fields keep nothing a
        # body changes (no nested serializers), and bind() gives each copy its own parent.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class TransitionInput(InputSerializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when cancelling or reopening a request.",
    )


class DecideInput(InputSerializer):
    decision = serializers.PrimaryKeyRelatedField(
        queryset=Decision.objects.all(), help_text="One of the type's decisions."
    )
    result = serializers.CharField(max_length=20_000, help_text="The result, for the customer.")


class AssignInput(InputSerializer):
    responsible = ScopedPrimaryKeyRelatedField(
        User,
        required=False,
        allow_null=True,
        help_text="The new responsible (null: nobody, the request waits in its unit's queue); "
        "left out: unchanged.",
    )
    executors = ScopedPrimaryKeyRelatedField(
        User, many=True, required=False, help_text="Replaces the executors; left out: unchanged."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when the responsible changes.",
    )


class MessageInput(InputSerializer):
    body = serializers.CharField(max_length=50_000)
    internal = serializers.BooleanField(
        default=False, help_text="An internal note: the customer never sees it."
    )


class QueueQuery(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=selectors.QUEUES, default="mine", required=False, allow_blank=True
    )


# --- requests: endpoints ---------------------------------------------------------------------


def _page_of(name: str, item: type[serializers.Serializer], *, counted: bool = True):  # type: ignore[no-untyped-def]
    """The schema of a page of `item`s (for views that paginate by hand, so drf-spectacular
    cannot tell): count (when `counted`), next, previous, results."""
    fields: dict[str, serializers.Field] = {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }
    if counted:
        fields = {"count": serializers.IntegerField(), **fields}
    return inline_serializer(name, fields)


class QueuePagination(PageNumberPagination):
    """Pages of a queue without a count: a queue is read from the top, and counting every open
    request of a big unit would cost more than the page. `next` is there while more follow."""

    page_size = QUEUE_ROWS

    def paginate_queryset(self, queryset, request, view=None):  # type: ignore[no-untyped-def]
        self.request = request
        number = serializers.IntegerField(min_value=1, required=False)
        try:
            self.number = number.run_validation(request.query_params.get("page") or 1)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"page": error.detail}) from error
        start = (self.number - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_paginated_response(self, data):  # type: ignore[no-untyped-def]
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        following = replace_query_param(url, "page", self.number + 1) if self.has_next else None
        if self.number == 1:
            previous = None
        elif self.number == 2:
            previous = remove_query_param(url, "page")
        else:
            previous = replace_query_param(url, "page", self.number - 1)
        return Response({"next": following, "previous": previous, "results": data})

    def get_paginated_response_schema(self, schema):  # type: ignore[no-untyped-def]
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):  # type: ignore[no-untyped-def]
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "A page number (50 requests a page).",
                "schema": {"type": "integer", "minimum": 1},
            }
        ]


@extend_schema_view(
    list=extend_schema(
        summary="List service requests",
        description="Newest first (`ordering`: registered_at, due_at, priority; - for "
        "descending). The filters are the requests report's.",
        responses={200: RequestOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A service request with its answers, deadlines and events",
        responses={200: RequestDetailOutput, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary="Register a service request",
        description="Assigned by rule, deadlines computed in the handling unit's business "
        "hours, the responsible told, the customer acknowledged by e-mail. Answers with the "
        "request as registered; its events and next steps are on GET /requests/{id}/.",
        request=RequestInput,
        responses={201: RegisteredRequestOutput, **ERROR_RESPONSES},
    ),
)
class ServiceRequestViewSet(ScopedReadViewSet):
    """Service requests of the caller's units."""

    model = ServiceRequest
    queryset = ServiceRequest.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = RequestOutput
    filterset_class = ServiceRequestFilter
    ordering_fields = ["registered_at", "due_at", "priority"]
    ordering = ["-registered_at", "-pk"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        rows = super().get_queryset().select_related("customer", "request_type", "escalation")
        if self.action == "retrieve":
            rows = rows.prefetch_related("executors", "events")
        return rows

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return RequestInput
        if self.action == "retrieve":
            return RequestDetailOutput
        return RequestOutput

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            data = RequestInput(data=request.data, context=self.get_serializer_context())
            data.is_valid(raise_exception=True)
            try:
                # The service is one transaction of its own.
                registered = services.request_register(
                    registered_by=request.user, **data.validated_data
                )
            except DjangoValidationError as error:
                raise _refused(
                    error, renamed={name: name for name in data.fields}, others="answers"
                ) from error
            return Response(registered_output(registered), status=status.HTTP_201_CREATED)

        return idempotent(request, run)

    @extend_schema(
        summary="An agent's queue",
        description="Open requests ordered by due time, the overdue first and the paused "
        "last, 50 a page: `mine` (you are responsible), `unit` (your unit's), `unassigned` "
        "(in your units, nobody responsible), `overdue` (in your units).",
        parameters=[
            OpenApiParameter(
                "view",
                {"type": "string", "enum": list(selectors.QUEUES)},
                description="Which queue (default: mine).",
            )
        ],
        responses={
            200: _page_of("RequestQueuePage", RequestOutput, counted=False),
            **ERROR_RESPONSES,
        },
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=QueuePagination)
    def queue(self, request: Request) -> Response:
        query = QueueQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        which = query.validated_data.get("view") or "mine"
        page = self.paginate_queryset(_Queue(request.user, which))
        return self.get_paginated_response(queue_rows(page))


class _Queue:
    """A queue for the paginator, which slices it: each slice is `selectors.queue_page`."""

    def __init__(self, user: User, which: str) -> None:
        self.user, self.which = user, which

    def __getitem__(self, part: slice) -> list[tuple[Any, ...]]:
        return selectors.queue_page(self.user, self.which, QUEUE_COLUMNS, part.start, part.stop)


# A queue page is read as plain values and shaped here, as RequestOutput would shape it (the
# tests compare both): the agent's queue answers in a few milliseconds at ten million requests,
# and building 50 model instances with their customers and serializing them field by field
# through DRF took longer than the query (bench: requests.queue.*.http).
QUEUE_COLUMNS = (
    "id",
    "customer_id",
    "customer__name",
    "request_type_id",
    "request_type__name",
    "channel",
    "subject",
    "priority",
    "status",
    "is_open",
    "unit_id",
    "responsible_id",
    "registered_at",
    "response_due_at",
    "resolution_due_at",
    "due_at",
    "paused_at",
    "escalation_level",  # selectors.with_escalation_level
    "closed_at",
)


def _instant(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    # DRF's DateTimeField: in the current time zone, ISO 8601, UTC as "Z".
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def queue_rows(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """RequestOutput's representation of queue rows read with `values_list(*QUEUE_COLUMNS)`."""
    now = timezone.now()
    instant = functools.partial(_instant, zone=timezone.get_current_timezone())
    shaped = []
    for (
        pk,
        customer,
        customer_name,
        request_type,
        request_type_name,
        channel,
        subject,
        priority,
        state,
        is_open,
        unit,
        responsible,
        registered_at,
        response_due_at,
        resolution_due_at,
        due_at,
        paused_at,
        escalation_level,
        closed_at,
    ) in rows:
        shaped.append(
            {
                "id": pk,
                "number": format_number(pk),
                "customer": customer,
                "customer_name": customer_name,
                "request_type": request_type,
                "request_type_name": request_type_name,
                "channel": channel,
                "subject": subject,
                "priority": priority,
                "status": state,
                "is_open": is_open,
                "unit": unit,
                "responsible": responsible,
                "registered_at": instant(registered_at),
                "response_due_at": instant(response_due_at),
                "resolution_due_at": instant(resolution_due_at),
                "due_at": instant(due_at),
                "is_overdue": due_at is not None and due_at < now,
                "paused_at": instant(paused_at),
                "escalation_level": escalation_level,
                "closed_at": instant(closed_at),
            }
        )
    return shaped


def registered_output(item: ServiceRequest) -> dict[str, Any]:
    """RegisteredRequestOutput's representation of a request just registered, shaped by hand
    like the queue's rows (the tests compare it with the request's detail): DRF took about a
    millisecond a registration to serialize it field by field (bench: requests.create)."""
    [shaped] = queue_rows(
        [
            (
                item.pk,
                item.customer_id,
                item.customer.name,
                item.request_type_id,
                item.request_type.name,
                item.channel,
                item.subject,
                item.priority,
                item.status,
                item.is_open,
                item.unit_id,
                item.responsible_id,
                item.registered_at,
                item.response_due_at,
                item.resolution_due_at,
                item.due_at,
                item.paused_at,
                item.escalation.level,
                item.closed_at,
            )
        ]
    )
    shaped.update(
        description=item.description,
        answers=item.answers,
        contact=item.contact_id,
        product=item.product_id,
        contract=item.contract_id,
        external_ref=item.external_ref,
        sla_policy=item.sla_policy_id,
        customer_email=item.customer_email,
        registered_by=item.registered_by_id,
        responded_at=_instant(item.responded_at, timezone.get_current_timezone()),
    )
    return shaped


def _detail(request: Request, pk: int) -> Response:
    rows = (
        ServiceRequest.objects.visible_to(request.user)
        .select_related("customer", "request_type", "escalation")
        .prefetch_related("executors", "events")
    )
    return Response(RequestDetailOutput(rows.get(pk=pk), context={"request": request}).data)


class RequestStepView(APIView):
    """A step on one request the caller sees: the input validated, the service called."""

    permission_classes = [HasRequiredPermission]
    parser_classes = [JSONParser]
    model = ServiceRequest
    permission_required = WORK
    input_class: type[serializers.Serializer]

    def take(self, request: Request, item: ServiceRequest, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(ServiceRequest.objects.visible_to(request.user), pk=pk)
        data = self.input_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        self.take(request, item, dict(data.validated_data))
        return _detail(request, pk)


class RequestTransitionView(RequestStepView):
    """Move the request to another status its type allows. Done needs a decision (POST
    /decide/); cancelling and reopening a closed request need a reason."""

    input_class = TransitionInput

    @extend_schema(
        summary="Change a request's status",
        request=TransitionInput,
        responses={200: RequestDetailOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, item: ServiceRequest, data: dict[str, Any]) -> None:
        try:
            services.request_transition(
                request=item,
                to_status=data["to_status"],
                reason=data.get("reason", ""),
                user=request.user,
            )
        except DjangoValidationError as error:
            raise _refused(error, renamed={"status": "to_status"}, unnamed="to_status") from error


class RequestDecideView(RequestStepView):
    """Record the decision and the result: the request is done and the result goes to the
    customer, who confirms or disputes it on the portal."""

    input_class = DecideInput

    @extend_schema(
        summary="Record a request's decision and result",
        request=DecideInput,
        responses={200: RequestDetailOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, item: ServiceRequest, data: dict[str, Any]) -> None:
        try:
            services.request_decide(
                request=item, decision=data["decision"], result=data["result"], user=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error, unnamed="status") from error


class RequestAssignView(RequestStepView):
    """Hand the request to another responsible (with a reason; it moves to their unit) and
    set its executors. Newly involved people are told."""

    input_class = AssignInput
    permission_required = REASSIGN

    @extend_schema(
        summary="Assign a request",
        request=AssignInput,
        responses={200: RequestDetailOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, item: ServiceRequest, data: dict[str, Any]) -> None:
        try:
            services.request_assign(
                request=item,
                responsible=data.get("responsible", item.responsible),
                executors=data.get("executors"),
                reason=data.get("reason", ""),
                user=request.user,
            )
        except DjangoValidationError as error:
            raise _refused(error, unnamed="responsible") from error


class MessagePermissions(PositionModelPermissions):
    """Reading the thread takes the right to see requests; writing in it, to work on them."""

    perms_map = {**PositionModelPermissions.perms_map, "POST": [WORK]}


class RequestMessagesView(APIView):
    """The request's conversation: public messages (the customer sees them, and gets each by
    e-mail) and internal notes."""

    permission_classes = [MessagePermissions]
    parser_classes = [JSONParser]
    model = ServiceRequest

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return ServiceRequest.objects.visible_to(self.request.user)

    @extend_schema(
        summary="A request's messages and internal notes",
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="A page."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 500},
                description="Messages a page (at most 500).",
            ),
        ],
        responses={200: _page_of("PaginatedMessageOutputList", MessageOutput), **ERROR_RESPONSES},
    )
    def get(self, request: Request, pk: int) -> Response:
        from aftersales.api.pagination import PagePagination

        item = get_object_or_404(self.get_queryset(), pk=pk)
        paginator = PagePagination()
        page = paginator.paginate_queryset(
            RequestMessage.objects.filter(request=item).order_by("created_at", "pk"),
            request,
            view=self,
        )
        return paginator.get_paginated_response(MessageOutput(page, many=True).data)

    @extend_schema(
        summary="Write on a request",
        description="A public message goes to the customer by e-mail and counts as the first "
        "response if none came yet; an internal note stays inside.",
        request=MessageInput,
        responses={201: MessageOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(self.get_queryset(), pk=pk)

        def run() -> Response:
            data = MessageInput(data=request.data)
            data.is_valid(raise_exception=True)
            try:
                message = services.message_post(
                    request=item,
                    body=data.validated_data["body"],
                    author=request.user,
                    internal=data.validated_data["internal"],
                )
            except DjangoValidationError as error:
                raise _refused(error, unnamed="body") from error
            return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)

        return idempotent(request, run)


ROUTES = [
    ("requests", ServiceRequestViewSet, "servicerequest"),
    ("request-types", RequestTypeViewSet, "requesttype"),
]
URLS = [
    path(
        "requests/<int:pk>/transition/",
        RequestTransitionView.as_view(),
        name="request_transition",
    ),
    path("requests/<int:pk>/decide/", RequestDecideView.as_view(), name="request_decide"),
    path("requests/<int:pk>/assign/", RequestAssignView.as_view(), name="request_assign"),
    path("requests/<int:pk>/messages/", RequestMessagesView.as_view(), name="request_messages"),
]
