"""Reads of the catalog that are more than a filter: a category's subtree and lineage, the
codes that apply to a category, and what a part or a labour item costs on a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.catalog.models import (
    CodeDirectory,
    LabourItem,
    Part,
    PriceList,
    PriceListItem,
    ProductCategory,
)


def category_lineage_ids(category: ProductCategory) -> list[int]:
    """Ids of `category` and the categories above it, nearest first (one query per level;
    category trees are a few levels deep)."""
    ids = [category.pk]
    parent_id = category.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = (
            ProductCategory.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return ids


def category_subtree_ids(category: ProductCategory) -> list[int]:
    """Ids of `category` and every category below it (one query per level)."""
    found = [category.pk]
    level = [category.pk]
    while level:
        level = list(
            ProductCategory.objects.filter(parent_id__in=level)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found += level
    return found


def codes_for_category[Code: CodeDirectory](
    queryset: QuerySet[Code], category: ProductCategory | None, *, active_only: bool = False
) -> QuerySet[Code]:
    """Fault or repair codes that apply to a product of `category`: its own, those of the
    categories above it (a washer's codes include the laundry line's) and the general ones.
    No category: only the general codes."""
    condition = Q(category__isnull=True)
    if category is not None:
        condition |= Q(category_id__in=category_lineage_ids(category))
    queryset = queryset.filter(condition)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset


def price_lists_valid_on(on: dt.date, *, currency: str | None = None) -> QuerySet[PriceList]:
    """Active price lists whose period includes `on`, the most recent start first."""
    queryset = PriceList.objects.filter(is_active=True, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    if currency:
        queryset = queryset.filter(currency=currency)
    return queryset.order_by("-valid_from", "code")


def price_on(
    *,
    on: dt.date,
    part: Part | None = None,
    labour_item: LabourItem | None = None,
    price_list: PriceList | None = None,
    currency: str | None = None,
) -> Decimal | None:
    """The price of a part (or a labour item) on `on`: from `price_list` if it is active and
    valid that day, else from the most recently started valid list (in `currency`, if given)
    that prices it. None when no valid list prices it: the caller decides whether the base
    price on the part or labour item applies."""
    if (part is None) == (labour_item is None):
        raise ValueError("price_on needs exactly one of part and labour_item")
    lists = price_lists_valid_on(on, currency=currency)
    if price_list is not None:
        lists = lists.filter(pk=price_list.pk)
    what: dict[str, Any] = {"part": part} if part is not None else {"labour_item": labour_item}
    return (
        PriceListItem.objects.filter(price_list__in=lists, **what)
        .order_by("-price_list__valid_from", "price_list__code")
        .values_list("price", flat=True)
        .first()
    )
