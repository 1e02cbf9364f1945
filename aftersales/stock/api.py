"""The stock ledger over the API: warehouses and balances (read), the movement journal (read,
and POST to record a receipt, a defective return, a write-off or a stock-take adjustment),
transfers (read, send, receive). Issues and returns for work orders are the work orders'
services' to make, not the API's."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.fields import InputSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedReadViewSet, ScopedWriteViewSet
from aftersales.catalog.models import Part
from aftersales.stock import services
from aftersales.stock.filters import BalanceFilter, MovementFilter, TransferFilter, WarehouseFilter
from aftersales.stock.models import (
    Condition,
    MovementKind,
    StockBalance,
    StockMovement,
    Transfer,
    Warehouse,
)

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class StockWarehouseOutput(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "unit", "unit_name", "is_active"]


class StockBalanceOutput(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    part_number = serializers.CharField(source="part.part_number", read_only=True)

    class Meta:
        model = StockBalance
        fields = [
            "id",
            "warehouse",
            "warehouse_code",
            "part",
            "part_number",
            "condition",
            "quantity",
            "average_cost",
            "value",
            "updated_at",
        ]


class StockMovementOutput(serializers.ModelSerializer):
    part_number = serializers.CharField(source="part.part_number", read_only=True)
    serials = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "kind",
            "warehouse",
            "part",
            "part_number",
            "condition",
            "quantity",
            "unit_cost",
            "total_cost",
            "balance_after",
            "value_after",
            "reference",
            "note",
            "transfer",
            "serials",
            "user",
            "created_at",
        ]

    def get_serials(self, movement: StockMovement) -> list[str]:
        """The serial numbers the entry moved (serial-tracked parts)."""
        return [s.serial for s in movement.serials.all()]


RECORDED_KINDS = [
    MovementKind.RECEIPT,
    MovementKind.DEFECTIVE_RETURN,
    MovementKind.WRITE_OFF,
    MovementKind.ADJUSTMENT,
]


class StockMovementInput(InputSerializer):
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in RECORDED_KINDS],
        help_text="receipt, defective_return, write_off or adjustment (a stock-take).",
    )
    warehouse = ScopedPrimaryKeyRelatedField(Warehouse)
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.all())
    quantity = serializers.DecimalField(
        required=False,
        help_text="Receipt, defective return, write-off: more than zero.",
        **QUANTITY,
    )
    counted_quantity = serializers.DecimalField(
        required=False, help_text="Adjustment: what the stock-take counted.", **QUANTITY
    )
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, help_text="Receipt: the cost of one unit."
    )
    condition = serializers.ChoiceField(
        choices=Condition.choices,
        required=False,
        help_text="Write-off and adjustment: which stock (default good).",
    )
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    note = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="The reason of a write-off (required there), else a note.",
    )
    serials = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=10000
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data["kind"]
        needed = {
            MovementKind.RECEIPT: ["quantity", "unit_cost"],
            MovementKind.DEFECTIVE_RETURN: ["quantity"],
            MovementKind.WRITE_OFF: ["quantity"],
            MovementKind.ADJUSTMENT: ["counted_quantity"],
        }[kind]
        missing = {name: [serializers.Field.default_error_messages["required"]] for name in needed}
        missing = {k: v for k, v in missing.items() if k not in data}
        if missing:
            raise serializers.ValidationError(missing)
        return data


class StockTransferOutput(serializers.ModelSerializer):
    movements = StockMovementOutput(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "number",
            "source",
            "destination",
            "condition",
            "status",
            "note",
            "sent_at",
            "sent_by",
            "received_at",
            "received_by",
            "movements",
        ]


class StockTransferLineInput(InputSerializer):
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.all())
    quantity = serializers.DecimalField(**QUANTITY)
    serials = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=10000
    )


class StockTransferInput(InputSerializer):
    source = ScopedPrimaryKeyRelatedField(Warehouse)
    destination = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        help_text="A warehouse of your units or of a unit above them.",
    )
    condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lines = StockTransferLineInput(many=True, allow_empty=False, max_length=1000)

    def validate_destination(self, value: Warehouse) -> Warehouse:
        from aftersales.stock.selectors import transfer_destinations

        request = self.context["request"]
        if not transfer_destinations(request.user).filter(pk=value.pk).exists():
            raise serializers.ValidationError(
                serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
                % {"pk_value": value.pk}
            )
        return value


@extend_schema_view(
    list=extend_schema(
        summary="List warehouses",
        responses={200: StockWarehouseOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A warehouse", responses={200: StockWarehouseOutput, **ERROR_RESPONSES}
    ),
)
class WarehouseViewSet(ScopedReadViewSet):
    """The warehouses of the caller's units."""

    model = Warehouse
    queryset = Warehouse.objects.none()
    output_serializer_class = StockWarehouseOutput
    filterset_class = WarehouseFilter
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[Warehouse]:
        return super().get_queryset().select_related("unit")


