"""The rules behind a request: who handles it, which SLA policy applies, what the type allows,
whose heads hear, and the agents' queues."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from aftersales.accounts.tests.factories import make_user
from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.core import configuration
from aftersales.core.scoping import scope_paths
from aftersales.customers.models import Address, Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.organisation.tests.factories import make_unit
from aftersales.service_requests import selectors, services
from aftersales.service_requests.models import (
    Priority,
    RoutingRule,
    ServiceRequest,
    Skill,
    Status,
)
from aftersales.service_requests.tests.factories import (
    make_request_type,
    make_service_request,
    make_sla_policy,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def open_requests_for(user, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` open requests with `user` responsible (their load)."""
    for _ in range(count):
        customer = make_customer(user.unit, responsible=user)
        make_service_request(customer)


def customer_in_region(unit, region):  # type: ignore[no-untyped-def]
    customer = make_customer(unit)
    Address.objects.create(customer=customer, region=region, text="1 Nanjing Road")
    return customer


# --- Assignment: the customer's specialist ------------------------------------------------------


def test_the_customers_responsible_specialist_gets_the_request_wherever_they_work(network):
    make_user("technician", network.outlet_a)
    specialist = make_user("technician", network.outlet_b)
    customer = make_customer(network.outlet_a, responsible=specialist)

    assignment = selectors.choose_assignment(customer, make_request_type())

    assert assignment == selectors.Assignment(network.outlet_b, specialist, "responsible")


@pytest.mark.parametrize("why", ["no work permission", "inactive"])
def test_a_specialist_who_may_not_work_on_requests_is_passed_over(network, why):
    technician = make_user("technician", network.outlet_a)
    if why == "inactive":
        specialist = make_user("technician", network.outlet_a, is_active=False)
    else:
        specialist = make_user("storekeeper", network.outlet_a)
    customer = make_customer(network.outlet_a, responsible=specialist)

    assignment = selectors.choose_assignment(customer, make_request_type())

    assert assignment == selectors.Assignment(network.outlet_a, technician, "load")


# --- Assignment: region and skill ----------------------------------------------------------------


def test_a_routing_rule_sends_the_customers_region_to_its_unit(network):
    worker_b = make_user("technician", network.outlet_b)
    make_user("technician", network.outlet_a)
    RoutingRule.objects.create(region=network.region, handling_unit=network.outlet_b)
    customer = customer_in_region(network.outlet_a, network.region)

    assignment = selectors.choose_assignment(customer, make_request_type())

    assert assignment == selectors.Assignment(network.outlet_b, worker_b, "region")


def test_a_rule_for_a_wider_region_covers_the_regions_inside_it(network):
    worker_b = make_user("technician", network.outlet_b)
    RoutingRule.objects.create(region=network.hq, handling_unit=network.outlet_b)
    customer = customer_in_region(network.outlet_a, network.region)

    assert selectors.choose_assignment(customer, make_request_type()).responsible == worker_b


def test_the_nearer_region_wins_over_the_wider_one(network):
    make_user("technician", network.outlet_a)
    worker_b = make_user("technician", network.outlet_b)
    RoutingRule.objects.create(region=network.hq, handling_unit=network.outlet_a)
    RoutingRule.objects.create(region=network.region, handling_unit=network.outlet_b)
    customer = customer_in_region(network.outlet_a, network.region)

    assert selectors.choose_assignment(customer, make_request_type()).responsible == worker_b


def test_the_rules_order_comes_first(network):
    worker_a = make_user("technician", network.outlet_a)
    make_user("technician", network.outlet_b)
    RoutingRule.objects.create(region=network.hq, handling_unit=network.outlet_a, order=1)
    RoutingRule.objects.create(region=network.region, handling_unit=network.outlet_b, order=2)
    customer = customer_in_region(network.outlet_b, network.region)

    assert selectors.choose_assignment(customer, make_request_type()).responsible == worker_a


