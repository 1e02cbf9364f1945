"""Writes to the stock ledger: every function is one transaction (or one statement) that appends
ledger entries and moves the balances with them, or refuses with a translated message and
writes nothing.

These functions are the interface downstream apps (work orders) call: they pass the work
order's number as `reference`; the stock app knows nothing of work orders.

Concurrency: a movement locks its balance rows before reading them — `SELECT … FOR UPDATE`
on PostgreSQL, in a fixed order (part id, warehouse id, condition) when one call moves several
balances, so concurrent multi-line calls cannot deadlock; a movement of one part without serials
(most issues and receipts) is one statement that locks, updates and writes its entry
(`_one_statement`). On SQLite the IMMEDIATE transaction (config/settings.py) already holds the
one write lock from BEGIN. Serial numbers of a part in a warehouse change only under that
balance's lock.

Costs (docs/decisions.md, 45): the balance holds quantity and value (money, 2 places); the
average cost is value / quantity to 4 places. A receipt adds quantity × its cost; an outflow
(issue, transfer, write-off, stock-take shortage) takes quantity × the average, rounded to the
cent — except the last units of a balance, which take whatever value is left, so a balance's
value is always the sum of its entries' totals and never drifts from zero when it empties. A
return from a work order comes back at the unit cost it was issued at; a transfer enters the
destination at the total that left the source; defective parts carry no cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.catalog.models import Part, ProductModel, UnitOfMeasure
from aftersales.core.compiled import server_bound_cursor
from aftersales.stock.models import (
    Condition,
    MovementKind,
    SerialNumber,
    SerialStatus,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
)

if TYPE_CHECKING:
    from aftersales.accounts.models import User

QUANTITY_STEP = Decimal("0.001")
COST_STEP = Decimal("0.0001")
MONEY_STEP = Decimal("0.01")
MAX_QUANTITY = Decimal("99999999999")  # 14 digits, 3 of them decimals
MAX_COST = Decimal("9999999999")
TRANSFER_PREFIX = "T"
WHOLE_UNITS = {UnitOfMeasure.PIECE, UnitOfMeasure.SET}
# Short unit symbols for messages ("Only 2 pcs of …").
UNIT_SYMBOLS = {
    UnitOfMeasure.PIECE: gettext_lazy("pcs"),
    UnitOfMeasure.SET: gettext_lazy("sets"),
    UnitOfMeasure.METRE: gettext_lazy("m"),
    UnitOfMeasure.KILOGRAM: gettext_lazy("kg"),
    UnitOfMeasure.LITRE: gettext_lazy("l"),
}
REFERENCE_MAX = StockMovement._meta.get_field("reference").max_length
NOTE_MAX = StockMovement._meta.get_field("note").max_length
SERIAL_MAX = SerialNumber._meta.get_field("serial").max_length


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def unit_cost_of(value: Decimal, quantity: Decimal) -> Decimal:
    # 40 digits: value / quantity is then close enough to its exact value that rounding it to
    # 4 places is exact rounding (and equals PostgreSQL's in the one-statement movement).
    with localcontext(prec=40):
        return (value / quantity).quantize(COST_STEP, rounding=ROUND_HALF_UP)


def format_quantity(quantity: Decimal) -> str:
    """2.000 → "2", 1.500 → "1.5" (no exponent for 100)."""
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantity_text(part: Part, quantity: Decimal) -> str:
    symbol = UNIT_SYMBOLS.get(part.unit_of_measure, part.unit_of_measure)
    return f"{format_quantity(quantity)} {symbol}"


def part_label(part: Part) -> str:
    return f"{part.part_number} {part.name}".strip()


def format_transfer_number(pk: int) -> str:
    return f"{TRANSFER_PREFIX}{pk:08d}"


# --- Checks -----------------------------------------------------------------------------------


def _quantity(part: Part, raw: Any, *, field_name: str = "quantity") -> Decimal:
    """A positive quantity the ledger can hold, in whole units for parts counted in pieces."""
    try:
        quantity = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite():
        raise ValidationError({field_name: _("Give the quantity as a number.")})
    if quantity <= 0:
        raise ValidationError({field_name: _("The quantity must be more than zero.")})
    if quantity > MAX_QUANTITY:
        raise ValidationError({field_name: _("The quantity is too large.")})
    if quantity != quantity.quantize(QUANTITY_STEP):
        raise ValidationError({field_name: _("Give the quantity with at most 3 decimals.")})
    if part.unit_of_measure in WHOLE_UNITS and quantity != quantity.to_integral_value():
        raise ValidationError(
            {field_name: _("%(part)s is counted in whole units.") % {"part": part.part_number}}
        )
    return quantity.quantize(QUANTITY_STEP)


def _cost(raw: Any) -> Decimal:
    try:
        cost = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        cost = None
    if cost is None or not cost.is_finite():
        raise ValidationError({"unit_cost": _("Give the unit cost as a number.")})
    if cost < 0:
        raise ValidationError({"unit_cost": _("The unit cost cannot be negative.")})
    if cost > MAX_COST:
        raise ValidationError({"unit_cost": _("The unit cost is too large.")})
    if cost != cost.quantize(COST_STEP):
        raise ValidationError({"unit_cost": _("Give the unit cost with at most 4 decimals.")})
    return cost.quantize(COST_STEP)


def _text(value: str, limit: int, field_name: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValidationError({field_name: _("At most %(max)d characters.") % {"max": limit}})
    return value


def _active(warehouse: Warehouse, field_name: str = "warehouse") -> None:
    if not warehouse.is_active:
        raise ValidationError(
            {
                field_name: _("The warehouse %(warehouse)s is closed for movements.")
                % {"warehouse": warehouse.name}
            }
        )


def _serials(part: Part, quantity: Decimal, serials: Iterable[str]) -> list[str]:
    """The serials named for a movement of `quantity` of `part`: one per unit for a
    serial-tracked part, none for another."""
    cleaned = [" ".join(str(s).split()) for s in serials or ()]
    cleaned = [s for s in cleaned if s]
    if not part.serial_tracked:
        if cleaned:
            raise ValidationError(
                {"serials": _("%(part)s is not serial-tracked.") % {"part": part.part_number}}
            )
        return []
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"serials": _("A serial number is given twice.")})
    if any(len(s) > SERIAL_MAX for s in cleaned):
        raise ValidationError({"serials": _("A serial number is too long.")})
    if quantity != len(cleaned):
        raise ValidationError(
            {
                "serials": _(
                    "%(part)s is serial-tracked: name one serial number per unit "
                    "(%(count)s for this quantity)."
                )
                % {"part": part.part_number, "count": format_quantity(quantity)}
            }
        )
    return cleaned


def check_compatible(parts: Sequence[Part], for_model: ProductModel | None) -> None:
    """A part fits a model when it lists no compatible models or lists this one. One query."""
    if for_model is None or not parts:
        return
    through = Part.compatible_models.through
    listed: dict[int, set[int]] = {}
    for part_id, model_id in through.objects.filter(part_id__in=[p.pk for p in parts]).values_list(
        "part_id", "productmodel_id"
    ):
        listed.setdefault(part_id, set()).add(model_id)
    misfits = [p for p in parts if listed.get(p.pk) and for_model.pk not in listed[p.pk]]
    if misfits:
        raise ValidationError(
            {
                "part": _("%(part)s does not fit the model %(model)s.")
                % {"part": part_label(misfits[0]), "model": for_model.code}
            }
        )


# --- Balances ---------------------------------------------------------------------------------

Key = tuple[int, int, str]  # (part id, warehouse id, condition): the lock order


@dataclass
class _Balance:
    """A locked balance row, as read (and then changed) by a movement."""

    pk: int
    quantity: Decimal
    value: Decimal
    average_cost: Decimal
    touched: bool = False


def _decimal(raw: Any, step: Decimal) -> Decimal:
    # PostgreSQL hands numerics over as Decimal; SQLite stores them with numeric affinity
    # and hands back int or float, whose shortest repr is the value written.
    return raw if isinstance(raw, Decimal) else Decimal(str(raw)).quantize(step)


def _lock(keys: Iterable[Key], *, create: bool) -> dict[Key, _Balance]:
    """Lock the balance rows of `keys` in a fixed order (part, warehouse, condition) and
    return them; with `create`, rows that do not exist yet are made first (INSERT … ON
    CONFLICT DO NOTHING: two first receipts of a part cannot both insert it).

    Plain SQL: a movement is a few statements and the ORM's building of them cost more than
    the database's work (bench/README.md, stock)."""
    ordered = sorted(set(keys))
    where = " OR ".join(["(part_id = %s AND warehouse_id = %s AND condition = %s)"] * len(ordered))
    sql = (
        "SELECT part_id, warehouse_id, condition, id, quantity, value, average_cost"
        f" FROM {BALANCE_TABLE} WHERE {where} ORDER BY part_id, warehouse_id, condition"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for key in ordered for value in key])
        found = {
            (part_id, warehouse_id, state): _Balance(
                pk,
                _decimal(quantity, QUANTITY_STEP),
                _decimal(value, MONEY_STEP),
                _decimal(average, COST_STEP),
            )
            for part_id, warehouse_id, state, pk, quantity, value, average in cursor.fetchall()
        }
    missing = [key for key in ordered if key not in found]
    if missing and create:
        StockBalance.objects.bulk_create(
            [StockBalance(part_id=p, warehouse_id=w, condition=c) for p, w, c in missing],
            ignore_conflicts=True,
        )
        return _lock(keys, create=False)
    return found


