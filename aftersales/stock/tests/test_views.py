"""The stock pages as a storekeeper, a technician and a unit head use them."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_part
from aftersales.core.testing import query_count
from aftersales.stock import services
from aftersales.stock.models import StockBalance, StockMovement, Transfer, Warehouse
from aftersales.stock.tests.factories import make_warehouse, stocked

pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"stock:{name}", args=args)


@pytest.fixture
def keeper(network):  # type: ignore[no-untyped-def]
    return make_user("storekeeper", network.outlet_a)


@pytest.fixture
def web(client, keeper):  # type: ignore[no-untyped-def]
    client.force_login(keeper)
    return client


@pytest.fixture
def store(network):  # type: ignore[no-untyped-def]
    return make_warehouse(network.outlet_a, code="PD-MAIN", name="Pudong store")


def test_a_storekeeper_opens_a_warehouse_for_their_outlet(web, network) -> None:
    response = web.post(
        url("warehouse_create"),
        {
            "unit": network.outlet_a.pk,
            "code": "PD-2",
            "name": "Pudong back room",
            "is_active": "on",
        },
    )
    warehouse = Warehouse.objects.get(code="PD-2")
    assert response.status_code == 302 and response["Location"] == url(
        "warehouse_detail", warehouse.pk
    )
    assert "Pudong back room" in web.get(response["Location"]).content.decode()


def test_a_warehouse_code_is_unique(web, network, store) -> None:
    response = web.post(
        url("warehouse_create"), {"unit": network.outlet_a.pk, "code": "PD-MAIN", "name": "Again"}
    )
    assert response.status_code == 200
    assert "Another warehouse has the code PD-MAIN." in response.content.decode()


def test_receiving_parts_shows_them_on_the_warehouse_page(web, store) -> None:
    make_part(part_number="P-100", name_en="Drum belt")
    response = web.post(
        url("receipt", store.pk),
        {"part": "p-100", "quantity": "6", "unit_cost": "12.50", "reference": "DN-7"},
    )
    assert response.status_code == 302
    page = web.get(response["Location"]).content.decode()
    assert "Received: 6 × P-100." in page
    assert 'data-part="P-100"' in page and "75.00" in page


def test_a_write_off_of_more_than_the_stock_is_refused_on_the_form(web, store) -> None:
    stocked(store, "2", part_number="P-100", name_en="Drum belt")
    response = web.post(
        url("write_off", store.pk),
        {"part": "P-100", "condition": "good", "quantity": "3", "reason": "Broken"},
    )
    assert response.status_code == 200
    assert (
        "Only 2 pcs of P-100 Drum belt in stock at Pudong store; 3 requested."
        in response.content.decode()
    )
    assert StockMovement.objects.count() == 1


def test_a_zero_quantity_is_refused_on_the_form(web, store) -> None:
    stocked(store, "2", part_number="P-100")
    response = web.post(
        url("write_off", store.pk),
        {"part": "P-100", "condition": "good", "quantity": "0", "reason": "x"},
    )
    assert response.status_code == 200
    assert "The quantity must be more than zero." in response.content.decode()
    assert StockMovement.objects.count() == 1


def test_a_stock_take_and_a_defective_return_land_in_the_journal(web, store) -> None:
    stocked(store, "5", part_number="P-100")
    web.post(
        url("stocktake", store.pk), {"part": "P-100", "condition": "good", "counted_quantity": "4"}
    )
    web.post(
        url("defective_return", store.pk),
        {"part": "P-100", "quantity": "1", "reference": "W00000012"},
    )
    journal = web.get(url("movement_list")).content.decode()
    assert 'data-kind="adjustment"' in journal and 'data-kind="defective_return"' in journal
    export = web.get(url("movement_list") + "?export=csv&kind=adjustment")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == "Stock-take adjustment"


def test_a_transfer_is_sent_and_received(web, network, store) -> None:
    centre = make_warehouse(network.centre, code="SH-C", name="Shanghai centre store")
    stocked(store, "5", part_number="P-100")
    response = web.post(
        url("transfer_send", store.pk),
        {"destination": centre.pk, "condition": "good", "lines": "p-100 2\n"},
    )
    transfer = Transfer.objects.get()
    assert response["Location"] == url("transfer_detail", transfer.pk)
    assert transfer.number in web.get(url("transfer_list")).content.decode()  # in transit
    # The centre's storekeeper takes it in.
    web.force_login(make_user("storekeeper", network.centre))
    assert web.get(url("transfer_receive", transfer.pk)).status_code == 200
    web.post(url("transfer_receive", transfer.pk))
    assert StockBalance.objects.get(warehouse=centre).quantity == 2
    again = web.post(url("transfer_receive", transfer.pk))
    assert "already received" in again.content.decode()


def test_a_transfer_to_a_sibling_outlet_is_not_offered(web, network, store) -> None:
    sibling = make_warehouse(network.outlet_b, code="B-1")
    stocked(store, "5", part_number="P-100")
    response = web.post(
        url("transfer_send", store.pk),
        {"destination": sibling.pk, "condition": "good", "lines": "P-100 1"},
    )
    assert response.status_code == 200 and not Transfer.objects.exists()


def test_the_sender_cannot_receive_into_a_warehouse_outside_their_units(
    web, network, store
) -> None:
    centre = make_warehouse(network.centre)
    part = stocked(store, "5")
    transfer = services.transfer_send(
        source=store, destination=centre, lines=[(part, D("1"))], user=make_user("storekeeper")
    )
    response = web.post(url("transfer_receive", transfer.pk))
    assert "Only the people of" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"


def test_a_technician_sees_balances_but_not_the_journal_or_forms(client, network, store) -> None:
    stocked(store, "3", part_number="P-100")
    client.force_login(make_user("technician", network.outlet_a))
    assert 'data-part="P-100"' in client.get(url("balance_list")).content.decode()
    assert client.get(url("movement_list")).status_code == 403
    assert client.get(url("receipt", store.pk)).status_code == 403


def test_another_outlets_warehouse_is_not_found(web, network) -> None:
    other = make_warehouse(network.outlet_b)
    assert web.get(url("warehouse_detail", other.pk)).status_code == 404
    assert web.get(url("receipt", other.pk)).status_code == 404


def test_where_is_a_serial_number(web, store) -> None:
    board = stocked(store, "1", part_number="PCB-1", serial_tracked=True)
    serial = board.pk and f"SN-{board.pk}-0"
    page = web.get(url("serial_lookup"), {"part": "PCB-1", "serial": serial}).content.decode()
    assert 'id="serial-found"' in page and "In stock" in page and "PD-MAIN" in page
    page = web.get(url("serial_lookup"), {"part": "PCB-1", "serial": "NOPE"}).content.decode()
    assert 'id="serial-unknown"' in page


def test_list_pages_take_a_flat_number_of_queries(web, store) -> None:
    for _ in range(3):
        stocked(store, "2")
    counts = {
        name: query_count(web, url(name))
        for name in ("balance_list", "movement_list", "warehouse_list", "transfer_list")
    }
    counts["warehouse_detail"] = query_count(web, url("warehouse_detail", store.pk))
    for _ in range(10):
        stocked(store, "2")
    for name, before in counts.items():
        page = url(name, store.pk) if name == "warehouse_detail" else url(name)
        assert query_count(web, page) == before, name