@pytest.mark.parametrize(
    ("type_skill", "expected_unit"),
    [("air conditioners", "outlet_b"), (None, "outlet_a"), ("boilers", "outlet_a")],
)
def test_a_skill_rule_takes_the_types_needing_that_skill(network, type_skill, expected_unit):
    air_conditioners = Skill.objects.create(name="air conditioners")
    Skill.objects.create(name="boilers")
    make_user("technician", network.outlet_a)
    make_user("technician", network.outlet_b)
    RoutingRule.objects.create(region=network.region, handling_unit=network.outlet_a)
    RoutingRule.objects.create(
        region=network.region, skill=air_conditioners, handling_unit=network.outlet_b
    )
    customer = customer_in_region(network.outlet_a, network.region)
    request_type = make_request_type(
        skill=Skill.objects.get(name=type_skill) if type_skill else None
    )

    assignment = selectors.choose_assignment(customer, request_type)

    assert assignment.unit == getattr(network, expected_unit)


def test_a_rule_to_a_closed_unit_is_skipped(network):
    worker_a = make_user("technician", network.outlet_a)
    network.outlet_b.is_active = False
    network.outlet_b.save()
    RoutingRule.objects.create(region=network.region, handling_unit=network.outlet_b)
    customer = customer_in_region(network.outlet_a, network.region)

    assert selectors.choose_assignment(customer, make_request_type()) == selectors.Assignment(
        network.outlet_a, worker_a, "load"
    )


def test_without_a_rule_the_customers_own_unit_handles_it(network):
    worker_a = make_user("technician", network.outlet_a)
    customer = customer_in_region(network.outlet_a, network.region)

    assert selectors.choose_assignment(customer, make_request_type()) == selectors.Assignment(
        network.outlet_a, worker_a, "load"
    )


# --- Assignment: within the unit -----------------------------------------------------------------


def test_in_the_unit_the_one_with_the_skill_gets_it_even_when_busier(network):
    make_user("technician", network.outlet_a)
    skilled = make_user("technician", network.outlet_a)
    skill = Skill.objects.create(name="air conditioners")
    skill.members.add(skilled)
    open_requests_for(skilled, 2)

    assignment = selectors.choose_assignment(
        make_customer(network.outlet_a), make_request_type(skill=skill)
    )

    assert assignment.responsible == skilled


def test_when_nobody_has_the_skill_anyone_in_the_unit_gets_it(network):
    busy = make_user("technician", network.outlet_a)
    free = make_user("technician", network.outlet_a)
    open_requests_for(busy, 1)
    skill = Skill.objects.create(name="air conditioners")
    skill.members.add(make_user("technician", network.outlet_b))  # skilled, but elsewhere

    assignment = selectors.choose_assignment(
        make_customer(network.outlet_a), make_request_type(skill=skill)
    )

    assert assignment == selectors.Assignment(network.outlet_a, free, "load")


def test_the_least_loaded_gets_it_and_finished_requests_do_not_count(network):
    first = make_user("technician", network.outlet_a)
    second = make_user("technician", network.outlet_a)
    open_requests_for(first, 1)
    open_requests_for(second, 2)
    for request in ServiceRequest.objects.filter(responsible=second):
        services.request_transition(
            request=request, to_status=Status.CANCELLED, user=None, reason="Duplicate."
        )

    assignment = selectors.choose_assignment(make_customer(network.outlet_a), make_request_type())

    assert assignment.responsible == second  # 0 open against 1


def test_a_tie_goes_to_the_longest_serving_account(network):
    senior = make_user("technician", network.outlet_a)
    junior = make_user("technician", network.outlet_a)
    open_requests_for(senior, 1)
    open_requests_for(junior, 1)

    assignment = selectors.choose_assignment(make_customer(network.outlet_a), make_request_type())

    assert assignment.responsible == senior


def test_when_everyone_is_busy_the_one_with_the_fewest_open_requests_gets_it(network):
    busier = make_user("technician", network.outlet_a)
    less_busy = make_user("technician", network.outlet_a)
    open_requests_for(busier, 2)
    open_requests_for(less_busy, 1)

    assignment = selectors.choose_assignment(make_customer(network.outlet_a), make_request_type())

    assert assignment == selectors.Assignment(network.outlet_a, less_busy, "load")


