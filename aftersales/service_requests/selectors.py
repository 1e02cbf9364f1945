"""Reads of service requests: deadlines, the rules that pick who handles a request, queues."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Position, User
from aftersales.calendars.business_time import (
    BusinessSchedule,
    add_business_minutes,
    business_minutes_between,
)
from aftersales.calendars.selectors import schedule_for_unit
from aftersales.contracts.models import ServiceContract
from aftersales.core.scoping import ancestor_paths, scope_paths
from aftersales.customers.models import Address
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import (
    RequestTypeTransition,
    RoutingRule,
    ServiceRequest,
    SlaPolicy,
    Status,
)

if TYPE_CHECKING:
    from aftersales.customers.models import Customer
    from aftersales.service_requests.models import RequestType

WORK_PERMISSION = ("service_requests", "work_servicerequest")
HEAD_POSITION = "unit_head"


# --- Rules ------------------------------------------------------------------------------------


def allowed_targets(request: ServiceRequest) -> list[str]:
    """The statuses `request` may move to, as its type allows, in the order of Status."""
    targets = set(
        RequestTypeTransition.objects.filter(
            request_type_id=request.request_type_id, from_status=request.status
        ).values_list("to_status", flat=True)
    )
    return [status for status in Status.values if status in targets]


def contract_in_force(customer: Customer, on_date: datetime.date) -> ServiceContract | None:
    """The customer's contract in force on `on_date` with the highest service level."""
    rank = {"premium": 0, "priority": 1, "standard": 2}
    contracts = list(ServiceContract.objects.filter(customer=customer).in_force(on_date))
    return min(contracts, key=lambda c: (rank.get(c.service_level, 9), -c.pk), default=None)


def sla_policy_for(
    request_type: RequestType, priority: int, service_level: str
) -> SlaPolicy | None:
    """The most specific active policy: each condition that is set must match; a match on the
    type counts more than one on the contract level, which counts more than the priority."""
    candidates = SlaPolicy.objects.filter(
        Q(request_type=request_type) | Q(request_type__isnull=True),
        Q(priority=priority) | Q(priority__isnull=True),
        Q(service_level=service_level) | Q(service_level=""),
        is_active=True,
    )

    def specificity(policy: SlaPolicy) -> tuple[int, int, int, int]:
        return (
            policy.request_type_id is not None,
            policy.service_level != "",
            policy.priority is not None,
            -policy.pk,
        )

    return max(candidates, key=specificity, default=None)


def workers(unit: Unit) -> QuerySet[User]:
    """Active employees of `unit` whose position lets them work on requests."""
    app_label, codename = WORK_PERMISSION
    may_work = Position.objects.filter(
        permissions__content_type__app_label=app_label, permissions__codename=codename
    ).values("pk")
    # The position is compared as an expression, not as the indexed column: on the column
    # PostgreSQL intersected the unit's people with every holder of each working position
    # (250,000 rows a position at 2 million people: 150 ms a registration); a unit's own people
    # are few, and their positions are checked one by one (bench: requests.create at full).
    return User.objects.alias(
        position_key=Coalesce("position_id", Value(0), output_field=BigIntegerField())
    ).filter(unit=unit, is_active=True, position_key__in=may_work)


def can_work(user: User | None) -> bool:
    return bool(
        user and user.is_active and user.unit_id and workers(user.unit).filter(pk=user.pk).exists()
    )


@dataclass(frozen=True)
class Assignment:
    unit: Unit
    responsible: User | None
    rule: str  # "responsible", "region", "load", "unit" (nobody free: the unit's queue)


def customer_region(customer: Customer) -> Unit | None:
    address = (
        Address.objects.filter(customer=customer, region__isnull=False)
        .select_related("region")
        .order_by("pk")
        .first()
    )
    return address.region if address else None


def choose_assignment(customer: Customer, request_type: RequestType) -> Assignment:
    """Who handles a new request, by the rules in order:
    1. the specialist responsible for the customer, if they may work on requests;
    2. the unit a routing rule gives for the customer's region (and the type's skill),
       else the customer's own serving unit; among rules of the same order, one for the
       type's skill beats a general one, and one for a nearer region beats a wider one;
    3. in that unit, the employee with the type's skill (anyone, if nobody has it) who has the
       fewest open requests; ties go to the longest-serving account (lowest id).
    Nobody who may work there: the request waits, unassigned, in the unit's queue."""
    specialist = customer.responsible
    if specialist is not None and can_work(specialist):
        return Assignment(specialist.unit, specialist, "responsible")
    unit, rule = customer.unit, "unit"
    region = customer_region(customer)
    if region is not None:
        routing = (
            RoutingRule.objects.filter(
                region__path__in=ancestor_paths(region.path),
                handling_unit__is_active=True,
            )
            .filter(Q(skill__isnull=True) | Q(skill_id=request_type.skill_id))
            .select_related("handling_unit")
            .order_by("order", F("skill_id").asc(nulls_last=True), "-region__depth", "pk")
            .first()
        )
        if routing is not None:
            unit, rule = routing.handling_unit, "region"
    candidates = workers(unit)
    if request_type.skill_id is not None:
        skilled = candidates.filter(skills=request_type.skill_id)
        if skilled.exists():
            candidates = skilled
    # Each candidate's open requests counted in the partial queue index (open rows only), not
    # by joining all their requests: the closed ones pile up over the years.
    open_load = (
        ServiceRequest.objects.filter(responsible=OuterRef("pk"), is_open=True)
        .order_by()
        .values("responsible")
        .annotate(count=Count("pk"))
        .values("count")
    )
    least_loaded = (
        candidates.annotate(load=Coalesce(Subquery(open_load), 0)).order_by("load", "pk").first()
    )
    if least_loaded is None:
        return Assignment(unit, None, "unit")
    return Assignment(unit, least_loaded, rule if rule == "region" else "load")


