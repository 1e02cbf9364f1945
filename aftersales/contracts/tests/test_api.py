import datetime

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.contracts.tests.factories import make_contract
from aftersales.customers.tests.factories import make_customer

D = datetime.date
pytestmark = pytest.mark.django_db
CONTRACTS = "/api/v1/contracts/"


def _as(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def api(network):  # type: ignore[no-untyped-def]
    return _as(make_user("dispatcher", network.outlet_a))


def test_drawing_up_a_contract_gives_it_a_k_number(api, network):
    customer = make_customer(network.outlet_a)
    response = api.post(
        CONTRACTS,
        {
            "customer": customer.pk,
            "title": "Premium care",
            "service_level": ServiceLevel.PREMIUM,
            "status": ContractStatus.ACTIVE,
            "valid_from": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == f"K{body['id']:08d}"
    assert body["in_force_today"] is True and body["valid_to"] is None


def test_the_service_answers_on_the_fields(api, network):
    customer = make_customer(network.outlet_a)
    make_contract(make_customer(network.outlet_b), number="A-1")
    response = api.post(
        CONTRACTS,
        {
            "customer": customer.pk,
            "number": "A-1",
            "title": "Care",
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
        },
        format="json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"number", "valid_to"}
    foreign = make_customer(network.outlet_b)
    response = api.post(
        CONTRACTS,
        {"customer": foreign.pk, "title": "Care", "valid_from": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()["error"]["fields"]
    assert not ServiceContract.objects.filter(title="Care").exists()


def test_a_partial_change_keeps_the_rest_and_the_list_is_scoped_and_filtered(api, network):
    contract = make_contract(make_customer(network.outlet_a, code="C000001"), number="A-2")
    make_contract(make_customer(network.outlet_b), number="B-1")
    response = api.patch(
        f"{CONTRACTS}{contract.pk}/", {"status": ContractStatus.ENDED}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["number"]) == ("ended", "A-2")
    listed = api.get(CONTRACTS).json()["results"]
    assert [row["number"] for row in listed] == ["A-2"]
    assert api.get(CONTRACTS, {"status": "active"}).json()["results"] == []
    assert api.get(CONTRACTS, {"customer": "C000001"}).json()["count"] == 1
    foreign = ServiceContract.objects.get(number="B-1")
    assert api.get(f"{CONTRACTS}{foreign.pk}/").status_code == 404


def test_a_technician_reads_but_does_not_write(network):
    technician = _as(make_user("technician", network.outlet_a))
    assert technician.get(CONTRACTS).status_code == 200
    response = technician.post(
        CONTRACTS,
        {
            "customer": make_customer(network.outlet_a).pk,
            "title": "x",
            "valid_from": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 403