def test_among_the_idle_the_skilled_come_first_then_the_longest_serving(network):
    make_user("technician", network.outlet_a)  # idle, the most senior, but without the skill
    busy_skilled = make_user("technician", network.outlet_a)
    first_idle_skilled = make_user("technician", network.outlet_a)
    later_idle_skilled = make_user("technician", network.outlet_a)
    skill = Skill.objects.create(name="air conditioners")
    skill.members.add(busy_skilled, later_idle_skilled, first_idle_skilled)
    open_requests_for(busy_skilled, 1)

    assignment = selectors.choose_assignment(
        make_customer(network.outlet_a), make_request_type(skill=skill)
    )

    assert assignment.responsible == first_idle_skilled


def test_when_the_skilled_are_all_busy_the_least_busy_of_them_gets_it(network):
    make_user("technician", network.outlet_a)  # idle, without the skill
    busier = make_user("technician", network.outlet_a)
    less_busy = make_user("technician", network.outlet_a)
    skill = Skill.objects.create(name="air conditioners")
    skill.members.add(busier, less_busy)
    open_requests_for(busier, 3)
    open_requests_for(less_busy, 2)

    assignment = selectors.choose_assignment(
        make_customer(network.outlet_a), make_request_type(skill=skill)
    )

    assert assignment.responsible == less_busy


def test_those_who_may_not_work_on_requests_are_never_picked(network):
    make_user("storekeeper", network.outlet_a)
    make_user("technician", network.outlet_a, is_active=False)
    make_user("technician", network.outlet_b)

    assignment = selectors.choose_assignment(make_customer(network.outlet_a), make_request_type())

    assert assignment == selectors.Assignment(network.outlet_a, None, "unit")


def test_a_position_given_or_refused_the_work_counts_from_the_next_request_on(network):
    storekeeper = make_user("storekeeper", network.outlet_a)
    work = Permission.objects.get(
        content_type__app_label=selectors.WORK_PERMISSION[0],
        codename=selectors.WORK_PERMISSION[1],
    )
    customer = make_customer(network.outlet_a)
    assert selectors.choose_assignment(customer, make_request_type()).responsible is None

    storekeeper.position.permissions.add(work)
    assert selectors.choose_assignment(customer, make_request_type()).responsible == storekeeper

    storekeeper.position.permissions.remove(work)
    assert selectors.choose_assignment(customer, make_request_type()).responsible is None


def test_nobody_to_work_leaves_the_request_unassigned_in_the_units_queue(network):
    request = make_service_request(make_customer(network.outlet_b))
    assert (request.unit, request.responsible) == (network.outlet_b, None)
    assert request.events.get().reason == "unit"


# --- SLA policy ----------------------------------------------------------------------------------


_contract_numbers = itertools.count(1)


