"""Reads of service requests: deadlines, the rules that pick who handles a request, queues."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BigIntegerField,
    DateField,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Now

from aftersales.accounts.models import Position, User
from aftersales.calendars.business_time import (
    BusinessSchedule,
    add_business_minutes,
    business_minutes_between,
)
from aftersales.calendars.selectors import schedule_for_unit
from aftersales.contracts.models import ContractStatus, ServiceContract
from aftersales.core import compiled, configuration
from aftersales.core.scoping import ancestor_paths, scope_paths, scope_unit_ids
from aftersales.customers.models import Address, Customer, Email
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import (
    RequestEscalation,
    RequestType,
    RequestTypeField,
    RequestTypeTransition,
    RoutingRule,
    ServiceRequest,
    Skill,
    SlaPolicy,
    Status,
)

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


SERVICE_LEVEL_RANK = {"premium": 0, "priority": 1, "standard": 2}


@dataclass(frozen=True)
class CustomerFacts:
    """What registering a request needs to know of its customer besides the row: the contract
    in force (the highest service level), the region of the first address that has one (for
    routing), the first e-mail address (for the acknowledgement)."""

    on_date: datetime.date
    contract_id: int | None
    service_level: str
    region_path: str | None
    email: str


@functools.cache
def _facts_sql() -> dict[str, str]:
    """The subqueries of `with_customer_facts`, by hand: as ORM Subquery expressions they cost
    ~5 ms of query building a registration, more than the three queries they replace."""
    customer = f'"{Customer._meta.db_table}"."id"'
    contract = ServiceContract._meta.db_table
    in_force = (
        f"FROM {contract} c WHERE c.customer_id = {customer} AND c.status = %s"
        " AND c.valid_from <= %s AND (c.valid_to IS NULL OR c.valid_to >= %s)"
        " ORDER BY CASE c.service_level"
        + "".join(f" WHEN '{level}' THEN {n}" for level, n in SERVICE_LEVEL_RANK.items())
        + " ELSE 9 END, c.id DESC LIMIT 1"
    )
    return {
        "facts_contract_id": f"(SELECT c.id {in_force})",
        "facts_service_level": f"(SELECT c.service_level {in_force})",
        "facts_region_path": (
            f"(SELECT u.path FROM {Address._meta.db_table} a"
            f" JOIN {Unit._meta.db_table} u ON u.id = a.region_id"
            f" WHERE a.customer_id = {customer} ORDER BY a.id LIMIT 1)"
        ),
        "facts_email": (
            f"(SELECT e.address FROM {Email._meta.db_table} e"
            f" WHERE e.customer_id = {customer} ORDER BY e.id LIMIT 1)"
        ),
    }


def with_customer_facts(
    customers: QuerySet[Customer], on_date: datetime.date
) -> QuerySet[Customer]:
    """`customers` with their `CustomerFacts` on `on_date` as subqueries of the same query: a
    registration reads its customer once, not four times (bench requests.create)."""
    sql = _facts_sql()
    day = on_date.isoformat()
    in_force = (ContractStatus.ACTIVE, day, day)
    return customers.annotate(
        facts_on=Value(on_date, output_field=DateField()),
        facts_contract_id=RawSQL(sql["facts_contract_id"], in_force),
        facts_service_level=RawSQL(sql["facts_service_level"], in_force),
        facts_region_path=RawSQL(sql["facts_region_path"], ()),
        facts_email=RawSQL(sql["facts_email"], ()),
    )


def customer_facts(customer: Customer, on_date: datetime.date) -> CustomerFacts:
    """The customer's facts on `on_date`: from the row itself when it was read by
    `with_customer_facts` for that day, else in one query."""
    if getattr(customer, "facts_on", None) != on_date:
        customer = with_customer_facts(Customer.objects.filter(pk=customer.pk), on_date).get()
    return CustomerFacts(
        on_date,
        customer.facts_contract_id,  # type: ignore[attr-defined]
        customer.facts_service_level or "",  # type: ignore[attr-defined]
        customer.facts_region_path,  # type: ignore[attr-defined]
        customer.facts_email or "",  # type: ignore[attr-defined]
    )


# Ids the database's bigint holds: a larger one is no customer, not a database error.
_IDS = range(-(2**63), 2**63)


def customer_to_register_for(user: User, pk: int, on_date: datetime.date) -> Customer | None:
    """The customer `pk` if `user` sees them, read with what registration needs — their unit,
    their responsible specialist and the specialist's unit, their facts on `on_date` — in one
    query whose SQL is kept per scope and day (core.compiled: building it took as long as
    running it; bench requests.create)."""
    if pk not in _IDS:
        return None
    paths = scope_paths(user)

    def build(pk: int) -> QuerySet[Customer]:
        rows = Customer.objects.visible_to(user).select_related("unit", "responsible__unit")
        return with_customer_facts(rows, on_date).filter(pk=pk)

    key = ("customer-to-register", None if paths is None else tuple(paths), on_date)
    return compiled.one_instance(key, build, pk)


def request_type_by_pk(pk: int) -> RequestType | None:
    """A request type, active or not, kept with the configuration (types are watched)."""
    types = configuration.cached(
        "request_types", lambda: {item.pk: item for item in RequestType.objects.all()}
    )
    return types.get(pk)


def questions_of(request_type: RequestType) -> tuple[RequestTypeField, ...]:
    """The type's questions in order, kept with the configuration (questions are watched)."""
    return configuration.cached(
        ("questions", request_type.pk), lambda: tuple(request_type.fields.all())
    )


