"""The administrator configures requests in the browser: types and their questions (with a
live preview), the transitions matrix, decisions, SLA policies, skills and routing rules. A
hotline agent cannot open these pages; bad input is answered on the form, and nothing
changes."""

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.tests.factories import make_user
from aftersales.core.menu import menu_for
from aftersales.core.testing import query_count
from aftersales.service_requests.config_services import MANDATORY_TRANSITIONS
from aftersales.service_requests.models import (
    Decision,
    FieldKind,
    RequestType,
    RequestTypeField,
    RoutingRule,
    Skill,
    SlaPolicy,
    Status,
)
from aftersales.service_requests.tests.factories import (
    make_decision,
    make_question,
    make_request_type,
    make_routing_rule,
    make_skill,
    make_sla_policy,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """These stories read pages in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin(network):  # type: ignore[no-untyped-def]
    return make_user("administrator", network.hq, preferred_language="en")


@pytest.fixture
def admin_client(client, admin):  # type: ignore[no-untyped-def]
    client.force_login(admin)
    return client


@pytest.fixture
def repair(db) -> RequestType:
    return make_request_type(code="repair", name="Repair")


@pytest.fixture
def warranty(repair) -> RequestTypeField:
    return make_question(
        repair,
        key="warranty",
        label="Is the product under warranty?",
        kind=FieldKind.CHOICE,
        choices="Yes\nNo",
        order=10,
    )


def _url(name: str, *args: int) -> str:
    return reverse(f"service_requests:{name}", args=args)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# --- Who may configure -----------------------------------------------------------------------

LIST_PAGES = ["type_list", "decision_list", "sla_list", "skill_list", "routing_list"]
NEW_PAGES = ["type_create", "decision_create", "sla_create", "skill_create", "routing_create"]


def test_the_administrator_finds_the_settings_in_the_menu_and_the_agent_does_not(network, admin):
    agent = make_user("hotline_agent", network.centre)

    def settings_entries(user) -> list[str]:  # type: ignore[no-untyped-def]
        return [
            entry["url"]
            for section in menu_for(user)
            for entry in section["entries"]
            if "/settings/" in entry["url"]
        ]

    assert settings_entries(admin) == [_url(name) for name in LIST_PAGES]
    assert settings_entries(agent) == []


def test_a_hotline_agent_gets_403_on_every_settings_page(client, network, repair, warranty):
    client.force_login(make_user("hotline_agent", network.centre))
    rule = make_routing_rule(network.centre)
    pages = [_url(name) for name in LIST_PAGES + NEW_PAGES] + [
        _url("type_detail", repair.pk),
        _url("type_update", repair.pk),
        _url("type_preview", repair.pk),
        _url("type_transitions", repair.pk),
        _url("question_create", repair.pk),
        _url("question_update", warranty.pk),
        _url("question_delete", warranty.pk),
        _url("routing_update", rule.pk),
        _url("routing_delete", rule.pk),
    ]
    for page in pages:
        assert client.get(page).status_code == 403, page

    response = client.post(_url("type_create"), {"code": "x", "name": "X"})

    assert response.status_code == 403
    assert not RequestType.objects.filter(code="x").exists()


def test_every_settings_page_opens_for_the_administrator(admin_client, network, repair, warranty):
    decision = make_decision(request_type=repair)
    policy = make_sla_policy(request_type=repair)
    skill = make_skill(name="Washers")
    rule = make_routing_rule(network.centre)
    pages = [_url(name) for name in LIST_PAGES + NEW_PAGES] + [
        _url("type_detail", repair.pk),
        _url("type_update", repair.pk),
        _url("type_preview", repair.pk),
        _url("type_transitions", repair.pk),
        _url("question_create", repair.pk),
        _url("question_update", warranty.pk),
        _url("question_delete", warranty.pk),
        _url("decision_update", decision.pk),
        _url("sla_update", policy.pk),
        _url("skill_update", skill.pk),
        _url("routing_update", rule.pk),
        _url("routing_delete", rule.pk),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


# --- Request types ---------------------------------------------------------------------------


def test_the_administrator_creates_a_type_and_lands_on_its_page(admin_client):
    response = admin_client.post(
        _url("type_create"),
        {
            "code": "install",
            "name": "Installation",
            "description": "Installing a new appliance",
            "default_priority": 2,
            "reopen_days": 7,
            "is_active": "on",
            "order": 20,
        },
    )

    installation = RequestType.objects.get(code="install")
    assert response.status_code == 302
    assert response["Location"] == _url("type_detail", installation.pk)
    page = _text(admin_client.get(response["Location"]))
    assert "Installation" in page and "Registered → In work" in page
    assert "This type asks no questions yet." in page


def test_a_duplicate_code_is_answered_on_the_form(admin_client, repair):
    response = admin_client.post(
        _url("type_create"),
        {
            "code": "repair",
            "name": "Repair again",
            "default_priority": 2,
            "reopen_days": 14,
            "order": 1,
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "The code “repair” is already used by another request type." in _text(response)
    assert RequestType.objects.count() == 1


def test_editing_a_type_with_an_empty_name_changes_nothing(admin_client, repair):
    response = admin_client.post(
        _url("type_update", repair.pk),
        {"code": "repair", "name": "", "default_priority": 9, "reopen_days": 14, "order": 1},
    )

    assert response.status_code == 200
    assert "is-invalid" in _text(response)
    repair.refresh_from_db()
    assert (repair.name, repair.order) == ("Repair", 100)


def test_the_types_list_shows_each_type_with_its_question_count(admin_client, repair, warranty):
    make_request_type(name="Consultation")

    page = _text(admin_client.get(_url("type_list")))

    assert "Repair" in page and "Consultation" in page
    assert "<td>1</td>" in page


def test_the_types_list_takes_the_same_queries_for_more_types(admin_client):
    make_request_type()
    few = query_count(admin_client, _url("type_list"))
    for _ in range(5):
        make_question(make_request_type(), kind=FieldKind.TEXT)

    assert query_count(admin_client, _url("type_list")) == few


def test_the_type_page_shows_questions_transitions_decisions_and_policies(
    admin_client, repair, warranty
):
    make_question(
        repair, key="receipt", label="Purchase receipt", kind=FieldKind.FILE, order=20,
        show_if_field=warranty, show_if_values="Yes",
    )  # fmt: skip
    make_decision(name="Repaired", request_type=repair)
    make_decision(name="In work")
    make_sla_policy(name="Repair, urgent", request_type=repair, priority=4)

    page = _text(admin_client.get(_url("type_detail", repair.pk)))

    assert "Purchase receipt" in page
    assert "“Is the product under warranty?” is Yes" in page
    assert "Done → Closed" in page
    assert "Repaired" in page and "1 general decision is offered" in page
    assert "Repair, urgent" in page
    assert _url("question_create", repair.pk) in page
    assert f"{_url('decision_create')}?type={repair.pk}" in page
    assert f"{_url('sla_create')}?type={repair.pk}" in page


# --- Questions -------------------------------------------------------------------------------


def _question(**fields) -> dict:  # type: ignore[no-untyped-def]
    data = {"key": "", "label": "", "kind": "text", "order": 100}
    data.update(fields)
    return data


def test_the_administrator_adds_a_conditional_question(admin_client, repair, warranty):
    response = admin_client.post(
        _url("question_create", repair.pk),
        _question(
            key="receipt",
            label="Purchase receipt",
            kind="file",
            required="on",
            order=20,
            show_if_field=warranty.pk,
            show_if_values="Yes",
        ),
    )

    assert response.status_code == 302
    receipt = repair.fields.get(key="receipt")
    assert (receipt.show_if_field, receipt.show_if_list, receipt.required) == (
        warranty,
        ["Yes"],
        True,
    )


def test_the_new_question_form_suggests_the_next_order(admin_client, repair, warranty):
    response = admin_client.get(_url("question_create", repair.pk))

    assert response.context["form"].initial["order"] == 20
    assert "Is the product under warranty?" in _text(response)


def test_a_condition_on_a_later_question_is_refused_on_the_form(admin_client, repair, warranty):
    response = admin_client.post(
        _url("question_create", repair.pk),
        _question(
            key="model", label="Model", order=5, show_if_field=warranty.pk, show_if_values="Yes"
        ),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "is asked after this one" in _text(response)
    assert list(repair.fields.values_list("key", flat=True)) == ["warranty"]


def test_a_choice_question_without_choices_is_refused_on_the_form(admin_client, repair):
    response = admin_client.post(
        _url("question_create", repair.pk), _question(key="colour", label="Colour", kind="choice")
    )

    assert response.status_code == 200
    assert "needs at least two answers" in _text(response)
    assert not repair.fields.exists()


def test_a_question_of_another_type_cannot_be_the_condition(admin_client, repair, warranty):
    other = make_request_type(name="Installation")

    response = admin_client.post(
        _url("question_create", other.pk),
        _question(key="receipt", label="Receipt", show_if_field=warranty.pk, show_if_values="Yes"),
    )

    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert not other.fields.exists()


def test_the_administrator_edits_a_question(admin_client, repair, warranty):
    response = admin_client.post(
        _url("question_update", warranty.pk),
        _question(
            key="warranty",
            label="Still under warranty?",
            kind="choice",
            choices="Yes\nNo\nNot sure",
            order=10,
        ),
    )

    assert response.status_code == 302
    warranty.refresh_from_db()
    assert warranty.label == "Still under warranty?"
    assert warranty.choice_list == ["Yes", "No", "Not sure"]


def test_a_question_others_depend_on_is_kept(admin_client, repair, warranty):
    make_question(
        repair, key="receipt", label="Purchase receipt", order=20,
        show_if_field=warranty, show_if_values="Yes",
    )  # fmt: skip

    confirm = _text(admin_client.get(_url("question_delete", warranty.pk)))
    response = admin_client.post(_url("question_delete", warranty.pk))

    assert "Purchase receipt" in confirm
    assert response.status_code == 200
    assert "Change or delete them first." in _text(response)
    assert repair.fields.count() == 2


def test_the_administrator_deletes_a_question(admin_client, repair, warranty):
    response = admin_client.post(_url("question_delete", warranty.pk))

    assert response.status_code == 302
    assert response["Location"] == _url("type_detail", repair.pk)
    assert not repair.fields.exists()


# --- Preview ---------------------------------------------------------------------------------


@pytest.fixture
def receipt(repair, warranty) -> RequestTypeField:
    return make_question(
        repair,
        key="receipt",
        label="Purchase receipt",
        kind=FieldKind.FILE,
        required=True,
        order=20,
        show_if_field=warranty,
        show_if_values="Yes",
    )


@pytest.fixture
def serial(repair) -> RequestTypeField:
    return make_question(repair, key="serial", label="Serial number", required=True, order=30)


def test_the_preview_asks_for_the_receipt_only_under_warranty(
    admin_client, repair, receipt, serial
):
    url = _url("type_preview", repair.pk)

    first = _text(admin_client.get(url))
    under_warranty = admin_client.get(
        url, {"answer-warranty": "Yes"}, headers={"HX-Request": "true"}
    )

    assert "Is the product under warranty?" in first and "Serial number" in first
    assert "Purchase receipt" not in first
    assert "1 more question is shown only for certain answers." in first
    assert "Purchase receipt" in _text(under_warranty)
    assert "<html" not in _text(under_warranty)  # only the form, re-rendered in place


def test_checking_the_preview_shows_what_registration_would_refuse(
    admin_client, repair, receipt, serial
):
    url = _url("type_preview", repair.pk)

    refused = _text(admin_client.get(url, {"answer-warranty": "Maybe", "check": "1"}))
    accepted = _text(
        admin_client.get(url, {"answer-warranty": "Yes", "answer-serial": "SN1", "check": "1"})
    )

    assert "Choose one of the offered answers." in refused
    assert "Answer this question." in refused
    assert "These answers would be accepted." in accepted


# --- Transitions -----------------------------------------------------------------------------


def _matrix(*pairs: tuple[str, str]) -> dict[str, list[str]]:
    return {"allowed": [f"{a}:{b}" for a, b in pairs]}


def test_the_matrix_shows_the_allowed_transitions_and_locks_the_mandatory(admin_client, repair):
    page = _text(admin_client.get(_url("type_transitions", repair.pk)))

    assert 'value="in_work:waiting_customer" id="t-in_workwaiting_customer" checked' in page
    assert 'value="registered:done" id="t-registereddone" aria-label' in page  # not ticked
    assert page.count("bi-lock") == len(MANDATORY_TRANSITIONS)


def test_the_administrator_saves_the_matrix(admin_client, repair):
    wanted = [*MANDATORY_TRANSITIONS, (Status.REGISTERED, Status.DONE)]

    response = admin_client.post(_url("type_transitions", repair.pk), _matrix(*wanted))

    assert response.status_code == 302
    assert set(repair.transitions.values_list("from_status", "to_status")) == {
        (a.value, b.value) for a, b in wanted
    }


def test_removing_taking_into_work_is_refused_and_nothing_changes(admin_client, repair):
    before = set(repair.transitions.values_list("from_status", "to_status"))
    wanted = set(MANDATORY_TRANSITIONS) - {(Status.REGISTERED, Status.IN_WORK)}

    response = admin_client.post(
        _url("type_transitions", repair.pk), _matrix(*wanted), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "“Registered → In work” is part of every request&#x27;s lifecycle" in _text(response)
    assert set(repair.transitions.values_list("from_status", "to_status")) == before


def test_a_forged_transition_value_is_refused(admin_client, repair):
    before = set(repair.transitions.values_list("from_status", "to_status"))

    response = admin_client.post(
        _url("type_transitions", repair.pk),
        {"allowed": [*_matrix(*MANDATORY_TRANSITIONS)["allowed"], "closed:closed", "x:y"]},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert set(repair.transitions.values_list("from_status", "to_status")) == before


# --- Decisions -------------------------------------------------------------------------------


def test_a_decision_for_a_type_starts_from_the_types_page(admin_client, repair):
    form = admin_client.get(_url("decision_create"), {"type": repair.pk}).context["form"]
    assert form.initial["request_type"] == repair

    response = admin_client.post(
        _url("decision_create") + f"?type={repair.pk}",
        {
            "request_type": repair.pk,
            "name": "Declined: a new product is needed",
            "outcome": "declined",
            "is_active": "on",
            "order": 10,
        },
    )

    assert response.status_code == 302
    assert Decision.objects.get().request_type == repair
    assert "Declined: a new product is needed" in _text(admin_client.get(_url("decision_list")))


def test_a_decision_without_a_name_changes_nothing(admin_client, repair):
    decision = make_decision(name="Repaired", request_type=repair)

    response = admin_client.post(
        _url("decision_update", decision.pk), {"name": " ", "outcome": "accepted", "order": 1}
    )

    assert response.status_code == 200
    decision.refresh_from_db()
    assert (decision.name, decision.request_type) == ("Repaired", repair)


def test_the_decisions_list_takes_the_same_queries_for_more_decisions(admin_client, repair):
    make_decision()
    few = query_count(admin_client, _url("decision_list"))
    for _ in range(5):
        make_decision(request_type=make_request_type())

    assert query_count(admin_client, _url("decision_list")) == few


# --- SLA policies ----------------------------------------------------------------------------


def test_the_policies_list_shows_minutes_also_as_hours(admin_client):
    make_sla_policy(name="Normal", response_minutes=240, resolution_minutes=1440)
    make_sla_policy(name="Premium", response_minutes=30, resolution_minutes=480)

    page = _text(admin_client.get(_url("sla_list")))

    assert "240 min (4 h)" in page and "1440 min (24 h)" in page
    assert "30 min (0.5 h)" in page


def test_a_policy_resolving_before_it_responds_is_refused_on_the_form(admin_client, repair):
    response = admin_client.post(
        _url("sla_create"),
        {
            "name": "Backwards",
            "request_type": repair.pk,
            "response_minutes": 240,
            "resolution_minutes": 60,
            "escalation_step_minutes": 60,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "The resolution target cannot come before the response target" in _text(response)
    assert not SlaPolicy.objects.exists()


def test_the_administrator_sets_up_a_premium_contract_policy(admin_client):
    response = admin_client.post(
        _url("sla_create"),
        {
            "name": "Premium contract",
            "service_level": "premium",
            "response_minutes": 30,
            "resolution_minutes": 480,
            "escalation_step_minutes": 30,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.service_level, policy.priority, policy.request_type) == ("premium", None, None)


# --- Skills ----------------------------------------------------------------------------------


def test_an_outlet_administrator_picks_members_among_their_own_people(client, network):
    admin = make_user("administrator", network.outlet_a)
    own = make_user("technician", network.outlet_a, first_name="Qiang", last_name="Zhou")
    foreign = make_user("technician", network.outlet_b, first_name="Igor", last_name="Petrov")
    client.force_login(admin)

    form = _text(client.get(_url("skill_create")))
    refused = client.post(_url("skill_create"), {"name": "Washers", "members": [foreign.pk]})
    created = client.post(_url("skill_create"), {"name": "Washers", "members": [own.pk]})

    assert "Qiang" in form and "Petrov" not in form
    assert refused.status_code == 200 and "Select a valid choice" in _text(refused)
    assert created.status_code == 302
    assert list(Skill.objects.get().members.all()) == [own]


def test_the_skills_list_shows_only_the_viewers_people(client, network):
    admin = make_user("administrator", network.outlet_a)
    own = make_user("technician", network.outlet_a, first_name="Qiang", last_name="Zhou")
    foreign = make_user("technician", network.outlet_b, first_name="Igor", last_name="Petrov")
    make_skill(own, foreign, name="Washers")
    client.force_login(admin)

    page = _text(client.get(_url("skill_list")))

    assert "Washers" in page and "Qiang" in page and "Petrov" not in page


def test_the_skills_list_takes_the_same_queries_for_more_skills(admin_client, network):
    make_skill(make_user("technician", network.outlet_a))
    few = query_count(admin_client, _url("skill_list"))
    for _ in range(5):
        make_skill(make_user("technician", network.outlet_b))

    assert query_count(admin_client, _url("skill_list")) == few


# --- Routing rules ---------------------------------------------------------------------------


def test_a_centre_administrator_routes_the_region_to_an_outlet(client, network):
    client.force_login(make_user("administrator", network.centre))

    response = client.post(
        _url("routing_create"),
        {"region": network.region.pk, "handling_unit": network.outlet_a.pk, "order": 10},
    )

    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.region, rule.handling_unit, rule.skill) == (network.region, network.outlet_a, None)


def test_another_units_rules_are_out_of_sight(client, network):
    admin = make_user("administrator", network.outlet_a)
    own = make_routing_rule(network.outlet_a, order=1)
    foreign = make_routing_rule(network.outlet_b, order=2, skill=make_skill(name="Phones"))
    client.force_login(admin)

    rows = list(client.get(_url("routing_list")).context["object_list"])

    assert rows == [own]
    assert client.get(_url("routing_update", foreign.pk)).status_code == 404
    assert client.post(_url("routing_delete", foreign.pk)).status_code == 404
    assert RoutingRule.objects.count() == 2


def test_a_foreign_handling_unit_is_refused_on_the_form(client, network):
    client.force_login(make_user("administrator", network.outlet_a))

    response = client.post(
        _url("routing_create"),
        {"region": network.region.pk, "handling_unit": network.outlet_b.pk, "order": 1},
    )

    assert response.status_code == 200
    assert not RoutingRule.objects.exists()


def test_the_administrator_deletes_a_rule(admin_client, network):
    rule = make_routing_rule(network.centre)

    response = admin_client.post(_url("routing_delete", rule.pk))

    assert response.status_code == 302
    assert not RoutingRule.objects.exists()


def test_the_rules_list_takes_the_same_queries_for_more_rules(admin_client, network):
    make_routing_rule(network.centre)
    few = query_count(admin_client, _url("routing_list"))
    for order in range(5):
        make_routing_rule(network.outlet_a, order=order, skill=make_skill())

    assert query_count(admin_client, _url("routing_list")) == few
