import itertools
from decimal import Decimal

from aftersales.catalog.models import (
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
from aftersales.core.testing import shared_factory

_numbers = itertools.count(1)


def make_category(**fields) -> ProductCategory:  # type: ignore[no-untyped-def]
    number = next(_numbers)
    fields.setdefault("code", f"cat-{number}")
    fields.setdefault("name", f"Category {number}")
    return ProductCategory.objects.create(**fields)


def make_product_model(category: ProductCategory | None = None, **fields) -> ProductModel:  # type: ignore[no-untyped-def]
    number = next(_numbers)
    fields.setdefault("code", f"M-{number}")
    fields.setdefault("name", f"Model {number}")
    return ProductModel.objects.create(category=category or make_category(), **fields)


def make_part(**fields) -> Part:  # type: ignore[no-untyped-def]
    number = next(_numbers)
    fields.setdefault("part_number", f"P-{number}")
    fields.setdefault("name_en", f"Part {number}")
    return Part.objects.create(**fields)


@shared_factory(ProductCategory)
def category_for(unit):  # type: ignore[no-untyped-def]
    return make_category()


@shared_factory(ProductModel)
def product_model_for(unit):  # type: ignore[no-untyped-def]
    return make_product_model()


@shared_factory(ProductionBatch)
def batch_for(unit):  # type: ignore[no-untyped-def]
    return ProductionBatch.objects.create(model=make_product_model(), code=f"B-{next(_numbers)}")


@shared_factory(Part)
def part_for(unit):  # type: ignore[no-untyped-def]
    return make_part()


@shared_factory(FaultCode)
def fault_code_for(unit):  # type: ignore[no-untyped-def]
    return FaultCode.objects.create(code=f"F{next(_numbers)}", name="No power")


@shared_factory(RepairCode)
def repair_code_for(unit):  # type: ignore[no-untyped-def]
    return RepairCode.objects.create(code=f"R{next(_numbers)}", name="Board replaced")


@shared_factory(LabourItem)
def labour_item_for(unit):  # type: ignore[no-untyped-def]
    return LabourItem.objects.create(code=f"L{next(_numbers)}", name="Diagnosis")


@shared_factory(PriceList)
def price_list_for(unit):  # type: ignore[no-untyped-def]
    import datetime

    return PriceList.objects.create(
        code=f"PL-{next(_numbers)}",
        name="Prices",
        currency="CNY",
        valid_from=datetime.date(2026, 1, 1),
    )


@shared_factory(PriceListItem)
def price_item_for(unit):  # type: ignore[no-untyped-def]
    return PriceListItem.objects.create(
        price_list=price_list_for(unit), part=make_part(), price=Decimal("10.00")
    )
