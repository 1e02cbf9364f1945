"""Configuring requests: types, questions and their conditions, the transitions matrix, the
decisions directory, SLA policies, skills and routing rules. Each refused change leaves the
configuration as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.tests.factories import make_unit
from aftersales.service_requests import config_services, services
from aftersales.service_requests.config_services import MANDATORY_TRANSITIONS
from aftersales.service_requests.models import (
    DEFAULT_TRANSITIONS,
    Decision,
    DecisionOutcome,
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
    make_service_request,
    make_skill,
    make_sla_policy,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """These stories read messages in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _errors(excinfo) -> dict:  # type: ignore[no-untyped-def]
    return excinfo.value.message_dict


def _pairs(request_type: RequestType) -> set[tuple[str, str]]:
    return set(request_type.transitions.values_list("from_status", "to_status"))


# --- Request types ---------------------------------------------------------------------------


def test_a_new_type_allows_the_default_lifecycle(db):
    repair = config_services.request_type_create(code="repair", name="Repair")

    assert _pairs(repair) == {(a.value, b.value) for a, b in DEFAULT_TRANSITIONS}


def test_a_code_used_by_another_type_is_refused(db):
    make_request_type(code="repair")

    with pytest.raises(ValidationError) as excinfo:
        config_services.request_type_create(code="repair", name="Another repair")

    assert "already used" in _errors(excinfo)["code"][0]
    assert RequestType.objects.count() == 1


def test_editing_a_type_keeps_its_code_unless_it_clashes(db):
    make_request_type(code="install")
    repair = make_request_type(code="repair", name="Repair")

    config_services.request_type_update(request_type=repair, code="repair", name="Repairs")
    with pytest.raises(ValidationError):
        config_services.request_type_update(request_type=repair, code="install", name="Repairs")

    repair.refresh_from_db()
    assert (repair.code, repair.name) == ("repair", "Repairs")


# --- Questions -------------------------------------------------------------------------------


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
        choices="Yes\nNo\nDon't know",
        order=10,
    )


def test_a_receipt_is_asked_only_when_the_product_is_under_warranty(repair, warranty):
    receipt = config_services.question_create(
        request_type=repair,
        key="receipt",
        label="Purchase receipt",
        kind=FieldKind.FILE,
        order=20,
        show_if_field=warranty,
        show_if_values="  Yes \n\n",
    )

    assert receipt.show_if_field == warranty
    assert receipt.show_if_list == ["Yes"]


def test_the_same_key_twice_in_one_type_is_refused_but_allowed_in_another(repair, warranty):
    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, key="warranty")

    assert "already has the key" in _errors(excinfo)["key"][0]
    make_question(make_request_type(), key="warranty")  # another type: fine


def test_a_choice_question_needs_two_distinct_answers(repair):
    for choices in ("", "Yes", "Yes\nYes"):
        with pytest.raises(ValidationError) as excinfo:
            make_question(repair, key="colour", kind=FieldKind.CHOICE, choices=choices)
        assert "choices" in _errors(excinfo)
    assert not repair.fields.exists()


def test_a_question_that_is_not_a_choice_keeps_no_choices(repair):
    question = make_question(repair, kind=FieldKind.NUMBER, choices="1\n2")

    assert question.choices == ""


def test_a_condition_must_point_at_an_earlier_question(repair):
    later = make_question(repair, key="later", kind=FieldKind.TEXT, order=50)

    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, key="early", order=10, show_if_field=later, show_if_values="x")

    assert "asked after this one" in _errors(excinfo)["show_if_field"][0]
    assert list(repair.fields.values_list("key", flat=True)) == ["later"]


def test_a_question_of_the_same_order_added_earlier_counts_as_earlier(repair):
    first = make_question(repair, key="first", order=10)

    second = make_question(repair, key="second", order=10, show_if_field=first, show_if_values="a")

    assert second.show_if_field == first


def test_a_condition_on_another_types_question_is_refused(repair):
    foreign = make_question(make_request_type(), key="foreign", order=1)

    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, show_if_field=foreign, show_if_values="x")

    assert "same request type" in _errors(excinfo)["show_if_field"][0]


