"""Service requests as the people who handle them see them: a request is registered, moves
through its type's lifecycle, is assigned, runs against business-hour deadlines, escalates up
the tree when they pass, and talks with the customer by e-mail in the customer's language.

The clock is always given (`now=`): 6–10 January 2025 is a Monday-to-Friday week, 13 January
the following Monday. The handling unit works 09:00–18:00 in Shanghai unless a story says
otherwise.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.calendars.models import CalendarDay
from aftersales.calendars.services import calendar_create, calendar_day_set, working_week_set
from aftersales.customers.models import Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.notifications.models import Notification
from aftersales.organisation.models import Unit
from aftersales.service_requests import services
from aftersales.service_requests.models import (
    DEFAULT_TRANSITIONS,
    Attachment,
    Decision,
    EventKind,
    RequestEscalation,
    RequestEvent,
    RequestMessage,
    RequestType,
    RequestTypeTransition,
    ServiceRequest,
    SlaPolicy,
    Status,
)
from aftersales.service_requests.tests.factories import (
    make_decision,
    make_request_type,
    make_service_request,
    make_sla_policy,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    """An instant written as local wall time: at("2025-01-06 09:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.fixture(autouse=True)
def _english_and_jobs_at_once(settings):
    """Messages are read in English (the site's default language is Chinese); e-mail jobs run
    as soon as they are enqueued, which the services do when their transaction commits."""
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with translation.override("en"):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with committed():` runs the block's on-commit callbacks (the e-mails) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def private_files(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Attachments land in a temporary directory, not in var/private."""
    storage = Attachment._meta.get_field("file").storage
    monkeypatch.setattr(storage, "base_location", str(tmp_path), raising=False)
    monkeypatch.setattr(storage, "location", str(tmp_path), raising=False)
    return tmp_path


def working_calendar(unit: Unit, *, holidays: tuple[dt.date, ...] = (), tz: str = "Asia/Shanghai"):  # type: ignore[no-untyped-def]
    """Monday to Friday 09:00–18:00 in `tz`, with `holidays`, set on `unit`."""
    calendar = calendar_create(owner=unit, name=f"{unit.name} hours")
    nine_to_six = [(dt.time(9), dt.time(18))]
    working_week_set(calendar=calendar, week={day: nine_to_six for day in range(5)})
    for day in holidays:
        calendar_day_set(calendar=calendar, date=day, kind=CalendarDay.Kind.HOLIDAY, name="Holiday")
    unit.calendar = calendar
    unit.timezone = tz
    unit.save(update_fields=["calendar", "timezone"])
    return calendar


@dataclass
class Desk:
    unit: Unit
    agent: User
    customer: Customer
    request_type: RequestType
    policy: SlaPolicy
    decision: Decision


@pytest.fixture
def desk(network) -> Desk:  # type: ignore[no-untyped-def]
    """Outlet A's desk: a technician who is the responsible specialist of customer Acme, a
    "Repair" type answered within 60 and resolved within 480 business minutes, escalating
    every 30 minutes once late."""
    unit = network.outlet_a
    working_calendar(unit)
    agent = make_user("technician", unit, email="agent@example.com")
    customer = make_customer(unit, name="Acme", responsible=agent)
    Email.objects.create(customer=customer, address="acme@example.com")
    request_type = make_request_type(name="Repair")
    policy = make_sla_policy(
        request_type=request_type,
        response_minutes=60,
        resolution_minutes=480,
        escalation_step_minutes=30,
    )
    decision = make_decision(name="Repaired", request_type=request_type)
    return Desk(unit, agent, customer, request_type, policy, decision)


def register(desk: Desk, when: str | dt.datetime = "2025-01-06 09:00", **fields) -> ServiceRequest:  # type: ignore[no-untyped-def]
    fields.setdefault("customer", desk.customer)
    fields.setdefault("request_type", desk.request_type)
    return make_service_request(now=at(when) if isinstance(when, str) else when, **fields)


def reloaded(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def events(request: ServiceRequest, kind: str | None = None) -> list[RequestEvent]:
    rows = RequestEvent.objects.filter(request=request)
    return list(rows.filter(kind=kind) if kind else rows)


def notifications(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


# --- Lifecycle: every transition the default lifecycle allows --------------------------------


def start_work(request, desk, when=None):  # type: ignore[no-untyped-def]
    return services.request_transition(
        request=request, to_status=Status.IN_WORK, user=desk.agent, now=when
    )


def decide(request, desk, when=None):  # type: ignore[no-untyped-def]
    return services.request_decide(
        request=request,
        decision=desk.decision,
        result="The fan was replaced.",
        user=desk.agent,
        now=when,
    )


def bring_to(request: ServiceRequest, status: str, desk: Desk) -> ServiceRequest:
    """Walk a fresh request to `status` the way people would."""
    if status == Status.CANCELLED:
        return services.request_transition(
            request=request, to_status=Status.CANCELLED, user=desk.agent, reason="Duplicate."
        )
    if status == Status.REGISTERED:
        return request
    request = start_work(request, desk)
    if status == Status.WAITING_CUSTOMER:
        return services.request_transition(
            request=request, to_status=Status.WAITING_CUSTOMER, user=desk.agent
        )
    if status == Status.IN_WORK:
        return request
    request = decide(request, desk)
    if status == Status.DISPUTED:
        return services.request_dispute(request=request, claim="It is still noisy.")
    if status == Status.CLOSED:
        return services.request_confirm(request=request)
    return request


def take_step(request: ServiceRequest, to_status: str, desk: Desk) -> ServiceRequest:
    """The service a person uses for this step."""
    if to_status == Status.DONE:
        return decide(request, desk)
    if request.status == Status.DONE and to_status == Status.CLOSED:
        return services.request_confirm(request=request)
    if to_status == Status.DISPUTED:
        return services.request_dispute(request=request, claim="It is still noisy.")
    if request.status == Status.CLOSED:
        return services.request_reopen(request=request, user=desk.agent, reason="Broke again.")
    return services.request_transition(
        request=request, to_status=to_status, user=desk.agent, reason="As agreed."
    )


def test_a_new_type_allows_exactly_the_default_lifecycle(desk):
    rows = desk.request_type.transitions.values_list("from_status", "to_status")
    assert set(rows) == set(DEFAULT_TRANSITIONS)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    DEFAULT_TRANSITIONS,
    ids=[f"{a}-{b}" for a, b in DEFAULT_TRANSITIONS],
)
def test_every_default_transition_is_taken_and_logged(desk, from_status, to_status):
    request = bring_to(register(desk), from_status, desk)
    assert reloaded(request).status == from_status

    take_step(reloaded(request), to_status, desk)

    request = reloaded(request)
    assert request.status == to_status
    assert request.is_open == (
        to_status in {"registered", "in_work", "waiting_customer", "disputed"}
    )
    last = [event for event in events(request) if event.to_status].pop()
    assert (last.from_status, last.to_status) == (from_status, to_status)


def test_a_transition_the_type_does_not_allow_is_refused_and_nothing_changes(desk):
    request = register(desk)
    before = len(events(request))

    with pytest.raises(ValidationError) as refused:
        services.request_transition(
            request=request, to_status=Status.WAITING_CUSTOMER, user=desk.agent
        )

    assert refused.value.message_dict == {
        "status": [
            "A request of type “Repair” cannot go from “Registered” to “Waiting for the customer”."
        ]
    }
    request = reloaded(request)
    assert request.status == Status.REGISTERED
    assert len(events(request)) == before


def test_a_transition_the_administrator_removed_is_refused(desk):
    request = start_work(register(desk), desk)
    RequestTypeTransition.objects.filter(
        request_type=desk.request_type,
        from_status=Status.IN_WORK,
        to_status=Status.WAITING_CUSTOMER,
    ).delete()

    with pytest.raises(ValidationError, match="cannot go from “In work” to “Waiting for"):
        services.request_transition(
            request=request, to_status=Status.WAITING_CUSTOMER, user=desk.agent
        )
    assert reloaded(request).status == Status.IN_WORK


def test_an_administrator_may_add_a_transition(desk):
    RequestTypeTransition.objects.create(
        request_type=desk.request_type,
        from_status=Status.REGISTERED,
        to_status=Status.WAITING_CUSTOMER,
    )
    request = services.request_transition(
        request=register(desk), to_status=Status.WAITING_CUSTOMER, user=desk.agent
    )
    assert request.status == Status.WAITING_CUSTOMER


def test_cancelling_needs_a_reason(desk):
    request = register(desk)
    with pytest.raises(ValidationError) as refused:
        services.request_transition(
            request=request, to_status=Status.CANCELLED, user=desk.agent, reason="  "
        )
    assert refused.value.message_dict == {"reason": ["Say why the request is cancelled."]}
    assert reloaded(request).status == Status.REGISTERED

    services.request_transition(
        request=request, to_status=Status.CANCELLED, user=desk.agent, reason=" Duplicate. "
    )
    assert reloaded(request).status == Status.CANCELLED
    assert events(request).pop().reason == "Duplicate."


def test_done_only_with_a_decision(desk):
    request = start_work(register(desk), desk)
    with pytest.raises(ValidationError) as refused:
        services.request_transition(request=request, to_status=Status.DONE, user=desk.agent)
    assert refused.value.message_dict == {
        "status": ["Record the decision and the result to finish."]
    }
    assert reloaded(request).status == Status.IN_WORK


def test_a_dispute_only_with_the_customers_claim(desk):
    request = decide(start_work(register(desk), desk), desk)
    with pytest.raises(ValidationError) as refused:
        services.request_transition(request=request, to_status=Status.DISPUTED, user=desk.agent)
    assert refused.value.message_dict == {
        "status": ["Record the customer's claim to dispute the result."]
    }
    assert reloaded(request).status == Status.DONE


# --- Decision, confirmation, dispute, rating, reopening ----------------------------------------


def test_the_decision_and_result_finish_the_request_and_go_to_the_customer(
    desk, committed, mailoutbox
):
    request = start_work(register(desk), desk, at("2025-01-06 09:30"))
    mailoutbox.clear()

    with committed():
        request = services.request_decide(
            request=request,
            decision=desk.decision,
            result="  The fan was replaced.  ",
            user=desk.agent,
            now=at("2025-01-06 11:00"),
        )

    request = reloaded(request)
    assert (request.status, request.decision, request.result) == (
        Status.DONE,
        desk.decision,
        "The fan was replaced.",
    )
    assert request.decided_at == at("2025-01-06 11:00")
    assert (request.is_open, request.due_at, request.escalation.next_at) == (False, None, None)
    assert [e.kind for e in events(request)][-2:] == [EventKind.DECIDED, EventKind.STATUS]
    [mail] = mailoutbox
    assert mail.to == ["acme@example.com"]
    assert mail.subject == f"{request.thread_tag} The result of your request"
    assert "Decision: Repaired" in mail.body
    assert "The fan was replaced." in mail.body


def test_a_general_decision_fits_every_type(desk):
    general = make_decision(name="Advice given")
    request = start_work(register(desk), desk)
    services.request_decide(request=request, decision=general, result="Done.", user=desk.agent)
    assert reloaded(request).decision == general


@pytest.mark.parametrize(
    ("decision_of", "result", "errors"),
    [
        ("other type", "Done.", {"decision": ["Choose a decision for this type of request."]}),
        ("inactive", "Done.", {"decision": ["Choose a decision for this type of request."]}),
        ("own type", "   ", {"result": ["Describe the result for the customer."]}),
    ],
)
def test_a_decision_of_another_type_or_an_empty_result_is_refused(
    desk, decision_of, result, errors
):
    decision = {
        "other type": make_decision(request_type=make_request_type()),
        "inactive": make_decision(request_type=desk.request_type, is_active=False),
        "own type": desk.decision,
    }[decision_of]
    request = start_work(register(desk), desk)

    with pytest.raises(ValidationError) as refused:
        services.request_decide(request=request, decision=decision, result=result, user=desk.agent)

    assert refused.value.message_dict == errors
    request = reloaded(request)
    assert (request.status, request.decision, request.result) == (Status.IN_WORK, None, "")


def test_a_decision_before_work_started_is_refused(desk):
    request = register(desk)
    with pytest.raises(ValidationError, match="cannot go from “Registered” to “Done”"):
        decide(request, desk)
    assert reloaded(request).status == Status.REGISTERED


def test_the_customer_confirms_and_the_request_closes(desk):
    request = decide(start_work(register(desk), desk), desk)

    services.request_confirm(request=request, now=at("2025-01-07 10:00"))

    request = reloaded(request)
    assert (request.status, request.is_open) == (Status.CLOSED, False)
    assert request.closed_at == at("2025-01-07 10:00")
    assert (request.due_at, request.escalation.next_at) == (None, None)
    assert events(request).pop().kind == EventKind.CONFIRMED


def test_only_a_result_can_be_confirmed(desk):
    request = start_work(register(desk), desk)
    with pytest.raises(ValidationError, match="Only a request with a result can be confirmed."):
        services.request_confirm(request=request)
    assert reloaded(request).status == Status.IN_WORK


def test_the_administrator_may_forbid_confirming(desk):
    request = decide(start_work(register(desk), desk), desk)
    desk.request_type.transitions.filter(from_status=Status.DONE, to_status=Status.CLOSED).delete()
    with pytest.raises(ValidationError, match="cannot go from “Done” to “Closed”"):
        services.request_confirm(request=request)


def test_a_dispute_goes_to_the_head_of_the_handling_unit_with_the_claim(desk, network):
    head = make_user("unit_head", network.outlet_a)
    second_head = make_user("unit_head", network.outlet_a)
    make_user("unit_head", network.centre)  # not told: outlet A has its own heads
    request = decide(start_work(register(desk), desk, at("2025-01-06 09:30")), desk)

    services.request_dispute(
        request=request, claim="  The fan still rattles.  ", now=at("2025-01-07 09:00")
    )

    request = reloaded(request)
    assert (request.status, request.is_open) == (Status.DISPUTED, True)
    assert request.customer_claim == "The fan still rattles."
    escalations = events(request, EventKind.ESCALATED)
    assert [(e.target_user, e.target_unit, e.level) for e in escalations] == [
        (head, network.outlet_a, 2),
        (second_head, network.outlet_a, 2),
    ]
    assert {e.reason for e in escalations} == {"The fan still rattles."}
    for person in (head, second_head):
        [told] = notifications(person, "request_disputed")
        assert told.title == f"The customer disputes the result of request {request.number}"
        assert told.body == "The fan still rattles."


def test_a_dispute_in_a_unit_without_a_head_goes_to_the_nearest_head_above(desk, network):
    centre_head = make_user("unit_head", network.centre)
    request = decide(start_work(register(desk), desk), desk)

    services.request_dispute(request=request, claim="Not fixed.")

    [escalation] = events(request, EventKind.ESCALATED)
    assert (escalation.target_user, escalation.target_unit, escalation.level) == (
        centre_head,
        network.centre,
        3,
    )
    assert len(notifications(centre_head, "request_disputed")) == 1


def test_a_dispute_needs_a_claim_and_a_result(desk):
    request = start_work(register(desk), desk)
    with pytest.raises(ValidationError, match="Only a request with a result can be disputed."):
        services.request_dispute(request=request, claim="Bad.")
    request = decide(request, desk)
    with pytest.raises(ValidationError) as refused:
        services.request_dispute(request=request, claim="   ")
    assert refused.value.message_dict == {"claim": ["Say what you disagree with."]}
    assert reloaded(request).status == Status.DONE


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", 4.5, None])
def test_ratings_are_one_to_five(desk, rating):
    request = decide(start_work(register(desk), desk), desk)
    with pytest.raises(ValidationError) as refused:
        services.request_rate(request=request, rating=rating)
    assert refused.value.message_dict == {"rating": ["Give a rating from 1 to 5."]}
    assert reloaded(request).rating is None


@pytest.mark.parametrize("rating", [1, 5])
def test_the_customer_rates_the_result(desk, rating):
    request = decide(start_work(register(desk), desk), desk)
    services.request_rate(request=request, rating=rating, comment=" Quick. ")
    request = reloaded(request)
    assert (request.rating, request.rating_comment) == (rating, "Quick.")
    assert events(request).pop().kind == EventKind.RATED


def test_a_request_without_a_result_cannot_be_rated(desk):
    request = start_work(register(desk), desk)
    with pytest.raises(ValidationError, match="A request can be rated once it has a result."):
        services.request_rate(request=request, rating=5)


def closed_on(desk: Desk, when: dt.datetime) -> ServiceRequest:
    request = decide(start_work(register(desk), desk), desk)
    return services.request_confirm(request=request, now=when)


def test_reopening_within_the_types_period(desk):
    closed_at = at("2025-01-07 10:00")
    request = closed_on(desk, closed_at)

    services.request_reopen(
        request=request,
        user=desk.agent,
        reason="Broke again.",
        now=closed_at + dt.timedelta(days=14),
    )

    request = reloaded(request)
    assert (request.status, request.is_open, request.closed_at) == (Status.IN_WORK, True, None)
    assert events(request).pop().kind == EventKind.REOPENED


def test_reopening_after_the_period_is_refused(desk):
    closed_at = at("2025-01-07 10:00")
    request = closed_on(desk, closed_at)

    with pytest.raises(ValidationError) as refused:
        services.request_reopen(
            request=request,
            user=desk.agent,
            reason="Broke again.",
            now=closed_at + dt.timedelta(days=14, seconds=1),
        )

    assert refused.value.messages == [
        "This request was closed more than 14 days ago; register a new one."
    ]
    assert reloaded(request).status == Status.CLOSED


def test_the_reopening_period_is_the_types(desk):
    desk.request_type.reopen_days = 2
    desk.request_type.save()
    request = closed_on(desk, at("2025-01-07 10:00"))
    with pytest.raises(ValidationError, match="more than 2 days ago"):
        services.request_reopen(
            request=request, user=desk.agent, reason="Again.", now=at("2025-01-09 10:01")
        )


def test_reopening_needs_a_reason_and_a_closed_request(desk):
    request = closed_on(desk, at("2025-01-07 10:00"))
    with pytest.raises(ValidationError) as refused:
        services.request_reopen(request=request, user=desk.agent, reason="", now=at("2025-01-08"))
    assert refused.value.message_dict == {"reason": ["Say why the request is reopened."]}
    cancelled = bring_to(register(desk), Status.CANCELLED, desk)
    with pytest.raises(ValidationError, match="Only a closed request can be reopened."):
        services.request_reopen(request=cancelled, user=desk.agent, reason="Oops.")


def test_moving_a_closed_request_back_to_work_is_a_reopening(desk):
    request = closed_on(desk, at("2025-01-07 10:00"))
    services.request_transition(
        request=request,
        to_status=Status.IN_WORK,
        user=desk.agent,
        reason="Broke again.",
        now=at("2025-01-08 10:00"),
    )
    assert events(request).pop().kind == EventKind.REOPENED


# --- Assignment ---------------------------------------------------------------------------------


def test_the_responsible_hears_of_a_new_request_in_their_language(desk):
    desk.agent.preferred_language = "ru"
    desk.agent.save()
    request = register(desk)

    [told] = notifications(desk.agent, "request_assigned")

    with translation.override("ru"):
        expected = translation.gettext("Request %(number)s is assigned to you") % {
            "number": request.number
        }
    assert told.title == expected
    assert told.body == f"Acme: {request.subject}"
    assert told.url == f"/requests/{request.pk}/"


def test_an_agent_who_registers_a_request_for_themself_is_not_told(desk):
    register(desk, registered_by=desk.agent)
    assert notifications(desk.agent, "request_assigned") == []


def test_reassigning_needs_a_reason_and_moves_the_request_to_the_new_unit(desk, network):
    dispatcher = make_user("dispatcher", network.centre)
    colleague = make_user("technician", network.outlet_b, email="b@example.com")
    request = register(desk)

    with pytest.raises(ValidationError) as refused:
        services.request_assign(request=request, responsible=colleague, reason=" ", user=dispatcher)
    assert refused.value.message_dict == {"reason": ["Say why the request is reassigned."]}
    assert reloaded(request).responsible == desk.agent

    services.request_assign(
        request=request, responsible=colleague, reason="Outlet B has the part.", user=dispatcher
    )

    request = reloaded(request)
    assert (request.responsible, request.unit) == (colleague, network.outlet_b)
    last = events(request).pop()
    assert (last.kind, last.actor, last.target_user, last.target_unit, last.reason) == (
        EventKind.REASSIGNED,
        dispatcher,
        colleague,
        network.outlet_b,
        "Outlet B has the part.",
    )
    assert len(notifications(colleague, "request_assigned")) == 1


def test_reassigning_outside_the_assigners_units_is_refused(desk, network):
    dispatcher = make_user("dispatcher", network.outlet_a)
    stranger = make_user("technician", network.outlet_b)
    request = register(desk)

    with pytest.raises(ValidationError) as refused:
        services.request_assign(
            request=request, responsible=stranger, reason="Help.", user=dispatcher
        )

    assert refused.value.message_dict == {"responsible": ["Choose an employee of your units."]}
    request = reloaded(request)
    assert (request.responsible, request.unit) == (desk.agent, network.outlet_a)
    assert notifications(stranger, "request_assigned") == []


def test_reassigning_to_someone_who_may_not_work_on_requests_is_refused(desk, network):
    dispatcher = make_user("dispatcher", network.outlet_a)
    storekeeper = make_user("storekeeper", network.outlet_a)
    request = register(desk)

    with pytest.raises(ValidationError) as refused:
        services.request_assign(
            request=request, responsible=storekeeper, reason="Spare hands.", user=dispatcher
        )

    assert refused.value.message_dict == {"responsible": ["This employee cannot work on requests."]}
    assert reloaded(request).responsible == desk.agent


def test_new_executors_are_told_and_the_old_ones_are_not(desk, network):
    dispatcher = make_user("dispatcher", network.outlet_a)
    first = make_user("technician", network.outlet_a)
    second = make_user("field_engineer", network.outlet_a)
    request = register(desk)
    services.request_assign(
        request=request, responsible=desk.agent, executors=[first], reason="", user=dispatcher
    )

    services.request_assign(
        request=request,
        responsible=desk.agent,
        executors=[first, second, dispatcher],
        reason="",
        user=dispatcher,
    )

    assert set(reloaded(request).executors.all()) == {first, second, dispatcher}
    assert len(notifications(first, "request_assigned")) == 1
    assert len(notifications(second, "request_assigned")) == 1
    assert notifications(dispatcher, "request_assigned") == []  # they did it themself


def test_an_executor_outside_the_assigners_units_is_refused(desk, network):
    dispatcher = make_user("dispatcher", network.outlet_a)
    stranger = make_user("technician", network.outlet_b)
    request = register(desk)
    with pytest.raises(ValidationError, match="is not an employee of your units"):
        services.request_assign(
            request=request,
            responsible=desk.agent,
            executors=[stranger],
            reason="",
            user=dispatcher,
        )
    assert list(reloaded(request).executors.all()) == []


def test_a_finished_request_is_not_reassigned(desk, network):
    request = bring_to(register(desk), Status.CANCELLED, desk)
    with pytest.raises(ValidationError, match="no longer open"):
        services.request_assign(
            request=request,
            responsible=make_user("technician", network.outlet_a),
            reason="Late.",
            user=None,
        )


# --- Deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "holidays", "respond_by", "resolve_by"),
    [
        ("2025-01-06 07:30", (), "2025-01-06 10:00", "2025-01-06 17:00"),  # before opening
        ("2025-01-06 17:30", (), "2025-01-07 09:30", "2025-01-07 16:30"),  # over a night
        ("2025-01-10 17:30", (), "2025-01-13 09:30", "2025-01-13 16:30"),  # over a weekend
        (
            "2025-01-10 17:30",
            (dt.date(2025, 1, 13),),
            "2025-01-14 09:30",
            "2025-01-14 16:30",
        ),  # over a weekend and a public holiday
    ],
    ids=["before-opening", "night", "weekend", "holiday"],
)
def test_deadlines_run_in_the_handling_units_business_hours(
    desk, registered, holidays, respond_by, resolve_by
):
    for day in holidays:
        calendar_day_set(
            calendar=desk.unit.calendar, date=day, kind=CalendarDay.Kind.HOLIDAY, name="Holiday"
        )
    request = reloaded(register(desk, registered))

    assert request.sla_policy == desk.policy
    assert request.response_due_at == at(respond_by)
    assert request.resolution_due_at == at(resolve_by)
    assert request.due_at == request.escalation.next_at == at(respond_by)


def test_deadlines_run_in_the_handling_units_time_zone(desk):
    moscow = ZoneInfo("Europe/Moscow")
    desk.unit.timezone = "Europe/Moscow"
    desk.unit.save()

    # 17:30 in Moscow is 22:30 in Shanghai: Moscow still has half an hour of work today.
    request = reloaded(register(desk, at("2025-01-06 17:30", moscow)))

    assert request.response_due_at == at("2025-01-07 09:30", moscow)
    assert request.resolution_due_at == at("2025-01-07 16:30", moscow)


def test_a_unit_without_a_calendar_works_by_the_nearest_one_up_the_tree(desk, network):
    calendar = desk.unit.calendar
    desk.unit.calendar = None
    desk.unit.save()
    network.centre.calendar = calendar
    network.centre.timezone = "Asia/Shanghai"
    network.centre.save()
    calendar_day_set(
        calendar=calendar, date=dt.date(2025, 1, 13), kind=CalendarDay.Kind.HOLIDAY, name="x"
    )
    request = reloaded(register(desk, "2025-01-10 17:30"))
    assert request.response_due_at == at("2025-01-14 09:30")


def test_no_policy_no_deadlines(desk):
    desk.policy.delete()
    request = reloaded(register(desk))
    assert request.sla_policy is None
    assert (request.response_due_at, request.resolution_due_at, request.due_at) == (None,) * 3
    assert request.escalation.next_at is None


def test_a_pause_keeps_the_business_minutes_left_and_resumes_when_the_customer_writes(desk):
    calendar_day_set(
        calendar=desk.unit.calendar,
        date=dt.date(2025, 1, 13),
        kind=CalendarDay.Kind.HOLIDAY,
        name="Holiday",
    )
    desk.policy.resolution_minutes = 600
    desk.policy.save()
    request = register(desk, "2025-01-09 09:00")
    assert reloaded(request).resolution_due_at == at("2025-01-10 10:00")  # 540 Thu + 60 Fri
    start_work(request, desk, at("2025-01-09 10:00"))

    # Thursday 17:00: 60 minutes left today and 60 on Friday morning.
    services.request_transition(
        request=request,
        to_status=Status.WAITING_CUSTOMER,
        user=desk.agent,
        now=at("2025-01-09 17:00"),
    )
    paused = reloaded(request)
    assert paused.paused_at == at("2025-01-09 17:00")
    assert paused.paused_resolution_minutes == 120
    assert (paused.due_at, paused.escalation.next_at) == (None, None)

    # Friday 17:30 the customer answers: 30 minutes on Friday, the weekend and Monday's
    # holiday pass, 90 minutes on Tuesday.
    services.message_post(
        request=request,
        body="The serial number is 123.",
        source=RequestMessage.Source.PORTAL,
        author_name="Acme",
        now=at("2025-01-10 17:30"),
    )

    resumed = reloaded(request)
    assert resumed.status == Status.IN_WORK
    assert resumed.resolution_due_at == resumed.due_at == at("2025-01-14 10:30")
    assert resumed.escalation.next_at == at("2025-01-14 10:30")
    assert (resumed.paused_at, resumed.paused_resolution_minutes) == (None, None)


def test_a_pause_before_the_first_response_keeps_the_response_time_too(desk):
    RequestTypeTransition.objects.create(
        request_type=desk.request_type,
        from_status=Status.REGISTERED,
        to_status=Status.WAITING_CUSTOMER,
    )
    request = register(desk, "2025-01-06 09:00")

    services.request_transition(
        request=request,
        to_status=Status.WAITING_CUSTOMER,
        user=desk.agent,
        now=at("2025-01-06 09:20"),
    )

    # Asking the customer for something is a response: only the resolution clock is kept.
    paused = reloaded(request)
    assert paused.responded_at == at("2025-01-06 09:20")
    assert paused.paused_resolution_minutes == 460
    services.request_transition(
        request=request, to_status=Status.IN_WORK, user=desk.agent, now=at("2025-01-07 09:00")
    )
    assert reloaded(request).due_at == at("2025-01-07 16:40")


def test_work_resumed_outside_business_hours_counts_from_the_next_opening(desk):
    request = start_work(register(desk, "2025-01-06 09:00"), desk, at("2025-01-06 09:10"))
    services.request_transition(
        request=request,
        to_status=Status.WAITING_CUSTOMER,
        user=desk.agent,
        now=at("2025-01-06 16:00"),
    )  # 60 minutes left of 480

    services.request_transition(
        request=request, to_status=Status.IN_WORK, user=desk.agent, now=at("2025-01-11 12:00")
    )  # a Saturday

    assert reloaded(request).due_at == at("2025-01-13 10:00")


@pytest.mark.parametrize("first_response", ["public message", "in work"])
def test_the_first_response_moves_the_due_time_to_the_resolution_deadline(desk, first_response):
    request = register(desk, "2025-01-06 09:00")
    assert reloaded(request).due_at == at("2025-01-06 10:00")

    if first_response == "public message":
        services.message_post(
            request=request, body="We are on it.", author=desk.agent, now=at("2025-01-06 09:20")
        )
    else:
        start_work(request, desk, at("2025-01-06 09:20"))

    request = reloaded(request)
    assert request.responded_at == at("2025-01-06 09:20")
    assert request.due_at == request.escalation.next_at == at("2025-01-06 17:00")


def test_an_internal_note_is_no_response(desk):
    request = register(desk, "2025-01-06 09:00")
    services.message_post(
        request=request, body="Call back later.", author=desk.agent, internal=True
    )
    request = reloaded(request)
    assert request.responded_at is None
    assert request.due_at == at("2025-01-06 10:00")


@pytest.mark.parametrize("end", [Status.CLOSED, Status.CANCELLED])
def test_closing_or_cancelling_clears_the_due_time(desk, end):
    request = bring_to(register(desk), end, desk)
    request = reloaded(request)
    assert (request.is_open, request.due_at, request.escalation.next_at) == (False, None, None)
    assert request.closed_at is not None


@pytest.mark.parametrize("how", ["dispute", "reopen"])
def test_a_dispute_or_a_reopening_starts_a_new_resolution_clock(desk, how):
    request = start_work(register(desk, "2025-01-06 09:00"), desk, at("2025-01-06 09:10"))
    request = decide(request, desk, at("2025-01-06 12:00"))
    if how == "dispute":
        services.request_dispute(request=request, claim="No.", now=at("2025-01-07 09:00"))
    else:
        services.request_confirm(request=request, now=at("2025-01-06 13:00"))
        services.request_reopen(
            request=request, user=desk.agent, reason="Again.", now=at("2025-01-07 09:00")
        )

    request = reloaded(request)
    assert request.resolution_due_at == at("2025-01-07 17:00")
    assert request.due_at == request.escalation.next_at == at("2025-01-07 17:00")
    assert request.escalation.level == 0


# --- Escalation ---------------------------------------------------------------------------------


@pytest.fixture
def heads(network) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """A head in every unit from outlet A up to headquarters."""
    return {
        name: make_user("unit_head", getattr(network, name))
        for name in ("outlet_a", "centre", "region", "hq")
    }


def escalations(request: ServiceRequest) -> list[tuple[int, User | None, Unit | None]]:
    return [(e.level, e.target_user, e.target_unit) for e in events(request, EventKind.ESCALATED)]


def test_an_overdue_request_climbs_the_tree_one_step_at_a_time(desk, network, heads):
    request = register(desk, "2025-01-06 09:00")  # respond by 10:00, a step is 30 minutes

    assert services.escalate_overdue(now=at("2025-01-06 09:59")) == 0
    assert escalations(request) == []

    assert services.escalate_overdue(now=at("2025-01-06 10:00")) == 1
    assert services.escalate_overdue(now=at("2025-01-06 10:00")) == 0  # a second run: nothing
    assert services.escalate_overdue(now=at("2025-01-06 10:29")) == 0
    after_first = reloaded(request)
    assert after_first.escalation.level == 1
    assert after_first.escalation.next_at == at("2025-01-06 10:30")

    for minute in ("10:30", "11:00", "11:30", "12:00"):
        assert services.escalate_overdue(now=at(f"2025-01-06 {minute}")) == 1
    assert services.escalate_overdue(now=at("2025-01-08 12:00")) == 0  # the root was the top

    assert escalations(request) == [
        (1, desk.agent, network.outlet_a),
        (2, heads["outlet_a"], network.outlet_a),
        (3, heads["centre"], network.centre),
        (4, heads["region"], network.region),
        (5, heads["hq"], network.hq),
    ]
    request = reloaded(request)
    assert (request.escalation.level, request.escalation.next_at) == (5, None)
    assert request.status == Status.REGISTERED  # escalation changes who knows, not the status
    for person in [desk.agent, *heads.values()]:
        [told] = notifications(person, "requests_escalated")
        assert told.title == "1 overdue request(s) escalated to you"
        assert told.body == request.number
        assert told.url == "/requests/queue/?view=overdue"


def test_a_unit_without_a_head_is_a_step_nobody_hears(desk, network):
    centre_head = make_user("unit_head", network.centre)
    request = register(desk, "2025-01-06 09:00")
    for minute in ("10:00", "10:30", "11:00"):
        services.escalate_overdue(now=at(f"2025-01-06 {minute}"))
    assert escalations(request) == [
        (1, desk.agent, network.outlet_a),
        (2, None, network.outlet_a),
        (3, centre_head, network.centre),
    ]


def test_an_unassigned_request_escalates_straight_to_the_head(desk, network):
    customer = make_customer(network.outlet_b)  # nobody at outlet B may work on requests
    request = register(desk, "2025-01-06 09:00", customer=customer)
    assert reloaded(request).responsible is None
    head = make_user("unit_head", network.outlet_b)

    services.escalate_overdue(now=at("2025-01-06 10:00"))

    assert escalations(request) == [(2, head, network.outlet_b)]
    assert reloaded(request).escalation.next_at == at("2025-01-06 10:30")


def test_each_person_hears_once_per_sweep(desk):
    first = register(desk, "2025-01-06 09:00")
    second = register(desk, "2025-01-06 08:00")

    # Batches of one: the digest still comes once, after the whole sweep.
    assert services.escalate_overdue(now=at("2025-01-06 10:00"), batch_size=1) == 2

    [told] = notifications(desk.agent, "requests_escalated")
    assert told.title == "2 overdue request(s) escalated to you"
    assert set(told.body.split(", ")) == {first.number, second.number}


def test_the_step_comes_from_the_policy(desk, heads):
    desk.policy.escalation_step_minutes = 120
    desk.policy.save()
    request = register(desk, "2025-01-06 09:00")
    services.escalate_overdue(now=at("2025-01-06 10:00"))
    assert services.escalate_overdue(now=at("2025-01-06 11:59")) == 0
    assert services.escalate_overdue(now=at("2025-01-06 12:00")) == 1
    assert reloaded(request).escalation.level == 2


def test_a_paused_request_never_escalates(desk, heads):
    request = start_work(register(desk, "2025-01-06 09:00"), desk, at("2025-01-06 09:10"))
    services.request_transition(
        request=request,
        to_status=Status.WAITING_CUSTOMER,
        user=desk.agent,
        now=at("2025-01-06 09:30"),
    )
    assert services.escalate_overdue(now=at("2025-02-28 12:00")) == 0
    assert escalations(request) == []


def test_a_pause_stops_an_escalation_under_way_and_resuming_late_goes_on(desk, heads, network):
    request = start_work(register(desk, "2025-01-06 09:00"), desk, at("2025-01-06 09:10"))
    services.escalate_overdue(now=at("2025-01-06 17:00"))  # the resolution deadline passed
    services.request_transition(
        request=request,
        to_status=Status.WAITING_CUSTOMER,
        user=desk.agent,
        now=at("2025-01-06 17:10"),
    )

    assert services.escalate_overdue(now=at("2025-01-08 12:00")) == 0

    services.message_post(
        request=request,
        body="Here is the photo.",
        source=RequestMessage.Source.EMAIL,
        now=at("2025-01-08 10:00"),
    )
    resumed = reloaded(request)
    assert resumed.due_at == at("2025-01-08 10:00")  # no time was left
    assert resumed.escalation.next_at == at("2025-01-08 10:30")
    services.escalate_overdue(now=at("2025-01-08 10:30"))
    assert escalations(request) == [
        (1, desk.agent, network.outlet_a),
        (2, heads["outlet_a"], network.outlet_a),
    ]


def test_a_late_first_response_ends_the_breach(desk, heads):
    request = register(desk, "2025-01-06 09:00")
    services.escalate_overdue(now=at("2025-01-06 10:00"))  # the response was due

    services.message_post(
        request=request, body="Sorry for the wait.", author=desk.agent, now=at("2025-01-06 10:10")
    )

    request = reloaded(request)
    assert (request.escalation.level, request.escalation.next_at) == (0, at("2025-01-06 17:00"))
    assert services.escalate_overdue(now=at("2025-01-06 10:30")) == 0
    assert services.escalate_overdue(now=at("2025-01-06 17:00")) == 1
    assert [level for level, _person, _unit in escalations(request)] == [1, 1]


def test_finished_requests_do_not_escalate(desk, heads):
    request = bring_to(register(desk, "2025-01-06 09:00"), Status.CANCELLED, desk)
    assert services.escalate_overdue(now=at("2025-01-08 12:00")) == 0
    assert escalations(request) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_step_waits_for_the_sweep_holding_its_request_and_keeps_the_level_it_wrote(desk, heads):
    """The sweep locks escalation rows, then writes events that refer to their requests (a key
    share lock on each); a step on one of those requests locks the request, then its escalation.
    Neither may deadlock, and the step must see the level the sweep wrote, not overwrite it."""
    request = start_work(register(desk, "2025-01-06 09:00"), desk, at("2025-01-06 09:10"))
    now = at("2025-01-07 12:00")
    sweep_holds, errors = threading.Event(), []

    def sweep() -> None:
        try:
            with transaction.atomic():
                # What escalate_overdue does with a batch: lock the rows, write the events.
                RequestEscalation.objects.select_for_update(skip_locked=True).get(pk=request.pk)
                sweep_holds.set()
                with connection.cursor() as cursor:
                    for _ in range(100):  # until the step waits for our lock
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
                services._write_escalations(
                    [(request.pk, desk.agent.pk, request.unit_id, 1)],
                    {(1, now + dt.timedelta(minutes=30)): [request.pk]},
                    now=now,
                    reason="overdue",
                )
        except BaseException as error:  # noqa: BLE001 — reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    def pause() -> None:
        try:
            sweep_holds.wait(5)
            services.request_transition(
                request=request, to_status=Status.WAITING_CUSTOMER, user=desk.agent, now=now
            )
        except BaseException as error:  # noqa: BLE001 — reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep), threading.Thread(target=pause)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    paused = reloaded(request)
    assert paused.status == Status.WAITING_CUSTOMER
    assert (paused.escalation.level, paused.escalation.next_at) == (1, None)
    assert escalations(request) == [(1, desk.agent, request.unit)]


# --- Conversation and files ---------------------------------------------------------------------


def test_a_public_staff_message_is_mailed_to_the_customer_threaded(desk, committed, mailoutbox):
    request = register(desk)
    mailoutbox.clear()

    with committed():
        message = services.message_post(request=request, body="We come at 3 pm.", author=desk.agent)

    assert (message.is_internal, message.source) == (False, RequestMessage.Source.STAFF)
    [mail] = mailoutbox
    assert mail.to == ["acme@example.com"]
    assert mail.subject == f"[{request.number}-{request.reply_token}] A reply on your request"
    assert mail.body == "We come at 3 pm."
    message_id = mail.message()["Message-ID"]
    assert message_id.startswith(f"<{request.number}.{request.reply_token}.")
    assert mail.message()["Auto-Submitted"] == "auto-generated"


def test_an_internal_note_is_not_sent_to_the_customer(desk, committed, mailoutbox):
    request = register(desk)
    mailoutbox.clear()
    with committed():
        services.message_post(
            request=request, body="Customer sounds angry.", author=desk.agent, internal=True
        )
    assert mailoutbox == []


def test_the_customer_cannot_write_internal_notes(desk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.message_post(
            request=register(desk), body="x", source=RequestMessage.Source.PORTAL, internal=True
        )


def test_a_customer_message_tells_the_responsible_and_resumes_work(desk):
    request = start_work(register(desk), desk)
    services.request_transition(request=request, to_status=Status.WAITING_CUSTOMER, user=desk.agent)

    services.message_post(
        request=request, body="Photo attached.", source=RequestMessage.Source.PORTAL
    )

    assert reloaded(request).status == Status.IN_WORK
    resumed = events(request).pop()
    assert (resumed.from_status, resumed.to_status, resumed.reason) == (
        Status.WAITING_CUSTOMER,
        Status.IN_WORK,
        "The customer replied.",
    )
    [told] = notifications(desk.agent, "request_message")
    assert told.body == "Photo attached."


def test_an_empty_message_is_refused(desk):
    with pytest.raises(ValidationError) as refused:
        services.message_post(request=register(desk), body="  ", author=desk.agent)
    assert refused.value.message_dict == {"body": ["Write a message or attach a file."]}


def test_a_file_over_the_limit_is_refused_by_name_and_nothing_is_kept(
    desk, settings, private_files
):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    request = register(desk)
    photo = SimpleUploadedFile("photo.jpg", b"\xff" * 10, content_type="image/jpeg")
    video = SimpleUploadedFile("客厅 video.mp4", b"0" * (3 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError) as refused:
        services.message_post(
            request=request,
            body="Two files.",
            author=desk.agent,
            files=[services.NewFile("photo.jpg", photo), services.NewFile("客厅 video.mp4", video)],
        )

    assert refused.value.message_dict == {
        "files": ["“客厅 video.mp4” is 3.0 MB; files of up to 1 MB are accepted."]
    }
    assert not RequestMessage.objects.filter(request=request).exists()
    assert not Attachment.objects.filter(request=request).exists()
    assert not any(path.is_file() for path in private_files.rglob("*"))


def test_a_limit_under_a_megabyte_is_said_as_it_is(desk, settings, private_files):
    settings.ATTACHMENT_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile("scan.pdf", b"0" * (200 * 1024))
    with pytest.raises(ValidationError) as refused:
        services.message_post(
            request=register(desk), body="Scan.", files=[services.NewFile("scan.pdf", big)]
        )
    assert refused.value.messages == ["“scan.pdf” is 0.2 MB; files of up to 0.1 MB are accepted."]


def test_a_file_within_the_limit_is_kept_privately_under_a_neutral_name(desk, private_files):
    request = register(desk)
    content = SimpleUploadedFile("<script>.html", b"<p>hi</p>", content_type="text/html")

    message = services.message_post(
        request=request,
        body="",
        author=desk.agent,
        files=[services.NewFile("<script>.html", content)],
    )

    [attachment] = message.attachments.all()
    assert (attachment.original_name, attachment.size, attachment.request) == (
        "<script>.html",
        9,
        request,
    )
    assert "script" not in attachment.file.name
    assert (private_files / attachment.file.name).read_bytes() == b"<p>hi</p>"


def test_a_required_file_question_needs_a_file(desk, private_files):
    request_type = make_request_type(name="Warranty claim")
    request_type.fields.create(key="receipt", label="Receipt", kind="file", required=True)
    with pytest.raises(ValidationError) as refused:
        register(desk, request_type=request_type)
    assert refused.value.message_dict == {"receipt": ["Attach a file."]}

    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4")
    request = register(
        desk,
        request_type=request_type,
        files=[services.NewFile("receipt.pdf", receipt, field_key="receipt")],
    )
    assert request.attachments.get().field_key == "receipt"


# --- Languages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "zh-hans"])
def test_the_customer_hears_in_their_language(desk, committed, mailoutbox, language):
    desk.customer.language = language
    desk.customer.save()

    with committed():
        request = register(desk)

    [mail] = [mail for mail in mailoutbox if mail.to == ["acme@example.com"]]
    with translation.override(language):
        expected = translation.gettext("Your request is registered")
    assert reloaded(request).customer_language == language
    assert mail.subject == f"{request.thread_tag} {expected}"


def test_staff_hear_in_their_own_language(desk, committed, mailoutbox):
    desk.agent.preferred_language = "zh-hans"
    desk.agent.save()
    with committed():
        request = register(desk)
    [to_agent] = [mail for mail in mailoutbox if mail.to == ["agent@example.com"]]
    with translation.override("zh-hans"):
        expected = translation.gettext("Request %(number)s is assigned to you") % {
            "number": request.number
        }
    assert to_agent.subject == expected
    assert to_agent.body.endswith(f"/requests/{request.pk}/\n")


def test_nothing_is_mailed_when_the_step_is_rolled_back(desk, committed, mailoutbox):
    request = start_work(register(desk), desk)
    mailoutbox.clear()
    with committed(), pytest.raises(ValidationError):
        services.request_decide(request=request, decision=desk.decision, result="", user=None)
    assert mailoutbox == []


# --- Registration -------------------------------------------------------------------------------


def test_registration_records_the_request_and_acknowledges_it(desk, committed, mailoutbox):
    with committed():
        request = register(desk, subject="  Noisy\nfan  ", registered_by=desk.agent)

    request = reloaded(request)
    assert request.subject == "Noisy fan"
    assert (request.status, request.is_open, request.unit, request.responsible) == (
        Status.REGISTERED,
        True,
        desk.unit,
        desk.agent,
    )
    assert request.customer_email == "acme@example.com"
    [registered] = events(request)
    assert (registered.kind, registered.target_user, registered.reason) == (
        EventKind.REGISTERED,
        desk.agent,
        "responsible",
    )
    [ack] = mailoutbox
    assert ack.subject == f"{request.thread_tag} Your request is registered"
    assert request.number in ack.body


def test_registration_writes_in_one_statement_the_rows_the_orm_writes(desk, monkeypatch):
    """On PostgreSQL a registration's four rows are one statement
    (services._insert_registered_at_once); they must be the rows the ORM's saves write."""
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    # As simple_history's middleware leaves it during a request: who is acting.
    acting = RequestFactory().post("/")
    acting.user = desk.agent
    monkeypatch.setattr(HistoricalRecords.context, "request", acting, raising=False)

    def written(request: ServiceRequest) -> list[dict[str, object]]:
        history = ServiceRequest.history.model
        unlike = {"id", "request", "request_id", "reply_token", "history_id", "history_date"}

        def row(model, **where):  # type: ignore[no-untyped-def]
            [values] = model.objects.filter(**where).values()
            return {k: v for k, v in values.items() if k not in unlike}

        return [
            row(ServiceRequest, pk=request.pk),
            row(RequestEscalation, pk=request.pk),
            row(history, id=request.pk),
            row(RequestEvent, request=request),
        ]

    def registered(label: str) -> ServiceRequest:
        request = register(desk, subject="Noisy fan", registered_by=desk.agent, answers={})
        assert request.pk and not request._state.adding, label
        assert request.escalation.request_id == request.pk
        return request

    as_configured = registered("PostgreSQL: one statement; elsewhere the ORM")
    monkeypatch.setattr(services, "_insert_registered", services._insert_registered_by_orm)
    by_orm = registered("the ORM")

    assert written(as_configured) == written(by_orm)
    history = written(by_orm)[2]
    assert (history["history_type"], history["history_user_id"]) == ("+", desk.agent.pk)
    assert as_configured.history.count() == 1  # simple_history did not write it again
    assert reloaded(as_configured).number == as_configured.number


def test_on_postgresql_a_registrations_insert_is_prepared_on_its_connection(desk):
    """Parsing and planning a registration's statements took more of PostgreSQL's CPU than
    running them (bench README, finding 31): the second registration on a connection runs
    the insert prepared, with its values as parameters."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements")

    def prepared_inserts() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [
                text
                for (text,) in cursor.fetchall()
                if 'INSERT INTO "service_requests_servicerequest"' in text
            ]

    register(desk, subject="Noisy fan", registered_by=desk.agent, answers={})
    assert prepared_inserts() == []  # once on this connection: not worth preparing
    register(desk, subject="Noisy fan, again", registered_by=desk.agent, answers={})
    third = register(desk, subject="Still noisy", registered_by=desk.agent, answers={})

    [insert] = prepared_inserts()
    assert "Noisy" not in insert and "$1" in insert
    assert reloaded(third).subject == "Still noisy"


def test_registration_refuses_bad_input_with_every_reason(desk, network):
    stranger = make_customer(network.outlet_b)
    contact = stranger.contacts.create(name="Someone else")
    desk.request_type.is_active = False
    desk.request_type.save()

    with pytest.raises(ValidationError) as refused:
        register(desk, subject=" \n ", channel="pigeon", contact=contact, priority=9)

    assert refused.value.message_dict == {
        "request_type": ["This request type is no longer in use."],
        "channel": ["Choose a channel."],
        "priority": ["Choose a priority."],
        "subject": ["Say in a few words what the request is about."],
        "contact": ["This contact belongs to another customer."],
    }
    assert not ServiceRequest.objects.exists()


def test_request_register_takes_the_same_queries_whatever_the_data_size(desk, network):
    def queries_for_one_more() -> int:
        customer = make_customer(network.outlet_a, responsible=desk.agent)
        Email.objects.create(customer=customer, address=f"c{customer.pk}@example.com")
        with CaptureQueriesContext(connection) as queries:
            register(desk, customer=customer)
        return len(queries)

    register(desk)  # warm the caches (content types, …)
    with_one = queries_for_one_more()
    for _ in range(28):
        queries_for_one_more()
    with_thirty = queries_for_one_more()

    assert ServiceRequest.objects.count() == 31
    assert with_one == with_thirty
