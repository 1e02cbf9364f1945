import pytest
from django.core.management import call_command

from aftersales.accounts.models import User
from aftersales.demo.service_requests import seed_request_configuration
from aftersales.service_requests import questions, selectors
from aftersales.service_requests.models import (
    Decision,
    Priority,
    RequestType,
    RequestTypeField,
    RoutingRule,
    Skill,
    SlaPolicy,
    Status,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    models = (Skill, RequestType, RequestTypeField, Decision, SlaPolicy, RoutingRule)
    return tuple(model.objects.count() for model in models)


def test_the_demo_configures_five_request_types_and_seeding_twice_adds_nothing():
    call_command("seed_demo", "--quiet-logins")
    admin = User.objects.get(username="admin")

    assert seed_request_configuration(admin) == 0
    assert _counts()[:2] == (4, 5) and _counts()[3:] == (8, 3, 3)
    repair = RequestType.objects.get(code="repair")
    fields = list(repair.fields.all())
    # The receipt is asked for only when the product is said to be under warranty.
    shown = {f.key for f in questions.shown_fields(fields, {"warranty": "是 · Yes"})}
    hidden = {f.key for f in questions.shown_fields(fields, {"warranty": "否 · No"})}
    assert "receipt" in shown and "receipt" not in hidden
    # A consultation may be answered at once; a repair has to be taken into work first.
    consultation = RequestType.objects.get(code="consultation")
    assert consultation.transitions.filter(from_status=Status.REGISTERED, to_status=Status.DONE)
    assert not repair.transitions.filter(from_status=Status.REGISTERED, to_status=Status.DONE)
    # Premium contracts answer within 30 minutes, urgent requests within an hour.
    assert selectors.sla_policy_for(repair, Priority.NORMAL, "premium").response_minutes == 30
    assert selectors.sla_policy_for(repair, Priority.URGENT, "").response_minutes == 60
    assert selectors.sla_policy_for(repair, Priority.NORMAL, "").resolution_minutes == 3 * 480
    assert Skill.objects.get(name__startswith="安装").members.filter(username="engineer")

    assert seed_request_configuration(admin) == 0
    assert _counts()[:2] == (4, 5)


def test_the_demo_has_requests_in_every_state_and_a_second_seed_adds_none():
    from aftersales.service_requests.models import ServiceRequest

    call_command("seed_demo", "--quiet-logins")
    states = set(ServiceRequest.objects.values_list("status", flat=True))
    count = ServiceRequest.objects.count()

    call_command("seed_demo", "--quiet-logins")

    assert {
        Status.REGISTERED,
        Status.IN_WORK,
        Status.WAITING_CUSTOMER,
        Status.DONE,
        Status.CLOSED,
    } <= states
    assert ServiceRequest.objects.count() == count
    assert ServiceRequest.objects.filter(due_at__isnull=False, is_open=True).exists()
