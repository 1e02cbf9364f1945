"""Service requests: request types with their SLA policies, and scale.count("service_requests")
requests over two years, written by the database itself (`INSERT … SELECT generate_series`)
on PostgreSQL — 10 million rows through COPY would spend most of their time in Python.

The shape of the data (each value derived from the row number with a multiplicative hash, so
the workloads can rely on it and a rebuild gives the same rows):

* handling units: outlets (90%) and centres (10%); in each, up to three employees who may work
  on requests are the responsibles (some 2,000 people), 5% of requests have nobody;
  the bench's outlet and centre heads are among them, so their queues are full;
* 10% open — registered (20%), in work (60%), waiting for the customer (10%, paused: no due
  time), disputed (10%) — registered within the last ten days, due 1–10 days after
  registration, so about half of them are overdue; the rest closed (5% cancelled) over two
  years, ids in time order;
* customers drawn over all customers, four request types, four priorities, six channels.

At 10 million rows each responsible has some 5,000 requests, 500 of them open: the queues are
ten times longer than at 1 million, which is what the queue workload compares.

Indexes and foreign keys of the table are dropped for the load and built again afterwards
(a sorted build is many times faster than 10 million random index inserts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.generators import GenContext, generator

# (code, name, SLA response minutes, resolution minutes)
REQUEST_TYPES = [
    ("repair", "维修 · Repair", 60, 960),
    ("installation", "安装 · Installation", 240, 2400),
    ("consultation", "咨询 · Consultation", 30, 480),
    ("complaint", "投诉 · Complaint", 60, 1440),
]
# The bench's create workload answers these (a conditional question included).
REPAIR_QUESTIONS = [
    # id, key, label, kind, choices, required, order, show_if_field_id, show_if_values
    (1, "where", "Where is the unit?", "choice", "home\nshop", True, 1, None, ""),
    (2, "floor", "Which floor?", "number", "", True, 2, 1, "home"),
    (3, "symptom", "What happens?", "text", "", False, 3, None, ""),
]
WORKER_POSITIONS = (
    "hotline_agent",
    "dispatcher",
    "field_engineer",
    "outlet_reception",
    "technician",
    "unit_head",
)
RESPONSIBLES_PER_UNIT = 3
PRIME = 2654435761  # Knuth's multiplicative hash constant


def one_head_per_unit(ctx: GenContext) -> int:
    """The users generator makes some 8% of each unit's people unit heads (twenty in an outlet
    at medium, two hundred at full); a unit has one. Escalations and disputes tell the heads,
    so the others become dispatchers: the bench head where there is one, else the lowest id
    among the active heads, stays. Returns how many were changed."""
    return ctx.loader.execute(
        """
        UPDATE accounts_user SET position_id = (
            SELECT id FROM accounts_position WHERE code = 'dispatcher'
        )
        WHERE id IN (
            SELECT id FROM (
                SELECT u.id, row_number() OVER (
                    PARTITION BY u.unit_id
                    ORDER BY CASE WHEN u.username LIKE 'bench%%' THEN 0 ELSE 1 END,
                        CASE WHEN u.is_active THEN 0 ELSE 1 END, u.id
                ) AS n
                FROM accounts_user u
                JOIN accounts_position p ON p.id = u.position_id
                WHERE p.code = 'unit_head'
            ) heads
            WHERE n > 1
        )
        """
    )


def assignee_pool(ctx: GenContext) -> list[tuple[int, int]]:
    """(unit id, user id) of the responsibles: per outlet and centre, the bench heads first,
    then the lowest ids among the active employees whose position may work on requests."""
    from bench.generators.accounts import BENCH_USERS

    tree = ctx.shared["units"]
    wanted = {u.id for u in tree if u.kind in ("outlet", "centre")}
    rows = ctx.loader.raw.fetchall(
        "SELECT u.id, u.unit_id, u.username FROM accounts_user u "
        "JOIN accounts_position p ON p.id = u.position_id "
        "WHERE u.is_active AND p.code IN ("
        + ", ".join(["%s"] * len(WORKER_POSITIONS))
        + ") ORDER BY u.id",
        list(WORKER_POSITIONS),
    )
    heads = set(BENCH_USERS)
    by_unit: dict[int, list[int]] = {}
    for user_id, unit_id, _username in sorted(rows, key=lambda r: (r[2] not in heads, r[0])):
        if unit_id in wanted and len(by_unit.setdefault(unit_id, [])) < RESPONSIBLES_PER_UNIT:
            by_unit[unit_id].append(user_id)
    return [(unit_id, user_id) for unit_id, users in sorted(by_unit.items()) for user_id in users]


def _configuration(ctx: GenContext) -> dict[str, int]:
    """Four request types with the default lifecycle, an SLA policy each, the repair type's
    questions."""
    from aftersales.service_requests.models import (
        DEFAULT_TRANSITIONS,
        RequestType,
        RequestTypeField,
        RequestTypeTransition,
        SlaPolicy,
    )

    types = [
        (number, code, name, number * 10)
        for number, (code, name, _r, _s) in enumerate(REQUEST_TYPES, 1)
    ]
    return {
        "service_requests_requesttype": ctx.loader.load(
            RequestType, ["id", "code", "name", "order"], types
        ),
        "service_requests_slapolicy": ctx.loader.load(
            SlaPolicy,
            ["id", "name", "request_type_id", "response_minutes", "resolution_minutes"],
            [
                (number, f"SLA {code}", number, response, resolution)
                for number, (code, _n, response, resolution) in enumerate(REQUEST_TYPES, 1)
            ],
        ),
        "service_requests_requesttypetransition": ctx.loader.load(
            RequestTypeTransition,
            ["request_type_id", "from_status", "to_status"],
            [
                (number, str(a), str(b))
                for number in range(1, len(REQUEST_TYPES) + 1)
                for a, b in DEFAULT_TRANSITIONS
            ],
        ),
        "service_requests_requesttypefield": ctx.loader.load(
            RequestTypeField,
            [
                "id",
                "key",
                "label",
                "kind",
                "choices",
                "required",
                "order",
                "show_if_field_id",
                "show_if_values",
            ],
            REPAIR_QUESTIONS,
            constants={"request_type_id": 1},
        ),
    }


def _rows_python(ctx: GenContext, total: int, pool: list[tuple[int, int]]) -> Any:
    """The same rows, computed in Python (SQLite, where there is no generate_series)."""
    now = ctx.now
    customers = ctx.shared["customer_count"]
    channels = ["phone", "phone", "email", "portal", "api", "walk_in"]
    for g in range(1, total + 1):
        h = (g * PRIME) % 1_000_003
        unit_id, user_id = pool[(g * 104_729) % len(pool)]
        responsible = None if (h // 10) % 20 == 0 else user_id
        kind = 1 + g % len(REQUEST_TYPES)
        is_open = h % 10 == 0
        if is_open:
            registered = now - timedelta(minutes=(g * 40_503) % (10 * 1440))
            state = (h // 200) % 10
            status = (
                "registered"
                if state < 2
                else ("waiting_customer" if state == 8 else "disputed" if state == 9 else "in_work")
            )
        else:
            registered = now - timedelta(days=730 * (total - g) / total)
            status = "cancelled" if (h // 200) % 20 == 0 else "closed"
        response_due = registered + timedelta(hours=2)
        resolution_due = registered + timedelta(days=1 + h % 10)
        responded = None if status == "registered" else registered + timedelta(minutes=30)
        paused = registered + timedelta(days=1) if status == "waiting_customer" else None
        due = None
        if is_open and paused is None:
            due = response_due if status == "registered" else resolution_due
        yield (
            g,
            1 + (g * 7919) % customers,
            kind,
            channels[g % len(channels)],
            f"Bench request {g}",
            2 if h % 7 < 4 else (1 + h % 7 % 4),
            status,
            is_open,
            unit_id,
            responsible,
            kind,
            registered,
            response_due,
            responded,
            resolution_due,
            due,
            paused,
            None if is_open else registered + timedelta(days=3),
            f"{g:010x}",
        )


COLUMNS = [
    "id",
    "customer_id",
    "request_type_id",
    "channel",
    "subject",
    "priority",
    "status",
    "is_open",
    "unit_id",
    "responsible_id",
    "sla_policy_id",
    "registered_at",
    "response_due_at",
    "responded_at",
    "resolution_due_at",
    "due_at",
    "paused_at",
    "closed_at",
    "reply_token",
]

# The same rows as _rows_python, by PostgreSQL. %(…)s are parameters; `g` the row number.
INSERT_SQL = """
INSERT INTO service_requests_servicerequest (
    id, customer_id, request_type_id, channel, subject, priority, status, is_open, unit_id,
    responsible_id, sla_policy_id, registered_at, response_due_at, responded_at,
    resolution_due_at, due_at, paused_at, closed_at, reply_token,
    external_ref, description, answers, customer_email, customer_language,
    result, customer_claim, rating_comment
)
SELECT g, customer_id, kind, channel, subject, priority, status, is_open, unit_id,
    responsible_id, kind, registered_at, response_due_at, responded_at, resolution_due_at,
    due_at, paused_at, closed_at, reply_token,
    '', '', '{}'::jsonb, '', '', '', '', ''
