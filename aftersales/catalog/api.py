"""The catalog over the API: everyone with a position reads it; its keepers (administrators)
add and change records. Writes go through catalog.services, as the pages do."""

import re
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from aftersales.api.fields import InputModelSerializer, ScopedPrimaryKeyRelatedField
from aftersales.api.schema import ERROR_RESPONSES
from aftersales.api.viewsets import ScopedWriteViewSet
from aftersales.catalog import services
from aftersales.catalog.filters import (
    BatchFilter,
    CategoryFilter,
    FaultCodeFilter,
    LabourItemFilter,
    PartFilter,
    PriceListFilter,
    PriceListItemFilter,
    ProductModelFilter,
    RepairCodeFilter,
)
from aftersales.catalog.models import (
    CODE_VALIDATOR,
    MONEY,
    FaultCode,
    LabourItem,
    Part,
    PriceList,
    PriceListItem,
    ProductCategory,
    ProductionBatch,
    ProductModel,
    RepairCode,
)

_WHOLE_DIGITS = MONEY["max_digits"] - MONEY["decimal_places"]
MONEY_PATTERN = rf"^\d{{1,{_WHOLE_DIGITS}}}(\.\d{{1,2}})?$"


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "125.50"}
)
class MoneyField(serializers.DecimalField):
    """An amount as a decimal string ("125.50"), never a JSON number: a number would pass
    through a binary float on many clients. At most two decimals, not negative."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"], **kwargs
        )

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not re.fullmatch(MONEY_PATTERN[1:-1], data):
            self.fail("invalid")
        return super().to_internal_value(data)


def _code_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=40, validators=[CODE_VALIDATOR], **kwargs)


def _not_moved(instance: Any, data: dict[str, Any], field: str) -> None:
    """A record stays under the record it was made for (a batch's model, an item's list)."""
    if field in data and data[field].pk != getattr(instance, f"{field}_id"):
        raise serializers.ValidationError({field: [_("This cannot be changed after creation.")]})


# --- Categories ------------------------------------------------------------------------------


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = ProductCategory
        fields = ["id", "code", "name", "parent", "is_active"]


class CategoryInput(InputModelSerializer):
    """A product category; `parent` (optional) is the category it sits in."""

    code = _code_field()
    parent = ScopedPrimaryKeyRelatedField(ProductCategory, required=False, allow_null=True)

    class Meta:
        model = ProductCategory
        fields = ["code", "name", "parent", "is_active"]


# --- Models and batches ----------------------------------------------------------------------


class BatchOutput(serializers.ModelSerializer):
    class Meta:
        model = ProductionBatch
        fields = ["id", "model", "code", "produced_on"]


class BatchInput(InputModelSerializer):
    """A production batch of a product model; its code is unique within the model."""

    model = ScopedPrimaryKeyRelatedField(ProductModel)

    class Meta:
        model = ProductionBatch
        fields = ["model", "code", "produced_on"]
        validators: list[Any] = []  # unique per model: the service says so in words


class ProductModelBatch(serializers.ModelSerializer):
    class Meta:
        model = ProductionBatch
        fields = ["id", "code", "produced_on"]


class ProductModelOutput(serializers.ModelSerializer):
    batches = ProductModelBatch(many=True, read_only=True)

    class Meta:
        model = ProductModel
        fields = ["id", "category", "code", "name", "warranty_months", "is_active", "batches"]


class ProductModelInput(InputModelSerializer):
    """A product model of a category, with its default warranty in months."""

    code = serializers.CharField(max_length=60, validators=[CODE_VALIDATOR])
    category = ScopedPrimaryKeyRelatedField(ProductCategory)

    class Meta:
        model = ProductModel
        fields = ["category", "code", "name", "warranty_months", "is_active"]


# --- Parts -----------------------------------------------------------------------------------

PART_FIELDS = [
    "part_number",
    "name_en",
    "name_zh_hans",
    "name_zh_hant",
    "name_ru",
    "unit_of_measure",
    "price",
    "serial_tracked",
    "compatible_models",
    "is_active",
]


class PartOutput(serializers.ModelSerializer):
    name = serializers.CharField(
        read_only=True, help_text="The name in the request's language, else the first one given."
    )
    price = MoneyField(read_only=True)
    compatible_models = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Part
        fields = ["id", "name", *PART_FIELDS]


class PartInput(InputModelSerializer):
    """A spare part: a unique part number and a name in at least one language."""

    part_number = serializers.CharField(max_length=60)
    price = MoneyField(required=False)
    compatible_models = ScopedPrimaryKeyRelatedField(ProductModel, many=True, required=False)

    class Meta:
        model = Part
        fields = PART_FIELDS


# --- Codes -----------------------------------------------------------------------------------

CODE_FIELDS = ["code", "name", "category", "parent", "is_active"]


class FaultCodeOutput(serializers.ModelSerializer):
    class Meta:
        model = FaultCode
        fields = ["id", *CODE_FIELDS]


class FaultCodeInput(InputModelSerializer):
    """A fault code; without `category` it applies to every category. A `parent` must be of
    the same category."""

    code = _code_field()
    category = ScopedPrimaryKeyRelatedField(ProductCategory, required=False, allow_null=True)
    parent = ScopedPrimaryKeyRelatedField(FaultCode, required=False, allow_null=True)

    class Meta:
        model = FaultCode
        fields = CODE_FIELDS
        validators: list[Any] = []


class RepairCodeOutput(serializers.ModelSerializer):
    class Meta:
        model = RepairCode
        fields = ["id", *CODE_FIELDS]


class RepairCodeInput(InputModelSerializer):
    """A repair code; without `category` it applies to every category. A `parent` must be of
    the same category."""

    code = _code_field()
    category = ScopedPrimaryKeyRelatedField(ProductCategory, required=False, allow_null=True)
    parent = ScopedPrimaryKeyRelatedField(RepairCode, required=False, allow_null=True)

    class Meta:
        model = RepairCode
        fields = CODE_FIELDS
        validators: list[Any] = []


# --- Labour and prices -----------------------------------------------------------------------

LABOUR_FIELDS = ["code", "name", "category", "standard_minutes", "price", "is_active"]


class LabourItemOutput(serializers.ModelSerializer):
    price = MoneyField(read_only=True)

    class Meta:
        model = LabourItem
        fields = ["id", *LABOUR_FIELDS]


class LabourItemInput(InputModelSerializer):
    """A unit of paid work: its standard time in minutes and its base price."""

    code = _code_field()
    category = ScopedPrimaryKeyRelatedField(ProductCategory, required=False, allow_null=True)
    price = MoneyField(required=False)

    class Meta:
        model = LabourItem
        fields = LABOUR_FIELDS


PRICE_LIST_FIELDS = ["code", "name", "currency", "valid_from", "valid_to", "is_active"]


class PriceListOutput(serializers.ModelSerializer):
    class Meta:
        model = PriceList
        fields = ["id", *PRICE_LIST_FIELDS]


class PriceListInput(InputModelSerializer):
    """A price list in one currency, valid from a date (to a date, if given)."""

    code = _code_field()

    class Meta:
        model = PriceList
        fields = PRICE_LIST_FIELDS


class PriceListItemOutput(serializers.ModelSerializer):
    price = MoneyField(read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "price_list", "part", "labour_item", "price"]


class PriceListItemInput(InputModelSerializer):
    """A price on a price list: for exactly one of `part` and `labour_item`."""

    price_list = ScopedPrimaryKeyRelatedField(PriceList)
    part = ScopedPrimaryKeyRelatedField(Part, required=False, allow_null=True)
    labour_item = ScopedPrimaryKeyRelatedField(LabourItem, required=False, allow_null=True)
    price = MoneyField()

    class Meta:
        model = PriceListItem
        fields = ["price_list", "part", "labour_item", "price"]
        validators: list[Any] = []  # one of part / labour item, once per list: the service


# --- Viewsets --------------------------------------------------------------------------------


def _schema(noun: str, plural: str, output: Any, input_: Any) -> Any:
    """The five operations' descriptions, the same for every catalog directory."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}", responses={200: output(many=True), **ERROR_RESPONSES}
        ),
        retrieve=extend_schema(summary=f"A {noun}", responses={200: output, **ERROR_RESPONSES}),
        create=extend_schema(
            summary=f"Add a {noun}", request=input_, responses={201: output, **ERROR_RESPONSES}
        ),
        update=extend_schema(
            summary=f"Change a {noun}", request=input_, responses={200: output, **ERROR_RESPONSES}
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {noun}",
            request=input_,
            responses={200: output, **ERROR_RESPONSES},
        ),
    )