def sla_policy_for(
    request_type: RequestType, priority: int, service_level: str
) -> SlaPolicy | None:
    """The most specific active policy: each condition that is set must match; a match on the
    type counts more than one on the contract level, which counts more than the priority.
    Kept with the configuration (policies are watched): shared, never to be changed."""
    key = ("sla_policy", request_type.pk, priority, service_level)
    return configuration.cached(
        key, lambda: _read_sla_policy(request_type, priority, service_level)
    )


def _read_sla_policy(
    request_type: RequestType, priority: int, service_level: str
) -> SlaPolicy | None:
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


def work_positions() -> tuple[int, ...]:
    """Ids of the positions that may work on requests (WORK_PERMISSION), kept with the
    configuration (positions' permissions are watched). As a join through the permission
    tables, the least-loaded worker's query took longer to plan than to run (1.2 of 1.7 ms,
    bench requests.create)."""
    app_label, codename = WORK_PERMISSION

    def load() -> tuple[int, ...]:
        return tuple(
            Position.objects.filter(
                permissions__content_type__app_label=app_label, permissions__codename=codename
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    return configuration.cached("work-positions", load)


def workers(unit: Unit) -> QuerySet[User]:
    """Active employees of `unit` whose position lets them work on requests."""
    # The position is compared as an expression, not as the indexed column: on the column
    # PostgreSQL intersected the unit's people with every holder of each working position
    # (250,000 rows a position at 2 million people: 150 ms a registration); a unit's own people
    # are few, and their positions are checked one by one (bench: requests.create at full).
    return User.objects.alias(
        position_key=Coalesce("position_id", Value(0), output_field=BigIntegerField())
    ).filter(unit=unit, is_active=True, position_key__in=work_positions())


def can_work(user: User | None) -> bool:
    return bool(
        user and user.is_active and user.unit_id and workers(user.unit).filter(pk=user.pk).exists()
    )


def _least_loaded_worker(unit: Unit, skill_id: int | None) -> User | None:
    """Among `workers(unit)`, those with the skill first (anyone, if nobody has it), then the
    fewest open requests, then the longest-serving account: one hand-written query (the ORM
    spent more building it than the database running it; bench requests.create).

    Most of the time someone is idle, and then the answer is the first idle worker in account
    order (with the skill, or anyone when nobody in the unit has it): the query tries those
    first, reading the unit's people by `user_unit_in_id_order` until one has no open request,
    and counts everyone's open requests only when nobody is idle. Counting first cost a probe
    per person: 10–22 ms for an outlet of 2,600 (bench requests.create at full), against
    0.5 ms now. `UNION ALL … LIMIT 1` stops at the first branch that answers. The open
    requests are looked up in the partial queue index (open rows only), not by joining all of
    a candidate's requests: the closed ones pile up over the years. The position is compared
    as an expression for the reason given in `workers`."""
    positions = work_positions()
    if not positions:
        return None
    members = Skill.members.through._meta.db_table
    requests = ServiceRequest._meta.db_table
    users = User._meta.db_table
    listed = ", ".join("%s" for _ in positions)

    def may_work(alias: str) -> tuple[str, list[object]]:
        return (
            f"{alias}.unit_id = %s AND {alias}.is_active"
            f" AND COALESCE({alias}.position_id, 0) IN ({listed})",
            [unit.pk, *positions],
        )

    works, works_params = may_work("u")
    idle = f"NOT EXISTS (SELECT 1 FROM {requests} r WHERE r.responsible_id = u.id AND r.is_open)"
    load = f"(SELECT COUNT(*) FROM {requests} r WHERE r.responsible_id = u.id AND r.is_open)"
    # (columns after u.*, condition, its parameters in order, ordering)
    branches: list[tuple[str, str, list[object], str]]
    if skill_id is None:
        branches = [
            ("TRUE AS has_skill, 0 AS open_load", f"{works} AND {idle}", works_params, "u.id"),
            (f"TRUE AS has_skill, {load} AS open_load", works, works_params, "open_load, u.id"),
        ]
    else:
        skilled = f"EXISTS (SELECT 1 FROM {members} s WHERE s.user_id = u.id AND s.skill_id = %s)"
        others_work, others_params = may_work("o")
        nobody_skilled = (
            f"NOT EXISTS (SELECT 1 FROM {users} o JOIN {members} s ON s.user_id = o.id"
            f" WHERE s.skill_id = %s AND {others_work})"
        )
        branches = [
            (
                "TRUE AS has_skill, 0 AS open_load",
                f"{works} AND {skilled} AND {idle}",
                [*works_params, skill_id],
                "u.id",
            ),
            (
                "FALSE AS has_skill, 0 AS open_load",
                f"{works} AND {idle} AND {nobody_skilled}",
                [*works_params, skill_id, *others_params],
                "u.id",
            ),
            (
                f"{skilled} AS has_skill, {load} AS open_load",
                works,
                [skill_id, *works_params],
                "has_skill DESC, open_load, u.id",
            ),
        ]
    person = compiled.model_columns(User)
    sql = (
        " UNION ALL ".join(
            f"SELECT * FROM (SELECT {person.select('u')}, {columns} FROM {users} u"
            f" WHERE {condition} ORDER BY {order} LIMIT 1) b{number}"
            for number, (columns, condition, _, order) in enumerate(branches)
        )
        + " LIMIT 1"
    )
    params = [value for _, _, branch_params, _ in branches for value in branch_params]
    # Planned for its values each time, never prepared: a generic plan, made for a unit of
    # average size, reads every member of a unit and sorts them (seen at small), where for an
    # outlet of thousands the plan for its own values stops at the first idle one.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else person.instance(row[: len(person)])  # type: ignore[return-value]


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


def choose_assignment(
    customer: Customer, request_type: RequestType, *, facts: CustomerFacts | None = None
) -> Assignment:
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
    if facts is not None:
        region_path = facts.region_path
    else:
        region = customer_region(customer)
        region_path = region.path if region is not None else None
    if region_path is not None:
        routing = (
            RoutingRule.objects.filter(
                region__path__in=ancestor_paths(region_path),
                handling_unit__is_active=True,
            )
            .filter(Q(skill__isnull=True) | Q(skill_id=request_type.skill_id))
            .select_related("handling_unit")
            .order_by("order", F("skill_id").asc(nulls_last=True), "-region__depth", "pk")
            .first()
        )
        if routing is not None:
            unit, rule = routing.handling_unit, "region"
    least_loaded = _least_loaded_worker(unit, request_type.skill_id)
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
    is already at hand (`schedule_for_unit` otherwise: kept with the configuration)."""
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
# Scopes of at most this many units are filtered by their ids (see `queue`).
QUEUE_UNITS_BY_ID = 20


def queue_counts(user: User, now: datetime.datetime, limit: int = QUEUE_LIMIT) -> dict[str, int]:
    """Open requests in each queue, each counted up to `limit` + 1 (one query a queue)."""
    return {which: queue(user, which, now)[: limit + 1].count() for which in QUEUES}


def queue(user: User, which: str, now: datetime.datetime | None = None) -> QuerySet:
    """Open requests `user` may see, ordered by due time (the paused last):
    mine (they are responsible), unit (their own unit's), unassigned, overdue."""
    return _queue(user, which, now, scope_unit_ids(user))


def _queue(
    user: User, which: str, now: datetime.datetime | None, units: tuple[int, ...] | None
) -> QuerySet:
    if units is not None and len(units) <= QUEUE_UNITS_BY_ID:
        # The same rows as visible_to's join on paths, but PostgreSQL can then read a narrow
        # scope's queue from the index that leads with the unit, in due order, and stop at
        # the page (an outlet's overdue: 1,247 rows sorted at ten million requests, before).
        rows = ServiceRequest.objects.filter(unit_id__in=units)
    else:
        rows = ServiceRequest.objects.visible_to(user)
    rows = rows.filter(is_open=True)
    if which == "mine":
        rows = rows.filter(responsible=user)
    elif which == "unit":
        rows = rows.filter(unit_id=user.unit_id)
    elif which == "unassigned":
        rows = rows.filter(responsible__isnull=True)
    elif which == "overdue":
        # The database's clock unless told otherwise: the SQL then does not change with the
        # time and a page's statement can be kept (`queue_page`).
        rows = rows.filter(due_at__lt=Now() if now is None else now)
    else:
        raise ValueError(f"unknown queue {which!r}")
    # NULLS LAST is PostgreSQL's default for an ascending index (the plan stays a plain index
    # scan); SQLite needs it said.
    return rows.order_by(F("due_at").asc(nulls_last=True), "pk")


def with_escalation_level(rows: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """Annotate `escalation_level` by a subquery in the select list: as a join of the
    escalation table, the queue's query took twice as long to plan (a five-table join order
    to search: ~0.7 ms more at ten million requests, bench: requests.queue.*)."""
    return rows.annotate(
        escalation_level=RawSQL(
            f"SELECT e.level FROM {RequestEscalation._meta.db_table} e "
            f'WHERE e.request_id = "{ServiceRequest._meta.db_table}"."id"',
            (),
        )
    )


def queue_slice(
    user: User, which: str, start: int, stop: int, now: datetime.datetime | None = None
) -> QuerySet:
    """Rows `start:stop` of `queue(user, which)`. Where no index can give a scope's rows in
    due order (the unassigned or overdue requests of a few units), the page's ids are chosen
    first, from the queue's indexes alone, and only those rows are read with whatever the
    caller joins: as one query, a centre's unassigned requests (11 units) were joined to their
    customers, all 833, before the sort kept 50 (bench: requests.queue.unassigned)."""
    return _queue_slice(user, which, start, stop, now, scope_unit_ids(user))


def _queue_slice(
    user: User,
    which: str,
    start: int,
    stop: int,
    now: datetime.datetime | None,
    units: tuple[int, ...] | None,
) -> QuerySet:
    rows = _queue(user, which, now, units)
    if which in ("unassigned", "overdue") and 1 < len(units or ()) <= QUEUE_UNITS_BY_ID:
        page = rows.values("pk")[start:stop]
        return ServiceRequest.objects.filter(pk__in=page).order_by(*rows.query.order_by)
    return rows[start:stop]


def queue_page(user: User, which: str, fields: Sequence[str], start: int, stop: int) -> list[tuple]:  # type: ignore[type-arg]
    """Rows `start:stop` of `queue(user, which)` as `values_list(*fields)`; `fields` may name
    `escalation_level`. "Mine" comes from `my_queue_head` when it can, else `queue_slice`.
    The statement is kept by everything it depends on (`core.compiled`)."""
    if which == "mine":
        head = my_queue_head(user, fields, stop)
        if head is not None:
            return head[start:stop]
    units = scope_unit_ids(user)
    paths = scope_paths(user)
    key = (
        "queue-page",
        which,
        user.pk,
        user.unit_id,
        units,
        None if paths is None else tuple(paths),
        QUEUE_UNITS_BY_ID,
        tuple(fields),
        start,
        stop,
    )
    return compiled.values_rows(
        key,
        lambda: with_escalation_level(
            _queue_slice(user, which, start, stop, None, units)
        ).values_list(*fields),
    )


def my_queue_head(user: User, fields: Sequence[str], stop: int) -> list[tuple] | None:  # type: ignore[type-arg]
    """The first `stop` rows (as `values_list(*fields)`) of `queue(user, "mine")`, read by the
    queue index in due order without the scope join; None when any of them lies outside the
    user's scope (a responsible who moved units): then read `queue` itself.

    With the join, PostgreSQL takes a responsible's open requests to be spread over all units,
    expects one in the user's, and reads them all to sort them: 474 rows for a page of 50 at
    ten million requests, ten times the work at one million (bench: requests.queue.mine)."""
    paths = scope_paths(user)
    rows = compiled.values_rows(
        ("queue-mine-head", user.pk, tuple(fields), stop),
        lambda: (
            with_escalation_level(ServiceRequest.objects.filter(is_open=True, responsible=user))
            .order_by(F("due_at").asc(nulls_last=True), "pk")
            .values_list(*fields, "unit__path")[:stop]
        ),
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