@extend_schema_view(
    list=extend_schema(
        summary="List stock balances",
        responses={200: StockBalanceOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A stock balance", responses={200: StockBalanceOutput, **ERROR_RESPONSES}
    ),
)
class BalanceViewSet(ScopedReadViewSet):
    """How much of each part each warehouse of the caller's units holds (good and defective
    stock apart), with its average cost and value. Quantities and money are decimal strings."""

    model = StockBalance
    queryset = StockBalance.objects.none()
    output_serializer_class = StockBalanceOutput
    filterset_class = BalanceFilter
    ordering_fields = ["quantity", "value", "updated_at"]
    ordering = ["warehouse_id", "part_id", "condition"]

    def get_queryset(self) -> QuerySet[StockBalance]:
        return super().get_queryset().select_related("warehouse", "part")


@extend_schema_view(
    list=extend_schema(
        summary="List stock movements (the ledger)",
        responses={200: StockMovementOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="A stock movement", responses={200: StockMovementOutput, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Record a receipt, defective return, write-off or stock-take adjustment",
        request=StockMovementInput,
        responses={201: StockMovementOutput, **ERROR_RESPONSES},
    ),
)
class MovementViewSet(ScopedWriteViewSet):
    """The ledger of the caller's warehouses, newest first. Entries are never changed or
    deleted; a mistake is corrected by a new entry."""

    model = StockMovement
    queryset = StockMovement.objects.none()
    output_serializer_class = StockMovementOutput
    input_serializer_class = StockMovementInput
    filterset_class = MovementFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[StockMovement]:
        return super().get_queryset().select_related("part").prefetch_related("serials")

    def perform_create(self, data: dict[str, Any]) -> StockMovement:
        user = self.request.user
        kind = data["kind"]
        common = {
            "warehouse": data["warehouse"],
            "part": data["part"],
            "user": user,
            "serials": data.get("serials", ()),
        }
        note = data.get("note", "")
        if kind == MovementKind.RECEIPT:
            return services.stock_receive(
                quantity=data["quantity"],
                unit_cost=data["unit_cost"],
                reference=data.get("reference", ""),
                note=note,
                **common,
            )
        if kind == MovementKind.DEFECTIVE_RETURN:
            return services.defective_return(
                quantity=data["quantity"], reference=data.get("reference", ""), note=note, **common
            )
        if kind == MovementKind.WRITE_OFF:
            return services.write_off(
                quantity=data["quantity"],
                reason=note,
                condition=data.get("condition", Condition.GOOD),
                reference=data.get("reference", ""),
                **common,
            )
        return services.stocktake_adjust(
            counted_quantity=data["counted_quantity"],
            condition=data.get("condition", Condition.GOOD),
            note=note,
            **common,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List transfers", responses={200: StockTransferOutput(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(
        summary="A transfer", responses={200: StockTransferOutput, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Send a transfer",
        request=StockTransferInput,
        responses={201: StockTransferOutput, **ERROR_RESPONSES},
    ),
)
class TransferViewSet(ScopedWriteViewSet):
    """Transfers from or to the caller's warehouses: sent parts are in transit until the
    destination receives them (POST …/receive/)."""

    model = Transfer
    queryset = Transfer.objects.none()
    output_serializer_class = StockTransferOutput
    input_serializer_class = StockTransferInput
    filterset_class = TransferFilter
    ordering_fields = ["sent_at", "received_at"]
    ordering = ["-sent_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Transfer]:
        return super().get_queryset().prefetch_related("movements__part", "movements__serials")

    def perform_create(self, data: dict[str, Any]) -> Transfer:
        return services.transfer_send(
            source=data["source"],
            destination=data["destination"],
            lines=[
                (line["part"], line["quantity"], line.get("serials", ())) for line in data["lines"]
            ],
            condition=data.get("condition", Condition.GOOD),
            note=data.get("note", ""),
            user=self.request.user,
        )

    def _output(self, instance: Any, code: int) -> Response:
        # Read back with its ledger entries.
        return super()._output(self.get_queryset().get(pk=instance.pk), code)


class HasRequiredPermission(BasePermission):
    """The view's `permission_required`, from the caller's position."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class TransferReceiveView(APIView):
    """The destination takes a transfer in: its parts enter at the cost they left with.
    Receiving twice is refused (400)."""

    permission_classes = [HasRequiredPermission]
    parser_classes = [JSONParser]
    model = Transfer
    permission_required = "stock.change_transfer"

    @extend_schema(
        summary="Receive a transfer",
        request=None,
        responses={200: StockTransferOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        rows = Transfer.objects.visible_to(request.user)
        transfer = get_object_or_404(rows, pk=pk)
        if (
            not Warehouse.objects.visible_to(request.user)
            .filter(pk=transfer.destination_id)
            .exists()
        ):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _("Only the people of %(warehouse)s can take this transfer in.")
                        % {"warehouse": transfer.destination.name}
                    ]
                }
            )
        services.transfer_receive(transfer=transfer, user=request.user)
        fresh = rows.prefetch_related("movements__part", "movements__serials").get(pk=pk)
        return Response(
            StockTransferOutput(fresh, context={"request": request}).data, status=status.HTTP_200_OK
        )


ROUTES = [
    ("stock/warehouses", WarehouseViewSet, "warehouse"),
    ("stock/balances", BalanceViewSet, "stockbalance"),
    ("stock/movements", MovementViewSet, "stockmovement"),
    ("stock/transfers", TransferViewSet, "transfer"),
]
URLS = [
    path(
        "stock/transfers/<int:pk>/receive/",
        TransferReceiveView.as_view(),
        name="transfer_receive",
    ),
]