class CatalogViewSet(ScopedWriteViewSet):
    """Read for every position, write for the catalog's keepers; no deletion (records are
    deactivated with `is_active`, since work orders and settlements refer to them)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering = ["code"]
    ordering_fields = ["code", "name"]


@_schema("product category", "product categories", CategoryOutput, CategoryInput)
class CategoryViewSet(CatalogViewSet):
    model = ProductCategory
    queryset = ProductCategory.objects.none()
    output_serializer_class = CategoryOutput
    input_serializer_class = CategoryInput
    filterset_class = CategoryFilter

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.category_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.category_update(category=instance, **data)


@_schema("product model", "product models", ProductModelOutput, ProductModelInput)
class ProductModelViewSet(CatalogViewSet):
    model = ProductModel
    queryset = ProductModel.objects.none()
    output_serializer_class = ProductModelOutput
    input_serializer_class = ProductModelInput
    filterset_class = ProductModelFilter
    ordering_fields = ["code", "name", "warranty_months"]

    def get_queryset(self) -> QuerySet[Any]:
        batches = ProductionBatch.objects.order_by("-produced_on", "code")
        return super().get_queryset().prefetch_related(Prefetch("batches", queryset=batches))

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.product_model_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.product_model_update(product_model=instance, **data)


@_schema("production batch", "production batches", BatchOutput, BatchInput)
class BatchViewSet(CatalogViewSet):
    model = ProductionBatch
    queryset = ProductionBatch.objects.none()
    output_serializer_class = BatchOutput
    input_serializer_class = BatchInput
    filterset_class = BatchFilter
    ordering = ["model", "-produced_on", "code"]
    ordering_fields = ["code", "produced_on"]

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.batch_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        _not_moved(instance, data, "model")
        return services.batch_update(batch=instance, **data)


@_schema("spare part", "spare parts", PartOutput, PartInput)
class PartViewSet(CatalogViewSet):
    model = Part
    queryset = Part.objects.none()
    output_serializer_class = PartOutput
    input_serializer_class = PartInput
    filterset_class = PartFilter
    ordering = ["part_number"]
    ordering_fields = ["part_number", "price"]

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related("compatible_models")

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.part_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.part_update(part=instance, **data)


@_schema("fault code", "fault codes", FaultCodeOutput, FaultCodeInput)
class FaultCodeViewSet(CatalogViewSet):
    model = FaultCode
    queryset = FaultCode.objects.none()
    output_serializer_class = FaultCodeOutput
    input_serializer_class = FaultCodeInput
    filterset_class = FaultCodeFilter

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.fault_code_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.fault_code_update(fault_code=instance, **data)


@_schema("repair code", "repair codes", RepairCodeOutput, RepairCodeInput)
class RepairCodeViewSet(CatalogViewSet):
    model = RepairCode
    queryset = RepairCode.objects.none()
    output_serializer_class = RepairCodeOutput
    input_serializer_class = RepairCodeInput
    filterset_class = RepairCodeFilter

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.repair_code_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.repair_code_update(repair_code=instance, **data)


@_schema("labour item", "labour items", LabourItemOutput, LabourItemInput)
class LabourItemViewSet(CatalogViewSet):
    model = LabourItem
    queryset = LabourItem.objects.none()
    output_serializer_class = LabourItemOutput
    input_serializer_class = LabourItemInput
    filterset_class = LabourItemFilter
    ordering_fields = ["code", "name", "standard_minutes", "price"]

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.labour_item_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.labour_item_update(labour_item=instance, **data)


@_schema("price list", "price lists", PriceListOutput, PriceListInput)
class PriceListViewSet(CatalogViewSet):
    model = PriceList
    queryset = PriceList.objects.none()
    output_serializer_class = PriceListOutput
    input_serializer_class = PriceListInput
    filterset_class = PriceListFilter
    ordering = ["-valid_from", "code"]
    ordering_fields = ["code", "name", "valid_from", "valid_to"]

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.price_list_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        return services.price_list_update(price_list=instance, **data)


@_schema("price list item", "price list items", PriceListItemOutput, PriceListItemInput)
class PriceListItemViewSet(CatalogViewSet):
    """The prices of a price list (`?price_list=`): each for a part or a labour item."""

    model = PriceListItem
    queryset = PriceListItem.objects.none()
    output_serializer_class = PriceListItemOutput
    input_serializer_class = PriceListItemInput
    filterset_class = PriceListItemFilter
    ordering = ["price_list", "id"]
    ordering_fields = ["id", "price"]

    def perform_create(self, data):  # type: ignore[no-untyped-def]
        return services.price_list_item_create(**data)

    def perform_update(self, instance, data):  # type: ignore[no-untyped-def]
        _not_moved(instance, data, "price_list")
        return services.price_list_item_update(item=instance, **data)


ROUTES = [
    ("catalog/categories", CategoryViewSet, "catalog-category"),
    ("catalog/models", ProductModelViewSet, "catalog-model"),
    ("catalog/batches", BatchViewSet, "catalog-batch"),
    ("catalog/parts", PartViewSet, "catalog-part"),
    ("catalog/fault-codes", FaultCodeViewSet, "catalog-fault-code"),
    ("catalog/repair-codes", RepairCodeViewSet, "catalog-repair-code"),
    ("catalog/labour-items", LabourItemViewSet, "catalog-labour-item"),
    ("catalog/price-lists", PriceListViewSet, "catalog-price-list"),
    ("catalog/price-list-items", PriceListItemViewSet, "catalog-price-list-item"),
]
