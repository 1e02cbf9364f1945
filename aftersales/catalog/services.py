"""Writes to the catalog. Every rule a database constraint also states (unique codes, a price
for a part or a labour item) is checked here first, so the user reads a sentence about the
field instead of a server error; hierarchies (categories, fault and repair codes) are kept
free of cycles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from aftersales.catalog.models import (
    CodeDirectory,
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

# Within one hierarchy no chain of parents is longer than this; a longer one is a cycle that
# slipped in some other way, and walking it stops here rather than looping.
MAX_DEPTH = 50


def _others(instance: models.Model) -> models.QuerySet[Any]:
    manager = type(instance)._default_manager
    return manager.exclude(pk=instance.pk) if instance.pk else manager.all()


def _check_unique_code(instance: models.Model, field: str, **scope: Any) -> None:
    value = getattr(instance, field)
    if value and _others(instance).filter(**{field: value}, **scope).exists():
        raise ValidationError(
            {
                field: _("“%(code)s” is already used by another %(kind)s.")
                % {"code": value, "kind": instance._meta.verbose_name}
            }
        )


def _apply[M: models.Model](instance: M, fields: dict[str, Any]) -> M:
    for name, value in fields.items():
        setattr(instance, name, value)
    return instance


def _save[M: models.Model](instance: M, *, exclude: Iterable[str] = ()) -> M:
    # Uniqueness is checked by the callers with a message of their own; the rest (lengths,
    # formats, choices, the period check) by the model.
    instance.full_clean(validate_unique=False, validate_constraints=False, exclude=list(exclude))
    instance.save()
    return instance


def _check_no_cycle(instance: models.Model, parent: models.Model | None, field: str) -> None:
    """`parent` must not be `instance` nor lie below it: a record cannot be its own ancestor."""
    if parent is None:
        return
    if instance.pk is not None and parent.pk == instance.pk:
        raise ValidationError({field: _("A record cannot be its own parent.")})
    if instance.pk is None:
        return  # a new record has nothing below it yet
    manager = type(instance)._default_manager
    ancestor_id = parent.pk
    for _step in range(MAX_DEPTH):
        ancestor_id = manager.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
        if ancestor_id is None:
            return
        if ancestor_id == instance.pk:
            raise ValidationError(
                {
                    field: _(
                        "The chosen parent lies below this record: it cannot be its own ancestor."
                    )
                }
            )
    raise ValidationError({field: _("The hierarchy above the chosen parent is too deep.")})


# --- Categories and models -------------------------------------------------------------------


def _category_save(category: ProductCategory) -> ProductCategory:
    _check_no_cycle(category, category.parent, "parent")
    _check_unique_code(category, "code")
    return _save(category)


@transaction.atomic
def category_create(
    *, code: str, name: str, parent: ProductCategory | None = None, is_active: bool = True
) -> ProductCategory:
    category = ProductCategory(code=code, name=name, parent=parent, is_active=is_active)
    return _category_save(category)


@transaction.atomic
def category_update(*, category: ProductCategory, **fields: Any) -> ProductCategory:
    """Change a category; a new parent may not be the category itself nor one below it."""
    return _category_save(_apply(category, fields))


def _product_model_save(product_model: ProductModel) -> ProductModel:
    _check_unique_code(product_model, "code")
    return _save(product_model)


@transaction.atomic
def product_model_create(
    *,
    category: ProductCategory,
    code: str,
    name: str,
    warranty_months: int = 12,
    is_active: bool = True,
) -> ProductModel:
    product_model = ProductModel(
        category=category,
        code=code,
        name=name,
        warranty_months=warranty_months,
        is_active=is_active,
    )
    return _product_model_save(product_model)


@transaction.atomic
def product_model_update(*, product_model: ProductModel, **fields: Any) -> ProductModel:
    return _product_model_save(_apply(product_model, fields))


def _batch_save(batch: ProductionBatch) -> ProductionBatch:
    if (
        ProductionBatch.objects.filter(model_id=batch.model_id, code=batch.code)
        .exclude(pk=batch.pk)
        .exists()
    ):
        raise ValidationError(
            {"code": _("This model already has a batch “%(code)s”.") % {"code": batch.code}}
        )
    return _save(batch)


@transaction.atomic
def batch_create(
    *, model: ProductModel, code: str, produced_on: dt.date | None = None
) -> ProductionBatch:
    """Record a production batch of `model` (batch codes are unique per model)."""
    return _batch_save(ProductionBatch(model=model, code=code, produced_on=produced_on))


@transaction.atomic
def batch_update(*, batch: ProductionBatch, **fields: Any) -> ProductionBatch:
    return _batch_save(_apply(batch, fields))


# --- Parts -----------------------------------------------------------------------------------

PART_NAMES = ("name_en", "name_zh_hans", "name_zh_hant", "name_ru")


def _part_save(part: Part, compatible_models: Iterable[ProductModel] | None) -> Part:
    part.part_number = (part.part_number or "").strip()
    if not any(getattr(part, name).strip() for name in PART_NAMES):
        raise ValidationError({"name_en": _("Give the part a name in at least one language.")})
    _check_unique_code(part, "part_number")
    _save(part)
    if compatible_models is not None:
        part.compatible_models.set(list(compatible_models))
    return part


@transaction.atomic
def part_create(
    *,
    part_number: str,
    compatible_models: Iterable[ProductModel] = (),
    **fields: Any,
) -> Part:
    """Add a spare part: a unique part number and a name in at least one language."""
    return _part_save(Part(part_number=part_number, **fields), compatible_models)


@transaction.atomic
def part_update(
    *, part: Part, compatible_models: Iterable[ProductModel] | None = None, **fields: Any
) -> Part:
    """Change a part; `compatible_models`, when given, replaces the list of models it fits."""
    return _part_save(_apply(part, fields), compatible_models)


# --- Fault and repair codes ------------------------------------------------------------------


def _code_save[Code: CodeDirectory](code: Code) -> Code:
    parent = code.parent
    _check_no_cycle(code, parent, "parent")
    if parent is not None and parent.category_id != code.category_id:
        raise ValidationError(
            {"parent": _("The parent code must belong to the same category as this code.")}
        )
    # The codes below must follow a change of category, or the hierarchy would mix them.
    if (
        code.pk is not None
        and _others(code).filter(parent=code).exclude(category_id=code.category_id).exists()
    ):
        raise ValidationError(
            {"category": _("Codes below this one belong to its current category; move them first.")}
        )
    if code.category_id is None:
        _check_unique_code(code, "code", category__isnull=True)
    else:
        _check_unique_code(code, "code", category_id=code.category_id)
    return _save(code)


def _code_create[Code: CodeDirectory](model: type[Code], fields: dict[str, Any]) -> Code:
    return _code_save(model(**fields))


@transaction.atomic
def fault_code_create(
    *,
    code: str,
    name: str,
    category: ProductCategory | None = None,
    parent: FaultCode | None = None,
    is_active: bool = True,
) -> FaultCode:
    """Add a fault code to a category's tree (no category: it applies to every category)."""
    return _code_create(
        FaultCode,
        {
            "code": code,
            "name": name,
            "category": category,
            "parent": parent,
            "is_active": is_active,
        },
    )


