"""Work orders over the API: the list (the list page's filters and the customer), one order
with its lines, custody log, signatures and events, creating one (directly or from a request),
and the steps people take on an order: a change of status, the assignment, the diagnosis, the
quote and the customer's answer at the counter, parts from stock and back, labour, custody
steps, the swap, signatures, the rating and completion.

Every write goes through `work_orders.services` (one transaction; a refusal changes nothing)
and a refusal answers 400 on the field it concerns. Steps that add a record (a part, labour, a
custody step, a signature) answer 201 with that record and take an Idempotency-Key; the
others answer with the whole order."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.fields import InputSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.idempotency import idempotent
from aftersales.api.permissions import PositionModelPermissions
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet
from aftersales.catalog.api import MoneyField
from aftersales.catalog.models import FaultCode, LabourItem, Part, RepairCode
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import ServiceRequest
from aftersales.stock.models import Warehouse
from aftersales.work_orders import services
from aftersales.work_orders.filters import WorkOrderFilter
from aftersales.work_orders.models import (
    CustodyEvent,
    CustodyKind,
    Kind,
    LabourLine,
    PartLine,
    Signature,
    SignatureKind,
    Status,
    WorkOrder,
    WorkOrderEvent,
)

VIEW = "work_orders.view_workorder"
WORK = "work_orders.work_workorder"
DISPATCH = "work_orders.dispatch_workorder"
TEXT_MAX = 20_000
# A signature pad's PNG as a data URL: the prefix and the base64 of at most the accepted bytes.
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_TEXT_MAX = len(SIGNATURE_PREFIX) + 4 * math.ceil(services.SIGNATURE_MAX_BYTES / 3)


def _refused(
    error: DjangoValidationError,
    *,
    unnamed: str,
    renamed: Mapping[str, str] | None = None,
) -> serializers.ValidationError:
    """A service's refusal as the API's 400: its field keys `renamed` to the input's names and
    a refusal about no field put on `unnamed` (the field the step is about)."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({unnamed: error.messages})
    fields: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        name = unnamed if key == NON_FIELD_ERRORS else (renamed or {}).get(key, key)
        fields.setdefault(name, []).extend(messages)
    return serializers.ValidationError(fields)