def _shortage(part: Part, warehouse: Warehouse, available: Decimal, wanted: Decimal) -> str:
    return _("Only %(available)s of %(part)s in stock at %(warehouse)s; %(wanted)s requested.") % {
        "available": quantity_text(part, available),
        "part": part_label(part),
        "warehouse": warehouse.name,
        "wanted": format_quantity(wanted),
    }


@dataclass
class _Entry:
    """A ledger entry being written, before its row exists."""

    kind: str
    warehouse: Warehouse
    part: Part
    condition: str
    quantity: Decimal  # signed
    unit_cost: Decimal | None = None  # inflows at a given cost; None: the balance's average
    total: Decimal | None = None  # inflows carrying a known total (a transfer's arrival)
    serials: list[SerialNumber] = field(default_factory=list)


def _post(
    entries: Sequence[_Entry],
    balances: dict[Key, _Balance],
    *,
    user: User,
    reference: str = "",
    note: str = "",
    transfer: Transfer | None = None,
) -> list[StockMovement]:
    """Apply `entries` to their locked balances and write the ledger rows. Outflows must have
    been checked against the balance (the CHECK constraints are the last line, not the
    message)."""
    now = timezone.now()
    movements: list[StockMovement] = []
    for entry in entries:
        balance = balances[(entry.part.pk, entry.warehouse.pk, entry.condition)]
        balance.touched = True
        if entry.quantity > 0:
            if entry.total is not None:
                total = entry.total
                unit_cost = unit_cost_of(total, entry.quantity)
            else:
                unit_cost = entry.unit_cost if entry.unit_cost is not None else balance.average_cost
                total = money(entry.quantity * unit_cost)
            balance.quantity += entry.quantity
            balance.value += total
        else:
            taken = -entry.quantity
            unit_cost = balance.average_cost
            if taken == balance.quantity:
                total = balance.value
            else:
                total = min(money(taken * unit_cost), balance.value)
            balance.quantity -= taken
            balance.value -= total
            total = -total
        if balance.quantity:
            balance.average_cost = unit_cost_of(balance.value, balance.quantity)
        movement = StockMovement(
            kind=entry.kind,
            warehouse=entry.warehouse,
            part=entry.part,
            condition=entry.condition,
            quantity=entry.quantity,
            unit_cost=unit_cost,
            total_cost=total,
            balance_after=balance.quantity,
            value_after=balance.value,
            reference=reference,
            note=note,
            transfer=transfer,
            user=user,
            created_at=now,
        )
        movements.append(movement)
    _write(movements, [b for b in balances.values() if b.touched], now)
    links = [
        StockMovement.serials.through(stockmovement_id=movement.pk, serialnumber_id=serial.pk)
        for movement, entry in zip(movements, entries, strict=True)
        for serial in entry.serials
    ]
    if links:
        StockMovement.serials.through.objects.bulk_create(links)
    return movements