def contract(customer, level, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("number", f"SC-{next(_contract_numbers)}")
    fields.setdefault("status", ContractStatus.ACTIVE)
    fields.setdefault("valid_from", dt.date(2024, 1, 1))
    return ServiceContract.objects.create(
        customer=customer, title="Care", service_level=level, **fields
    )


def test_the_most_specific_policy_applies(db):
    repair = make_request_type()
    general = make_sla_policy(name="Everyone")
    by_priority = make_sla_policy(name="Urgent", priority=Priority.URGENT)
    by_level = make_sla_policy(name="Premium", service_level=ServiceLevel.PREMIUM)
    by_type = make_sla_policy(name="Repairs", request_type=repair)
    make_sla_policy(name="Other type", request_type=make_request_type())
    make_sla_policy(name="Switched off", request_type=repair, is_active=False)

    def policy(priority=Priority.NORMAL, level=""):  # type: ignore[no-untyped-def]
        return selectors.sla_policy_for(repair, priority, level)

    assert policy(Priority.URGENT, ServiceLevel.PREMIUM) == by_type
    by_type.delete()
    assert policy(Priority.URGENT, ServiceLevel.PREMIUM) == by_level
    assert policy(Priority.URGENT) == by_priority
    assert policy(Priority.NORMAL, ServiceLevel.STANDARD) == general
    general.delete()
    assert policy() is None


def test_type_and_level_together_beat_type_alone(db):
    repair = make_request_type()
    make_sla_policy(name="Repairs", request_type=repair)
    both = make_sla_policy(
        name="Premium repairs", request_type=repair, service_level=ServiceLevel.PREMIUM
    )
    assert selectors.sla_policy_for(repair, Priority.NORMAL, ServiceLevel.PREMIUM) == both


def test_the_contract_in_force_gives_the_level(network):
    customer = make_customer(network.outlet_a)
    on = dt.date(2025, 1, 6)

    def in_force():  # type: ignore[no-untyped-def]
        facts = selectors.customer_facts(customer, on)
        return facts.contract_id, facts.service_level

    assert in_force() == (None, "")

    contract(customer, ServiceLevel.PREMIUM, status=ContractStatus.DRAFT)
    contract(customer, ServiceLevel.PREMIUM, valid_to=dt.date(2024, 12, 31))
    contract(customer, ServiceLevel.PREMIUM, valid_from=dt.date(2025, 1, 7))
    contract(make_customer(network.outlet_a), ServiceLevel.PREMIUM)
    standard = contract(customer, ServiceLevel.STANDARD)
    assert in_force() == (standard.pk, ServiceLevel.STANDARD)

    priority = contract(customer, ServiceLevel.PRIORITY, valid_to=on)
    assert in_force() == (priority.pk, ServiceLevel.PRIORITY)


def test_a_customers_facts_read_with_the_customer_are_those_read_alone(
    network, django_assert_num_queries
):
    customer = make_customer(network.outlet_a)
    on = dt.date(2025, 1, 6)
    premium = contract(customer, ServiceLevel.PREMIUM)
    Address.objects.create(customer=customer, text="No region")
    Address.objects.create(customer=customer, text="Pudong", region=network.region)
    Email.objects.create(customer=customer, address="first@example.com")
    Email.objects.create(customer=customer, address="second@example.com")

    alone = selectors.customer_facts(customer, on)
    assert alone == selectors.CustomerFacts(
        on, premium.pk, ServiceLevel.PREMIUM, network.region.path, "first@example.com"
    )
    read = selectors.with_customer_facts(Customer.objects.filter(pk=customer.pk), on).get()
    with django_assert_num_queries(0):
        assert selectors.customer_facts(read, on) == alone
    # Read for another day, they are read again for this one.
    other_day = selectors.with_customer_facts(
        Customer.objects.filter(pk=customer.pk), dt.date(2020, 1, 1)
    ).get()
    assert selectors.customer_facts(other_day, on) == alone


def test_an_agent_registers_only_for_customers_they_see_each_read_with_its_facts(
    network, django_assert_num_queries
):
    on = dt.date(2025, 1, 6)
    agent = make_user("technician", network.outlet_a)
    ours, also_ours = make_customer(network.outlet_a), make_customer(network.outlet_a)
    premium = contract(also_ours, ServiceLevel.PREMIUM)
    elsewhere = make_customer(network.outlet_b)

    scope_paths(agent)  # as authentication leaves the user
    for customer in (ours, also_ours):
        facts = selectors.customer_facts(customer, on)
        with django_assert_num_queries(1):
            read = selectors.customer_to_register_for(agent, customer.pk, on)
            assert read == customer
            assert read.unit == network.outlet_a  # read with the customer
            assert selectors.customer_facts(read, on) == facts
    assert facts.contract_id == premium.pk
    assert selectors.customer_to_register_for(agent, elsewhere.pk, on) is None
    assert selectors.customer_to_register_for(agent, 2**63, on) is None


def test_a_request_carries_its_contract_and_the_policy_of_its_level(network):
    customer = make_customer(network.outlet_a)
    premium = contract(customer, ServiceLevel.PREMIUM)
    make_sla_policy(name="Everyone")
    fast = make_sla_policy(name="Premium", service_level=ServiceLevel.PREMIUM)

    request = make_service_request(customer, now=MONDAY_9)

    assert (request.contract, request.sla_policy) == (premium, fast)


def test_a_request_takes_its_types_default_priority(network):
    request_type = make_request_type(default_priority=Priority.HIGH)
    urgent = make_sla_policy(name="High", priority=Priority.HIGH)
    request = make_service_request(make_customer(network.outlet_a), request_type=request_type)
    assert (request.priority, request.sla_policy) == (Priority.HIGH, urgent)


# --- What the type allows, who hears -----------------------------------------------------------


def test_the_allowed_next_statuses_follow_the_type_in_status_order(network):
    request = make_service_request(make_customer(network.outlet_a))
    assert selectors.allowed_targets(request) == [Status.IN_WORK, Status.CANCELLED]
    request.status = Status.DONE
    assert selectors.allowed_targets(request) == [Status.DISPUTED, Status.CLOSED]


def test_the_nearest_heads_up_the_tree(network):
    assert selectors.nearest_heads(network.outlet_a) == (network.outlet_a, [])
    hq_head = make_user("unit_head", network.hq)
    assert selectors.nearest_heads(network.outlet_a) == (network.hq, [hq_head])
    centre_heads = [make_user("unit_head", network.centre) for _ in range(2)]
    make_user("unit_head", network.centre, is_active=False)
    make_user("unit_head", network.outlet_b)  # a sibling, not above
    assert selectors.nearest_heads(network.outlet_a) == (network.centre, centre_heads)


# --- Queues ------------------------------------------------------------------------------------


def test_the_queues_show_open_requests_by_due_time(network):
    agent = make_user("technician", network.outlet_a)
    colleague = make_user("technician", network.outlet_a)
    make_sla_policy(response_minutes=60, resolution_minutes=480)

    def register(customer, when):  # type: ignore[no-untyped-def]
        return make_service_request(customer, now=when)

    mine_later = register(make_customer(network.outlet_a, responsible=agent), MONDAY_9)
    mine_sooner = register(
        make_customer(network.outlet_a, responsible=agent), MONDAY_9 - dt.timedelta(days=3)
    )
    paused = register(make_customer(network.outlet_a, responsible=agent), MONDAY_9)
    services.request_transition(request=paused, to_status=Status.IN_WORK, user=agent)
    services.request_transition(request=paused, to_status=Status.WAITING_CUSTOMER, user=agent)
    theirs = register(make_customer(network.outlet_a, responsible=colleague), MONDAY_9)
    unassigned = register(make_customer(network.outlet_b), MONDAY_9)
    cancelled = register(make_customer(network.outlet_a, responsible=agent), MONDAY_9)
    services.request_transition(
        request=cancelled, to_status=Status.CANCELLED, user=agent, reason="Duplicate."
    )
    dispatcher = make_user("dispatcher", network.centre)
    now = MONDAY_9 + dt.timedelta(minutes=30)

    def queue(user, which):  # type: ignore[no-untyped-def]
        return list(selectors.queue(user, which, now))

    assert queue(agent, "mine") == [mine_sooner, mine_later, paused]
    assert queue(agent, "unit") == [mine_sooner, mine_later, theirs, paused]
    assert queue(dispatcher, "unassigned") == [unassigned]
    assert queue(agent, "unassigned") == []  # outlet B is not theirs to see
    assert queue(dispatcher, "overdue") == [mine_sooner]
    with pytest.raises(ValueError, match="unknown queue"):
        selectors.queue(agent, "everything")


def test_a_narrow_scope_reads_its_units_by_id_and_sees_a_new_unit_at_once(network):
    outlet_head = make_user("unit_head", network.outlet_a)
    centre_head = make_user("dispatcher", network.centre)
    hq_head = make_user("unit_head", network.hq)
    make_sla_policy(response_minutes=60, resolution_minutes=480)
    later = timezone.now() + dt.timedelta(days=365)
    in_a = make_service_request(make_customer(network.outlet_a))
    in_b = make_service_request(make_customer(network.outlet_b))

    assert list(selectors.queue(outlet_head, "overdue", later)) == [in_a]
    assert set(selectors.queue(centre_head, "overdue", later)) == {in_a, in_b}
    assert set(selectors.queue(hq_head, "overdue", later)) == {in_a, in_b}

    # A unit opened under the centre is in its head's scope from the next read on.
    outlet_c = make_unit(network.centre)
    in_c = make_service_request(make_customer(outlet_c))
    assert set(selectors.queue(centre_head, "overdue", later)) == {in_a, in_b, in_c}
    assert list(selectors.queue(outlet_head, "overdue", later)) == [in_a]


def test_a_wide_scope_is_read_by_the_unit_tree_with_the_same_rows(network, monkeypatch):
    centre_head = make_user("dispatcher", network.centre)
    make_sla_policy(response_minutes=60, resolution_minutes=480)
    expected = [
        make_service_request(make_customer(unit)) for unit in (network.outlet_a, network.outlet_b)
    ]
    later = timezone.now() + dt.timedelta(days=365)
    by_ids = list(selectors.queue(centre_head, "overdue", later))
    monkeypatch.setattr(selectors, "QUEUE_UNITS_BY_ID", 1)
    with CaptureQueriesContext(connection) as queries:
        by_tree = list(selectors.queue(centre_head, "overdue", later))

    assert by_ids == by_tree == sorted(expected, key=lambda r: (r.due_at, r.pk))
    assert "path" in queries.captured_queries[-1]["sql"]


def test_a_queue_page_holds_the_same_rows_as_the_queue(network):
    centre_head = make_user("dispatcher", network.centre)
    agent = make_user("technician", network.outlet_a)
    make_sla_policy(response_minutes=60, resolution_minutes=480)
    for days in range(7):
        when = timezone.now() - dt.timedelta(days=days)
        for unit in (network.outlet_a, network.outlet_b, network.centre):
            make_service_request(make_customer(unit), now=when)
        make_service_request(make_customer(network.outlet_a, responsible=agent), now=when)

    for user, which in [
        (centre_head, "unassigned"),
        (centre_head, "overdue"),
        (agent, "mine"),
        (agent, "unit"),
    ]:
        expected = [(r.pk, r.due_at) for r in selectors.queue(user, which)]
        assert len(expected) >= 7
        for start, stop in [(0, 5), (5, 10), (20, 30)]:
            with CaptureQueriesContext(connection) as queries:
                page = selectors.queue_page(user, which, ["pk", "due_at"], start, stop)
            assert page == expected[start:stop], (which, start)
            # outside a request each cached read asks for the generation: at most once a page
            assert sum("configurationgeneration" in q["sql"] for q in queries) <= 1


def test_a_queue_page_read_again_shows_the_requests_as_they_are_now(network):
    centre_head = make_user("dispatcher", network.centre)
    make_sla_policy(response_minutes=60, resolution_minutes=480)
    older = make_service_request(make_customer(network.outlet_a), now=timezone.now())
    assert selectors.queue_page(centre_head, "unassigned", ["pk"], 0, 5) == [(older.pk,)]

    urgent = make_service_request(
        make_customer(network.outlet_b), now=timezone.now() - dt.timedelta(days=3)
    )

    page = selectors.queue_page(centre_head, "unassigned", ["pk"], 0, 5)
    assert page == [(urgent.pk,), (older.pk,)]


def test_a_queue_reads_in_the_same_queries_with_one_row_or_many(network):
    agent = make_user("technician", network.outlet_a)

    def read_queue() -> int:
        configuration.forget()  # cold: the scope's units are read too
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.queue(agent, "unit", MONDAY_9))
            for row in rows:
                (row.number, row.subject, row.due_at, row.is_overdue, row.get_status_display())
        return len(queries)

    make_service_request(make_customer(network.outlet_a))
    agent = type(agent).objects.get(pk=agent.pk)  # a fresh user: no cached scope
    one = read_queue()
    for _ in range(20):
        make_service_request(make_customer(network.outlet_a))
    agent = type(agent).objects.get(pk=agent.pk)
    many = read_queue()

    assert ServiceRequest.objects.count() == 21
    # the scope's paths, the configuration's generation, its units' ids, the rows
    assert one == many <= 4


# --- Business time -----------------------------------------------------------------------------


def test_business_minutes_left_stop_at_zero(network):
    unit = make_unit(network.centre)
    assert selectors.business_minutes_left(unit, MONDAY_9, MONDAY_9 + dt.timedelta(hours=2)) == 120
    assert selectors.business_minutes_left(unit, MONDAY_9, MONDAY_9 - dt.timedelta(hours=2)) == 0
    assert selectors.deadline(unit, MONDAY_9, 540) == MONDAY_9 + dt.timedelta(hours=9)