@transaction.atomic
def fault_code_update(*, fault_code: FaultCode, **fields: Any) -> FaultCode:
    return _code_save(_apply(fault_code, fields))


@transaction.atomic
def repair_code_create(
    *,
    code: str,
    name: str,
    category: ProductCategory | None = None,
    parent: RepairCode | None = None,
    is_active: bool = True,
) -> RepairCode:
    """Add a repair code to a category's tree (no category: it applies to every category)."""
    return _code_create(
        RepairCode,
        {
            "code": code,
            "name": name,
            "category": category,
            "parent": parent,
            "is_active": is_active,
        },
    )


@transaction.atomic
def repair_code_update(*, repair_code: RepairCode, **fields: Any) -> RepairCode:
    return _code_save(_apply(repair_code, fields))


# --- Labour and prices -----------------------------------------------------------------------


def _labour_item_save(item: LabourItem) -> LabourItem:
    _check_unique_code(item, "code")
    return _save(item)


@transaction.atomic
def labour_item_create(*, code: str, name: str, **fields: Any) -> LabourItem:
    return _labour_item_save(LabourItem(code=code, name=name, **fields))


@transaction.atomic
def labour_item_update(*, labour_item: LabourItem, **fields: Any) -> LabourItem:
    return _labour_item_save(_apply(labour_item, fields))


def _price_list_save(price_list: PriceList) -> PriceList:
    _check_unique_code(price_list, "code")
    if (
        price_list.valid_to is not None
        and price_list.valid_from is not None
        and price_list.valid_to < price_list.valid_from
    ):
        raise ValidationError({"valid_to": _("The end of validity cannot be before its start.")})
    return _save(price_list)


@transaction.atomic
def price_list_create(
    *,
    code: str,
    name: str,
    currency: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    is_active: bool = True,
) -> PriceList:
    return _price_list_save(
        PriceList(
            code=code,
            name=name,
            currency=currency,
            valid_from=valid_from,
            valid_to=valid_to,
            is_active=is_active,
        )
    )


@transaction.atomic
def price_list_update(*, price_list: PriceList, **fields: Any) -> PriceList:
    return _price_list_save(_apply(price_list, fields))


def _price_item_save(item: PriceListItem) -> PriceListItem:
    if (item.part_id is None) == (item.labour_item_id is None):
        message = _("Choose either a part or a labour item, not both.")
        if item.part_id is None:
            message = _("Choose a part or a labour item.")
        raise ValidationError({"part": message, "labour_item": message})
    field = "part" if item.part_id is not None else "labour_item"
    duplicate = _others(item).filter(
        price_list_id=item.price_list_id, **{f"{field}_id": getattr(item, f"{field}_id")}
    )
    if duplicate.exists():
        raise ValidationError(
            {
                field: _("This price list already has a price for %(what)s.")
                % {"what": getattr(item, field)}
            }
        )
    return _save(item)


@transaction.atomic
def price_list_item_create(
    *,
    price_list: PriceList,
    price: Decimal,
    part: Part | None = None,
    labour_item: LabourItem | None = None,
) -> PriceListItem:
    """Put a price on `price_list` for a part or a labour item (exactly one of them; each at
    most once per list)."""
    item = PriceListItem(price_list=price_list, part=part, labour_item=labour_item, price=price)
    return _price_item_save(item)


@transaction.atomic
def price_list_item_update(*, item: PriceListItem, **fields: Any) -> PriceListItem:
    fields.pop("price_list", None)  # an item stays on its list
    return _price_item_save(_apply(item, fields))


@transaction.atomic
def price_list_item_delete(*, item: PriceListItem) -> None:
    item.delete()
