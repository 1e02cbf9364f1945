from typing import Any

from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.fields import (
    InputModelSerializer,
    InputSerializer,
    ScopedPrimaryKeyRelatedField,
)
from aftersales.api.idempotency import idempotent
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedWriteViewSet
from aftersales.catalog.models import ProductionBatch, ProductModel
from aftersales.customers.models import Customer
from aftersales.installed_base import selectors, services
from aftersales.installed_base.filters import InstalledProductFilter
from aftersales.installed_base.models import InstalledProduct, OwnershipChange
from aftersales.installed_base.services import MAX_WARRANTY_MONTHS

PRODUCT_FIELDS = [
    "model",
    "serial",
    "batch",
    "purchase_date",
    "dealer",
    "warranty_months",
    "extended_warranty_end",
    "notes",
]


class WarrantyOutput(serializers.Serializer):
    """`selectors.warranty_status` of a product on a date."""

    on = serializers.DateField(source="on_date")
    state = serializers.ChoiceField(choices=selectors.WarrantyState.choices)
    in_warranty = serializers.BooleanField(source="is_in_warranty")
    warranty_end = serializers.DateField(allow_null=True)
    extended_warranty_end = serializers.DateField(allow_null=True)
    covered_until = serializers.DateField(allow_null=True)


class InstalledProductOutput(serializers.ModelSerializer):
    model_code = serializers.CharField(source="model.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    warranty_status = serializers.SerializerMethodField()

    class Meta:
        model = InstalledProduct
        fields = [
            "id",
            "customer",
            "customer_name",
            "model",
            "model_code",
            "serial",
            "batch",
            "purchase_date",
            "dealer",
            "warranty_months",
            "warranty_end",
            "extended_warranty_end",
            "notes",
            "created_at",
            "warranty_status",
        ]

    @extend_schema_field(WarrantyOutput)
    def get_warranty_status(self, product: InstalledProduct) -> dict[str, Any]:
        """The status today, in the caller's time zone."""
        today = self.context.setdefault("today", timezone.localdate())
        return WarrantyOutput(selectors.warranty_status(product, today)).data


class InstalledProductChangeInput(InputModelSerializer):
    """What an update reads: the product's own fields (the owner changes by a transfer)."""

    model = ScopedPrimaryKeyRelatedField(ProductModel)
    batch = ScopedPrimaryKeyRelatedField(ProductionBatch, required=False, allow_null=True)
    serial = serializers.CharField(
        max_length=64,
        validators=[RegexValidator(r"[^\s\-_./]", "Give a serial number or IMEI.")],
        help_text="Spaces, dashes, dots and slashes are ignored; stored in upper case.",
    )
    warranty_months = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WARRANTY_MONTHS,
        required=False,
        allow_null=True,
        help_text="Leave out or null for the model's standard warranty.",
    )

    class Meta:
        model = InstalledProduct
        fields = PRODUCT_FIELDS
        # Uniqueness of (model, serial) is the service's: it compares the normalised serial and
        # answers on the serial field, where DRF's own validator would compare the raw text
        # and answer with a non-field error.
        validators: list = []


class InstalledProductInput(InstalledProductChangeInput):
    customer = ScopedPrimaryKeyRelatedField(Customer)

    class Meta(InstalledProductChangeInput.Meta):
        fields = ["customer", *PRODUCT_FIELDS]


