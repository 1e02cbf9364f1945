"""The stock ledger over the API."""

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_part
from aftersales.stock import services
from aftersales.stock.models import StockMovement, Transfer
from aftersales.stock.tests.factories import make_warehouse, stocked

pytestmark = pytest.mark.django_db
MOVEMENTS = "/api/v1/stock/movements/"
BALANCES = "/api/v1/stock/balances/"
TRANSFERS = "/api/v1/stock/transfers/"


def _as(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def keeper(network):  # type: ignore[no-untyped-def]
    return make_user("storekeeper", network.outlet_a)


@pytest.fixture
def api(keeper):  # type: ignore[no-untyped-def]
    return _as(keeper)


@pytest.fixture
def store(network):  # type: ignore[no-untyped-def]
    return make_warehouse(network.outlet_a, name="Pudong store")


def test_a_receipt_is_recorded_once_whatever_the_retries(api, store) -> None:
    part = make_part(part_number="P-100")
    body = {
        "kind": "receipt",
        "warehouse": store.pk,
        "part": part.pk,
        "quantity": "4",
        "unit_cost": "2.5000",
        "reference": "DN-1",
    }
    first = api.post(MOVEMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.json()
    assert first.json()["total_cost"] == "10.00" and first.json()["balance_after"] == "4.000"
    again = api.post(MOVEMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.count() == 1
    balances = api.get(BALANCES, {"part": "P-100"}).json()["results"]
    assert [(b["quantity"], b["value"]) for b in balances] == [("4.000", "10.00")]


def test_a_write_off_beyond_the_stock_is_refused_in_the_error_shape(api, store) -> None:
    part = stocked(store, "1", part_number="P-100", name_en="Drum belt")
    response = api.post(
        MOVEMENTS,
        {"kind": "write_off", "warehouse": store.pk, "part": part.pk, "quantity": "2", "note": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["quantity"] == [
        "Only 1 pcs of P-100 Drum belt in stock at Pudong store; 2 requested."
    ]
    assert StockMovement.objects.count() == 1


def test_a_negative_quantity_is_refused(api, store) -> None:
    part = stocked(store, "1")
    response = api.post(
        MOVEMENTS,
        {
            "kind": "receipt",
            "warehouse": store.pk,
            "part": part.pk,
            "quantity": "-1",
            "unit_cost": "1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "more than zero" in str(response.json()["error"]["fields"])


def test_a_receipt_needs_its_cost(api, store) -> None:
    part = make_part()
    response = api.post(
        MOVEMENTS,
        {"kind": "receipt", "warehouse": store.pk, "part": part.pk, "quantity": "1"},
        format="json",
    )
    assert response.status_code == 400 and "unit_cost" in response.json()["error"]["fields"]


def test_a_stock_take_adjusts_the_balance(api, store) -> None:
    part = stocked(store, "5", "2.00")
    response = api.post(
        MOVEMENTS,
        {"kind": "adjustment", "warehouse": store.pk, "part": part.pk, "counted_quantity": "3"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["quantity"], response.json()["total_cost"]) == ("-2.000", "-4.00")


def test_another_units_warehouse_is_not_a_choice(api, network) -> None:
    other = make_warehouse(network.outlet_b)
    response = api.post(
        MOVEMENTS,
        {
            "kind": "receipt",
            "warehouse": other.pk,
            "part": make_part().pk,
            "quantity": "1",
            "unit_cost": "1",
        },
        format="json",
    )
    assert response.status_code == 400 and "warehouse" in response.json()["error"]["fields"]


def test_a_transfer_is_sent_and_received_over_the_api(network, store, keeper) -> None:
    centre = make_warehouse(network.centre)
    part = stocked(store, "3", "4.00")
    sent = _as(keeper).post(
        TRANSFERS,
        {
            "source": store.pk,
            "destination": centre.pk,
            "lines": [{"part": part.pk, "quantity": "2"}],
        },
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["status"] == "in_transit"
    assert [m["total_cost"] for m in sent.json()["movements"]] == ["-8.00"]
    same = _as(keeper).post(
        TRANSFERS,
        {
            "source": store.pk,
            "destination": store.pk,
            "lines": [{"part": part.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert same.status_code == 400 and "destination" in same.json()["error"]["fields"]
    receiver = _as(make_user("storekeeper", network.centre))
    received = receiver.post(f"{TRANSFERS}{sent.json()['id']}/receive/", format="json")
    assert received.status_code == 200 and received.json()["status"] == "received"
    twice = receiver.post(f"{TRANSFERS}{sent.json()['id']}/receive/", format="json")
    assert twice.status_code == 400
    assert Transfer.objects.get().movements.count() == 2


def test_the_journal_filters_by_reference(api, store, keeper) -> None:
    part = stocked(store, "3")
    services.stock_issue(
        warehouse=store, part=part, quantity=D("1"), user=keeper, reference="W00000012"
    )
    rows = api.get(MOVEMENTS, {"reference": "w00000012"}).json()["results"]
    assert [(r["kind"], r["quantity"]) for r in rows] == [("issue", "-1.000")]


def test_a_technician_reads_balances_but_records_nothing(network, store) -> None:
    technician = _as(make_user("technician", network.outlet_a))
    assert technician.get(BALANCES).status_code == 200
    assert technician.get(MOVEMENTS).status_code == 403
    assert technician.post(MOVEMENTS, {}, format="json").status_code == 403
