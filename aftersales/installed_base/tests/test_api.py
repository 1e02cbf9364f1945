import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.installed_base.models import InstalledProduct, OwnershipChange
from aftersales.installed_base.tests.factories import make_installed_product

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(shop) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(shop.reception)
    return client


def test_an_erp_registers_a_product_and_reads_its_warranty(api, shop):
    response = api.post(
        "/api/v1/products/",
        {
            "customer": shop.alice.pk,
            "model": shop.phone.pk,
            "serial": "35-209900-176148-1",
            "purchase_date": "2026-01-31",
            "warranty_months": 1,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["serial"] == "352099001761481"
    assert body["warranty_end"] == "2026-02-28"
    assert set(body["warranty_status"]) == {
        "on",
        "state",
        "in_warranty",
        "warranty_end",
        "extended_warranty_end",
        "covered_until",
    }
    on = api.get(f"/api/v1/products/{body['id']}/warranty/", {"on": "2026-02-28"}).json()
    assert (on["state"], on["in_warranty"]) == ("in_warranty", True)
    after = api.get(f"/api/v1/products/{body['id']}/warranty/", {"on": "2026-03-01"}).json()
    assert (after["state"], after["in_warranty"]) == ("expired", False)
    silly = api.get(f"/api/v1/products/{body['id']}/warranty/", {"on": "2026-02-30"})
    assert silly.status_code == 400 and "on" in silly.json()["error"]["fields"]


def test_a_duplicate_serial_is_a_field_error(api, shop):
    make_installed_product(shop.alice, model=shop.phone, serial="SN1")
    response = api.post(
        "/api/v1/products/",
        {"customer": shop.bob.pk, "model": shop.phone.pk, "serial": "sn 1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "serial": ["This model already has a product with serial SN1."]
    }


def test_the_list_searches_serials_and_stays_in_the_callers_units(api, shop):
    mine = make_installed_product(shop.alice, serial="352099001761481")
    make_installed_product(shop.foreign, serial="352099001761482")
    body = api.get("/api/v1/products/", {"q": "35-2099"}).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_the_list_takes_a_fixed_number_of_queries(api, shop):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/products/").status_code == 200
        return len(captured)

    make_installed_product(shop.alice)
    api.get("/api/v1/products/")
    few = queries()
    for _ in range(5):
        make_installed_product(shop.bob)
    assert queries() == few


def test_a_partial_change_keeps_the_other_fields(api, shop):
    product = make_installed_product(
        shop.alice, model=shop.phone, purchase_date=D(2026, 1, 1), dealer="苏宁"
    )
    response = api.patch(
        f"/api/v1/products/{product.pk}/", {"purchase_date": "2025-12-31"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["warranty_end"] == "2026-12-31"
    assert response.json()["dealer"] == "苏宁"
    refused = api.patch(
        f"/api/v1/products/{product.pk}/", {"extended_warranty_end": "2026-01-01"}, format="json"
    )
    assert refused.status_code == 400
    assert "extended_warranty_end" in refused.json()["error"]["fields"]


def test_a_transfer_through_the_api_records_the_change(api, shop):
    product = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    response = api.post(
        f"/api/v1/products/{product.pk}/transfer/",
        {"new_owner": shop.bob.pk, "changed_on": "2026-02-01", "note": "Sold on"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["previous_owner"] == shop.alice.pk
    product.refresh_from_db()
    assert product.customer == shop.bob
    again = api.post(
        f"/api/v1/products/{product.pk}/transfer/", {"new_owner": shop.bob.pk}, format="json"
    )
    assert again.status_code == 400 and "new_owner" in again.json()["error"]["fields"]
    assert OwnershipChange.objects.count() == 1


def test_foreign_records_are_404_and_foreign_customers_unknown(api, shop):
    foreign = make_installed_product(shop.foreign)
    assert api.get(f"/api/v1/products/{foreign.pk}/").status_code == 404
    assert api.get(f"/api/v1/products/{foreign.pk}/warranty/").status_code == 404
    moved = api.post(
        f"/api/v1/products/{foreign.pk}/transfer/", {"new_owner": shop.bob.pk}, format="json"
    )
    assert moved.status_code == 404
    created = api.post(
        "/api/v1/products/",
        {"customer": shop.foreign.pk, "model": shop.phone.pk, "serial": "X1"},
        format="json",
    )
    assert created.status_code == 400 and "customer" in created.json()["error"]["fields"]
    mine = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    given = api.post(
        f"/api/v1/products/{mine.pk}/transfer/", {"new_owner": shop.foreign.pk}, format="json"
    )
    assert given.status_code == 400
    assert InstalledProduct.objects.filter(customer=shop.foreign).count() == 1


def test_a_technician_reads_but_cannot_transfer(shop, network):
    client = APIClient()
    client.force_authenticate(make_user("technician", network.outlet_a))
    product = make_installed_product(shop.alice)
    assert client.get(f"/api/v1/products/{product.pk}/warranty/").status_code == 200
    response = client.post(
        f"/api/v1/products/{product.pk}/transfer/", {"new_owner": shop.bob.pk}, format="json"
    )
    assert response.status_code == 403