class HasRequiredPermission(BasePermission):
    """The view's `permission_required`, from the caller's position."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


# --- Output ----------------------------------------------------------------------------------


class PartLineOutput(serializers.ModelSerializer):
    part_number = serializers.CharField(source="part.part_number", read_only=True)
    used_quantity = serializers.DecimalField(max_digits=13, decimal_places=3, read_only=True)

    class Meta:
        model = PartLine
        fields = [
            "id",
            "part",
            "part_number",
            "warehouse",
            "quantity",
            "returned_quantity",
            "used_quantity",
            "serial",
            "unit_cost",
            "unit_price",
            "issued_by",
            "created_at",
        ]


class LabourLineOutput(serializers.ModelSerializer):
    class Meta:
        model = LabourLine
        fields = [
            "id",
            "labour_item",
            "description",
            "minutes",
            "amount",
            "performed_by",
            "created_at",
        ]


class CustodyEventOutput(serializers.ModelSerializer):
    class Meta:
        model = CustodyEvent
        fields = [
            "id",
            "kind",
            "custody",
            "from_unit",
            "to_unit",
            "reference",
            "note",
            "actor",
            "created_at",
        ]


class SignatureOutput(serializers.ModelSerializer):
    """A signature's record; the image itself is on the order's page, not in the API."""

    class Meta:
        model = Signature
        fields = ["id", "kind", "signer_name", "signed_at", "witnessed_by", "through_link"]


class WorkOrderEventOutput(serializers.ModelSerializer):
    class Meta:
        model = WorkOrderEvent
        fields = ["id", "kind", "created_at", "actor", "from_status", "to_status", "text"]


class WorkOrderOutput(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text='"W" and eight digits.')
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    product_serial = serializers.CharField(
        source="product.serial", read_only=True, allow_null=True, default=None
    )
    total_cost = serializers.DecimalField(
        max_digits=15, decimal_places=2, read_only=True, help_text="Labour and parts."
    )

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "unit",
            "unit_name",
            "customer",
            "customer_name",
            "product",
            "product_serial",
            "service_request",
            "technician",
            "warranty",
            "custody",
            "custody_unit",
            "quote_status",
            "quote_amount",
            "labour_cost",
            "parts_cost",
            "total_cost",
            "customer_price",
            "rating",
            "created_at",
            "completed_at",
        ]


class WorkOrderDetailOutput(WorkOrderOutput):
    allowed_statuses = serializers.SerializerMethodField(
        help_text="Statuses POST /transition/ may move the order to now."
    )
    custody_steps = serializers.SerializerMethodField(
        help_text="Custody steps POST /custody/ may record now."
    )
    part_lines = PartLineOutput(many=True, read_only=True)
    labour_lines = LabourLineOutput(many=True, read_only=True)
    custody_events = CustodyEventOutput(many=True, read_only=True)
    signatures = SignatureOutput(many=True, read_only=True)
    events = WorkOrderEventOutput(many=True, read_only=True)

    class Meta(WorkOrderOutput.Meta):
        fields = [
            *WorkOrderOutput.Meta.fields,
            "customer_language",
            "reported_fault",
            "accessories",
            "condition",
            "address",
            "diagnosis",
            "fault_codes",
            "repair_codes",
            "work_done",
            "warranty_checked_on",
            "quote_note",
            "quote_sent_at",
            "quote_decided_at",
            "rating_comment",
            "created_by",
            "allowed_statuses",
            "custody_steps",
            "part_lines",
            "labour_lines",
            "custody_events",
            "signatures",
            "events",
        ]

    def get_allowed_statuses(self, order: WorkOrder) -> list[str]:
        return [str(value) for value in services.manual_statuses(order)]

    def get_custody_steps(self, order: WorkOrder) -> list[str]:
        return [str(value) for value in services.custody_steps_for(order)]


class LinkOutput(serializers.Serializer):
    url = serializers.CharField(help_text="The one-time link to send to the customer.")
    expires_at = serializers.DateTimeField()


class QuoteSentOutput(serializers.Serializer):
    work_order = WorkOrderDetailOutput()
    link = LinkOutput()


# --- Input -----------------------------------------------------------------------------------


QUANTITY_PATTERN = r"^\d{1,9}(\.\d{1,3})?$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": QUANTITY_PATTERN, "example": "1"}
)
class QuantityField(serializers.DecimalField):
    """A quantity as a decimal string ("1", "0.25"), never a JSON number; more than zero."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=3, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.strip().startswith("-"):
            raise serializers.ValidationError(_("The quantity must be greater than zero."))
        if not isinstance(data, str) or not re.fullmatch(QUANTITY_PATTERN[1:-1], data):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(max_length: int = TEXT_MAX, **kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(max_length=max_length, **kwargs)


class WorkOrderInput(InputSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    customer = ScopedPrimaryKeyRelatedField(
        Customer, required=False, help_text="A customer you see (default: the request's)."
    )
    service_request = ScopedPrimaryKeyRelatedField(
        ServiceRequest,
        required=False,
        allow_null=True,
        help_text="The request the work is done for (the order is then its unit's work).",
    )
    product = ScopedPrimaryKeyRelatedField(
        InstalledProduct,
        required=False,
        allow_null=True,
        help_text="The customer's product (its warranty is determined on the day of intake).",
    )
    unit = ScopedPrimaryKeyRelatedField(
        Unit,
        required=False,
        allow_null=True,
        help_text="The service unit (default: the request's unit, else yours).",
    )
    technician = ScopedPrimaryKeyRelatedField(
        User, required=False, allow_null=True, help_text="Who does the work (told at once)."
    )
    reported_fault = _text(help_text="The fault as the customer describes it.")
    accessories = _text(500)
    condition = _text(help_text="Visible condition and damage at intake.")
    address = _text(400, help_text="Field work: where (default: the customer's main address).")
    customer_language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        allow_blank=True,
        help_text="For printed forms and links (default: the customer's).",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        request = data.get("service_request")
        if "customer" not in data:
            if request is None:
                raise serializers.ValidationError(
                    {"customer": [serializers.Field.default_error_messages["required"]]}
                )
            data["customer"] = request.customer
        return data


class WorkOrderTransitionInput(InputSerializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = _text(2000, help_text="Required when cancelling.")


class WorkOrderAssignInput(InputSerializer):
    technician = ScopedPrimaryKeyRelatedField(
        User, allow_null=True, help_text="An active employee of your units; null: nobody."
    )
    reason = _text(2000, help_text="Required when the order had someone already.")


class DiagnosisInput(InputSerializer):
    diagnosis = _text(required=False, allow_blank=True)
    work_done = _text(required=False, allow_blank=True)
    fault_codes = serializers.PrimaryKeyRelatedField(
        queryset=FaultCode.objects.all(), many=True, required=False, help_text="Replaces them."
    )
    repair_codes = serializers.PrimaryKeyRelatedField(
        queryset=RepairCode.objects.all(), many=True, required=False, help_text="Replaces them."
    )
    product = ScopedPrimaryKeyRelatedField(
        InstalledProduct,
        required=False,
        help_text="The customer's product when it was not known at intake.",
    )


class QuoteInput(InputSerializer):
    amount = MoneyField(help_text="The price to the customer.")
    note = _text(help_text="What the price covers, for the customer.")


class QuoteAnswerInput(InputSerializer):
    approve = serializers.BooleanField(help_text="true: approved; false: declined.")


class PartIssueInput(InputSerializer):
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.all())
    quantity = QuantityField()
    warehouse = ScopedPrimaryKeyRelatedField(
        Warehouse,
        required=False,
        allow_null=True,
        help_text="Default: the unit's warehouse, else the nearest one up the tree.",
    )
    serial = _text(100, help_text="For a serial-tracked part: which one.")
    unit_price = MoneyField(
        required=False,
        allow_null=True,
        help_text="The customer's price a piece (default: the catalog price).",
    )


class PartReturnInput(InputSerializer):
    line = ScopedPrimaryKeyRelatedField(PartLine, help_text="A part line of this order.")
    quantity = QuantityField()


class LabourInput(InputSerializer):
    labour_item = serializers.PrimaryKeyRelatedField(
        queryset=LabourItem.objects.all(),
        required=False,
        allow_null=True,
        help_text="A catalog item: its name, time and price unless given.",
    )
    description = _text(300)
    minutes = serializers.IntegerField(required=False, min_value=0, max_value=100_000)
    amount = MoneyField(required=False, allow_null=True, help_text="Default: the item's price.")


# The custody steps a user records (intake, the swap and the hand-back are their own steps).
CUSTODY_STEP_CHOICES = [(str(kind), CustodyKind(kind).label) for kind in services.CUSTODY_STEPS]


class CustodyInput(InputSerializer):
    kind = serializers.ChoiceField(choices=CUSTODY_STEP_CHOICES)
    to_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        help_text="A hand-off's receiving unit (any unit of the organisation).",
    )
    reference = _text(100, help_text="Tracking number, the factory's RMA number.")
    note = _text(2000)


class SwapInput(InputSerializer):
    new_serial = serializers.CharField(max_length=100)
    note = _text(2000)


class SignatureInput(InputSerializer):
    kind = serializers.ChoiceField(choices=SignatureKind.choices)
    signer_name = serializers.CharField(max_length=200)
    image = serializers.CharField(
        max_length=SIGNATURE_TEXT_MAX,
        help_text=f"The drawing as a PNG data URL ({SIGNATURE_PREFIX}…), at most "
        f"{services.SIGNATURE_MAX_BYTES // 1024} KiB.",
    )


class RatingInput(InputSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = _text(2000)


class CompleteInput(InputSerializer):
    note = _text(2000)


# --- The list, one order, creation -----------------------------------------------------------


def _visible_customers(request):  # type: ignore[no-untyped-def]
    if request is None:
        return Customer.objects.none()
    return Customer.objects.visible_to(request.user)


class WorkOrderApiFilter(WorkOrderFilter):
    """The list page's filters, and the customer (the card's "work orders" for a client)."""

    customer = django_filters.ModelChoiceFilter(queryset=_visible_customers)

    class Meta(WorkOrderFilter.Meta):
        fields = [*WorkOrderFilter.Meta.fields, "customer"]


def _detailed(rows: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return rows.select_related("unit", "customer", "product").prefetch_related(
        "fault_codes",
        "repair_codes",
        "part_lines__part",
        "labour_lines",
        "custody_events",
        "signatures",
        "events",
    )


def _detail(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    order = _detailed(WorkOrder.objects.visible_to(request.user)).get(pk=pk)
    return Response(WorkOrderDetailOutput(order, context={"request": request}).data, status=code)


@extend_schema_view(
    list=extend_schema(
        summary="List work orders",
        description="Newest first (`ordering`: created_at, status; - for descending).",
        responses={200: WorkOrderOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A work order with its lines, custody log, signatures and events",
        responses={200: WorkOrderDetailOutput, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary="Create a work order",
        description="Directly or from a request (`service_request`; the customer defaults to "
        "the request's). An in-store repair starts with the device received at the unit; "
        "field work starts new, to be scheduled.",
        request=WorkOrderInput,
        responses={201: WorkOrderDetailOutput, **ERROR_RESPONSES},
    ),
)
class WorkOrderViewSet(ScopedReadViewSet):
    """Work orders of the caller's units."""

    model = WorkOrder
    queryset = WorkOrder.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = WorkOrderOutput
    filterset_class = WorkOrderApiFilter
    ordering_fields = ["created_at", "status"]
    ordering = ["-created_at", "-pk"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[WorkOrder]:
        rows = super().get_queryset()
        if self.action == "retrieve":
            return _detailed(rows)
        return rows.select_related("unit", "customer", "product")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return WorkOrderInput
        if self.action == "retrieve":
            return WorkOrderDetailOutput
        return WorkOrderOutput

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def run() -> Response:
            data = WorkOrderInput(data=request.data, context=self.get_serializer_context())
            data.is_valid(raise_exception=True)
            try:
                order = services.work_order_create(user=request.user, **data.validated_data)
            except DjangoValidationError as error:
                raise _refused(error, unnamed="kind") from error
            return _detail(request, order.pk, status.HTTP_201_CREATED)

        return idempotent(request, run)


# --- Steps -----------------------------------------------------------------------------------


class WorkOrderStepView(APIView):
    """A step on one order the caller sees: the input validated, the service called, the order
    answered (or, for a step that adds a record, that record with 201)."""

    permission_classes = [HasRequiredPermission]
    parser_classes = [JSONParser]
    model = WorkOrder
    permission_required = WORK
    input_class: type[serializers.Serializer]
    unnamed = "non_field_errors"
    renamed: Mapping[str, str] = {}
    output_class: type[serializers.Serializer] | None = None  # set: 201 with the new record

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)

        def run() -> Response:
            data = self.input_class(data=request.data, context={"request": request})
            data.is_valid(raise_exception=True)
            try:
                result = self.take(request, order, dict(data.validated_data))
            except DjangoValidationError as error:
                raise _refused(error, unnamed=self.unnamed, renamed=self.renamed) from error
            if self.output_class is None:
                return _detail(request, pk)
            return Response(
                self.output_class(result, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )

        return idempotent(request, run) if self.output_class is not None else run()


def _step_schema(summary: str, request: type, response: Any, description: str = "") -> Any:
    code = 200 if response is WorkOrderDetailOutput or response is QuoteSentOutput else 201
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={code: response, **ERROR_RESPONSES},
    )


class TransitionView(WorkOrderStepView):
    input_class = WorkOrderTransitionInput
    unnamed = "to_status"
    renamed = {"status": "to_status"}

    @_step_schema(
        "Change a work order's status",
        WorkOrderTransitionInput,
        WorkOrderDetailOutput,
        "To one of the order's `allowed_statuses`. Cancelling needs a note and the device "
        "back at the unit; it returns unused parts to stock and hands the device back.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.work_order_transition(
            order=order, to_status=data["to_status"], note=data.get("note", ""), user=request.user
        )


class AssignView(WorkOrderStepView):
    input_class = WorkOrderAssignInput
    permission_required = DISPATCH
    unnamed = "technician"

    @_step_schema("Assign a work order", WorkOrderAssignInput, WorkOrderDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.work_order_assign(
            order=order,
            technician=data["technician"],
            reason=data.get("reason", ""),
            user=request.user,
        )


class DiagnosisView(WorkOrderStepView):
    input_class = DiagnosisInput
    unnamed = "diagnosis"

    @_step_schema(
        "Record the diagnosis",
        DiagnosisInput,
        WorkOrderDetailOutput,
        "Fields left out stay as they are. A product given now has its warranty determined.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.work_order_update_diagnosis(order=order, user=request.user, **data)


class QuoteView(WorkOrderStepView):
    input_class = QuoteInput
    unnamed = "amount"

    @_step_schema(
        "Send a quote to the customer",
        QuoteInput,
        QuoteSentOutput,
        "The order waits for the customer's approval. The answer comes through the one-time "
        "link (send it by SMS or read it out; it is shown only now) or at the counter "
        "(POST /quote-answer/).",
    )
    def post(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
        data = QuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            order, token = services.quote_send(
                order=order,
                amount=data.validated_data["amount"],
                note=data.validated_data.get("note", ""),
                user=request.user,
            )
        except DjangoValidationError as error:
            raise _refused(error, unnamed="amount") from error
        link = services.link_for_token(token)
        detail = _detail(request, order.pk).data
        return Response(
            {
                "work_order": detail,
                "link": {
                    "url": services.link_url(token),
                    "expires_at": serializers.DateTimeField().to_representation(
                        link.expires_at  # type: ignore[union-attr]
                    ),
                },
            }
        )


class QuoteAnswerView(WorkOrderStepView):
    input_class = QuoteAnswerInput
    unnamed = "approve"

    @_step_schema(
        "Record the customer's answer to the quote at the counter",
        QuoteAnswerInput,
        WorkOrderDetailOutput,
        "Approved: the repair goes on at the quoted price. Declined: the device is made ready "
        "to collect unrepaired. A quote is answered once.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.quote_answer(order=order, approve=data["approve"], user=request.user)


class PartIssueView(WorkOrderStepView):
    input_class = PartIssueInput
    output_class = PartLineOutput
    unnamed = "part"

    @_step_schema(
        "Take a part from stock for the order",
        PartIssueInput,
        PartLineOutput,
        "At the ledger's average cost. Refused when the stock is short, the part does not fit "
        "the product's model or the serial is not in the warehouse.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.part_issue(
            order=order,
            part=data["part"],
            quantity=data["quantity"],
            warehouse=data.get("warehouse"),
            serial=data.get("serial", "").strip(),
            unit_price=data.get("unit_price"),
            user=request.user,
        )


class PartReturnView(WorkOrderStepView):
    input_class = PartReturnInput
    unnamed = "quantity"

    @extend_schema(
        summary="Give an unused part back to stock",
        description="At the cost it was issued at.",
        request=PartReturnInput,
        responses={200: PartLineOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
        data = PartReturnInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        line = data.validated_data["line"]
        if line.work_order_id != order.pk:
            raise serializers.ValidationError({"line": ["This part line is of another order."]})
        try:
            line = services.part_return(
                line=line, quantity=data.validated_data["quantity"], user=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error, unnamed="quantity") from error
        return Response(PartLineOutput(line).data)


class LabourView(WorkOrderStepView):
    input_class = LabourInput
    output_class = LabourLineOutput
    unnamed = "description"

    @_step_schema(
        "Record labour",
        LabourInput,
        LabourLineOutput,
        "A catalog labour item, or a description with an amount.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.labour_add(
            order=order,
            labour_item=data.get("labour_item"),
            description=data.get("description", ""),
            minutes=data.get("minutes", 0),
            amount=data.get("amount"),
            user=request.user,
        )


class CustodyView(WorkOrderStepView):
    input_class = CustodyInput
    output_class = CustodyEventOutput
    unnamed = "kind"

    @_step_schema(
        "Record where the device goes",
        CustodyInput,
        CustodyEventOutput,
        "To the factory and back, or handed off to another unit (which takes the order over "
        "when it receives the device). The order's `custody_steps` are the ones possible now.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.custody_record(
            order=order,
            kind=data["kind"],
            to_unit=data.get("to_unit"),
            reference=data.get("reference", ""),
            note=data.get("note", ""),
            user=request.user,
        )


class SwapView(WorkOrderStepView):
    input_class = SwapInput
    output_class = CustodyEventOutput
    unnamed = "new_serial"

    @_step_schema(
        "Swap the device",
        SwapInput,
        CustodyEventOutput,
        "The customer's product takes the replacement's serial (its warranty carries on); "
        "the old serial stays in the custody log.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.device_swap(
            order=order,
            new_serial=data["new_serial"],
            note=data.get("note", ""),
            user=request.user,
        )


class SignaturePermissions(PositionModelPermissions):
    """Reading the signatures takes the right to see orders; taking one, to work on them."""

    perms_map = {**PositionModelPermissions.perms_map, "POST": [WORK]}


class SignaturesView(WorkOrderStepView):
    """The customer's signatures on the order's documents (their records; no images)."""

    permission_classes = [SignaturePermissions]
    permission_required = None  # type: ignore[assignment]  # by method: SignaturePermissions
    input_class = SignatureInput
    output_class = SignatureOutput
    unnamed = "signature"
    renamed = {"signature": "image"}

    def get_queryset(self) -> QuerySet[WorkOrder]:
        return WorkOrder.objects.visible_to(self.request.user)

    @extend_schema(
        summary="A work order's signatures",
        responses={200: SignatureOutput(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(self.get_queryset(), pk=pk)
        rows = Signature.objects.visible_to(request.user).filter(work_order=order)
        return Response(SignatureOutput(rows, many=True).data)

    @_step_schema(
        "Record the customer's signature",
        SignatureInput,
        SignatureOutput,
        "Drawn on the employee's screen; each document of an order is signed once.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.signature_record(
            order=order,
            kind=data["kind"],
            signer_name=data["signer_name"],
            image_data_url=data["image"],
            user=request.user,
        )


class SignLinkView(WorkOrderStepView):
    input_class = CompleteInput  # nothing to read but an optional note

    @extend_schema(
        summary="A one-time link for the customer to sign the service record",
        request=None,
        responses={200: LinkOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
        try:
            token = services.signature_link_create(order=order, user=request.user)
        except DjangoValidationError as error:
            raise _refused(error, unnamed="non_field_errors") from error
        link = services.link_for_token(token)
        return Response(
            LinkOutput(
                {"url": services.link_url(token), "expires_at": link.expires_at}  # type: ignore[union-attr]
            ).data
        )


class RatingView(WorkOrderStepView):
    input_class = RatingInput
    unnamed = "rating"

    @_step_schema("Record the customer's rating", RatingInput, WorkOrderDetailOutput)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.rating_record(
            order=order, rating=data["rating"], comment=data.get("comment", ""), user=request.user
        )


class CompleteView(WorkOrderStepView):
    input_class = CompleteInput
    unnamed = "status"

    @_step_schema(
        "Complete a work order",
        CompleteInput,
        WorkOrderDetailOutput,
        "In the store: the customer collects the device (it must be back at the unit). In "
        "the field: the customer has signed the service record.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def take(self, request: Request, order: WorkOrder, data: dict[str, Any]) -> Any:
        return services.work_order_complete(
            order=order, note=data.get("note", ""), user=request.user
        )


ROUTES = [("work-orders", WorkOrderViewSet, "workorder")]
_STEPS: list[tuple[str, type[APIView], str]] = [
    ("transition", TransitionView, "transition"),
    ("assign", AssignView, "assign"),
    ("diagnosis", DiagnosisView, "diagnosis"),
    ("quote", QuoteView, "quote"),
    ("quote-answer", QuoteAnswerView, "quote_answer"),
    ("parts", PartIssueView, "part_issue"),
    ("parts/return", PartReturnView, "part_return"),
    ("labour", LabourView, "labour"),
    ("custody", CustodyView, "custody"),
    ("swap", SwapView, "swap"),
    ("signatures", SignaturesView, "signatures"),
    ("sign-link", SignLinkView, "sign_link"),
    ("rating", RatingView, "rating"),
    ("complete", CompleteView, "complete"),
]
URLS = [
    path(f"work-orders/<int:pk>/{route}/", view.as_view(), name=f"work_order_{name}")
    for route, view, name in _STEPS
]
