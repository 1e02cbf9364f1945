"""Work orders over the API: a client takes a device in, diagnoses, quotes, takes parts,
sends it to the factory and back, and hands it over; every refusal is a 400 on its field."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.stock.selectors import balance_of
from aftersales.work_orders.models import (
    Custody,
    CustodyKind,
    Kind,
    PartLine,
    QuoteStatus,
    SignatureKind,
    Status,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import (
    SIGNATURE_DATA_URL,
    make_quoted_repair,
    make_repair_in_diagnosis,
    make_work_order,
    stocked_warehouse,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/work-orders/"


def _client(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.default_format = "json"
    api.force_authenticate(user)
    return api


@pytest.fixture
def technician(network):  # type: ignore[no-untyped-def]
    return make_user("technician", network.outlet_a)


@pytest.fixture
def api(technician) -> APIClient:  # type: ignore[no-untyped-def]
    return _client(technician)


def _fields(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- List and detail -------------------------------------------------------------------------


def test_the_list_shows_own_orders_filtered_in_flat_queries(
    network, api, django_assert_max_num_queries
) -> None:
    repairs = [make_work_order(network.outlet_a) for _ in range(3)]
    visit = make_work_order(network.outlet_a, Kind.VISIT)
    make_work_order(network.outlet_b)  # a sibling outlet's: never listed

    with django_assert_max_num_queries(8):
        response = api.get(BASE)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {order.pk for order in [*repairs, visit]}
    row = next(row for row in rows if row["id"] == visit.pk)
    assert row["number"] == visit.number and row["kind"] == "visit"
    assert row["custody"] == "customer" and row["warranty"] == "in"

    assert [r["id"] for r in api.get(BASE, {"kind": "visit"}).json()["results"]] == [visit.pk]
    customer = repairs[0].customer
    by_customer = api.get(BASE, {"customer": customer.pk}).json()["results"]
    assert [r["id"] for r in by_customer] == [repairs[0].pk]
    assert len(api.get(BASE, {"custody": "outlet", "status": "new"}).json()["results"]) == 3


def test_the_detail_has_lines_custody_and_signature_records(network, api, technician) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a, "2", "10.00")
    api.post(f"{BASE}{order.pk}/parts/", {"part": part.pk, "quantity": "1"}, format="json")
    api.post(
        f"{BASE}{order.pk}/signatures/",
        {"kind": "intake", "signer_name": "张伟", "image": SIGNATURE_DATA_URL},
        format="json",
    )

    body = api.get(f"{BASE}{order.pk}/").json()

    assert body["status"] == "diagnosis" and body["parts_cost"] == "10.00"
    assert body["part_lines"][0]["part_number"] == part.part_number
    assert body["part_lines"][0]["unit_cost"] == "10.0000"
    assert [e["kind"] for e in body["custody_events"]] == ["received"]
    assert body["signatures"][0]["signer_name"] == "张伟"
    assert "image" not in body["signatures"][0]
    assert set(body["allowed_statuses"]) == {"in_repair", "ready", "cancelled"}
    assert set(body["custody_steps"]) == {"to_factory", "handoff_sent"}


def test_another_units_order_is_not_found(network, api) -> None:
    foreign = make_work_order(network.outlet_b)

    assert api.get(f"{BASE}{foreign.pk}/").status_code == 404
    response = api.post(
        f"{BASE}{foreign.pk}/transition/", {"to_status": "diagnosis"}, format="json"
    )
    assert response.status_code == 404


def test_readers_cannot_work_on_orders(network) -> None:
    clerk = _client(make_user("settlement_clerk", network.outlet_a))
    order = make_work_order(network.outlet_a)

    assert clerk.get(f"{BASE}{order.pk}/").status_code == 200
    assert clerk.get(f"{BASE}{order.pk}/signatures/").status_code == 200
    assert clerk.post(BASE, {}, format="json").status_code == 403
    response = clerk.post(f"{BASE}{order.pk}/transition/", {"to_status": "diagnosis"})
    assert response.status_code == 403
    # Assigning is dispatching: a technician may not, a unit head may.
    technician = _client(make_user("technician", network.outlet_a))
    assert technician.post(f"{BASE}{order.pk}/assign/", {"technician": None}).status_code == 403


# --- Creation --------------------------------------------------------------------------------


def test_reception_takes_a_device_in(network) -> None:
    reception = _client(make_user("outlet_reception", network.outlet_a))
    customer = make_customer(network.outlet_a)
    product = make_installed_product(customer)

    response = reception.post(
        BASE,
        {
            "kind": "repair",
            "customer": customer.pk,
            "product": product.pk,
            "reported_fault": "No sound",
            "accessories": "box",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="intake-1",
    )
    again = reception.post(
        BASE,
        {
            "kind": "repair",
            "customer": customer.pk,
            "product": product.pk,
            "reported_fault": "No sound",
            "accessories": "box",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="intake-1",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["unit"] == network.outlet_a.pk and body["custody"] == "outlet"
    assert body["warranty"] == "in" and body["reported_fault"] == "No sound"
    assert again.json()["id"] == body["id"] and WorkOrder.objects.count() == 1


def test_an_order_from_a_request_takes_the_requests_customer(network, api) -> None:
    request = make_service_request(make_customer(network.outlet_a))

    response = api.post(
        BASE, {"kind": "visit", "service_request": request.pk, "address": "Road 1"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"] == request.customer_id and body["service_request"] == request.pk


def test_creation_refusals_are_on_their_fields(network, api) -> None:
    mine = make_customer(network.outlet_a)
    foreign = make_customer(network.outlet_b)
    others_product = make_installed_product(make_customer(network.outlet_a))

    assert "customer" in _fields(api.post(BASE, {"kind": "repair"}, format="json"))
    assert "customer" in _fields(
        api.post(BASE, {"kind": "repair", "customer": foreign.pk}, format="json")
    )
    assert "kind" in _fields(api.post(BASE, {"kind": "magic", "customer": mine.pk}, format="json"))
    assert "product" in _fields(
        api.post(
            BASE,
            {"kind": "repair", "customer": mine.pk, "product": others_product.pk},
            format="json",
        )
    )
    assert not WorkOrder.objects.exists()


# --- Steps -----------------------------------------------------------------------------------


def test_a_repair_from_intake_to_hand_back(network, api, technician) -> None:
    order = make_work_order(network.outlet_a)
    url = f"{BASE}{order.pk}/"
    warehouse, part = stocked_warehouse(network.outlet_a, "3", "12.50")

    assert api.post(f"{url}transition/", {"to_status": "diagnosis"}).json()["status"] == (
        "diagnosis"
    )
    body = api.post(f"{url}diagnosis/", {"diagnosis": "Speaker torn"}, format="json").json()
    assert body["diagnosis"] == "Speaker torn"

    quoted = api.post(f"{url}quote/", {"amount": "200.00", "note": "Speaker"}, format="json")
    assert quoted.status_code == 200, quoted.content
    assert quoted.json()["work_order"]["status"] == "awaiting_approval"
    assert "/link/" in quoted.json()["link"]["url"]

    answered = api.post(f"{url}quote-answer/", {"approve": True}, format="json").json()
    assert answered["status"] == "in_repair" and answered["customer_price"] == "200.00"
    twice = api.post(f"{url}quote-answer/", {"approve": True}, format="json")
    assert "already answered" in str(_fields(twice)["approve"])

    issued = api.post(f"{url}parts/", {"part": part.pk, "quantity": "2"}, format="json")
    assert issued.status_code == 201, issued.content
    line = issued.json()
    assert line["unit_cost"] == "12.5000" and line["quantity"] == "2.000"
    returned = api.post(f"{url}parts/return/", {"line": line["id"], "quantity": "1"}, format="json")
    assert returned.status_code == 200 and returned.json()["used_quantity"] == "1.000"
    assert balance_of(warehouse, part) == Decimal("2")

    labour = api.post(f"{url}labour/", {"description": "Speaker", "amount": "30"}, format="json")
    assert labour.status_code == 201 and labour.json()["amount"] == "30.00"

    for status in ("testing", "ready"):
        assert api.post(f"{url}transition/", {"to_status": status}).status_code == 200
    done = api.post(f"{url}complete/", {"note": "Collected"}, format="json").json()
    assert done["status"] == "completed" and done["custody"] == "customer"
    assert (done["parts_cost"], done["labour_cost"], done["total_cost"]) == (
        "12.50",
        "30.00",
        "42.50",
    )
    rated = api.post(f"{url}rating/", {"rating": 5, "comment": "Great"}, format="json").json()
    assert rated["rating"] == 5


def test_step_refusals_are_clear_and_change_nothing(network, api) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    url = f"{BASE}{order.pk}/"
    _warehouse, part = stocked_warehouse(network.outlet_a, "1")

    assert "to_status" in _fields(api.post(f"{url}transition/", {"to_status": "completed"}))
    assert "note" in _fields(api.post(f"{url}transition/", {"to_status": "cancelled"}))
    short = _fields(api.post(f"{url}parts/", {"part": part.pk, "quantity": "2"}, format="json"))
    assert "Only 1" in str(short)
    negative = _fields(api.post(f"{url}parts/", {"part": part.pk, "quantity": "-1"}))
    assert "greater than zero" in str(negative["quantity"])
    assert not PartLine.objects.exists()
    assert "rating" in _fields(api.post(f"{url}rating/", {"rating": 6}, format="json"))
    order.refresh_from_db()
    assert order.status == Status.DIAGNOSIS and order.parts_cost == Decimal("0")


def test_a_quote_answered_twice_or_without_a_quote_is_refused(network, api) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    url = f"{BASE}{order.pk}/quote-answer/"

    assert "No quote" in str(_fields(api.post(url, {"approve": True}, format="json")))

    quoted, _token = make_quoted_repair(network.outlet_a)
    url = f"{BASE}{quoted.pk}/quote-answer/"
    assert api.post(url, {"approve": False}, format="json").json()["status"] == "ready"
    assert "already answered" in str(_fields(api.post(url, {"approve": True}, format="json")))
    quoted.refresh_from_db()
    assert quoted.quote_status == QuoteStatus.DECLINED


def test_a_part_line_of_another_order_is_not_returned_here(network, api, technician) -> None:
    first = make_repair_in_diagnosis(network.outlet_a)
    second = make_repair_in_diagnosis(network.outlet_a)
    _warehouse, part = stocked_warehouse(network.outlet_a)
    line = api.post(f"{BASE}{first.pk}/parts/", {"part": part.pk, "quantity": "1"}).json()

    response = api.post(f"{BASE}{second.pk}/parts/return/", {"line": line["id"], "quantity": "1"})

    assert "line" in _fields(response)


def test_the_factory_round_trip_and_the_swap(network, api) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    url = f"{BASE}{order.pk}/"

    sent = api.post(f"{url}custody/", {"kind": "to_factory", "reference": "RMA-1"}, format="json")
    assert sent.status_code == 201 and sent.json()["custody"] == "to_factory"
    assert "kind" in _fields(api.post(f"{url}custody/", {"kind": "handoff_in"}))
    assert "new_serial" in _fields(api.post(f"{url}swap/", {"new_serial": "NEW1"}))
    api.post(f"{url}custody/", {"kind": "at_factory"})
    back = api.post(f"{url}custody/", {"kind": "from_factory"}).json()
    assert back["custody"] == "outlet" and back["to_unit"] == network.outlet_a.pk

    swapped = api.post(f"{url}swap/", {"new_serial": "NEW1", "note": "Unrepairable"})
    assert swapped.status_code == 201 and swapped.json()["kind"] == CustodyKind.SWAPPED
    order.refresh_from_db()
    assert order.product.serial == "NEW1"


def test_a_hand_off_is_received_by_the_other_outlet(network, api) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    other = _client(make_user("technician", network.outlet_b))

    api.post(
        f"{BASE}{order.pk}/custody/",
        {"kind": "handoff_sent", "to_unit": network.outlet_b.pk},
        format="json",
    )
    # On its way the receiving outlet finds it, and records its arrival.
    assert other.get(f"{BASE}{order.pk}/").json()["custody"] == "in_transit"
    received = other.post(f"{BASE}{order.pk}/custody/", {"kind": "handoff_in"}, format="json")

    assert received.status_code == 201, received.content
    order.refresh_from_db()
    assert order.unit == network.outlet_b and order.custody == Custody.OUTLET
    assert api.get(f"{BASE}{order.pk}/").status_code == 404  # the sender's no longer


def test_signatures_are_listed_and_each_document_is_signed_once(network, api) -> None:
    order = make_work_order(network.outlet_a, Kind.VISIT)
    url = f"{BASE}{order.pk}/signatures/"
    body = {"kind": "service_record", "signer_name": "Anna", "image": SIGNATURE_DATA_URL}

    created = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="sig-1")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == SignatureKind.SERVICE_RECORD
    assert "already signed" in str(_fields(api.post(url, body, format="json")))
    bad = api.post(url, {**body, "kind": "intake", "image": "data:image/png;base64,AAAA"})
    assert "image" in _fields(bad)

    listed = api.get(url).json()
    assert [s["signer_name"] for s in listed] == ["Anna"]


def test_field_work_is_completed_after_the_signature_and_a_link_can_be_sent(network, api) -> None:
    from aftersales.work_orders import services

    order = make_work_order(network.outlet_a, Kind.INSTALLATION)
    services.mark_scheduled(order, None)
    services.mark_on_site(order, None)
    url = f"{BASE}{order.pk}/"

    refused = api.post(f"{url}complete/", {}, format="json")
    assert "not signed" in str(_fields(refused))
    link = api.post(f"{url}sign-link/", {}, format="json")
    assert link.status_code == 200 and "/link/" in link.json()["url"]
    api.post(
        f"{url}signatures/",
        {"kind": "service_record", "signer_name": "Anna", "image": SIGNATURE_DATA_URL},
        format="json",
    )

    assert api.post(f"{url}complete/", {}, format="json").json()["status"] == "completed"


def test_assigning_is_for_dispatchers(network) -> None:
    head = _client(make_user("unit_head", network.outlet_a))
    technician = make_user("technician", network.outlet_a)
    order = make_work_order(network.outlet_a)

    response = head.post(f"{BASE}{order.pk}/assign/", {"technician": technician.pk}, format="json")

    assert response.status_code == 200 and response.json()["technician"] == technician.pk
    again = head.post(f"{BASE}{order.pk}/assign/", {"technician": None}, format="json")
    assert "reason" in _fields(again)