FROM (
    SELECT g, customer_id, kind, channel, subject, priority, status, is_open, unit_id,
        responsible_id, registered_at, response_due_at, responded_at, resolution_due_at,
        paused_at, closed_at, reply_token,
        CASE WHEN is_open AND paused_at IS NULL
             THEN CASE WHEN status = 'registered' THEN response_due_at ELSE resolution_due_at END
        END AS due_at
    FROM (
        SELECT g, customer_id, kind, channel, subject, priority, status, is_open, unit_id,
            responsible_id, registered_at,
            registered_at + interval '2 hours' AS response_due_at,
            CASE WHEN status = 'registered' THEN NULL
                 ELSE registered_at + interval '30 minutes' END AS responded_at,
            registered_at + (1 + h %% 10) * interval '1 day' AS resolution_due_at,
            CASE WHEN status = 'waiting_customer'
                 THEN registered_at + interval '1 day' END AS paused_at,
            CASE WHEN NOT is_open THEN registered_at + interval '3 days' END AS closed_at,
            lpad(to_hex(g), 10, '0') AS reply_token
        FROM (
            SELECT g, h, is_open,
                1 + (g * 7919) %% %(customers)s AS customer_id,
                1 + g %% %(types)s AS kind,
                (%(channels)s::text[])[1 + g %% 6] AS channel,
                'Bench request ' || g AS subject,
                CASE WHEN h %% 7 < 4 THEN 2 ELSE 1 + h %% 7 %% 4 END AS priority,
                CASE WHEN is_open THEN
                    CASE WHEN (h / 200) %% 10 < 2 THEN 'registered'
                         WHEN (h / 200) %% 10 = 8 THEN 'waiting_customer'
                         WHEN (h / 200) %% 10 = 9 THEN 'disputed'
                         ELSE 'in_work' END
                ELSE CASE WHEN (h / 200) %% 20 = 0 THEN 'cancelled' ELSE 'closed' END
                END AS status,
                (%(units)s::bigint[])[1 + (g * 104729) %% %(pool)s] AS unit_id,
                CASE WHEN (h / 10) %% 20 = 0 THEN NULL
                     ELSE (%(users)s::bigint[])[1 + (g * 104729) %% %(pool)s] END
                    AS responsible_id,
                CASE WHEN is_open
                     THEN %(now)s - ((g * 40503) %% 14400) * interval '1 minute'
                     ELSE %(now)s - interval '730 days' * ((%(total)s - g)::float8 / %(total)s)
                END AS registered_at
            FROM (
                SELECT g, h, h %% 10 = 0 AS is_open
                FROM (
                    SELECT g, (g * 2654435761) %% 1000003 AS h
                    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
                ) hashed
            ) opened
        ) drawn
    ) timed
) dated
"""
BATCH = 2_000_000


def _drop_indexes_and_keys(raw: Any, table: str) -> list[str]:
    """Drop the table's secondary indexes and foreign keys; returns the statements that
    recreate them."""
    again: list[str] = []
    for name, definition in raw.fetchall(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    ):
        raw.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in raw.fetchall(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
        [table],
    ):
        raw.execute(f'DROP INDEX "{name}"')
        again.insert(0, definition)  # indexes first: the foreign keys' checks use them
    return again


# Every request's escalation row, as registration writes it: level 0, next escalation when
# the deadline that matters passes.
ESCALATIONS_SQL = """
INSERT INTO service_requests_requestescalation (request_id, level, next_at)
SELECT id, 0, due_at FROM service_requests_servicerequest
"""


@generator("service_requests", after=("customers", "users", "calendars"), version="3")
def service_requests(ctx: GenContext) -> dict[str, int]:
    """service_requests_servicerequest and each request's escalation row (+ types, SLA
    policies, transitions, questions)."""
    from aftersales.service_requests.models import RequestEscalation, ServiceRequest

    written = _configuration(ctx)
    written["accounts_user (heads made dispatchers)"] = one_head_per_unit(ctx)
    total = ctx.scale.count("service_requests")
    pool = assignee_pool(ctx)
    ctx.shared["request_assignees"] = pool
    table = ServiceRequest._meta.db_table
    if total == 0 or not pool:
        written[table] = 0
        return written
    if ctx.loader.db.vendor != "postgresql":
        written[table] = ctx.loader.load(
            ServiceRequest,
            COLUMNS,
            _rows_python(ctx, total, pool),
            constants={"answers": {}},
        )
        written[RequestEscalation._meta.db_table] = ctx.loader.execute(ESCALATIONS_SQL)
        return written
    raw = ctx.loader.raw
    raw.execute("SET maintenance_work_mem = '512MB'")
    again = _drop_indexes_and_keys(raw, table)
    params = {
        "customers": ctx.shared["customer_count"],
        "types": len(REQUEST_TYPES),
        "channels": ["phone", "phone", "email", "portal", "api", "walk_in"],
        "units": [unit for unit, _user in pool],
        "users": [user for _unit, user in pool],
        "pool": len(pool),
        "now": ctx.now,
        "total": total,
    }
    for first in range(1, total + 1, BATCH):
        last = min(first + BATCH - 1, total)
        raw.conn.execute(INSERT_SQL, {**params, "first": first, "last": last})
        ctx.log(f"    service requests {last:,} / {total:,}")
    for statement in again:
        raw.execute(statement)
    escalations = RequestEscalation._meta.db_table
    again = _drop_indexes_and_keys(raw, escalations)
    written[escalations] = raw.execute(ESCALATIONS_SQL)
    ctx.log(f"    escalations {written[escalations]:,}")
    for statement in again:
        raw.execute(statement)
    raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [total])
    raw.execute("RESET maintenance_work_mem")
    written[table] = total
    return written
