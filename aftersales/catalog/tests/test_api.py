import pytest
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.models import FaultCode, Part, PriceListItem
from aftersales.catalog.tests.factories import (
    labour_item_for,
    make_category,
    make_part,
    make_product_model,
    price_list_for,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog"


def api_for(position: str, unit, **fields) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(make_user(position, unit, **fields))
    return api


@pytest.fixture
def admin_api(network) -> APIClient:  # type: ignore[no-untyped-def]
    return api_for("administrator", network.hq)


@pytest.fixture
def technician_api(network) -> APIClient:  # type: ignore[no-untyped-def]
    return api_for("technician", network.outlet_a)


PART = {
    "part_number": "WM-BELT-01",
    "name_en": "Drive belt",
    "name_zh_hans": "驱动皮带",
    "name_zh_hant": "驅動皮帶",
    "name_ru": "Приводной ремень",
    "unit_of_measure": "pcs",
    "price": "35.00",
    "serial_tracked": False,
}


def test_an_administrator_adds_a_part_and_a_russian_user_reads_its_russian_name(admin_api, network):
    model = make_product_model()
    response = admin_api.post(
        f"{API}/parts/", {**PART, "compatible_models": [model.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["compatible_models"] == [model.pk] and body["price"] == "35.00"

    technician = api_for("technician", network.outlet_b)
    url = f"{API}/parts/{body['id']}/"
    part = technician.get(url, headers={"Accept-Language": "ru"}).json()
    assert part["name"] == "Приводной ремень"
    assert part["name_zh_hant"] == "驅動皮帶" and part["name_en"] == "Drive belt"
    assert technician.get(url, headers={"Accept-Language": "zh-hant"}).json()["name"] == "驅動皮帶"


def test_a_technician_can_read_parts_but_not_add_them(technician_api):
    make_part(part_number="P-1")
    listing = technician_api.get(f"{API}/parts/")
    assert listing.status_code == 200
    assert [p["part_number"] for p in listing.json()["results"]] == ["P-1"]
    response = technician_api.post(f"{API}/parts/", PART, format="json")
    assert response.status_code == 403
    assert not Part.objects.filter(part_number=PART["part_number"]).exists()


def test_money_is_a_decimal_string(admin_api):
    response = admin_api.post(f"{API}/parts/", {**PART, "price": 35.5}, format="json")
    assert response.status_code == 400
    assert "price" in response.json()["error"]["fields"]
    response = admin_api.post(f"{API}/parts/", {**PART, "price": "-1"}, format="json")
    assert response.status_code == 400


def test_a_duplicate_part_number_is_a_field_error(admin_api):
    make_part(part_number=PART["part_number"])
    response = admin_api.post(f"{API}/parts/", PART, format="json")
    assert response.status_code == 400
    assert "already used" in response.json()["error"]["fields"]["part_number"][0]


def test_a_fault_code_cannot_be_its_own_grandparent(admin_api):
    category = make_category()
    group = FaultCode.objects.create(code="E", name="Electrical", category=category)
    child = FaultCode.objects.create(code="E1", name="Power", category=category, parent=group)
    grandchild = FaultCode.objects.create(code="E11", name="Fuse", category=category, parent=child)
    response = admin_api.patch(
        f"{API}/fault-codes/{group.pk}/", {"parent": grandchild.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


def test_fault_codes_for_a_category_include_the_general_ones(admin_api):
    washers, fridges = make_category(), make_category()
    FaultCode.objects.create(code="G1", name="No power")
    FaultCode.objects.create(code="W1", name="Drum", category=washers)
    FaultCode.objects.create(code="F1", name="Ice", category=fridges)
    codes = admin_api.get(f"{API}/fault-codes/", {"category": washers.pk}).json()["results"]
    assert {c["code"] for c in codes} == {"G1", "W1"}
    general = admin_api.get(f"{API}/fault-codes/", {"general": "true"}).json()["results"]
    assert [c["code"] for c in general] == ["G1"]


def test_a_model_and_its_batches(admin_api):
    category = make_category()
    model = admin_api.post(
        f"{API}/models/",
        {"category": category.pk, "code": "WM-100", "name": "Washer 100", "warranty_months": 24},
        format="json",
    ).json()
    batch = admin_api.post(
        f"{API}/batches/",
        {"model": model["id"], "code": "2026-01", "produced_on": "2026-01-15"},
        format="json",
    )
    assert batch.status_code == 201
    read = admin_api.get(f"{API}/models/{model['id']}/").json()
    assert read["batches"] == [
        {"id": batch.json()["id"], "code": "2026-01", "produced_on": "2026-01-15"}
    ]
    other = make_product_model()
    moved = admin_api.patch(
        f"{API}/batches/{batch.json()['id']}/", {"model": other.pk}, format="json"
    )
    assert moved.status_code == 400 and "model" in moved.json()["error"]["fields"]


def test_price_list_items_are_for_a_part_or_a_labour_item(admin_api, technician_api):
    price_list = price_list_for(None)
    part, labour = make_part(), labour_item_for(None)
    both = admin_api.post(
        f"{API}/price-list-items/",
        {"price_list": price_list.pk, "part": part.pk, "labour_item": labour.pk, "price": "1"},
        format="json",
    )
    assert both.status_code == 400
    assert set(both.json()["error"]["fields"]) == {"part", "labour_item"}

    created = admin_api.post(
        f"{API}/price-list-items/",
        {"price_list": price_list.pk, "labour_item": labour.pk, "price": "80.00"},
        format="json",
    )
    assert created.status_code == 201
    item_id = created.json()["id"]
    changed = admin_api.patch(
        f"{API}/price-list-items/{item_id}/", {"price": "85.00"}, format="json"
    )
    assert changed.json()["price"] == "85.00"
    assert PriceListItem.objects.get(pk=item_id).history.count() == 2

    listed = technician_api.get(f"{API}/price-list-items/", {"price_list": price_list.pk})
    assert [i["price"] for i in listed.json()["results"]] == ["85.00"]
    refused = technician_api.patch(
        f"{API}/price-list-items/{item_id}/", {"price": "1.00"}, format="json"
    )
    assert refused.status_code == 403


def test_price_lists_valid_on_a_date(admin_api):
    created = admin_api.post(
        f"{API}/price-lists/",
        {
            "code": "DEALER-2026",
            "name": "Dealer prices 2026",
            "currency": "CNY",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
        },
        format="json",
    )
    assert created.status_code == 201
    inside = admin_api.get(f"{API}/price-lists/", {"valid_on": "2026-06-01"}).json()
    outside = admin_api.get(f"{API}/price-lists/", {"valid_on": "2027-06-01"}).json()
    assert [p["code"] for p in inside["results"]] == ["DEALER-2026"]
    assert outside["results"] == []
    reversed_period = admin_api.patch(
        f"{API}/price-lists/{created.json()['id']}/", {"valid_to": "2025-01-01"}, format="json"
    )
    assert reversed_period.status_code == 400


def test_lists_take_a_flat_number_of_queries(admin_api, django_assert_max_num_queries):
    for _number in range(5):
        model = make_product_model()
        model.batches.create(code="B1")
        make_part().compatible_models.add(model)
    for path in ("models", "parts"):
        with django_assert_max_num_queries(8):
            assert admin_api.get(f"{API}/{path}/").status_code == 200
