import itertools
from decimal import Decimal

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_part
from aftersales.core.testing import scoped_factory
from aftersales.organisation.models import Unit
from aftersales.stock import services
from aftersales.stock.models import SerialNumber, StockBalance, StockMovement, Transfer, Warehouse

_numbers = itertools.count(1)


def make_warehouse(unit: Unit, **fields) -> Warehouse:  # type: ignore[no-untyped-def]
    number = next(_numbers)
    fields.setdefault("code", f"WH-{number}")
    fields.setdefault("name", f"Store {number}")
    return Warehouse.objects.create(unit=unit, **fields)


def stocked(warehouse: Warehouse, quantity: str = "5", cost: str = "10.00", **part_fields):  # type: ignore[no-untyped-def]
    """A new part with `quantity` received into `warehouse` at `cost`; returns the part."""
    part = make_part(**part_fields)
    serials = [f"SN-{part.pk}-{n}" for n in range(int(quantity))] if part.serial_tracked else ()
    services.stock_receive(
        warehouse=warehouse,
        part=part,
        quantity=Decimal(quantity),
        unit_cost=Decimal(cost),
        user=_storekeeper(warehouse.unit),
        reference="DN-1",
        serials=serials,
    )
    return part


def _storekeeper(unit: Unit):  # type: ignore[no-untyped-def]
    return make_user("storekeeper", unit)


@scoped_factory(Warehouse)
def warehouse_in(unit: Unit) -> Warehouse:
    return make_warehouse(unit)


@scoped_factory(StockBalance)
def balance_in(unit: Unit) -> StockBalance:
    warehouse = make_warehouse(unit)
    part = stocked(warehouse)
    return StockBalance.objects.get(warehouse=warehouse, part=part)


@scoped_factory(StockMovement)
def movement_in(unit: Unit) -> StockMovement:
    warehouse = make_warehouse(unit)
    part = stocked(warehouse)
    return StockMovement.objects.get(warehouse=warehouse, part=part)


@scoped_factory(SerialNumber)
def serial_in(unit: Unit) -> SerialNumber:
    warehouse = make_warehouse(unit)
    part = stocked(warehouse, "1", serial_tracked=True)
    return SerialNumber.objects.get(part=part)


@scoped_factory(Transfer)
def transfer_in(unit: Unit) -> Transfer:
    source, destination = make_warehouse(unit), make_warehouse(unit)
    part = stocked(source)
    return services.transfer_send(
        source=source,
        destination=destination,
        lines=[(part, Decimal("2"))],
        user=_storekeeper(unit),
    )
