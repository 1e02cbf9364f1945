"""Simultaneous movements on real connections: each thread has its own database connection
and transaction, as concurrent requests would.

On PostgreSQL these fail when the balance row lock (services._lock's select_for_update, or the
FOR UPDATE of the one-statement movement, services._ONE_OUTFLOW) is removed: two issues then
read the same last unit and both succeed. On SQLite the IMMEDIATE
transaction serialises writers whatever the code does, so there they show only that the
waiting works (no "database is locked")."""

import threading
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from aftersales.accounts.tests.factories import make_user
from aftersales.stock import selectors, services
from aftersales.stock.models import StockBalance, StockMovement
from aftersales.stock.tests.factories import make_warehouse, stocked

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Threads share an in-memory SQLite database through its shared cache, whose table locks
    # fail at once instead of waiting: run them on a file (SQLITE_TEST_NAME=/tmp/t.sqlite3).
    pytest.mark.skipif(
        connection.vendor == "sqlite" and not connection.settings_dict["TEST"].get("NAME"),
        reason="SQLite concurrency needs a file database: set SQLITE_TEST_NAME",
    ),
]

THREADS = 8
ROUNDS = 5


def race(calls: list[Callable[[], object]]) -> tuple[int, list[str], list[BaseException]]:
    """Run the calls at once, one thread each; (successes, refusals, other errors)."""
    barrier = threading.Barrier(len(calls))
    lock = threading.Lock()
    ok: list[object] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = call()
            with lock:
                ok.append(result)
        except ValidationError as error:
            with lock:
                refusals.extend(error.messages)
        except BaseException as error:  # noqa: BLE001 — reported to the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return len(ok), refusals, errors


def test_simultaneous_issues_of_the_last_unit_let_exactly_one_succeed(network) -> None:
    keeper = make_user("storekeeper", network.outlet_a)
    store = make_warehouse(network.outlet_a, name="Pudong store")
    for round_number in range(ROUNDS):
        part = stocked(store, "1", "25.00", part_number=f"LAST-{round_number}")

        def issue(part=part):  # type: ignore[no-untyped-def]
            return services.stock_issue(
                warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W1"
            )

        succeeded, refusals, errors = race([issue] * THREADS)
        assert errors == []
        assert succeeded == 1, f"round {round_number}: {succeeded} issues of the last unit"
        assert len(refusals) == THREADS - 1
        assert all(r.startswith(f"Only 0 pcs of LAST-{round_number}") for r in refusals)
        balance = StockBalance.objects.get(warehouse=store, part=part)
        assert (balance.quantity, balance.value) == (0, 0)
        assert StockMovement.objects.filter(part=part, kind="issue").count() == 1
    assert selectors.ledger_agrees() == []


def test_multi_line_issues_in_opposite_orders_do_not_deadlock(network) -> None:
    keeper = make_user("storekeeper", network.outlet_a)
    store = make_warehouse(network.outlet_a)
    parts = [stocked(store, "40", "3.00") for _ in range(4)]

    def forwards():  # type: ignore[no-untyped-def]
        return services.stock_issue_lines(
            warehouse=store, lines=[(p, D("1")) for p in parts], user=keeper, reference="W1"
        )

    def backwards():  # type: ignore[no-untyped-def]
        return services.stock_issue_lines(
            warehouse=store,
            lines=[(p, D("1")) for p in reversed(parts)],
            user=keeper,
            reference="W2",
        )

    for _ in range(ROUNDS):
        succeeded, refusals, errors = race([forwards, backwards] * (THREADS // 2))
        assert (succeeded, refusals, errors) == (THREADS, [], [])
    assert selectors.ledger_agrees() == []
    quantities = set(
        StockBalance.objects.filter(warehouse=store).values_list("quantity", flat=True)
    )
    assert quantities == {40 - ROUNDS * THREADS}


def test_simultaneous_receipts_of_a_new_part_make_one_balance(network) -> None:
    keeper = make_user("storekeeper", network.outlet_a)
    store = make_warehouse(network.outlet_a)
    part = stocked(make_warehouse(network.outlet_b), "1")

    def receive():  # type: ignore[no-untyped-def]
        return services.stock_receive(
            warehouse=store, part=part, quantity=D("2"), unit_cost=D("5"), user=keeper
        )

    succeeded, refusals, errors = race([receive] * THREADS)
    assert (succeeded, refusals, errors) == (THREADS, [], [])
    balance = StockBalance.objects.get(warehouse=store, part=part)
    assert (balance.quantity, balance.value) == (2 * THREADS, 10 * THREADS)
    assert selectors.ledger_agrees() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_the_balance_row_is_locked_while_a_movement_is_written(network) -> None:
    """The lock itself, seen from a second connection: NOWAIT fails while it is held."""
    from django.db import DatabaseError, transaction

    keeper = make_user("storekeeper", network.outlet_a)
    store = make_warehouse(network.outlet_a)
    part = stocked(store, "3")
    seen: list[str] = []

    def probe() -> None:
        try:
            with transaction.atomic():
                StockBalance.objects.select_for_update(nowait=True).get(warehouse=store, part=part)
            seen.append("free")
        except DatabaseError:
            seen.append("locked")
        finally:
            connections.close_all()

    with transaction.atomic():
        services.stock_issue(
            warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W"
        )
        thread = threading.Thread(target=probe)
        thread.start()
        thread.join(30)
    assert seen == ["locked"]
