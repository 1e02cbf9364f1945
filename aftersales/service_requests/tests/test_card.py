import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.card import sections_for, timeline_for
from aftersales.customers.selectors import is_first_contact
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests import card, services
from aftersales.service_requests.models import ServiceRequest, Status
from aftersales.service_requests.tests.factories import make_decision, make_service_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read labels in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def agent(network):  # type: ignore[no-untyped-def]
    return make_user("hotline_agent", network.outlet_a)


def _section(customer, user):  # type: ignore[no-untyped-def]
    return next(
        (s.context for s in sections_for(customer, user) if s.section.key == "requests"), None
    )


def _register(customer, **fields):  # type: ignore[no-untyped-def]
    request = make_service_request(customer, **fields)
    # Kept in the customer's unit whatever the routing rules would say: the stories are about
    # the card, not about assignment.
    ServiceRequest.objects.filter(pk=request.pk).update(unit=customer.unit)
    request.refresh_from_db()
    return request


def test_the_card_lists_the_customers_requests_newest_first(network, agent):
    customer = make_customer(network.outlet_a)
    first = _register(customer, subject="Noise")
    second = _register(customer, subject="Leak")
    _register(make_customer(network.outlet_a), subject="Someone else's")

    context = _section(customer, agent)

    assert [item.number for item in context["request_rows"]] == [second.number, first.number]
    assert context["more_requests"] is False
    assert context["requests_url"].endswith(f"/requests/?customer={customer.code}")


def test_the_section_is_hidden_without_the_permission_and_shows_only_visible_requests(network):
    customer = make_customer(network.outlet_a)
    request = _register(customer)
    assert _section(customer, make_user("storekeeper", network.outlet_a)) is None
    # Handled by outlet B: outlet A's agent does not see it, outlet B's does.
    ServiceRequest.objects.filter(pk=request.pk).update(unit=network.outlet_b)
    assert _section(customer, make_user("hotline_agent", network.outlet_a))["request_rows"] == []
    outlet_b_agent = make_user("hotline_agent", network.outlet_b)
    assert [r.pk for r in _section(customer, outlet_b_agent)["request_rows"]] == [request.pk]


def test_the_timeline_tells_registration_decision_and_closure(network, agent):
    customer = make_customer(network.outlet_a)
    request = _register(customer, subject="Compressor noise")
    services.request_transition(request=request, to_status=Status.IN_WORK, user=agent)
    decision = make_decision(name="Repaired under warranty")
    services.request_decide(request=request, decision=decision, result="Replaced", user=agent)
    services.request_confirm(request=request)
    cancelled = _register(customer, subject="Wrong number")
    services.request_transition(
        request=cancelled, to_status=Status.CANCELLED, user=agent, reason="Duplicate"
    )

    events = [(e.kind, e.title) for e in card.requests_timeline(customer, agent)]

    assert events == [
        ("Request cancelled", f"{cancelled.number} · Wrong number"),
        ("Request registered", f"{cancelled.number} · Wrong number"),
        ("Request closed", f"{request.number} · Compressor noise"),
        (
            "Decision recorded",
            f"{request.number} · Compressor noise · Repaired under warranty",
        ),
        ("Request registered", f"{request.number} · Compressor noise"),
    ]
    assert all(
        e.url == f"/requests/{request.pk}/"
        for e in card.requests_timeline(customer, agent)
        if request.number in e.title
    )


def test_the_section_and_the_timeline_take_a_fixed_number_of_queries(network, agent):
    customer = make_customer(network.outlet_a)

    def queries() -> int:
        card.requests_section(customer, agent)  # fills the per-user caches a request has
        with CaptureQueriesContext(connection) as captured:
            card.requests_section(customer, agent)
            list(card.requests_timeline(customer, agent))
        return len(captured)

    _register(customer)
    few = queries()
    for _ in range(card.CARD_ROWS + 3):
        _register(customer)
    assert queries() == few
    assert card.requests_section(customer, agent)["more_requests"] is True


def test_a_customer_is_a_first_contact_until_their_first_request(network, agent):
    customer = make_customer(network.outlet_a)
    assert [str(e.kind) for e in timeline_for(customer, agent)] == ["Customer created"]
    assert is_first_contact(customer, agent)
    assert is_first_contact(customer)

    _register(customer)

    assert not is_first_contact(customer, agent)
    assert not is_first_contact(customer)  # organisation-wide, as the telephony pop-up asks


def test_the_card_page_shows_the_section_and_the_timeline(client, network, agent):
    customer = make_customer(network.outlet_a)
    request = _register(customer, subject="Compressor noise")
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="section-requests"' in page
    assert request.number in page and "Request registered" in page
    assert 'id="first-contact"' not in page