@extend_schema_view(
    list=extend_schema(
        summary="List installed products",
        responses={200: InstalledProductOutput(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary="An installed product",
        responses={200: InstalledProductOutput, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary="Register a product to a customer",
        request=InstalledProductInput,
        responses={201: InstalledProductOutput, **ERROR_RESPONSES},
    ),
    update=extend_schema(
        summary="Change an installed product",
        request=InstalledProductChangeInput,
        responses={200: InstalledProductOutput, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an installed product",
        request=InstalledProductChangeInput,
        responses={200: InstalledProductOutput, **ERROR_RESPONSES},
    ),
)
class InstalledProductViewSet(ScopedWriteViewSet):
    """Products customers own, with the warranty status today. The owner changes only by
    `POST /products/{id}/transfer/`."""

    model = InstalledProduct
    queryset = InstalledProduct.objects.none()  # for the schema; rows come from get_queryset()
    output_serializer_class = InstalledProductOutput
    input_serializer_class = InstalledProductInput
    filterset_class = InstalledProductFilter
    ordering_fields = ["serial", "purchase_date", "warranty_end", "created_at"]
    ordering = ["-purchase_date", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("model", "customer")

    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        if self.action in {"update", "partial_update"}:
            return InstalledProductChangeInput
        return super().get_serializer_class()

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.product_register(user=self.request.user, **data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        # A partial change keeps the fields it leaves out.
        current = {name: getattr(instance, name) for name in PRODUCT_FIELDS}
        return services.product_update(
            product=instance, user=self.request.user, **{**current, **data}
        )


class HasPositionPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.permission_required))


class WarrantyQuery(serializers.Serializer):
    on = serializers.DateField(required=False)


class ProductWarrantyView(APIView):
    """Is the product covered on a date? The same answer repairs and settlement get."""

    permission_classes = [HasPositionPermission]
    permission_required = "installed_base.view_installedproduct"
    model = InstalledProduct

    @extend_schema(
        summary="A product's warranty status on a date",
        parameters=[
            OpenApiParameter(
                "on",
                {"type": "string", "format": "date"},
                description="The date asked about (YYYY-MM-DD; default: today).",
            )
        ],
        responses={200: WarrantyOutput, **ERROR_RESPONSES},
    )
    def get(self, request: Request, pk: int) -> Response:
        product = get_object_or_404(InstalledProduct.objects.visible_to(request.user), pk=pk)
        query = WarrantyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on_date = query.validated_data.get("on") or timezone.localdate()
        return Response(WarrantyOutput(selectors.warranty_status(product, on_date)).data)


class TransferInput(InputSerializer):
    new_owner = ScopedPrimaryKeyRelatedField(Customer)
    changed_on = serializers.DateField(
        required=False, help_text="When the product changed hands (default: today)."
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OwnershipChangeOutput(serializers.ModelSerializer):
    class Meta:
        model = OwnershipChange
        fields = [
            "id",
            "product",
            "previous_owner",
            "new_owner",
            "changed_on",
            "note",
            "changed_by",
            "recorded_at",
        ]


class ProductTransferView(APIView):
    """Pass the product to another customer the caller sees; the change is recorded."""

    permission_classes = [HasPositionPermission]
    parser_classes = [JSONParser]
    permission_required = "installed_base.change_installedproduct"
    model = InstalledProduct

    @extend_schema(
        summary="Pass a product to another owner",
        request=TransferInput,
        responses={201: OwnershipChangeOutput, **ERROR_RESPONSES},
    )
    def post(self, request: Request, pk: int) -> Response:
        product = get_object_or_404(InstalledProduct.objects.visible_to(request.user), pk=pk)

        def run() -> Response:
            data = TransferInput(data=request.data, context={"request": request})
            data.is_valid(raise_exception=True)
            change = services.product_transfer(
                product=product,
                new_owner=data.validated_data["new_owner"],
                changed_on=data.validated_data.get("changed_on") or timezone.localdate(),
                note=data.validated_data.get("note", ""),
                user=request.user,
            )
            return Response(OwnershipChangeOutput(change).data, status=status.HTTP_201_CREATED)

        return idempotent(request, run)


ROUTES = [("products", InstalledProductViewSet, "installedproduct")]
URLS = [
    path("products/<int:pk>/warranty/", ProductWarrantyView.as_view(), name="product_warranty"),
    path("products/<int:pk>/transfer/", ProductTransferView.as_view(), name="product_transfer"),
]