BALANCE_TABLE = StockBalance._meta.db_table
MOVEMENT_TABLE = StockMovement._meta.db_table
MOVEMENT_COLUMNS = (
    "kind, warehouse_id, part_id, condition, quantity, unit_cost, total_cost, balance_after,"
    " value_after, reference, note, transfer_id, user_id, created_at"
)
UPDATE_BALANCE = (
    f"UPDATE {BALANCE_TABLE} SET quantity = %s, value = %s, average_cost = %s, updated_at = %s"
    " WHERE id = %s"
)


def _write(movements: list[StockMovement], balances: list[_Balance], now: Any) -> None:
    """The balances' new figures and the ledger rows: on PostgreSQL one statement (the
    updates as data-modifying CTEs of the insert), on SQLite one per balance and one insert."""
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    updates = [
        [
            ops.adapt_decimalfield_value(b.quantity),
            ops.adapt_decimalfield_value(b.value),
            ops.adapt_decimalfield_value(b.average_cost),
            at,
            b.pk,
        ]
        for b in balances
    ]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(movements))
    insert = f"INSERT INTO {MOVEMENT_TABLE} ({MOVEMENT_COLUMNS}) VALUES {rows} RETURNING id"
    params: list[Any] = []
    for m in movements:
        params += [
            m.kind,
            m.warehouse_id,
            m.part_id,
            m.condition,
            ops.adapt_decimalfield_value(m.quantity),
            ops.adapt_decimalfield_value(m.unit_cost),
            ops.adapt_decimalfield_value(m.total_cost),
            ops.adapt_decimalfield_value(m.balance_after),
            ops.adapt_decimalfield_value(m.value_after),
            m.reference,
            m.note,
            m.transfer_id,
            m.user_id,
            at,
        ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ctes = ", ".join(f"u{n} AS ({UPDATE_BALANCE})" for n in range(len(updates)))
            cursor.execute(f"WITH {ctes} {insert}", [v for u in updates for v in u] + params)
        else:
            for update in updates:
                cursor.execute(UPDATE_BALANCE, update)
            cursor.execute(insert, params)
        ids = [row[0] for row in cursor.fetchall()]
    for movement, pk in zip(movements, ids, strict=True):
        movement.pk = pk
        movement._state.adding = False
        movement._state.db = connection.alias


# One statement per movement (PostgreSQL): the balance row is locked, changed and its ledger
# entry written by one statement, so the lock is held for that statement (and the commit) and
# not across round trips and Python: what a hot part's throughput depends on (bench/README.md,
# stock). The SQL does what `_post` does, with PostgreSQL's round() (half away from zero, as
# ROUND_HALF_UP for these positive amounts); the quotient is taken to 20 decimals, closer to
# exact than value / quantity can come to a rounding boundary with these column sizes.
_AVERAGE = "round({value}::numeric(40, 20) / {quantity}, 4)"
_INSERT_FROM = (
    f"INSERT INTO {MOVEMENT_TABLE} ({MOVEMENT_COLUMNS})"
    " SELECT %s, %s, %s, %s, %s, {unit_cost}, {total}, b.quantity, b.value, %s, %s, NULL, %s, %s"
    " FROM b RETURNING id, unit_cost, total_cost, balance_after, value_after"
)
_ONE_OUTFLOW = (
    "WITH t AS ("
    " SELECT id, quantity - %s AS quantity, average_cost, value,"
    " CASE WHEN quantity = %s THEN value ELSE LEAST(round(%s * average_cost, 2), value) END"
    " AS taken"
    f" FROM {BALANCE_TABLE}"
    " WHERE part_id = %s AND warehouse_id = %s AND condition = %s AND quantity >= %s FOR UPDATE"
    f"), b AS (UPDATE {BALANCE_TABLE} s SET quantity = t.quantity, value = t.value - t.taken,"
    " average_cost = CASE WHEN t.quantity > 0 THEN "
    + _AVERAGE.format(value="(t.value - t.taken)", quantity="t.quantity")
    + " ELSE s.average_cost END, updated_at = %s FROM t WHERE s.id = t.id"
    " RETURNING s.quantity, s.value, t.average_cost AS unit_cost, t.taken) "
    + _INSERT_FROM.format(unit_cost="b.unit_cost", total="-b.taken")
)
_ONE_INFLOW = (
    f"WITH b AS (UPDATE {BALANCE_TABLE} SET quantity = quantity + %s, value = value + %s,"
    " average_cost = "
    + _AVERAGE.format(value="(value + %s)", quantity="(quantity + %s)")
    + ", updated_at = %s WHERE part_id = %s AND warehouse_id = %s AND condition = %s"
    " RETURNING quantity, value) " + _INSERT_FROM.format(unit_cost="%s", total="%s")
)


def _one_statement(
    kind: str,
    warehouse: Warehouse,
    part: Part,
    condition: str,
    quantity: Decimal,
    *,
    unit_cost: Decimal | None,
    user: User,
    reference: str,
    note: str,
) -> StockMovement | None:
    """A movement of one part without serials as one statement, on PostgreSQL: an inflow at
    `unit_cost` (quantity > 0) or an outflow at the average cost (quantity < 0). None when it
    cannot be done so (not PostgreSQL, no balance row yet, or too little stock): the caller
    then takes the general way, which creates the row or words the refusal. Outside a
    transaction the statement is its own."""
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    tail = [kind, warehouse.pk, part.pk, condition, quantity]
    if quantity > 0:
        total = money(quantity * unit_cost)
        sql = _ONE_INFLOW
        params = [quantity, total, total, quantity, now, part.pk, warehouse.pk, condition]
        params += tail + [unit_cost, total]
    else:
        taken = -quantity
        sql = _ONE_OUTFLOW
        params = [taken, taken, taken, part.pk, warehouse.pk, condition, taken, now] + tail
    params += [reference, note, user.pk, now]
    # Parameters sent apart from the statement: quoted into its text, as Django's cursors do,
    # the dozen of them took a quarter of the Python a movement costs.
    with server_bound_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, unit_cost, total, balance_after, value_after = row
    values = {
        "id": pk,
        "kind": kind,
        "warehouse_id": warehouse.pk,
        "part_id": part.pk,
        "condition": condition,
        "quantity": quantity,
        "unit_cost": unit_cost,
        "total_cost": total,
        "balance_after": balance_after,
        "value_after": value_after,
        "reference": reference,
        "note": note,
        "transfer_id": None,
        "user_id": user.pk,
        "created_at": now,
    }
    # As the ORM makes a row it read into an instance, with the related rows at hand attached
    # (keyword arguments would set each related instance through its descriptor, slower).
    movement = StockMovement.from_db(connection.alias, None, [values[a] for a in _MOVEMENT_ATTS])
    movement._state.fields_cache.update(warehouse=warehouse, part=part, user=user)
    return movement


_MOVEMENT_ATTS = [f.attname for f in StockMovement._meta.concrete_fields]


# --- Serial numbers ---------------------------------------------------------------------------


def _serials_in_stock(
    part: Part, warehouse: Warehouse, condition: str, serials: list[str]
) -> list[SerialNumber]:
    """The named serials, each of which must be in this warehouse's stock of this condition."""
    if not serials:
        return []
    status = SerialStatus.IN_STOCK if condition == Condition.GOOD else SerialStatus.DEFECTIVE
    found = {
        s.serial: s
        for s in SerialNumber.objects.filter(
            part=part, serial__in=serials, warehouse=warehouse, status=status
        )
    }
    absent = [s for s in serials if s not in found]
    if absent:
        raise ValidationError(
            {
                "serials": _("Not in stock at %(warehouse)s: %(serials)s.")
                % {"warehouse": warehouse.name, "serials": ", ".join(absent)}
            }
        )
    return [found[s] for s in serials]


def _serials_arriving(
    part: Part, warehouse: Warehouse, serials: list[str], status: str
) -> list[SerialNumber]:
    """Serials entering a warehouse from outside the stock (a delivery, a work order, a
    device): new ones are created; known ones must not be in any stock or on the way."""
    if not serials:
        return []
    known = {s.serial: s for s in SerialNumber.objects.filter(part=part, serial__in=serials)}
    held = [
        s
        for s in serials
        if s in known
        and known[s].status
        in {SerialStatus.IN_STOCK, SerialStatus.IN_TRANSIT, SerialStatus.DEFECTIVE}
    ]
    if held:
        raise ValidationError(
            {
                "serials": _("Already in stock or on the way: %(serials)s.")
                % {"serials": ", ".join(held)}
            }
        )
    new = [SerialNumber(part=part, serial=s, warehouse=warehouse, status=status) for s in serials]
    new = [n for n in new if n.serial not in known]
    SerialNumber.objects.bulk_create(new)
    again = [known[s] for s in serials if s in known]
    SerialNumber.objects.filter(pk__in=[s.pk for s in again]).update(
        warehouse=warehouse, status=status, updated_at=timezone.now()
    )
    return list(SerialNumber.objects.filter(part=part, serial__in=serials).order_by("serial"))


def _serials_leave(serials: list[SerialNumber], status: str, warehouse: Warehouse) -> None:
    if serials:
        SerialNumber.objects.filter(pk__in=[s.pk for s in serials]).update(
            status=status, warehouse=warehouse, updated_at=timezone.now()
        )


# --- Inflows ----------------------------------------------------------------------------------


def _inflow(
    *,
    kind: str,
    warehouse: Warehouse,
    part: Part,
    quantity: Any,
    unit_cost: Any,
    user: User,
    reference: str,
    note: str = "",
    serials: Iterable[str] = (),
    condition: str = Condition.GOOD,
) -> StockMovement:
    _active(warehouse)
    amount = _quantity(part, quantity)
    cost = _cost(unit_cost)
    names = _serials(part, amount, serials)
    reference = _text(reference, REFERENCE_MAX, "reference")
    note = _text(note, NOTE_MAX, "note")
    if not names:
        movement = _one_statement(
            kind,
            warehouse,
            part,
            condition,
            amount,
            unit_cost=cost,
            user=user,
            reference=reference,
            note=note,
        )
        if movement is not None:
            return movement
    with transaction.atomic():
        balances = _lock([(part.pk, warehouse.pk, condition)], create=True)
        status = SerialStatus.IN_STOCK if condition == Condition.GOOD else SerialStatus.DEFECTIVE
        entry = _Entry(
            kind,
            warehouse,
            part,
            condition,
            amount,
            unit_cost=cost,
            serials=_serials_arriving(part, warehouse, names, status),
        )
        return _post([entry], balances, user=user, reference=reference, note=note)[0]


def stock_receive(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: Decimal,
    unit_cost: Decimal,
    user: User,
    reference: str = "",
    serials: Iterable[str] = (),
    note: str = "",
) -> StockMovement:
    """Parts delivered into `warehouse` at `unit_cost` (a supplier's delivery note as
    `reference`); the average cost becomes (q·avg + n·c) / (q + n)."""
    return _inflow(
        kind=MovementKind.RECEIPT,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        unit_cost=unit_cost,
        user=user,
        reference=reference,
        note=note,
        serials=serials,
    )


def stock_return(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: Decimal,
    unit_cost: Decimal,
    user: User,
    reference: str,
    serials: Iterable[str] = (),
    note: str = "",
) -> StockMovement:
    """An unused part comes back from a work order (`reference`), at the unit cost it was
    issued at (the issue movement's `unit_cost`), so the work order's parts cost falls by what
    the part added to it."""
    return _inflow(
        kind=MovementKind.RETURN,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        unit_cost=unit_cost,
        user=user,
        reference=reference,
        note=note,
        serials=serials,
    )


def defective_return(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: Decimal,
    user: User,
    reference: str,
    serials: Iterable[str] = (),
    note: str = "",
) -> StockMovement:
    """A faulty part taken out of a device (work order `reference`) enters the warehouse's
    defective stock, at no cost, to be sent on (a transfer of defective stock) or written
    off."""
    return _inflow(
        kind=MovementKind.DEFECTIVE_RETURN,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        unit_cost=Decimal("0"),
        user=user,
        reference=reference,
        note=note,
        serials=serials,
        condition=Condition.DEFECTIVE,
    )


# --- Outflows ---------------------------------------------------------------------------------


@dataclass
class _Out:
    part: Part
    quantity: Decimal
    serials: list[str]


def _outflow(
    *,
    kind: str,
    warehouse: Warehouse,
    lines: Sequence[_Out],
    condition: str,
    user: User,
    reference: str,
    note: str,
    transfer: Transfer | None = None,
    serial_status: str,
    serial_warehouse: Warehouse | None = None,
) -> list[StockMovement]:
    balances = _lock([(line.part.pk, warehouse.pk, condition) for line in lines], create=False)
    entries = []
    for line in lines:
        balance = balances.get((line.part.pk, warehouse.pk, condition))
        available = balance.quantity if balance is not None else Decimal("0")
        if line.quantity > available:
            raise ValidationError(
                {"quantity": _shortage(line.part, warehouse, available, line.quantity)}
            )
        in_stock = _serials_in_stock(line.part, warehouse, condition, line.serials)
        entries.append(
            _Entry(kind, warehouse, line.part, condition, -line.quantity, serials=in_stock)
        )
    movements = _post(
        entries, balances, user=user, reference=reference, note=note, transfer=transfer
    )
    for entry in entries:
        _serials_leave(entry.serials, serial_status, serial_warehouse or warehouse)
    return movements


def _out_lines(lines: Iterable[Sequence[Any]]) -> list[_Out]:
    """(part, quantity) or (part, quantity, serials) lines, checked; a part given twice is
    refused (one line per part keeps one ledger entry per part and document)."""
    result: list[_Out] = []
    seen: set[int] = set()
    for line in lines:
        part, quantity = line[0], line[1]
        serials = line[2] if len(line) > 2 else ()
        if part.pk in seen:
            raise ValidationError(
                {
                    "lines": _("%(part)s is given twice; give it once with the whole quantity.")
                    % {"part": part.part_number}
                }
            )
        seen.add(part.pk)
        amount = _quantity(part, quantity)
        result.append(_Out(part, amount, _serials(part, amount, serials)))
    if not result:
        raise ValidationError({"lines": _("Name at least one part.")})
    return result


def stock_issue(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: Decimal,
    user: User,
    reference: str,
    serials: Iterable[str] = (),
    for_model: ProductModel | None = None,
    note: str = "",
) -> StockMovement:
    """Parts leave `warehouse` for a work order (`reference`), at the average cost. Refused
    when the stock is short, the part does not fit `for_model`, or a named serial is not in
    this warehouse."""
    _active(warehouse)
    (line,) = _out_lines([(part, quantity, serials)])
    check_compatible([part], for_model)
    reference = _text(reference, REFERENCE_MAX, "reference")
    note = _text(note, NOTE_MAX, "note")
    if not line.serials:
        movement = _one_statement(
            MovementKind.ISSUE,
            warehouse,
            part,
            Condition.GOOD,
            -line.quantity,
            unit_cost=None,
            user=user,
            reference=reference,
            note=note,
        )
        if movement is not None:
            return movement
    with transaction.atomic():
        return _outflow(
            kind=MovementKind.ISSUE,
            warehouse=warehouse,
            lines=[line],
            condition=Condition.GOOD,
            user=user,
            reference=reference,
            note=note,
            serial_status=SerialStatus.ISSUED,
        )[0]


@transaction.atomic
def stock_issue_lines(
    *,
    warehouse: Warehouse,
    lines: Sequence[Sequence[Any]],
    user: User,
    reference: str,
    for_model: ProductModel | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Several parts for one work order, all or none: lines are (part, quantity) or (part,
    quantity, serials); their balances are locked in part order."""
    return _issue_lines(
        warehouse=warehouse,
        lines=lines,
        user=user,
        reference=reference,
        for_model=for_model,
        note=note,
    )


def _issue_lines(
    *,
    warehouse: Warehouse,
    lines: Sequence[Sequence[Any]],
    user: User,
    reference: str,
    for_model: ProductModel | None,
    note: str,
) -> list[StockMovement]:
    _active(warehouse)
    out = _out_lines(lines)
    check_compatible([line.part for line in out], for_model)
    return _outflow(
        kind=MovementKind.ISSUE,
        warehouse=warehouse,
        lines=out,
        condition=Condition.GOOD,
        user=user,
        reference=_text(reference, REFERENCE_MAX, "reference"),
        note=_text(note, NOTE_MAX, "note"),
        serial_status=SerialStatus.ISSUED,
    )


@transaction.atomic
def write_off(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: Decimal,
    user: User,
    reason: str,
    serials: Iterable[str] = (),
    condition: str = Condition.GOOD,
    reference: str = "",
) -> StockMovement:
    """Parts leave the stock for good (damaged, lost, scrapped defective parts), at the
    average cost. A reason is required."""
    _active(warehouse)
    reason = _text(reason, NOTE_MAX, "reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the parts are written off.")})
    if condition not in Condition.values:
        raise ValidationError({"condition": _("Choose the condition.")})
    out = _out_lines([(part, quantity, serials)])
    return _outflow(
        kind=MovementKind.WRITE_OFF,
        warehouse=warehouse,
        lines=out,
        condition=condition,
        user=user,
        reference=_text(reference, REFERENCE_MAX, "reference"),
        note=reason,
        serial_status=SerialStatus.WRITTEN_OFF,
    )[0]


@transaction.atomic
def stocktake_adjust(
    *,
    warehouse: Warehouse,
    part: Part,
    counted_quantity: Decimal,
    user: User,
    note: str = "",
    serials: Iterable[str] = (),
    condition: str = Condition.GOOD,
) -> StockMovement:
    """A stock-take found `counted_quantity` on the shelf: one adjustment entry brings the
    balance to it (a surplus valued at the average cost, a shortage taken at it). For a
    serial-tracked part, `serials` names the units missing (a shortage) or found (a
    surplus)."""
    _active(warehouse)
    if condition not in Condition.values:
        raise ValidationError({"condition": _("Choose the condition.")})
    try:
        counted = Decimal(str(counted_quantity))
    except InvalidOperation:
        counted = Decimal("-1")
    if not counted.is_finite() or counted < 0:
        raise ValidationError({"counted_quantity": _("The counted quantity cannot be negative.")})
    counted = _quantity(part, counted, field_name="counted_quantity") if counted else counted
    note = _text(note, NOTE_MAX, "note")
    balances = _lock([(part.pk, warehouse.pk, condition)], create=True)
    balance = balances[(part.pk, warehouse.pk, condition)]
    delta = counted - balance.quantity
    if not delta:
        raise ValidationError(
            {
                "counted_quantity": _(
                    "The count equals the balance (%(quantity)s): nothing to adjust."
                )
                % {"quantity": quantity_text(part, balance.quantity)}
            }
        )
    names = _serials(part, abs(delta), serials)
    if delta > 0:
        status = SerialStatus.IN_STOCK if condition == Condition.GOOD else SerialStatus.DEFECTIVE
        found = _serials_arriving(part, warehouse, names, status)
        entry = _Entry(MovementKind.ADJUSTMENT, warehouse, part, condition, delta, serials=found)
        return _post([entry], balances, user=user, note=note)[0]
    missing = _serials_in_stock(part, warehouse, condition, names)
    entry = _Entry(MovementKind.ADJUSTMENT, warehouse, part, condition, delta, serials=missing)
    movement = _post([entry], balances, user=user, note=note)[0]
    _serials_leave(missing, SerialStatus.WRITTEN_OFF, warehouse)
    return movement


# --- Transfers --------------------------------------------------------------------------------


@transaction.atomic
def transfer_send(
    *,
    source: Warehouse,
    destination: Warehouse,
    lines: Sequence[Sequence[Any]],
    user: User,
    note: str = "",
    condition: str = Condition.GOOD,
) -> Transfer:
    """Parts leave `source` for `destination` (lines as for stock_issue_lines) and are in
    transit until received; they leave at the source's average cost and arrive at the same
    total. `condition` says which stock moves (defective parts go on to a centre)."""
    if source.pk == destination.pk:
        raise ValidationError(
            {"destination": _("Choose a warehouse other than the one the parts leave.")}
        )
    _active(source, "source")
    _active(destination, "destination")
    if condition not in Condition.values:
        raise ValidationError({"condition": _("Choose the condition.")})
    out = _out_lines(lines)
    note = _text(note, NOTE_MAX, "note")
    transfer = Transfer.objects.create(
        number="",
        source=source,
        destination=destination,
        condition=condition,
        note=note,
        sent_at=timezone.now(),
        sent_by=user,
    )
    transfer.number = format_transfer_number(transfer.pk)
    Transfer.objects.filter(pk=transfer.pk).update(number=transfer.number)
    _outflow(
        kind=MovementKind.TRANSFER_OUT,
        warehouse=source,
        lines=out,
        condition=condition,
        user=user,
        reference=transfer.number,
        note=note,
        transfer=transfer,
        serial_status=SerialStatus.IN_TRANSIT,
        serial_warehouse=destination,
    )
    return transfer


@transaction.atomic
def transfer_receive(*, transfer: Transfer, user: User) -> Transfer:
    """The destination takes in a transfer's parts: each line enters at the total that left
    the source. Receiving twice is refused."""
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("source", "destination")
        .get(pk=transfer.pk)
    )
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise ValidationError(
            _("Transfer %(number)s was already received.") % {"number": transfer.number}
        )
    destination = transfer.destination
    _active(destination, "destination")
    sent = list(
        transfer.movements.filter(kind=MovementKind.TRANSFER_OUT)
        .select_related("part")
        .prefetch_related("serials")
        .order_by("part_id")
    )
    balances = _lock([(m.part_id, destination.pk, m.condition) for m in sent], create=True)
    status = (
        SerialStatus.IN_STOCK if transfer.condition == Condition.GOOD else SerialStatus.DEFECTIVE
    )
    entries = [
        _Entry(
            MovementKind.TRANSFER_IN,
            destination,
            m.part,
            m.condition,
            -m.quantity,
            total=-m.total_cost,
            serials=list(m.serials.all()),
        )
        for m in sent
    ]
    _post(
        entries,
        balances,
        user=user,
        reference=transfer.number,
        note=transfer.note,
        transfer=transfer,
    )
    for entry in entries:
        _serials_leave(entry.serials, status, destination)
    transfer.status = TransferStatus.RECEIVED
    transfer.received_at = timezone.now()
    transfer.received_by = user
    transfer.save(update_fields=["status", "received_at", "received_by"])
    return transfer


# --- Warehouses -------------------------------------------------------------------------------


@transaction.atomic
def warehouse_save(
    *,
    user: User,
    unit: Any,
    code: str,
    name: str,
    is_active: bool = True,
    warehouse: Warehouse | None = None,
) -> Warehouse:
    """Open a warehouse for a unit of the user's subtree, or correct one."""
    from aftersales.organisation.models import Unit

    errors: dict[str, str] = {}
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if unit is None or not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        errors["unit"] = _("Choose a unit of your subtree.")
    if not name:
        errors["name"] = _("Give the warehouse a name.")
    taken = Warehouse.objects.filter(code=code)
    if warehouse is not None:
        taken = taken.exclude(pk=warehouse.pk)
    if code and taken.exists():
        errors["code"] = _("Another warehouse has the code %(code)s.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    target = warehouse or Warehouse()
    target.unit, target.code, target.name, target.is_active = unit, code, name, is_active
    target.full_clean()
    target.save()
    return target
