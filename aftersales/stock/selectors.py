"""Reads of the stock ledger beyond a filter."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Sum

from aftersales.core.scoping import ancestor_paths, scope_paths, subtree_q
from aftersales.stock.filters import BalanceFilter, MovementFilter
from aftersales.stock.models import (
    Condition,
    SerialNumber,
    StockBalance,
    StockMovement,
    Warehouse,
)

CENT = Decimal("0.01")
THOUSANDTH = Decimal("0.001")

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.catalog.models import Part
    from aftersales.organisation.models import Unit


def balance_of(warehouse: Warehouse, part: Part, condition: str = Condition.GOOD) -> Decimal:
    """How much of `part` the warehouse holds in `condition` (zero when it never held any)."""
    found = (
        StockBalance.objects.filter(warehouse=warehouse, part=part, condition=condition)
        .values_list("quantity", flat=True)
        .first()
    )
    return found if found is not None else Decimal("0")


def balances(user: User, filters: dict[str, Any] | None = None) -> QuerySet[StockBalance]:
    """Balances the user sees, narrowed by BalanceFilter's fields."""
    rows = StockBalance.objects.visible_to(user).select_related("warehouse", "part")
    if filters:
        rows = BalanceFilter(filters, queryset=rows).qs
    return rows.order_by("warehouse__code", "part__part_number", "condition")


def movements(user: User, filters: dict[str, Any] | None = None) -> QuerySet[StockMovement]:
    """Ledger entries the user sees, newest first, narrowed by MovementFilter's fields."""
    rows = StockMovement.objects.visible_to(user).select_related("warehouse", "part", "user")
    if filters:
        rows = MovementFilter(filters, queryset=rows).qs
    return rows.order_by("-created_at", "-pk")


def movements_of_reference(reference: str) -> QuerySet[StockMovement]:
    """The ledger entries of one document (a work order's number): its parts cost is the
    negated sum of their total costs (see parts_cost)."""
    return StockMovement.objects.filter(reference=reference).order_by("created_at", "pk")


def parts_cost(reference: str) -> Decimal:
    """What the parts of a work order cost: issued minus returned, at the ledger's own
    totals (defective parts taken back carry no cost)."""
    total = movements_of_reference(reference).aggregate(s=Sum("total_cost"))["s"]
    # SQLite sums decimals as floats: back to cents.
    return -(total or Decimal("0")).quantize(CENT)


def serial_location(part: Part, serial: str) -> SerialNumber | None:
    """Where one unit of a serial-tracked part is (status and warehouse); None if the stock
    never knew it. One query."""
    return (
        SerialNumber.objects.select_related("warehouse__unit", "part")
        .filter(part=part, serial=" ".join(serial.split()))
        .first()
    )


def warehouses_for_unit(unit: Unit) -> QuerySet[Warehouse]:
    """The unit's own active warehouses."""
    return Warehouse.objects.filter(unit=unit, is_active=True).order_by("code")


def warehouse_for_unit(unit: Unit) -> Warehouse | None:
    """The warehouse a unit's work takes parts from: its own (the first by code when it keeps
    several), else the nearest one up the tree. One query."""
    return (
        Warehouse.objects.filter(unit__path__in=ancestor_paths(unit.path), is_active=True)
        .order_by("-unit__depth", "code")
        .first()
    )


def transfer_destinations(user: User) -> QuerySet[Warehouse]:
    """Where the user may send parts: active warehouses of their subtree and of the units
    above it (an outlet sends defective parts up to its centre; sideways transfers between
    siblings are the common parent's storekeepers' to make)."""
    paths = scope_paths(user)
    rows = Warehouse.objects.filter(is_active=True).select_related("unit").order_by("code")
    if paths is None:
        return rows
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    return rows.filter(subtree_q("unit", paths) | Q(unit__path__in=sorted(above)))


def ledger_agrees(warehouse: Warehouse | None = None) -> list[tuple[int, int, str]]:
    """Balances that differ from the sum of their ledger entries (quantity or value): the
    keys (part id, warehouse id, condition); empty when the books agree."""
    sums = StockMovement.objects.all()
    rows = StockBalance.objects.all()
    if warehouse is not None:
        sums, rows = sums.filter(warehouse=warehouse), rows.filter(warehouse=warehouse)
    ledger = {
        (r["part_id"], r["warehouse_id"], r["condition"]): (r["q"], r["v"])
        for r in sums.values("part_id", "warehouse_id", "condition").annotate(
            q=Sum("quantity"), v=Sum("total_cost")
        )
    }
    wrong = []
    for b in rows.values("part_id", "warehouse_id", "condition", "quantity", "value"):
        key = (b["part_id"], b["warehouse_id"], b["condition"])
        q, v = ledger.pop(key, (Decimal("0"), Decimal("0")))
        q, v = q.quantize(THOUSANDTH), v.quantize(CENT)  # SQLite sums decimals as floats
        if q != b["quantity"] or v != b["value"]:
            wrong.append(key)
    wrong += [key for key, (q, v) in ledger.items() if q.quantize(THOUSANDTH) or v.quantize(CENT)]
    return sorted(wrong)