def test_a_condition_on_a_file_is_refused(repair):
    photo = make_question(repair, key="photo", kind=FieldKind.FILE, order=1)

    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, show_if_field=photo, show_if_values="x")

    assert "file" in _errors(excinfo)["show_if_field"][0]


def test_the_condition_names_answers_the_earlier_question_offers(repair, warranty):
    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, order=20, show_if_field=warranty, show_if_values="Yes\nMaybe")

    assert _errors(excinfo)["show_if_values"] == [
        "“Maybe” is not one of the answers offered by “Is the product under warranty?”."
    ]


def test_a_condition_needs_its_answers_and_answers_need_a_condition(repair, warranty):
    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, order=20, show_if_field=warranty, show_if_values=" \n")
    assert "List the answers" in _errors(excinfo)["show_if_values"][0]

    with pytest.raises(ValidationError) as excinfo:
        make_question(repair, order=20, show_if_values="Yes")
    assert "Choose the question" in _errors(excinfo)["show_if_values"][0]


def test_conditions_cannot_go_round(repair, warranty):
    receipt = make_question(
        repair, key="receipt-number", order=20, show_if_field=warranty, show_if_values="Yes"
    )

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_update(
            question=warranty, show_if_field=receipt, show_if_values="123"
        )

    assert "go round" in _errors(excinfo)["show_if_field"][0]
    warranty.refresh_from_db()
    assert warranty.show_if_field_id is None


def test_a_question_others_depend_on_cannot_move_after_them(repair, warranty):
    make_question(repair, key="receipt", order=20, show_if_field=warranty, show_if_values="Yes")

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_update(question=warranty, order=30)

    assert "must be asked after it" in _errors(excinfo)["order"][0]
    warranty.refresh_from_db()
    assert warranty.order == 10


def test_an_answer_a_condition_relies_on_cannot_be_dropped(repair, warranty):
    make_question(
        repair,
        key="receipt",
        label="Receipt",
        order=20,
        show_if_field=warranty,
        show_if_values="Yes",
    )

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_update(question=warranty, choices="Да\nНет")
    assert "“Receipt” is shown when the answer is “Yes”" in _errors(excinfo)["choices"][0]

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_update(question=warranty, kind=FieldKind.FILE)
    assert "kind" in _errors(excinfo)

    warranty.refresh_from_db()
    assert (warranty.kind, warranty.choice_list) == ("choice", ["Yes", "No", "Don't know"])


def test_a_key_answers_are_stored_under_cannot_change(network, repair, warranty):
    make_service_request(unit=network.outlet_a, request_type=repair, answers={"warranty": "Yes"})

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_update(question=warranty, key="guarantee")
    assert "cannot change" in _errors(excinfo)["key"][0]

    config_services.question_update(question=warranty, label="Under warranty?")
    warranty.refresh_from_db()
    assert (warranty.key, warranty.label) == ("warranty", "Under warranty?")


def test_an_unanswered_questions_key_may_change(repair, warranty):
    config_services.question_update(question=warranty, key="guarantee")

    warranty.refresh_from_db()
    assert warranty.key == "guarantee"


def test_a_question_others_depend_on_is_not_deleted(repair, warranty):
    make_question(
        repair,
        key="receipt",
        label="Receipt",
        order=20,
        show_if_field=warranty,
        show_if_values="Yes",
    )

    with pytest.raises(ValidationError) as excinfo:
        config_services.question_delete(question=warranty)

    assert "“Receipt”" in excinfo.value.messages[0]
    assert repair.fields.count() == 2


def test_deleting_a_question_leaves_the_answers_given(network, repair, warranty):
    request = make_service_request(
        unit=network.outlet_a, request_type=repair, answers={"warranty": "No"}
    )

    config_services.question_delete(question=warranty)

    request.refresh_from_db()
    assert not repair.fields.exists()
    assert request.answers == {"warranty": "No"}


# --- Transitions -----------------------------------------------------------------------------


def test_the_matrix_is_saved_as_a_whole(repair):
    wanted = set(MANDATORY_TRANSITIONS) | {(Status.REGISTERED, Status.DONE)}

    config_services.transitions_save(request_type=repair, allowed=wanted)

    assert _pairs(repair) == {(a.value, b.value) for a, b in wanted}


