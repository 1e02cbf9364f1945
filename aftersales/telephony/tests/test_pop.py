"""The call pops up on the agent's screen: every staff page of an agent on duty polls
/telephony/pop/, which answers with the caller's card once."""

import datetime
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.tests.factories import make_user
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.telephony.models import Call
from aftersales.telephony.tests.conftest import IVAN

POP = "/telephony/pop/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def poll(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(POP, **HTMX)


def test_the_callers_card_pops_up_for_the_agent_it_went_to(client, hotline, on_duty) -> None:
    hotline.wang_li.responsible = hotline.second_agent
    hotline.wang_li.save()
    make_installed_product(hotline.wang_li)
    make_service_request(hotline.wang_li)
    on_duty(hotline.agent)
    hotline.call("pop-1")

    response = poll(client, hotline.agent)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="call-popup"' in page
    assert "+86 138 0013 8000" in page
    assert "王丽" in page and hotline.wang_li.code in page
    assert "Lei Li" in page  # the responsible specialist
    assert response.context["customer"].product_count == 1
    assert response.context["customer"].open_request_count == 1
    card = reverse("customers:customer_detail", args=[hotline.wang_li.pk])
    assert f'href="{card}" data-testid="call-open-card"' in page
    assert 'data-testid="call-register-request"' in page
    assert f"/requests/new/for/{hotline.wang_li.pk}/?channel=phone&amp;ref=pop-1" in page
    call = Call.objects.get(call_id="pop-1")
    assert call.answered_at is not None and call.agent == hotline.agent


def test_the_call_pops_up_only_once(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    hotline.call("pop-once")
    poll(client, hotline.agent)

    again = poll(client, hotline.agent)

    assert again.status_code == 200
    assert again.content == b""
    assert again["HX-Reswap"] == "none"  # the toast on the screen stays


def test_a_duplicate_report_does_not_pop_up_again(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    hotline.call("pop-dup")
    poll(client, hotline.agent)

    hotline.call("pop-dup")

    assert poll(client, hotline.agent).content == b""


def test_nothing_pops_up_for_another_agent(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    hotline.call("pop-mine")
    on_duty(hotline.second_agent)

    assert poll(client, hotline.second_agent).content == b""
    assert Call.objects.get(call_id="pop-mine").answered_at is None


def test_a_customer_the_agent_may_not_see_shows_as_a_number_only(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)  # outlet A; Ivan is outlet B's customer
    hotline.call("pop-ivan", caller=IVAN)

    page = poll(client, hotline.agent).content.decode()

    assert 'id="call-popup"' in page
    assert "+7 912 345-67-89" in page
    assert "Ivan Petrov" not in page
    assert f"/customers/{hotline.ivan.pk}/" not in page
    assert "call-open-card" not in page and "call-register-request" not in page
    assert "call-new-customer" not in page  # someone's card: no duplicate offered


def test_an_unknown_caller_is_offered_a_new_card(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    hotline.call("pop-new", caller="139 0000 0001")

    page = poll(client, hotline.agent).content.decode()

    assert "First contact" in page
    assert 'data-testid="call-new-customer"' in page
    assert f"{reverse('customers:customer_create')}?phone=%2B8613900000001" in page
    assert "call-open-card" not in page


def test_a_withheld_number_says_so(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    hotline.call("pop-anon", caller="anonymous")

    page = poll(client, hotline.agent).content.decode()

    assert "Number withheld" in page
    assert "call-new-customer" not in page and "call-open-card" not in page


def test_a_call_that_waited_too_long_does_not_pop_up(client, hotline, on_duty, settings) -> None:
    settings.TELEPHONY_POP_SECONDS = 60
    on_duty(hotline.agent)
    hotline.call("pop-old")
    Call.objects.filter(call_id="pop-old").update(
        received_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert poll(client, hotline.agent).content == b""
    assert Call.objects.get(call_id="pop-old").answered_at is None  # stays on the missed list


def test_a_signed_out_screen_stops_polling(client) -> None:
    assert client.get(POP, **HTMX).status_code == 286
    plain = client.get(POP)
    assert plain.status_code == 302 and "/accounts/login/" in plain["Location"]


def test_a_position_without_calls_may_not_poll(client, network) -> None:
    client.force_login(make_user("technician", network.outlet_a))

    assert client.get(POP, **HTMX).status_code == 403


def _queries(client, user) -> int:  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.get(POP, **HTMX)  # fills the per-session caches (time zone)
    with CaptureQueriesContext(connection) as queries:
        client.get(POP, **HTMX)
    return _statements(queries)


def _statements(queries) -> int:  # type: ignore[no-untyped-def]
    """Queries, not counting the savepoints the test's own transaction turns commits into."""
    return sum(1 for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def test_an_idle_poll_costs_a_fixed_small_number_of_queries(client, hotline, on_duty) -> None:
    on_duty(hotline.agent, hotline.second_agent)
    idle = _queries(client, hotline.agent)
    for number in range(30):
        hotline.call(f"load-{number}")  # half of them to each agent
    Call.objects.filter(agent=hotline.agent).update(answered_at=timezone.now())

    assert _queries(client, hotline.agent) == idle
    # the session (read, save), the user, the position's permissions (2), the call probe
    assert idle <= 6, idle


def test_a_pop_up_costs_a_fixed_number_of_queries(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    client.force_login(hotline.agent)
    client.get(POP, **HTMX)
    counts = []
    for round_number, products in enumerate((1, 6)):
        for _ in range(products):
            make_installed_product(hotline.wang_li)
            make_service_request(hotline.wang_li)
        # An idle poll first: the data above may change the configuration kept in process
        # (core.configuration), which the next request then reads once.
        client.get(POP, **HTMX)
        hotline.call(f"many-{round_number}")

        with CaptureQueriesContext(connection) as queries:
            response = client.get(POP, **HTMX)

        assert 'id="call-popup"' in response.content.decode()
        counts.append(_statements(queries))
    assert counts[0] == counts[1]
    # the idle poll's, then the answer (one update), the viewer's units and the card summary
    assert counts[0] <= 9, counts


def test_a_page_left_alone_stops_polling_and_says_so(client, hotline, on_duty, settings) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    on_duty(hotline.agent)
    hotline.call("while-away")
    client.force_login(hotline.agent)
    opened = int(time.time()) - 1801

    response = client.get(
        POP, {"opened": opened}, HTTP_HX_CURRENT_URL="http://testserver/customers/", **HTMX
    )

    assert response.status_code == 286  # htmx stops polling
    page = response.content.decode()
    assert 'id="call-popup-stopped"' in page and 'href="http://testserver/customers/"' in page
    assert Call.objects.get(call_id="while-away").answered_at is None  # on the missed list
    fresh = client.get(POP, {"opened": int(time.time())}, **HTMX)
    assert 'id="call-popup"' in fresh.content.decode()
