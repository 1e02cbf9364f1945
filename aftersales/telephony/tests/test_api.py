"""The phone exchange reports calls: POST /api/v1/telephony/calls."""

from rest_framework.test import APIClient

from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import make_user
from aftersales.telephony.models import Call
from aftersales.telephony.tests.conftest import IVAN

URL = "/api/v1/telephony/calls"


def test_a_known_caller_is_identified_and_goes_to_the_agent_on_duty(hotline, on_duty) -> None:
    on_duty(hotline.agent)

    response = hotline.call("c-1", caller="138 0013 8000")

    assert response.status_code == 201
    body = response.json()
    assert body["call_id"] == "c-1"
    assert body["caller_number"] == "+8613800138000"
    assert body["withheld"] is False
    assert body["line"] == hotline.line.pk and body["line_name"] == "Hotline"
    assert body["customer"]["id"] == hotline.wang_li.pk
    assert body["customer"]["name"] == "王丽"
    assert body["customer"]["url"].endswith(f"/customers/{hotline.wang_li.pk}/")
    assert body["first_contact"] is False
    assert body["agent"] == {"id": hotline.agent.pk, "name": "Mei Zhang"}
    assert body["answered_at"] is None and body["request"] is None


def test_a_call_reported_twice_is_recorded_once(hotline, on_duty) -> None:
    on_duty(hotline.agent, hotline.second_agent)
    first = hotline.call("c-dup")

    again = hotline.call("c-dup")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["agent"] == first.json()["agent"]
    assert Call.objects.filter(call_id="c-dup").count() == 1


def test_an_unknown_number_is_a_first_contact(hotline, on_duty) -> None:
    on_duty(hotline.agent)

    body = hotline.call("c-new", caller="+86 139 0000 0001").json()

    assert body["customer"] is None
    assert body["first_contact"] is True
    assert body["caller_number"] == "+8613900000001"
    assert body["agent"]["id"] == hotline.agent.pk


def test_a_withheld_number_identifies_nobody(hotline) -> None:
    for call_id, caller in (
        ("w-1", ""),
        ("w-2", "anonymous"),
        ("w-3", None),
        ("w-4", "Restricted"),
    ):
        response = hotline.call(call_id, caller=caller)

        assert response.status_code == 201, caller
        body = response.json()
        assert body["withheld"] is True, caller
        assert body["customer"] is None and body["first_contact"] is False
        assert body["caller_number"] == ""


def test_a_malformed_number_is_kept_as_sent(hotline) -> None:
    response = hotline.call("c-bad", caller="12-34-abc*#")

    assert response.status_code == 201
    body = response.json()
    assert body["caller"] == "12-34-abc*#"
    assert body["caller_number"] == "" and body["customer"] is None
    assert body["withheld"] is False


def test_nobody_on_duty_leaves_the_call_to_the_missed_list(hotline) -> None:
    body = hotline.call("c-missed").json()

    assert body["agent"] is None
    assert Call.objects.get(call_id="c-missed").unit == hotline.line.unit


def test_calls_go_round_robin_among_the_agents_on_duty(hotline, on_duty) -> None:
    on_duty(hotline.agent, hotline.second_agent)

    agents = [hotline.call(f"rr-{n}").json()["agent"]["id"] for n in range(4)]

    assert agents[0] != agents[1]
    assert agents[2] == agents[0] and agents[3] == agents[1]
    assert set(agents) == {hotline.agent.pk, hotline.second_agent.pk}


def test_only_agents_of_the_lines_unit_who_register_requests_take_its_calls(
    network, hotline, on_duty
) -> None:
    elsewhere = make_user("hotline_agent", network.outlet_b)
    technician = make_user("storekeeper", network.outlet_a)
    off_duty_colleague = hotline.second_agent
    on_duty(elsewhere, technician, hotline.agent)

    agents = {hotline.call(f"who-{n}").json()["agent"]["id"] for n in range(3)}

    assert agents == {hotline.agent.pk}
    assert off_duty_colleague.pk not in agents


def test_an_agent_acting_for_the_lines_unit_takes_its_calls(network, hotline, on_duty) -> None:
    helper = make_user("hotline_agent", network.outlet_b)
    helper.additional_units.add(network.outlet_a)
    on_duty(helper)

    assert hotline.call("act-1").json()["agent"]["id"] == helper.pk


def test_an_unknown_line_goes_to_the_default_unit(network, hotline, on_duty, settings) -> None:
    settings.TELEPHONY_DEFAULT_UNIT = network.outlet_a.code
    on_duty(hotline.agent)

    body = hotline.call("c-other-line", called="021-6123 4567").json()

    assert body["line"] is None and body["called"] == "021-6123 4567"
    assert body["unit"] == network.outlet_a.pk
    assert body["agent"]["id"] == hotline.agent.pk


def test_without_a_default_unit_an_unknown_line_goes_to_the_root(network, hotline) -> None:
    body = hotline.call("c-root", called="").json()

    assert body["unit"] == network.hq.pk


def test_a_customer_of_another_unit_is_identified_across_the_organisation(hotline) -> None:
    body = hotline.call("c-ivan", caller=IVAN).json()

    assert body["customer"]["id"] == hotline.ivan.pk
    assert Call.objects.get(call_id="c-ivan").customer == hotline.ivan


def test_the_answer_shows_only_customers_the_exchange_user_sees(network, hotline) -> None:
    outlet_exchange = make_user("administrator", network.outlet_a)
    _token, key = api_token_create(user=outlet_exchange, name="outlet exchange")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    body = api.post(URL, {"call_id": "c-scoped", "caller": IVAN}, format="json").json()

    assert body["customer"] is None
    assert body["first_contact"] is False  # someone's card: not a new customer
    assert Call.objects.get(call_id="c-scoped").customer == hotline.ivan


def test_the_path_with_a_slash_works_too(hotline) -> None:
    response = hotline.exchange.post(URL + "/", {"call_id": "c-slash"}, format="json")

    assert response.status_code == 201


def test_the_call_id_is_required(hotline) -> None:
    response = hotline.exchange.post(URL, {"caller": "+8613800138000"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"call_id"}
    assert not Call.objects.exists()


def test_a_token_without_the_permission_is_refused(network, hotline) -> None:
    agent_token_user = make_user("hotline_agent", network.hq)
    _token, key = api_token_create(user=agent_token_user, name="not an exchange")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = api.post(URL, {"call_id": "c-403"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert not Call.objects.exists()


def test_an_anonymous_caller_of_the_api_is_refused(hotline) -> None:
    response = APIClient().post(URL, {"call_id": "c-401"}, format="json")

    assert response.status_code == 401
    assert "error" in response.json()
    assert not Call.objects.exists()


def test_a_retry_with_the_same_idempotency_key_replays_the_answer(hotline) -> None:
    first = hotline.exchange.post(
        URL, {"call_id": "c-idem"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = hotline.exchange.post(
        URL, {"call_id": "c-idem"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"


def test_the_operation_is_described(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()

    assert "post" in schema["paths"]["/api/v1/telephony/calls"]
    assert "/api/v1/telephony/calls/" not in schema["paths"]