@pytest.mark.parametrize("pair", sorted(MANDATORY_TRANSITIONS))
def test_a_transition_the_lifecycle_needs_stays(repair, pair):
    before = _pairs(repair)

    with pytest.raises(ValidationError) as excinfo:
        config_services.transitions_save(
            request_type=repair, allowed=set(MANDATORY_TRANSITIONS) - {pair}
        )

    assert "stays allowed" in _errors(excinfo)["transitions"][0]
    assert _pairs(repair) == before


def test_a_type_that_waits_for_the_customer_must_resume(repair):
    before = _pairs(repair)
    wanted = set(MANDATORY_TRANSITIONS) | {(Status.IN_WORK, Status.WAITING_CUSTOMER)}

    with pytest.raises(ValidationError) as excinfo:
        config_services.transitions_save(request_type=repair, allowed=wanted)

    assert "goes back in work when the customer replies" in _errors(excinfo)["transitions"][0]
    assert _pairs(repair) == before


def test_unknown_statuses_and_standing_still_are_refused(repair):
    before = _pairs(repair)
    for bad in [("registered", "lost"), ("in_work", "in_work")]:
        with pytest.raises(ValidationError):
            config_services.transitions_save(
                request_type=repair, allowed=set(MANDATORY_TRANSITIONS) | {bad}
            )
    assert _pairs(repair) == before


def test_a_removed_transition_is_refused_to_requests(network, repair):
    request = make_service_request(unit=network.outlet_a, request_type=repair)
    services.request_transition(request=request, to_status=Status.IN_WORK, user=None)
    config_services.transitions_save(request_type=repair, allowed=MANDATORY_TRANSITIONS)

    with pytest.raises(ValidationError) as excinfo:
        services.request_transition(request=request, to_status=Status.WAITING_CUSTOMER, user=None)

    assert "cannot go from" in _errors(excinfo)["status"][0]


# --- Decisions -------------------------------------------------------------------------------


def test_decisions_are_general_or_for_one_type(repair):
    general = config_services.decision_create(
        name="  In   work ", outcome=DecisionOutcome.ACCEPTED, is_active=True, order=10
    )
    declined = config_services.decision_create(
        request_type=repair, name="Declined: a new product is needed", outcome="declined"
    )

    assert general.name == "In work" and general.request_type is None
    assert declined.request_type == repair


def test_the_same_decision_twice_for_a_type_is_refused(repair):
    make_decision(name="Repaired", request_type=repair)
    make_decision(name="Repaired")  # the general one is another decision

    with pytest.raises(ValidationError) as excinfo:
        config_services.decision_create(request_type=repair, name="Repaired", outcome="accepted")

    assert "already exists" in _errors(excinfo)["name"][0]
    assert Decision.objects.count() == 2


def test_a_decision_needs_a_known_outcome(db):
    with pytest.raises(ValidationError) as excinfo:
        config_services.decision_create(name="Repaired", outcome="maybe")

    assert "outcome" in _errors(excinfo)
    assert not Decision.objects.exists()


# --- SLA policies ----------------------------------------------------------------------------


def test_a_policy_resolves_no_sooner_than_it_responds(repair):
    with pytest.raises(ValidationError) as excinfo:
        config_services.sla_policy_create(
            name="Too quick", response_minutes=240, resolution_minutes=60
        )

    assert "cannot come before" in _errors(excinfo)["resolution_minutes"][0]
    assert not SlaPolicy.objects.exists()


def test_targets_are_at_least_a_minute_and_at_most_a_year(db):
    with pytest.raises(ValidationError) as excinfo:
        config_services.sla_policy_create(
            name="Odd",
            response_minutes=0,
            resolution_minutes=10**7,
            escalation_step_minutes=0,
        )

    errors = _errors(excinfo)
    assert set(errors) == {"response_minutes", "resolution_minutes", "escalation_step_minutes"}
    assert not SlaPolicy.objects.exists()