# --- Deadlines -------------------------------------------------------------------------------


def deadline(
    unit: Unit,
    start: datetime.datetime,
    minutes: int,
    *,
    schedule: BusinessSchedule | None = None,
) -> datetime.datetime:
    """`minutes` of the unit's working time after `start`; pass the unit's `schedule` when it
    is already at hand (reading it takes three queries)."""
    return add_business_minutes(schedule or schedule_for_unit(unit), start, minutes)


def business_minutes_left(
    unit: Unit,
    now: datetime.datetime,
    due: datetime.datetime,
    *,
    schedule: BusinessSchedule | None = None,
) -> int:
    """Working minutes from `now` until `due` in the unit's calendar; 0 once `due` has passed."""
    return max(0, business_minutes_between(schedule or schedule_for_unit(unit), now, due))


# --- Queues ----------------------------------------------------------------------------------

QUEUES = ("mine", "unit", "unassigned", "overdue")
# A queue is a to-do list, read from the top: pages show its most urgent QUEUE_LIMIT requests
# and counts stop there ("1000+"), so a queue costs the same with ten requests or ten million.
# The report finds the rest.
QUEUE_LIMIT = 1000


def queue_counts(user: User, now: datetime.datetime, limit: int = QUEUE_LIMIT) -> dict[str, int]:
    """Open requests in each queue, each counted up to `limit` + 1 (one query a queue)."""
    return {which: queue(user, which, now)[: limit + 1].count() for which in QUEUES}


def queue(user: User, which: str, now: datetime.datetime | None = None) -> QuerySet:
    """Open requests `user` may see, ordered by due time (the paused last):
    mine (they are responsible), unit (their own unit's), unassigned, overdue."""
    rows = ServiceRequest.objects.visible_to(user).filter(is_open=True)
    if which == "mine":
        rows = rows.filter(responsible=user)
    elif which == "unit":
        rows = rows.filter(unit_id=user.unit_id)
    elif which == "unassigned":
        rows = rows.filter(responsible__isnull=True)
    elif which == "overdue":
        rows = rows.filter(due_at__lt=now or timezone.now())
    else:
        raise ValueError(f"unknown queue {which!r}")
    # NULLS LAST is PostgreSQL's default for an ascending index (the plan stays a plain index
    # scan); SQLite needs it said.
    return rows.order_by(F("due_at").asc(nulls_last=True), "pk")


def my_queue_head(user: User, fields: Sequence[str], stop: int) -> list[tuple] | None:  # type: ignore[type-arg]
    """The first `stop` rows (as `values_list(*fields)`) of `queue(user, "mine")`, read by the
    queue index in due order without the scope join; None when any of them lies outside the
    user's scope (a responsible who moved units): then read `queue` itself.

    With the join, PostgreSQL takes a responsible's open requests to be spread over all units,
    expects one in the user's, and reads them all to sort them: 474 rows for a page of 50 at
    ten million requests, ten times the work at one million (bench: requests.queue.mine)."""
    paths = scope_paths(user)
    rows = (
        ServiceRequest.objects.filter(is_open=True, responsible=user)
        .order_by(F("due_at").asc(nulls_last=True), "pk")
        .values_list(*fields, "unit__path")[:stop]
    )
    found = []
    for *values, unit_path in rows:
        if paths is not None and not any(unit_path.startswith(path) for path in paths):
            return None
        found.append(tuple(values))
    return found


def unit_head_ids(unit_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the active heads of each unit, as `unit_heads`; one query, no model rows."""
    heads: dict[int, list[int]] = {unit_id: [] for unit_id in unit_ids}
    rows = User.objects.filter(
        unit_id__in=unit_ids, is_active=True, position__code=HEAD_POSITION
    ).order_by("pk")
    for unit_id, pk in rows.values_list("unit_id", "pk"):
        heads[unit_id].append(pk)
    return heads


def unit_heads(unit_ids: list[int]) -> dict[int, list[User]]:
    """The active heads of each unit (position code "unit_head"); one query."""
    heads: dict[int, list[User]] = {unit_id: [] for unit_id in unit_ids}
    rows = User.objects.filter(
        unit_id__in=unit_ids, is_active=True, position__code=HEAD_POSITION
    ).order_by("pk")
    for head in rows:
        heads[head.unit_id].append(head)
    return heads


def nearest_heads(unit: Unit) -> tuple[Unit, list[User]]:
    """The heads of `unit`, or of its nearest ancestor that has any, with that unit; (`unit`,
    []) when nobody up the tree has a head. Two queries."""
    lineage = unit.lineage()
    heads = unit_heads([ancestor.pk for ancestor in lineage])
    for ancestor in reversed(lineage):
        if heads[ancestor.pk]:
            return ancestor, heads[ancestor.pk]
    return unit, []
