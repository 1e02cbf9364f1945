"""The ledger's writes: each movement kind, each refusal (with nothing written), the moving
average and serial numbers."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_part, make_product_model
from aftersales.stock import selectors, services
from aftersales.stock.models import (
    Condition,
    MovementKind,
    SerialNumber,
    SerialStatus,
    StockBalance,
    StockMovement,
    Transfer,
    TransferStatus,
)
from aftersales.stock.tests.factories import make_warehouse, stocked


@pytest.fixture
def store(network):  # type: ignore[no-untyped-def]
    return make_warehouse(network.outlet_a, name="Pudong store")


@pytest.fixture
def keeper(network):  # type: ignore[no-untyped-def]
    return make_user("storekeeper", network.outlet_a)


def balance(warehouse, part, condition=Condition.GOOD):  # type: ignore[no-untyped-def]
    return StockBalance.objects.get(warehouse=warehouse, part=part, condition=condition)


def assert_nothing_written(before: int) -> None:
    assert StockMovement.objects.count() == before
    assert not selectors.ledger_agrees()


def refused(call, **kwargs) -> str:  # type: ignore[no-untyped-def]
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    assert_nothing_written(before)
    return " ".join(error.value.messages)


# --- receipts and the moving average ----------------------------------------------------------


def test_a_receipt_puts_parts_on_the_shelf_at_their_cost(store, keeper) -> None:
    part = make_part(part_number="P-100")
    movement = services.stock_receive(
        warehouse=store,
        part=part,
        quantity=D("4"),
        unit_cost=D("12.50"),
        user=keeper,
        reference="DN-7",
    )
    assert (movement.kind, movement.quantity, movement.total_cost) == ("receipt", 4, D("50.00"))
    assert movement.balance_after == 4
    row = balance(store, part)
    assert (row.quantity, row.value, row.average_cost) == (4, D("50.00"), D("12.5"))
    assert selectors.balance_of(store, part) == 4


def test_a_second_receipt_at_another_cost_moves_the_average(store, keeper) -> None:
    part = stocked(store, "3", "10.00")
    services.stock_receive(
        warehouse=store, part=part, quantity=D("1"), unit_cost=D("14.00"), user=keeper
    )
    row = balance(store, part)
    # (3 × 10 + 1 × 14) / 4
    assert (row.quantity, row.value, row.average_cost) == (4, D("44.00"), D("11.0"))


def test_an_average_with_repeating_decimals_never_leaves_value_behind(store, keeper) -> None:
    part = stocked(store, "3", "10.00")
    services.stock_receive(
        warehouse=store, part=part, quantity=D("3"), unit_cost=D("10.01"), user=keeper
    )
    assert balance(store, part).average_cost == D("10.005")
    services.stock_receive(
        warehouse=store, part=part, quantity=D("1"), unit_cost=D("0"), user=keeper
    )
    assert balance(store, part).average_cost == D("8.5757")  # 60.03 / 7
    issued = [
        services.stock_issue(
            warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W1"
        )
        for _ in range(7)
    ]
    # Each unit at the average of the moment, to the cent (8.57 or 8.58); the last unit takes
    # what is left, so the balance's value goes to exactly zero.
    assert {m.total_cost for m in issued} <= {D("-8.57"), D("-8.58"), D("-8.59")}
    row = balance(store, part)
    assert (row.quantity, row.value) == (0, 0)
    assert sum(m.total_cost for m in issued) == D("-60.03")
    assert not selectors.ledger_agrees()


def test_a_one_part_movement_writes_the_figures_the_general_way_writes(
    network, store, keeper
) -> None:
    """On PostgreSQL a movement of one part is one statement (services._one_statement): it
    must reach the same figures as the general way (stock_issue_lines, first receipts)."""
    other = make_warehouse(network.outlet_b)
    part = make_part(part_number="AVG-1")
    costs = ["10.01", "0", "3.3333", "7.5", "0.0001"]
    ledgers = []
    for warehouse, issue_as_lines in ((store, False), (other, True)):
        for n, cost in enumerate(costs):
            services.stock_receive(
                warehouse=warehouse, part=part, quantity=D(n + 3), unit_cost=D(cost), user=keeper
            )
            for _ in range(n + 2):
                if issue_as_lines:
                    services.stock_issue_lines(
                        warehouse=warehouse, lines=[(part, D("1"))], user=keeper, reference="W"
                    )
                else:
                    services.stock_issue(
                        warehouse=warehouse, part=part, quantity=D("1"), user=keeper, reference="W"
                    )
        ledgers.append(
            list(
                StockMovement.objects.filter(warehouse=warehouse)
                .order_by("pk")
                .values_list("unit_cost", "total_cost", "balance_after", "value_after")
            )
        )
        final = balance(warehouse, part)
        ledgers[-1].append((final.quantity, final.value, final.average_cost))
    assert ledgers[0] == ledgers[1]
    assert not selectors.ledger_agrees()


def test_a_movement_comes_back_as_the_ledger_holds_it(
    store, keeper, django_assert_num_queries
) -> None:
    """The entry a service returns has every figure the ledger row has, its warehouse, part
    and user attached (no query to show them), and on PostgreSQL it took one counted query."""
    part = stocked(store, "5", "2.50")
    one_statement = connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as queries:
        issue = services.stock_issue(
            warehouse=store, part=part, quantity=D("2"), user=keeper, reference="W1"
        )
    if one_statement:
        assert len(queries) == 1
    receipt = services.stock_receive(
        warehouse=store, part=part, quantity=D("1"), unit_cost=D("3.10"), user=keeper
    )
    fields = [f.attname for f in StockMovement._meta.concrete_fields]
    for movement in (issue, receipt):
        stored = StockMovement.objects.get(pk=movement.pk)
        assert [getattr(movement, f) for f in fields] == [getattr(stored, f) for f in fields]
        assert not movement._state.adding
        with django_assert_num_queries(0):
            assert (movement.warehouse, movement.part, movement.user) == (store, part, keeper)


# --- issues and returns -----------------------------------------------------------------------


def test_an_issue_takes_the_average_and_the_work_order_cost_is_exact(store, keeper) -> None:
    part = stocked(store, "3", "10.00")
    services.stock_receive(
        warehouse=store, part=part, quantity=D("1"), unit_cost=D("11"), user=keeper
    )
    issue = services.stock_issue(
        warehouse=store, part=part, quantity=D("2"), user=keeper, reference="W00000012"
    )
    assert (issue.kind, issue.quantity, issue.unit_cost, issue.total_cost) == (
        "issue",
        -2,
        D("10.25"),
        D("-20.50"),
    )
    assert issue.balance_after == 2
    back = services.stock_return(
        warehouse=store,
        part=part,
        quantity=D("1"),
        unit_cost=issue.unit_cost,
        user=keeper,
        reference="W00000012",
    )
    assert back.total_cost == D("10.25")
    assert selectors.parts_cost("W00000012") == D("10.25")
    assert balance(store, part).quantity == 3
    assert not selectors.ledger_agrees()


def test_issuing_more_than_is_in_stock_is_refused_with_the_balance(store, keeper) -> None:
    part = stocked(store, "2", part_number="P-100", name_en="Drum belt")
    message = refused(
        services.stock_issue,
        warehouse=store,
        part=part,
        quantity=D("3"),
        user=keeper,
        reference="W1",
    )
    assert message == "Only 2 pcs of P-100 Drum belt in stock at Pudong store; 3 requested."
    assert balance(store, part).quantity == 2


def test_a_part_never_stocked_here_cannot_be_issued(store, keeper) -> None:
    message = refused(
        services.stock_issue,
        warehouse=store,
        part=make_part(part_number="P-9"),
        quantity=D("1"),
        user=keeper,
        reference="W1",
    )
    assert message.startswith("Only 0 pcs of P-9")


@pytest.mark.parametrize("quantity", [D("0"), D("-1"), D("1.5"), "abc", D("1.0001")])
def test_a_quantity_that_is_not_a_positive_count_is_refused(store, keeper, quantity) -> None:
    part = stocked(store, "5")
    refused(
        services.stock_issue,
        warehouse=store,
        part=part,
        quantity=quantity,
        user=keeper,
        reference="W1",
    )
    refused(
        services.stock_receive,
        warehouse=store,
        part=part,
        quantity=quantity,
        unit_cost=D("1"),
        user=keeper,
    )


def test_parts_sold_by_the_metre_take_fractions(store, keeper) -> None:
    part = stocked(store, "10", "2.00", unit_of_measure="m")
    issue = services.stock_issue(
        warehouse=store, part=part, quantity=D("2.5"), user=keeper, reference="W1"
    )
    assert (issue.quantity, issue.total_cost) == (D("-2.5"), D("-5.00"))


def test_a_part_that_does_not_fit_the_model_is_refused(store, keeper) -> None:
    washer, dryer = make_product_model(code="WM-1"), make_product_model(code="DR-1")
    part = stocked(store, "5", part_number="P-7")
    part.compatible_models.add(washer)
    message = refused(
        services.stock_issue,
        warehouse=store,
        part=part,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        for_model=dryer,
    )
    assert "P-7" in message and "does not fit the model DR-1" in message
    services.stock_issue(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W1", for_model=washer
    )


def test_a_part_listing_no_models_fits_every_model(store, keeper) -> None:
    part = stocked(store, "5")
    services.stock_issue(
        warehouse=store,
        part=part,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        for_model=make_product_model(),
    )


def test_several_lines_are_issued_all_or_none(store, keeper) -> None:
    belt, pump = stocked(store, "5"), stocked(store, "1", part_number="P-PUMP")
    message = refused(
        services.stock_issue_lines,
        warehouse=store,
        lines=[(belt, D("2")), (pump, D("2"))],
        user=keeper,
        reference="W1",
    )
    assert "Only 1 pcs of P-PUMP" in message
    assert balance(store, belt).quantity == 5
    moved = services.stock_issue_lines(
        warehouse=store, lines=[(pump, D("1")), (belt, D("2"))], user=keeper, reference="W1"
    )
    assert [m.part for m in moved] == [pump, belt]
    assert balance(store, belt).quantity == 3 and balance(store, pump).quantity == 0


def test_a_part_twice_in_the_lines_is_refused(store, keeper) -> None:
    belt = stocked(store, "5")
    refused(
        services.stock_issue_lines,
        warehouse=store,
        lines=[(belt, D("1")), (belt, D("1"))],
        user=keeper,
        reference="W1",
    )


def test_a_closed_warehouse_takes_no_movements(store, keeper) -> None:
    part = stocked(store, "5")
    store.is_active = False
    store.save()
    message = refused(
        services.stock_issue,
        warehouse=store,
        part=part,
        quantity=D("1"),
        user=keeper,
        reference="W1",
    )
    assert "closed for movements" in message


def test_a_ledger_entry_cannot_be_changed_or_deleted(store, keeper) -> None:
    stocked(store, "5")
    movement = StockMovement.objects.get()
    movement.quantity = D("50")
    with pytest.raises(ValidationError):
        movement.save()
    with pytest.raises(ValidationError):
        movement.delete()
    assert StockMovement.objects.get().quantity == 5


# --- defective parts, write-offs, stock-takes ------------------------------------------------


def test_a_defective_part_goes_to_defective_stock_at_no_cost(store, keeper) -> None:
    part = stocked(store, "2", "30.00")
    movement = services.defective_return(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W1"
    )
    assert (movement.kind, movement.condition, movement.total_cost) == (
        "defective_return",
        "defective",
        0,
    )
    assert balance(store, part, Condition.DEFECTIVE).quantity == 1
    assert balance(store, part).value == D("60.00")
    assert selectors.parts_cost("W1") == 0


def test_a_write_off_needs_a_reason_and_takes_the_average(store, keeper) -> None:
    part = stocked(store, "4", "7.50")
    assert "why" in refused(
        services.write_off, warehouse=store, part=part, quantity=D("1"), user=keeper, reason=" "
    )
    movement = services.write_off(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reason="Dropped"
    )
    assert (movement.kind, movement.total_cost, movement.note) == (
        "write_off",
        D("-7.50"),
        "Dropped",
    )


def test_defective_stock_is_written_off_from_its_own_balance(store, keeper) -> None:
    part = stocked(store, "2")
    services.defective_return(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W1"
    )
    services.write_off(
        warehouse=store,
        part=part,
        quantity=D("1"),
        user=keeper,
        reason="Scrapped",
        condition=Condition.DEFECTIVE,
    )
    assert balance(store, part, Condition.DEFECTIVE).quantity == 0
    assert balance(store, part).quantity == 2


def test_a_stock_take_brings_the_balance_to_the_count(store, keeper) -> None:
    part = stocked(store, "5", "4.00")
    short = services.stocktake_adjust(
        warehouse=store, part=part, counted_quantity=D("3"), user=keeper, note="Count 3/11"
    )
    assert (short.kind, short.quantity, short.total_cost) == ("adjustment", -2, D("-8.00"))
    found = services.stocktake_adjust(
        warehouse=store, part=part, counted_quantity=D("4"), user=keeper
    )
    assert (found.quantity, found.total_cost) == (1, D("4.00"))
    assert balance(store, part).quantity == 4
    assert "nothing to adjust" in refused(
        services.stocktake_adjust,
        warehouse=store,
        part=part,
        counted_quantity=D("4"),
        user=keeper,
    )
    assert "negative" in refused(
        services.stocktake_adjust,
        warehouse=store,
        part=part,
        counted_quantity=D("-1"),
        user=keeper,
    )


def test_a_stock_take_to_zero_empties_the_value(store, keeper) -> None:
    part = stocked(store, "3", "3.33")
    services.stocktake_adjust(warehouse=store, part=part, counted_quantity=0, user=keeper)
    row = balance(store, part)
    assert (row.quantity, row.value) == (0, 0)


# --- transfers --------------------------------------------------------------------------------


def test_a_transfer_travels_and_arrives_at_the_cost_it_left_with(network, store, keeper) -> None:
    centre = make_warehouse(network.centre, name="Centre store")
    part = stocked(store, "4", "10.00")
    services.stock_receive(
        warehouse=centre, part=part, quantity=D("1"), unit_cost=D("16"), user=keeper
    )
    transfer = services.transfer_send(
        source=store, destination=centre, lines=[(part, D("3"))], user=keeper, note="Rebalance"
    )
    assert transfer.number == f"T{transfer.pk:08d}" and transfer.status == "in_transit"
    assert balance(store, part).quantity == 1
    assert balance(centre, part).quantity == 1  # not arrived yet
    services.transfer_receive(transfer=transfer, user=keeper)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED and transfer.received_by == keeper
    row = balance(centre, part)
    assert (row.quantity, row.value, row.average_cost) == (4, D("46.00"), D("11.5"))
    kinds = list(transfer.movements.order_by("pk").values_list("kind", "total_cost"))
    assert kinds == [("transfer_out", D("-30.00")), ("transfer_in", D("30.00"))]
    assert not selectors.ledger_agrees()


def test_a_transfer_to_the_same_warehouse_is_refused(store, keeper) -> None:
    part = stocked(store, "4")
    message = refused(
        services.transfer_send,
        source=store,
        destination=store,
        lines=[(part, D("1"))],
        user=keeper,
    )
    assert "other than" in message
    assert not Transfer.objects.exists()


def test_a_transfer_of_more_than_the_stock_writes_nothing(network, store, keeper) -> None:
    part = stocked(store, "1")
    refused(
        services.transfer_send,
        source=store,
        destination=make_warehouse(network.centre),
        lines=[(part, D("2"))],
        user=keeper,
    )
    assert not Transfer.objects.exists()


def test_a_transfer_is_received_once(network, store, keeper) -> None:
    part = stocked(store, "4")
    transfer = services.transfer_send(
        source=store,
        destination=make_warehouse(network.centre),
        lines=[(part, D("1"))],
        user=keeper,
    )
    services.transfer_receive(transfer=transfer, user=keeper)
    assert "already received" in refused(services.transfer_receive, transfer=transfer, user=keeper)


# --- serial numbers ---------------------------------------------------------------------------


def test_serial_tracked_parts_are_received_and_issued_by_serial(network, store, keeper) -> None:
    board = make_part(part_number="PCB-1", serial_tracked=True)
    services.stock_receive(
        warehouse=store,
        part=board,
        quantity=D("2"),
        unit_cost=D("100"),
        user=keeper,
        serials=["A1", "A2"],
    )
    where = selectors.serial_location(board, "A1")
    assert (where.status, where.warehouse) == (SerialStatus.IN_STOCK, store)
    assert "one serial number per unit" in refused(
        services.stock_issue,
        warehouse=store,
        part=board,
        quantity=D("1"),
        user=keeper,
        reference="W1",
    )
    assert "Not in stock at Pudong store: B9" in refused(
        services.stock_issue,
        warehouse=store,
        part=board,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        serials=["B9"],
    )
    issue = services.stock_issue(
        warehouse=store,
        part=board,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        serials=["A1"],
    )
    assert [s.serial for s in issue.serials.all()] == ["A1"]
    assert selectors.serial_location(board, "A1").status == SerialStatus.ISSUED
    # It cannot be issued twice.
    refused(
        services.stock_issue,
        warehouse=store,
        part=board,
        quantity=D("1"),
        user=keeper,
        reference="W2",
        serials=["A1"],
    )
    services.stock_return(
        warehouse=store,
        part=board,
        quantity=D("1"),
        unit_cost=issue.unit_cost,
        user=keeper,
        reference="W1",
        serials=["A1"],
    )
    assert selectors.serial_location(board, "A1").status == SerialStatus.IN_STOCK


def test_a_serial_already_in_stock_cannot_be_received_again(store, keeper) -> None:
    board = stocked(store, "1", serial_tracked=True)
    serial = SerialNumber.objects.get(part=board).serial
    assert "Already in stock" in refused(
        services.stock_receive,
        warehouse=store,
        part=board,
        quantity=D("1"),
        unit_cost=D("1"),
        user=keeper,
        serials=[serial],
    )


def test_serials_travel_with_their_transfer(network, store, keeper) -> None:
    board = stocked(store, "2", serial_tracked=True)
    serial = SerialNumber.objects.filter(part=board).order_by("serial").first().serial
    centre = make_warehouse(network.centre)
    transfer = services.transfer_send(
        source=store, destination=centre, lines=[(board, D("1"), [serial])], user=keeper
    )
    assert selectors.serial_location(board, serial).status == SerialStatus.IN_TRANSIT
    services.transfer_receive(transfer=transfer, user=keeper)
    where = selectors.serial_location(board, serial)
    assert (where.status, where.warehouse) == (SerialStatus.IN_STOCK, centre)


def test_a_faulty_serial_part_goes_to_defective_stock(store, keeper) -> None:
    board = make_part(serial_tracked=True)
    services.defective_return(
        warehouse=store,
        part=board,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        serials=["OLD-7"],
    )
    assert selectors.serial_location(board, "OLD-7").status == SerialStatus.DEFECTIVE


def test_serials_on_a_part_that_is_not_tracked_are_refused(store, keeper) -> None:
    part = stocked(store, "2")
    assert "not serial-tracked" in refused(
        services.stock_issue,
        warehouse=store,
        part=part,
        quantity=D("1"),
        user=keeper,
        reference="W1",
        serials=["X"],
    )


# --- where work orders take parts from --------------------------------------------------------


def test_a_unit_takes_parts_from_its_own_warehouse_or_the_nearest_above(network) -> None:
    assert selectors.warehouse_for_unit(network.outlet_a) is None
    centre = make_warehouse(network.centre)
    assert selectors.warehouse_for_unit(network.outlet_a) == centre
    own = make_warehouse(network.outlet_a)
    assert selectors.warehouse_for_unit(network.outlet_a) == own
    assert list(selectors.warehouses_for_unit(network.outlet_a)) == [own]


def test_every_kind_lands_in_the_journal(network, store, keeper) -> None:
    part = stocked(store, "5")
    centre = make_warehouse(network.centre)
    services.stock_issue(warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W")
    services.stock_return(
        warehouse=store, part=part, quantity=D("1"), unit_cost=D("10"), user=keeper, reference="W"
    )
    services.defective_return(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W"
    )
    services.write_off(warehouse=store, part=part, quantity=D("1"), user=keeper, reason="Lost")
    services.stocktake_adjust(warehouse=store, part=part, counted_quantity=D("3"), user=keeper)
    services.transfer_receive(
        transfer=services.transfer_send(
            source=store, destination=centre, lines=[(part, D("1"))], user=keeper
        ),
        user=keeper,
    )
    kinds = set(StockMovement.objects.values_list("kind", flat=True))
    assert kinds == set(MovementKind.values)
    assert not selectors.ledger_agrees()
    assert not StockBalance.objects.filter(quantity__lt=0).exists()