def test_two_active_policies_for_the_same_conditions_are_refused(repair):
    make_sla_policy(name="Urgent repair", request_type=repair, priority=4)

    with pytest.raises(ValidationError) as excinfo:
        config_services.sla_policy_create(
            name="Urgent repair 2",
            request_type=repair,
            priority=4,
            response_minutes=30,
            resolution_minutes=60,
        )
    assert "“Urgent repair” already applies" in _errors(excinfo)["__all__"][0]

    spare = config_services.sla_policy_create(
        name="Urgent repair 2",
        request_type=repair,
        priority=4,
        response_minutes=30,
        resolution_minutes=60,
        is_active=False,
    )
    assert not spare.is_active


def test_a_changed_policy_applies_to_new_requests(network, repair):
    policy = make_sla_policy(name="Normal", response_minutes=60, resolution_minutes=480)

    config_services.sla_policy_update(policy=policy, response_minutes=30)
    request = make_service_request(unit=network.outlet_a, request_type=repair)

    assert request.sla_policy == policy
    policy.refresh_from_db()
    assert policy.response_minutes == 30


# --- Skills ----------------------------------------------------------------------------------


def test_a_skill_has_a_unique_name(network):
    admin = make_user("administrator", network.hq)
    make_skill(name="Air conditioners")

    with pytest.raises(ValidationError) as excinfo:
        config_services.skill_create(user=admin, name="air conditioners")

    assert "already exists" in _errors(excinfo)["name"][0]


def test_members_come_from_the_users_own_units(network):
    admin = make_user("administrator", network.outlet_a)
    own = make_user("technician", network.outlet_a)
    foreign = make_user("technician", network.outlet_b)

    with pytest.raises(ValidationError) as excinfo:
        config_services.skill_create(user=admin, name="Washers", members=[own, foreign])
    assert "members" in _errors(excinfo)
    assert not Skill.objects.exists()

    skill = config_services.skill_create(user=admin, name="Washers", members=[own])
    assert list(skill.members.all()) == [own]


def test_other_units_members_stay_when_a_skill_is_edited(network):
    admin = make_user("administrator", network.outlet_a)
    own = make_user("technician", network.outlet_a)
    foreign = make_user("technician", network.outlet_b)
    skill = make_skill(own, foreign, name="Washers")

    config_services.skill_update(skill=skill, user=admin, name="Washing machines", members=[])

    skill.refresh_from_db()
    assert skill.name == "Washing machines"
    assert list(skill.members.all()) == [foreign]


# --- Routing rules ---------------------------------------------------------------------------


def test_a_rule_routes_a_region_to_a_unit_of_the_users(network):
    admin = make_user("administrator", network.centre)

    rule = config_services.routing_rule_create(
        user=admin, region=network.region, handling_unit=network.outlet_a, order=10
    )

    assert RoutingRule.objects.visible_to(admin).get() == rule


def test_a_rule_needs_a_region_and_the_users_own_active_unit(network):
    admin = make_user("administrator", network.outlet_a)

    with pytest.raises(ValidationError) as excinfo:
        config_services.routing_rule_create(
            user=admin, region=network.centre, handling_unit=network.outlet_b
        )

    assert set(_errors(excinfo)) == {"region", "handling_unit"}
    assert not RoutingRule.objects.exists()


def test_a_second_rule_for_the_same_region_and_skill_is_refused(network):
    admin = make_user("administrator", network.outlet_a)
    make_routing_rule(network.outlet_b, region=network.region)

    with pytest.raises(ValidationError) as excinfo:
        config_services.routing_rule_create(
            user=admin, region=network.region, handling_unit=network.outlet_a
        )
    # Another unit's rule: the user learns it exists, not where it sends requests.
    assert _errors(excinfo)["__all__"] == [
        "Another unit's rule already routes requests from this region with this skill."
    ]

    skill = make_skill(name="Phones")
    config_services.routing_rule_create(
        user=admin, region=network.region, skill=skill, handling_unit=network.outlet_a
    )
    assert RoutingRule.objects.count() == 2


def test_a_rule_moves_to_another_region_and_is_deleted(network):
    admin = make_user("administrator", network.hq)
    north = make_unit(network.hq, kind="region", name="North")
    rule = make_routing_rule(network.outlet_a, region=network.region)

    config_services.routing_rule_update(rule=rule, user=admin, region=north)
    assert RoutingRule.objects.get().region == north
    config_services.routing_rule_delete(rule=rule)

    assert not RoutingRule.objects.exists()
