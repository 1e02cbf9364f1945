import csv
import datetime
import io

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.contracts.tests.factories import make_contract
from aftersales.core.testing import query_count
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.actions import actions_for
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_service_request

D = datetime.date
pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"contracts:{name}", args=args)


@pytest.fixture
def dispatcher(network):  # type: ignore[no-untyped-def]
    return make_user("dispatcher", network.outlet_a)


@pytest.fixture
def web(client, dispatcher):  # type: ignore[no-untyped-def]
    client.force_login(dispatcher)
    return client


def _form(**fields):  # type: ignore[no-untyped-def]
    data = {
        "number": "",
        "title": "Annual maintenance",
        "service_level": ServiceLevel.PRIORITY,
        "status": ContractStatus.ACTIVE,
        "valid_from": "2026-03-01",
        "valid_to": "2027-02-28",
        "notes": "",
    }
    data.update(fields)
    return data


def test_a_dispatcher_draws_up_a_contract_for_a_customer_typed_by_number(web, network):
    customer = make_customer(network.outlet_a, code="C000042")
    response = web.post(url("contract_create"), _form(customer=" c000042 "))
    contract = ServiceContract.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "contract_detail", contract.pk
    )
    assert (contract.customer, contract.number) == (customer, f"K{contract.pk:08d}")
    page = web.get(response["Location"]).content.decode()
    assert contract.number in page and "Annual maintenance" in page and "In force" in page


def test_the_form_refuses_a_foreign_customer_and_an_end_before_the_start(web, network):
    make_customer(network.outlet_b, code="C000099")
    response = web.post(url("contract_create"), _form(customer="C000099"))
    assert "No customer of your units has this number." in response.content.decode()
    make_customer(network.outlet_a, code="C000001")
    response = web.post(url("contract_create"), _form(customer="C000001", valid_to="2026-01-01"))
    assert "The contract cannot end before it starts (2026-03-01)." in response.content.decode()
    assert not ServiceContract.objects.exists()


def test_the_form_is_prefilled_with_the_customer_chosen_on_the_card(web, network):
    customer = make_customer(network.outlet_a, code="C000007")
    form = web.get(url("contract_create"), {"customer": customer.pk}).context["form"]
    assert form.initial["customer"] == "C000007"
    foreign = make_customer(network.outlet_b)
    form = web.get(url("contract_create"), {"customer": foreign.pk}).context["form"]
    assert form.initial.get("customer") is None


def test_a_contract_from_the_customers_card(web, network):
    customer = make_customer(network.outlet_a)
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert url("contract_for_customer", customer.pk) in page
    response = web.get(url("contract_for_customer", customer.pk))
    assert "customer" not in response.context["form"].fields
    web.post(url("contract_for_customer", customer.pk), _form())
    assert ServiceContract.objects.get().customer == customer
    foreign = make_customer(network.outlet_b)
    assert web.get(url("contract_for_customer", foreign.pk)).status_code == 404


def test_create_contract_from_this_request(web, network, dispatcher):
    customer = make_customer(network.outlet_a)
    request = make_service_request(
        customer, subject="Maintenance for 12 units", description="Office on the 3rd floor"
    )
    ServiceRequest.objects.filter(pk=request.pk).update(unit=network.outlet_a)
    request.refresh_from_db()
    action_urls = [action.url for action in actions_for(request, dispatcher)]
    assert url("contract_from_request", request.pk) in action_urls

    form = web.get(url("contract_from_request", request.pk)).context["form"]
    assert form.initial["title"] == "Maintenance for 12 units"
    assert form.initial["notes"] == "Office on the 3rd floor"
    assert "customer" not in form.fields

    response = web.post(
        url("contract_from_request", request.pk),
        _form(title="Maintenance for 12 units", notes="Office on the 3rd floor"),
    )
    contract = ServiceContract.objects.get()
    assert (contract.customer, contract.source_request) == (customer, request)
    page = web.get(response["Location"]).content.decode()
    assert 'id="source-request"' in page
    assert reverse("service_requests:request_detail", args=[request.pk]) in page


def test_a_request_of_another_unit_is_not_found(web, network):
    request = make_service_request(make_customer(network.outlet_b))
    ServiceRequest.objects.filter(pk=request.pk).update(unit=network.outlet_b)
    assert web.get(url("contract_from_request", request.pk)).status_code == 404


def test_an_agent_may_read_and_add_but_not_change(client, network):
    agent = make_user("hotline_agent", network.outlet_a)
    contract = make_contract(make_customer(network.outlet_a))
    client.force_login(agent)
    assert client.get(url("contract_detail", contract.pk)).status_code == 200
    assert client.get(url("contract_create")).status_code == 200
    assert client.get(url("contract_update", contract.pk)).status_code == 403
    technician = make_user("technician", network.outlet_a)
    client.force_login(technician)
    assert client.get(url("contract_create")).status_code == 403


def test_editing_a_contract_and_its_history(web, network):
    contract = make_contract(make_customer(network.outlet_a, code="C000005"), number="A-17")
    form = web.get(url("contract_update", contract.pk)).context["form"]
    assert form.initial["customer"] == "C000005"
    web.post(
        url("contract_update", contract.pk),
        _form(customer="C000005", number="A-17", status=ContractStatus.ENDED),
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED
    page = web.get(url("contract_detail", contract.pk)).content.decode()
    assert "Change history" in page and "Ended" in page


def test_the_list_filters_exports_and_keeps_to_the_users_units(web, network):
    wang = make_customer(network.outlet_a, name="王丽", code="C000001")
    active = make_contract(wang, title="Maintenance", valid_from=D(2026, 1, 1))
    ended = make_contract(
        make_customer(network.outlet_a, code="C000002"),
        title="Old repairs",
        status=ContractStatus.ENDED,
        service_level=ServiceLevel.STANDARD,
        valid_from=D(2020, 1, 1),
        valid_to=D(2020, 12, 31),
    )
    foreign = make_contract(make_customer(network.outlet_b), title="Foreign maintenance")

    def listed(**query):  # type: ignore[no-untyped-def]
        return {c.number for c in web.get(url("contract_list"), query).context["object_list"]}

    assert listed() == {active.number, ended.number}
    assert listed(q="maint") == {active.number}
    assert listed(q=ended.number) == {ended.number}
    assert listed(customer="C000001") == {active.number}
    assert listed(status=ContractStatus.ENDED) == {ended.number}
    assert listed(service_level=ServiceLevel.STANDARD) == {ended.number}
    assert listed(in_force_on="2020-06-01") == set()  # ended is not active
    assert listed(in_force_on="2026-06-01") == {active.number}
    assert listed(unit=network.outlet_a.pk) == {active.number, ended.number}

    response = web.get(url("contract_list"), {"export": "csv", "sort": "valid_from"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:]] == [ended.number, active.number]
    assert foreign.number not in text


def test_the_list_takes_the_same_queries_for_many_rows(web, network):
    make_contract(make_customer(network.outlet_a))
    few = query_count(web, url("contract_list"))
    for _ in range(10):
        make_contract(make_customer(network.outlet_a))
    assert query_count(web, url("contract_list")) == few


def test_the_card_shows_the_customers_contracts(web, network):
    customer = make_customer(network.outlet_a)
    contract = make_contract(customer, title="Premium care")
    make_contract(make_customer(network.outlet_a), title="Someone else's")
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    section = page.split('id="section-contracts"')[1].split("</section>")[0]
    assert contract.number in section and "Premium care" in section
    assert "Someone else's" not in section
