"""Pages of the phone channel: the on-duty switch on every page, the calls list, the lines."""

from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.telephony.models import AgentPresence, Call, PhoneLine
from aftersales.telephony.tests.conftest import IVAN
from aftersales.telephony.tests.factories import make_phone_line

HOME = "/"
DUTY = "/telephony/duty/"
CALLS = "/telephony/"


def test_an_agent_goes_on_duty_from_the_navbar_and_every_page_polls(client, hotline) -> None:
    client.force_login(hotline.agent)
    before = client.get(HOME).content.decode()
    assert 'data-testid="duty-switch" aria-pressed="false"' in before
    assert "call-poller" not in before

    response = client.post(DUTY, {"on_duty": "1", "next": HOME})

    assert response.status_code == 302 and response["Location"] == HOME
    page = client.get(HOME).content.decode()
    assert 'data-testid="duty-switch" aria-pressed="true"' in page
    assert f'hx-get="{reverse("telephony:pop")}?opened=' in page
    assert 'hx-trigger="load, every 3s"' in page
    assert 'id="call-popup-area"' in page
    assert AgentPresence.objects.get(user=hotline.agent).on_duty


def test_going_off_duty_stops_the_calls(client, hotline, on_duty) -> None:
    on_duty(hotline.agent)
    client.force_login(hotline.agent)

    client.post(DUTY, {"on_duty": "0"})

    assert "call-poller" not in client.get(HOME).content.decode()
    assert hotline.call("after-off").json()["agent"] is None


def test_the_switch_goes_back_only_to_this_site(client, hotline) -> None:
    client.force_login(hotline.agent)

    response = client.post(DUTY, {"on_duty": "1", "next": "https://evil.example/"})

    assert response["Location"] == DUTY


def test_a_position_that_registers_no_requests_cannot_go_on_duty(client, network) -> None:
    executive = make_user("executive", network.outlet_a)
    client.force_login(executive)

    assert "duty-switch" not in client.get(HOME).content.decode()
    assert client.post(DUTY, {"on_duty": "1"}).status_code == 403


def test_the_duty_page_lists_the_agents_on_duty_in_my_units(
    client, network, hotline, on_duty
) -> None:
    stranger = make_user("hotline_agent", network.outlet_b, first_name="Outside")
    on_duty(hotline.agent, stranger)
    head = make_user("unit_head", network.outlet_a)
    client.force_login(head)

    page = client.get(DUTY).content.decode()

    assert "Mei Zhang" in page
    assert "Outside" not in page


def test_the_calls_list_shows_my_units_calls_and_the_missed_ones(
    client, network, hotline, on_duty
) -> None:
    on_duty(hotline.agent)
    hotline.call("answered-1")
    Call.objects.filter(call_id="answered-1").update(answered_at="2026-11-23T10:00:00Z")
    hotline.call("missed-1", caller="139 0000 0001")
    other_line = make_phone_line(network.outlet_b, "021-6123 4567")
    hotline.call("elsewhere-1", called=other_line.number)
    client.force_login(hotline.agent)

    page = client.get(CALLS).content.decode()
    missed = client.get(CALLS, {"state": "unanswered"}).content.decode()
    unknown = client.get(CALLS, {"state": "unknown"}).content.decode()

    assert "answered-1" in page and "missed-1" in page
    assert "elsewhere-1" not in page
    assert "missed-1" in missed and "answered-1" not in missed
    assert "missed-1" in unknown and "answered-1" not in unknown
    assert "王丽" in page


def test_the_calls_list_hides_customers_the_viewer_may_not_see(client, hotline) -> None:
    hotline.call("ivan-1", caller=IVAN)
    client.force_login(hotline.agent)

    page = client.get(CALLS).content.decode()

    assert "ivan-1" in page
    assert "Ivan Petrov" not in page


def test_the_calls_list_reads_a_fixed_number_of_queries(client, hotline, on_duty) -> None:
    on_duty(hotline.agent, hotline.second_agent)
    client.force_login(hotline.agent)
    hotline.call("q-0")
    few = query_count(client, CALLS)
    for number in range(1, 15):
        hotline.call(f"q-{number}", caller=IVAN if number % 2 else "138 0013 8000")

    assert query_count(client, CALLS) == few


def test_an_administrator_adds_and_edits_a_phone_line(client, network, outlet_a_admin) -> None:
    client.force_login(outlet_a_admin)

    response = client.post(
        "/telephony/lines/new/",
        {
            "number": "400 812 3456",
            "name": "Hotline",
            "unit": network.outlet_a.pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    line = PhoneLine.objects.get()
    assert line.number == "+864008123456"
    edited = client.post(
        f"/telephony/lines/{line.pk}/edit/",
        {"number": "+86 400 812 3456", "name": "Service hotline", "unit": network.outlet_a.pk},
    )
    assert edited.status_code == 302
    line.refresh_from_db()
    assert line.name == "Service hotline" and not line.is_active
    assert "Service hotline" in client.get("/telephony/lines/").content.decode()


def test_a_number_that_is_already_a_line_is_refused(client, network, outlet_a_admin) -> None:
    make_phone_line(network.outlet_a, "4008-123-456")
    client.force_login(outlet_a_admin)

    response = client.post(
        "/telephony/lines/new/",
        {"number": "+86 400 812 3456", "name": "Again", "unit": network.outlet_a.pk},
    )

    assert response.status_code == 200
    assert "already a phone line" in response.content.decode()
    assert PhoneLine.objects.count() == 1


def test_a_line_cannot_be_given_to_a_unit_outside_mine(client, network, outlet_a_admin) -> None:
    client.force_login(outlet_a_admin)

    response = client.post(
        "/telephony/lines/new/",
        {"number": "400 812 3456", "name": "Stolen", "unit": network.outlet_b.pk},
    )

    assert response.status_code == 200
    assert not PhoneLine.objects.exists()


def test_an_agent_sees_calls_but_does_not_configure_lines(client, hotline) -> None:
    client.force_login(hotline.agent)

    assert client.get(CALLS).status_code == 200
    assert client.get("/telephony/lines/").status_code == 403
    assert client.get("/telephony/lines/new/").status_code == 403
