import pytest
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer, CustomerMerge, Tag
from aftersales.customers.tests.factories import make_customer

URL = "/api/v1/customers/"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _as(api, user):
    api.force_authenticate(user)
    return api


def _body(network, **extra):
    body = {
        "kind": "company",
        "name": "深圳华强",
        "unit": network.outlet_a.pk,
        "tags": ["VIP"],
        "contacts": [
            {
                "name": "陈静",
                "is_primary": True,
                "phones": [{"number": "138 0013 8000"}],
                "emails": ["Chen@Example.com"],
            }
        ],
        "phones": [{"number": "+7 912 345-67-89", "kind": "work"}],
        "emails": ["office@example.com"],
        "addresses": [{"text": "深圳市福田区", "region": network.region.pk}],
    }
    body.update(extra)
    return body


def test_an_integration_registers_a_customer_with_nested_lists(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    response = _as(api, agent).post(URL, _body(network), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["code"] == f"C{data['id']:08d}"
    assert data["contacts"][0]["phones"] == [{"number": "+8613800138000", "kind": "mobile"}]
    assert data["contacts"][0]["emails"] == ["chen@example.com"]
    assert data["phones"] == [{"number": "+79123456789", "kind": "work"}]
    assert data["emails"] == ["office@example.com"]
    assert data["addresses"][0]["region"] == network.region.pk
    assert data["addresses"][0]["is_default"] is True
    assert data["tags"] == ["VIP"]
    listed = api.get(URL, {"q": "华强"}).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    by_phone = api.get(URL, {"q": "8 (912) 345-67-89"}).json()
    assert [row["id"] for row in by_phone["results"]] == [data["id"]]


def test_a_write_replaces_the_lists_it_names_and_keeps_the_others(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    created = _as(api, agent).post(URL, _body(network), format="json").json()
    contact_id = created["contacts"][0]["id"]
    url = f"{URL}{created['id']}/"
    patched = api.patch(
        url,
        {"name": "深圳华强集团", "contacts": [{"id": contact_id, "name": "陈静", "phones": []}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    data = patched.json()
    assert data["name"] == "深圳华强集团"
    assert data["contacts"] == [
        {
            "id": contact_id,
            "name": "陈静",
            "position": "",
            "is_primary": False,
            "phones": [],
            "emails": [],
        }
    ]
    assert data["phones"] == created["phones"] and data["addresses"] == created["addresses"]
    put = api.put(url, _body(network, name="Renamed", phones=[], tags=[]), format="json")
    assert put.status_code == 200
    assert put.json()["phones"] == [] and put.json()["tags"] == []


def test_bad_input_is_refused_by_field_and_writes_nothing(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    _as(api, agent)
    bad_phone = api.post(URL, _body(network, phones=[{"number": "12-34"}]), format="json")
    assert bad_phone.status_code == 400
    fields = bad_phone.json()["error"]["fields"]
    assert "not a valid phone number" in str(fields["phones"])
    long_name = api.post(URL, _body(network, name="x" * 10_000), format="json")
    assert long_name.status_code == 400 and "name" in long_name.json()["error"]["fields"]
    foreign_unit = api.post(URL, _body(network, unit=network.outlet_b.pk), format="json")
    assert foreign_unit.status_code == 400 and "unit" in foreign_unit.json()["error"]["fields"]
    stranger = make_user("hotline_agent", network.outlet_b)
    foreign_person = api.post(URL, _body(network, responsible=stranger.pk), format="json")
    assert "responsible" in foreign_person.json()["error"]["fields"]
    twice = api.post(URL, _body(network, phones=["138 0013 8000"]), format="json")
    assert twice.status_code == 400
    assert not Customer.objects.exists() and not Tag.objects.exists()


def test_foreign_customers_are_not_found(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    foreign = make_customer(network.outlet_b)
    _as(api, agent)
    assert api.get(f"{URL}{foreign.pk}/").status_code == 404
    assert api.patch(f"{URL}{foreign.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.get(f"{URL}{foreign.pk}/duplicates/").status_code == 404


def test_duplicates_and_merge(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    head = make_user("unit_head", network.outlet_a)
    survivor = make_customer(network.outlet_a, phone="13800138000")
    duplicate = make_customer(network.outlet_a, phone="+86 138 0013 8000")
    foreign = make_customer(network.outlet_b, phone="13800138000")
    _as(api, agent)
    found = api.get(f"{URL}{survivor.pk}/duplicates/").json()
    assert found == [
        {
            "id": duplicate.pk,
            "code": duplicate.code,
            "name": duplicate.name,
            "unit": network.outlet_a.pk,
            "matched_by": ["same phone"],
        }
    ]
    merge_url = f"{URL}{survivor.pk}/merge/"
    assert api.post(merge_url, {"duplicate": duplicate.pk}, format="json").status_code == 403

    _as(api, head)
    itself = api.post(merge_url, {"duplicate": survivor.pk}, format="json")
    assert itself.status_code == 400 and "duplicate" in itself.json()["error"]["fields"]
    outside = api.post(merge_url, {"duplicate": foreign.pk}, format="json")
    assert outside.status_code == 400
    merged = api.post(merge_url, {"duplicate": duplicate.pk}, format="json")
    assert merged.status_code == 200 and merged.json()["id"] == survivor.pk
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert CustomerMerge.objects.get().merged_id == duplicate.pk
    assert api.post(f"{URL}{foreign.pk}/merge/", {"duplicate": 1}, format="json").status_code == 404


def test_tags_are_a_read_only_list(api, network):
    agent = make_user("technician", network.outlet_a)
    Tag.objects.create(name="VIP")
    Tag.objects.create(name="dealer")
    response = _as(api, agent).get("/api/v1/customer-tags/")
    assert {tag["name"] for tag in response.json()["results"]} == {"VIP", "dealer"}
    assert api.post("/api/v1/customer-tags/", {"name": "x"}, format="json").status_code == 405
    storekeeper = make_user("storekeeper", network.outlet_a)
    assert _as(api, storekeeper).get("/api/v1/customer-tags/").status_code == 403


def test_list_items_must_have_the_documented_json_type(api, network):
    agent = make_user("hotline_agent", network.outlet_a)
    response = _as(api, agent).post(URL, _body(network, tags=[0], emails=[1]), format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"tags", "emails"}
