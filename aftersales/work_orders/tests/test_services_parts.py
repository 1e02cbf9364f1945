"""Parts from the stock ledger and labour: the order's costs are the ledger's own figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aftersales.catalog.models import LabourItem
from aftersales.catalog.tests.factories import make_product_model
from aftersales.stock import selectors as stock_selectors
from aftersales.stock import services as stock
from aftersales.stock.models import MovementKind, StockMovement
from aftersales.stock.selectors import balance_of
from aftersales.stock.tests.factories import make_warehouse, stocked
from aftersales.work_orders import services
from aftersales.work_orders.models import EventKind, PartLine, Status, Warranty
from aftersales.work_orders.tests.factories import (
    make_repair_in_diagnosis,
    stocked_warehouse,
    worker,
)

pytestmark = pytest.mark.django_db


def _receive(warehouse, part, quantity: str, cost: str) -> None:  # type: ignore[no-untyped-def]
    stock.stock_receive(
        warehouse=warehouse,
        part=part,
        quantity=Decimal(quantity),
        unit_cost=Decimal(cost),
        user=worker(warehouse.unit, "storekeeper"),
        reference="DN-2",
    )


def test_a_part_is_issued_at_the_ledgers_moving_average(network) -> None:
    technician = worker(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a, "2", "10.00")
    _receive(warehouse, part, "2", "20.00")  # average now 15
    order = make_repair_in_diagnosis(network.outlet_a)

    line = services.part_issue(order=order, part=part, quantity=Decimal("3"), user=technician)

    assert line.warehouse == warehouse  # the unit's own warehouse by default
    assert line.unit_cost == Decimal("15.0000") and line.issued_by == technician
    order.refresh_from_db()
    assert order.parts_cost == Decimal("45.00") == stock_selectors.parts_cost(order.number)
    assert balance_of(warehouse, part) == Decimal("1")
    movement = StockMovement.objects.get(kind=MovementKind.ISSUE, reference=order.number)
    assert movement.quantity == Decimal("-3")
    assert order.events.filter(kind=EventKind.PART_ISSUED).exists()


def test_the_customers_price_of_a_part_defaults_to_the_catalog_price(network) -> None:
    _warehouse, part = stocked_warehouse(network.outlet_a, price=Decimal("25.00"))
    order = make_repair_in_diagnosis(network.outlet_a)
    user = worker(network.outlet_a)

    default = services.part_issue(order=order, part=part, quantity=Decimal("1"), user=user)
    agreed = services.part_issue(
        order=order, part=part, quantity=Decimal("1"), user=user, unit_price=Decimal("0")
    )

    assert default.unit_price == Decimal("25.00") and agreed.unit_price == Decimal("0")


def test_parts_come_from_the_nearest_warehouse_up_the_tree(network) -> None:
    central = make_warehouse(network.centre)
    part = stocked(central, "4", "7.50")
    order = make_repair_in_diagnosis(network.outlet_a)

    line = services.part_issue(
        order=order, part=part, quantity=Decimal("1"), user=worker(network.outlet_a)
    )

    assert line.warehouse == central


def _refused(order, **kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.part_issue(order=order, user=worker(order.unit), **kwargs)
    return error.value


def test_more_than_in_stock_is_refused_and_nothing_is_written(network) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a, "2")
    order = make_repair_in_diagnosis(network.outlet_a)
    movements = StockMovement.objects.count()

    error = _refused(order, part=part, quantity=Decimal("3"))

    assert "Only 2" in str(error)
    assert not PartLine.objects.exists()
    assert StockMovement.objects.count() == movements
    assert balance_of(warehouse, part) == Decimal("2")
    order.refresh_from_db()
    assert order.parts_cost == Decimal("0")
    assert not order.events.filter(kind=EventKind.PART_ISSUED).exists()


def test_a_part_that_does_not_fit_the_model_is_refused(network) -> None:
    _warehouse, part = stocked_warehouse(network.outlet_a)
    part.compatible_models.add(make_product_model())
    order = make_repair_in_diagnosis(network.outlet_a)

    error = _refused(order, part=part, quantity=Decimal("1"))

    assert "does not fit" in str(error) and not PartLine.objects.exists()


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_a_zero_or_negative_quantity_is_refused(network, quantity) -> None:
    _warehouse, part = stocked_warehouse(network.outlet_a)
    order = make_repair_in_diagnosis(network.outlet_a)

    error = _refused(order, part=part, quantity=Decimal(quantity))

    assert "greater than zero" in str(error.message_dict["quantity"])
    assert not PartLine.objects.exists()


def test_a_unit_without_a_warehouse_cannot_issue(network) -> None:
    _warehouse, part = stocked_warehouse(network.outlet_b)
    order = make_repair_in_diagnosis(network.outlet_a)

    error = _refused(order, part=part, quantity=Decimal("1"))

    assert "warehouse" in error.message_dict


def test_a_serial_tracked_part_leaves_by_its_serial(network) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a, "2", serial_tracked=True)
    order = make_repair_in_diagnosis(network.outlet_a)
    serial = part_serial = f"SN-{part.pk}-1"

    line = services.part_issue(
        order=order, part=part, quantity=Decimal("1"), serial=serial, user=worker(order.unit)
    )
    assert line.serial == part_serial
    # The same serial cannot leave twice.
    _refused(order, part=part, quantity=Decimal("1"), serial=serial)
    assert PartLine.objects.count() == 1
    assert balance_of(warehouse, part) == Decimal("1")


def test_an_unused_part_goes_back_at_the_cost_it_was_issued_at(network) -> None:
    user = worker(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a, "3", "10.00")
    order = make_repair_in_diagnosis(network.outlet_a)
    line = services.part_issue(order=order, part=part, quantity=Decimal("3"), user=user)
    _receive(warehouse, part, "1", "50.00")  # the average moves on meanwhile

    line = services.part_return(line=line, quantity=Decimal("2"), user=user)

    assert line.returned_quantity == Decimal("2") and line.used_quantity == Decimal("1")
    returned = StockMovement.objects.get(kind=MovementKind.RETURN, reference=order.number)
    assert returned.unit_cost == Decimal("10.0000")
    order.refresh_from_db()
    assert order.parts_cost == Decimal("10.00") == stock_selectors.parts_cost(order.number)
    assert order.events.filter(kind=EventKind.PART_RETURNED).exists()


def test_returning_more_than_was_used_or_nothing_is_refused(network) -> None:
    user = worker(network.outlet_a)
    _warehouse, part = stocked_warehouse(network.outlet_a)
    order = make_repair_in_diagnosis(network.outlet_a)
    line = services.part_issue(order=order, part=part, quantity=Decimal("2"), user=user)
    services.part_return(line=line, quantity=Decimal("1"), user=user)

    with pytest.raises(ValidationError, match="Only 1"):
        services.part_return(line=line, quantity=Decimal("2"), user=user)
    with pytest.raises(ValidationError, match="greater than zero"):
        services.part_return(line=line, quantity=Decimal("0"), user=user)

    line.refresh_from_db()
    assert line.returned_quantity == Decimal("1")
    assert StockMovement.objects.filter(kind=MovementKind.RETURN).count() == 1


def test_cancelling_gives_every_unused_part_back(network) -> None:
    user = worker(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a, "5", "12.00")
    order = make_repair_in_diagnosis(network.outlet_a)
    line = services.part_issue(order=order, part=part, quantity=Decimal("3"), user=user)
    services.part_return(line=line, quantity=Decimal("1"), user=user)

    order = services.work_order_transition(
        order=order, to_status=Status.CANCELLED, user=user, note="Customer withdrew"
    )

    line.refresh_from_db()
    assert line.used_quantity == Decimal("0")
    assert balance_of(warehouse, part) == Decimal("5")
    assert order.parts_cost == Decimal("0") == stock_selectors.parts_cost(order.number)


def test_labour_from_the_catalog_or_described_adds_to_the_cost(network) -> None:
    user = worker(network.outlet_a)
    item = LabourItem.objects.create(
        code="L-SCR", name="Screen replacement", standard_minutes=45, price=Decimal("80")
    )
    order = make_repair_in_diagnosis(network.outlet_a)

    from_catalog = services.labour_add(order=order, user=user, labour_item=item)
    described = services.labour_add(
        order=order, user=user, description=" Cleaning ", minutes=10, amount=Decimal("15.5")
    )

    assert (from_catalog.description, from_catalog.minutes, from_catalog.amount) == (
        "Screen replacement",
        45,
        Decimal("80.00"),
    )
    assert described.description == "Cleaning" and described.performed_by == user
    order.refresh_from_db()
    assert order.labour_cost == Decimal("95.50")
    assert order.total_cost == Decimal("95.50")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "", "amount": Decimal("1")}, "description"),
        ({"description": "Work", "amount": Decimal("-1")}, "amount"),
        ({"description": "Work", "amount": None}, "amount"),
        ({"description": "Work", "amount": Decimal("1"), "minutes": -5}, "minutes"),
    ],
)
def test_labour_refuses_what_cannot_be_paid(network, fields, field) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    with pytest.raises(ValidationError) as error:
        services.labour_add(order=order, user=worker(network.outlet_a), **fields)

    assert field in error.value.message_dict
    order.refresh_from_db()
    assert not order.labour_lines.exists() and order.labour_cost == Decimal("0")


def _out_of_warranty_repair(unit):  # type: ignore[no-untyped-def]
    from aftersales.customers.tests.factories import make_customer
    from aftersales.installed_base.tests.factories import make_installed_product

    customer = make_customer(unit)
    product = make_installed_product(
        customer,
        purchase_date=datetime.date(2020, 1, 10),
        warranty_end=datetime.date(2021, 1, 10),
    )
    order = make_repair_in_diagnosis(unit, customer=customer, product=product)
    assert order.warranty == Warranty.OUT_OF_WARRANTY
    return order


def test_out_of_warranty_the_customer_pays_the_parts_prices_and_the_labour(network) -> None:
    user = worker(network.outlet_a)
    _warehouse, part = stocked_warehouse(network.outlet_a, "3", "10.00", price=Decimal("25.00"))
    order = _out_of_warranty_repair(network.outlet_a)

    line = services.part_issue(order=order, part=part, quantity=Decimal("2"), user=user)
    services.labour_add(order=order, user=user, description="Board repair", amount=Decimal("40"))
    services.part_return(line=line, quantity=Decimal("1"), user=user)

    order.refresh_from_db()
    assert order.parts_cost == Decimal("10.00") == stock_selectors.parts_cost(order.number)
    assert order.labour_cost == Decimal("40.00")
    assert order.customer_price == Decimal("65.00")  # one part at 25 and the labour


def test_warranty_work_costs_the_customer_nothing_but_an_approved_quote_is_paid(network) -> None:
    user = worker(network.outlet_a)
    _warehouse, part = stocked_warehouse(network.outlet_a, "3", "10.00", price=Decimal("25.00"))
    order = make_repair_in_diagnosis(network.outlet_a)  # in warranty
    services.part_issue(order=order, part=part, quantity=Decimal("1"), user=user)
    order.refresh_from_db()
    assert order.warranty == Warranty.IN_WARRANTY and order.customer_price == Decimal("0")

    order, _token = services.quote_send(
        order=order, amount=Decimal("120.00"), note="Water damage is not covered", user=user
    )
    services.quote_answer(order=order, approve=True, user=user)
    services.labour_add(order=order, user=user, description="Cleaning", amount=Decimal("30"))

    order.refresh_from_db()
    assert order.customer_price == Decimal("120.00")  # the agreed price, whatever is added
