"""g. Service requests: the agent's queues, registering a request through the API, and the
escalation sweep (issue 4's performance targets).

* `requests.queue.*` — `selectors.queue(user, view)[:50]` with the customer and type joined,
  as the API's queue endpoint reads it, in process (ORM vs the same SQL through the bare
  driver, plan checked: an index scan and no Sort node), then `GET /api/v1/requests/queue/`
  under gunicorn at one connection. Target: p95 ≤ 10 ms at 10 million requests, no more than
  1.2× the figure at 1 million.
* `requests.create.*` — `POST /api/v1/requests/` with a bearer token (assignment by rule,
  deadlines in the national calendar, history row, event, notification, e-mails queued)
  under gunicorn, 4 workers, at 8 connections and at 1; the queries of one registration
  counted in process. Limit: the same registrations through a bare Django + DRF view of
  them (bench/bare_drf) served beside it, the two loaded in three alternating rounds.
  Targets: ≥ 300 requests/s at 8 connections, p50 ≤ 8 ms at 1, ≤ 8 queries whatever the
  data size. The requests both register are deleted afterwards.
* `requests.escalation` — `services.escalate_overdue` over every open request made overdue
  for the occasion (1 million at `full`), against the same escalation written by two bare SQL
  statements in a rolled-back transaction. Target: under 60 s. The data is put back after.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.compare import judge_plan, orm_vs_raw
from bench.http_load import HOST, LoadResult, Server, drive, merged
from bench.measure import Timing, capture_sql, describe
from bench.workloads import Context, Result, workload

QUEUE_TARGET_P95_MS = 10.0
CREATE_TARGET_PER_S = 300.0
CREATE_TARGET_P50_MS = 8.0
CREATE_MAX_QUERIES = 8
CREATE_ROUNDS = 3  # of ours and the bare view, alternating
SWEEP_TARGET_S = 60.0
# gunicorn workers × threads for the HTTP parts; BENCH_REQUESTS_GUNICORN=4x1 to try another.
WORKERS, THREADS = (
    int(part) for part in os.environ.get("BENCH_REQUESTS_GUNICORN", "4x2").split("x", 1)
)
CREATE_REF = "bench-create"

# key, title, bench account, queue
QUEUE_CASES = [
    (
        "requests.queue.mine",
        "Queue 'mine' (outlet head, a responsible)",
        "bench_outlet_head",
        "mine",
    ),
    ("requests.queue.unit", "Queue 'unit' (outlet head)", "bench_outlet_head", "unit"),
    (
        "requests.queue.unassigned",
        "Queue 'unassigned' (centre head: 11 units)",
        "bench_centre_head",
        "unassigned",
    ),
    (
        "requests.queue.overdue",
        "Queue 'overdue' (region head: 111 units)",
        "bench_region_head",
        "overdue",
    ),
    (
        "requests.queue.overdue.outlet",
        "Queue 'overdue' (outlet head: 1 unit)",
        "bench_outlet_head",
        "overdue",
    ),
]


def _fresh(user: Any) -> Any:
    """The user as a new request sees it: no cached scope paths or permissions."""
    for name in ("_scope_paths", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)
    return user


def _server_env(ctx: Context) -> dict[str, str]:
    return ctx.db.django_env(
        AFTERSALES_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        DATABASE_CONN_MAX_AGE="60",
        # HUEY_URL / HUEY_NAME come from the bench process (bench.cli.bench_job_queue): the
        # e-mail jobs go to a queue of the bench's own, emptied at the end.
    )


def _flush_jobs() -> None:
    """Forget the e-mail jobs the workload queued (nothing consumes the bench's queue)."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()


@workload("requests", order=60)
def service_requests(ctx: Context) -> list[Result]:
    """Queues, registration through the API, the escalation sweep."""
    from aftersales.service_requests.models import ServiceRequest

    total = ServiceRequest.objects.count()
    if not total:
        return [Result("requests", "Service requests", status="not available: no requests")]
    ctx.log(f"  {total:,} service requests")
    # BENCH_REQUESTS_PARTS=queues,create to leave out the sweep (20 minutes at full).
    parts = os.environ.get("BENCH_REQUESTS_PARTS", "queues,create,escalation").split(",")
    results: list[Result] = []
    for name, part in (("queues", _queues), ("create", _create), ("escalation", _escalation)):
        if name in parts and time.monotonic() < ctx.deadline:
            results += part(ctx, total)
    for result in results:
        result.extra["requests_in_database"] = total
    _flush_jobs()
    return results


# --- queues -----------------------------------------------------------------------------------


def _queues(ctx: Context, total: int) -> list[Result]:
    from aftersales.accounts.models import User
    from aftersales.accounts.services import api_token_create
    from aftersales.service_requests import selectors
    from aftersales.service_requests.api import QUEUE_COLUMNS, queue_rows

    results: list[Result] = []
    users = {name: User.objects.get(username=name) for _k, _t, name, _v in QUEUE_CASES}
    with ctx.db.raw() as raw:
        for key, title, name, which in QUEUE_CASES:
            user = users[name]

            def call(user: Any = user, which: str = which) -> object:
                # What the endpoint does after authentication: the page (and one row more, to
                # know whether another follows) as values, shaped.
                user = _fresh(user)
                return queue_rows(selectors.queue_page(user, which, QUEUE_COLUMNS, 0, 51)[:50])

            rows = len(call())  # type: ignore[arg-type]
            result = orm_vs_raw(
                ctx,
                raw,
                key=key,
                title=title + ", 50 rows, in process",
                call=call,
                main=('FROM "service_requests_servicerequest"', "LIMIT"),
            )
            result.notes.append(f"{rows} row(s) on the first page")
            result.extra.update(user=name, view=which, rows=rows)
            _judge_queue_plan(result, strict=which == "mine")
            results.append(result)
    # The endpoint itself, one connection, as the agent's browser or script calls it.
    tokens = []
    try:
        keys = {}
        for name, user in users.items():
            token, keys[name] = api_token_create(user=user, name="bench queue")
            tokens.append(token)
        with Server(
            "config.wsgi",
            _server_env(ctx),
            ctx.tmp / "gunicorn-requests.log",
            workers=WORKERS,
            threads=THREADS,
        ) as server:
            first = QUEUE_CASES[0]
            headers = {"Authorization": f"Bearer {keys[first[2]]}", "Accept": "application/json"}
            server.wait_ready(f"/api/v1/requests/queue/?view={first[3]}", headers)
            for key, title, name, which in QUEUE_CASES:
                headers = {"Authorization": f"Bearer {keys[name]}", "Accept": "application/json"}
                measured = drive(
                    server.port,
                    f"/api/v1/requests/queue/?view={which}",
                    headers,
                    total=ctx.scale.latency_iterations * 2,
                    seconds=ctx.scale.latency_seconds * 2,
                    concurrency=1,
                )
                result = Result(
                    f"{key}.http",
                    f"GET /api/v1/requests/queue/?view={which} ({title.split('(')[1][:-1]}), "
                    "1 connection",
                    ours=measured.timing,
                    errors=measured.errors,
                )
                result.limit_label = f"target p95 ≤ {QUEUE_TARGET_P95_MS:g} ms"
                result.extra.update(load=measured.as_dict(), target_p95_ms=QUEUE_TARGET_P95_MS)
                ctx.log(
                    f"    {key}.http: p50 {measured.timing.p50_ms:.1f} ms, "
                    f"p95 {measured.timing.p95_ms:.1f} ms"
                )
                if measured.errors:
                    result.findings.append(
                        f"{key}.http: {measured.errors} failed ({dict(measured.statuses)})"
                    )
                if which == "mine" and measured.timing.p95_ms > QUEUE_TARGET_P95_MS:
                    result.findings.append(
                        f"{key}.http: p95 {measured.timing.p95_ms:.1f} ms over the "
                        f"{QUEUE_TARGET_P95_MS:g} ms target at {total:,} requests"
                    )
                results.append(result)
    finally:
        for token in tokens:
            token.delete()
    return results


SMALL_SORT = 1000
QUEUE_PAGE = 50


def _judge_queue_plan(result: Result, *, strict: bool) -> None:
    """The agent's own queue must be an index scan in due order with no Sort (`strict`); the
    others may sort a handful of rows (a narrow scope read unit by unit), not a big set."""
    plan = result.plan
    if plan is None or plan.error or plan.vendor != "postgresql":
        return
    scans = [s for s in plan.scans if s.table == "service_requests_servicerequest"]
    in_order = [s for s in scans if s.method in ("Index Scan", "Index Only Scan")]
    # A queue shorter than a page is read whole: sorting it is all there is to do.
    whole = plan.has_sort and (plan.sort_rows or 0) <= QUEUE_PAGE + 1
    result.extra["plan_ok"] = (bool(in_order) and not plan.has_sort) or whole
    if strict and not result.extra["plan_ok"]:
        result.findings.append(
            f"{result.key}: not an index scan in due order without a sort ({plan.notes()})"
        )
    elif plan.has_sort and (plan.sort_rows or 0) > SMALL_SORT:
        result.findings.append(
            f"{result.key}: the queue's plan sorts {plan.sort_rows:,} rows ({plan.sort_keys})"
        )
    elif plan.has_sort:
        result.notes.append(f"sorts {plan.sort_rows} row(s) read unit by unit")


# --- registration through the API ---------------------------------------------------------------


def _post_load(
    port: int,
    path: str,
    bodies: Callable[[int], bytes],
    headers: dict[str, str],
    *,
    total: int,
    seconds: float,
    concurrency: int,
    expect: int = 201,
) -> LoadResult:
    """POST `bodies(n)` to `path` `total` times or for `seconds`, from `concurrency` threads
    each holding a keep-alive connection (bench.http_load.drive, for a body)."""
    lock = threading.Lock()
    issued = 0
    latencies: list[int] = []
    statuses: Counter[int] = Counter()
    errors = 0
    headers = {**headers, "Content-Type": "application/json"}
    start = time.monotonic()
    deadline = start + seconds

    def one(conn: http.client.HTTPConnection, body: bytes) -> int:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status

    def worker() -> None:
        nonlocal issued, errors
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[int] = []
        my_statuses: Counter[int] = Counter()
        my_errors = 0
        while True:
            with lock:
                if issued >= total or time.monotonic() >= deadline:
                    break
                issued += 1
                number = issued
            body = bodies(number)
            t0 = time.perf_counter_ns()
            try:
                status = one(conn, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                try:
                    status = one(conn, body)
                except (OSError, http.client.HTTPException):
                    status = 0
            mine.append(time.perf_counter_ns() - t0)
            my_statuses[status] += 1
            if status != expect:
                my_errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(my_statuses)
            errors += my_errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    wall = time.monotonic() - start
    return LoadResult(
        Timing.from_samples(latencies, wall), errors, statuses, wall, concurrency, latencies
    )


def _create(ctx: Context, total: int) -> list[Result]:
    from django.test import Client

    from aftersales.accounts.models import User
    from aftersales.accounts.services import api_token_create
    from aftersales.customers.models import Customer
    from aftersales.service_requests.models import RequestType

    user = User.objects.get(username="bench_region_head")
    customers = list(
        Customer.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:5000]
    )
    repair = RequestType.objects.get(code="repair")
    token, key = api_token_create(user=user, name="bench create")
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def body(number: int) -> bytes:
        return json.dumps(
            {
                "customer": customers[number % len(customers)],
                "request_type": repair.pk,
                "subject": f"Air conditioner drips ({number})",
                "answers": {"where": "home", "floor": str(1 + number % 30), "symptom": "Drips"},
                "external_ref": CREATE_REF,
            }
        ).encode()

    started = time.monotonic()
    results: list[Result] = []
    try:
        # One registration in process: the queries it takes after one to warm up for the same
        # customer (the configuration it reads — their unit's schedule among it — is then kept
        # in process, as it is for every unit a worker has served: core.configuration).
        client = Client(HTTP_HOST="127.0.0.1")
        post = {"content_type": "application/json", "headers": headers}
        first = client.post("/api/v1/requests/", body(len(customers)), **post)
        if first.status_code != 201:
            return [
                Result(
                    "requests.create",
                    "POST /api/v1/requests/",
                    status=f"failed: HTTP {first.status_code} {first.content[:300]!r}",
                )
            ]
        with capture_sql() as statements:
            client.post("/api/v1/requests/", body(0), **post)
        queries = [s for s in statements if not s.sql.startswith(("SAVEPOINT", "RELEASE"))]
        ctx.log(f"    one registration: {len(queries)} queries")
        # Ours and the bare Django + DRF view of the same registration (bench/bare_drf), both
        # served at once and loaded in alternating rounds: this machine's speed drifts by a
        # third within minutes, and one run of each side apart would measure the drift.
        bare_env = {**_server_env(ctx), "DJANGO_SETTINGS_MODULE": "bench.bare_drf.settings"}
        with (
            Server(
                "config.wsgi",
                _server_env(ctx),
                ctx.tmp / "gunicorn-requests.log",
                workers=WORKERS,
                threads=THREADS,
            ) as server,
            Server(
                "config.wsgi",
                bare_env,
                ctx.tmp / "gunicorn-bare-drf.log",
                workers=WORKERS,
                threads=THREADS,
            ) as bare,
        ):
            server.wait_ready("/api/v1/request-types/", headers)
            bare.wait_ready("/api/v1/requests/", headers)  # 405: a GET is not allowed
            for port in (server.port, bare.port):
                # Warm every worker (imports, connections, the calendar) before measuring.
                _post_load(
                    port, "/api/v1/requests/", body, headers, total=40, seconds=30,
                    concurrency=WORKERS * THREADS,
                )  # fmt: skip
            for suffix, concurrency, share in (("", 8, 1.0), (".single", 1, 0.5)):
                rounds: dict[int, list[LoadResult]] = {server.port: [], bare.port: []}
                for _ in range(CREATE_ROUNDS):
                    for port, done in rounds.items():
                        done.append(
                            _post_load(
                                port,
                                "/api/v1/requests/",
                                body,
                                headers,
                                total=int(ctx.scale.api_requests * share / CREATE_ROUNDS),
                                seconds=ctx.scale.api_seconds * share / CREATE_ROUNDS,
                                concurrency=concurrency,
                            )
                        )
                measured, limit = (merged(rounds[server.port]), merged(rounds[bare.port]))
                ctx.log(
                    f"    requests.create{suffix}: {measured.timing.per_s:.0f} req/s, "
                    f"p50 {measured.timing.p50_ms:.1f} ms at {concurrency} connection(s); "
                    f"bare Django + DRF view {limit.timing.per_s:.0f} req/s, "
                    f"p50 {limit.timing.p50_ms:.1f} ms"
                )
                result = Result(
                    f"requests.create{suffix}",
                    f"POST /api/v1/requests/ (bearer token), gunicorn {WORKERS}×{THREADS}, "
                    f"{concurrency} connection(s)",
                    kind="throughput",
                    ours=measured.timing,
                    limit=limit.timing,
                    errors=measured.errors,
                    queries=float(len(queries)),
                )
                result.limit_label = (
                    "bare Django + DRF view, same body and server (bench/bare_drf); issue 4 at "
                    "8 connections: bare Django + DRF view 412/s, django-helpdesk 76/s, "
                    "osTicket 47/s"
                )
                result.extra.update(
                    load=measured.as_dict(),
                    bare_drf=limit.as_dict(),
                    statements=[s.short(300) for s in queries],
                    targets={
                        "per_s": CREATE_TARGET_PER_S,
                        "p50_ms_single": CREATE_TARGET_P50_MS,
                        "queries": CREATE_MAX_QUERIES,
                    },
                )
                result.notes.append("queries: " + ", ".join(describe(s) for s in queries))
                result.notes.append(
                    "by round, ours / bare view: "
                    + ", ".join(
                        f"{o.timing.per_s:.0f} / {b.timing.per_s:.0f} req/s"
                        for o, b in zip(rounds[server.port], rounds[bare.port], strict=True)
                    )
                )
                if suffix == "" and limit.timing.per_s:
                    result.notes.append(
                        f"{measured.timing.per_s / limit.timing.per_s:.2f} of the bare view's "
                        f"throughput on this machine (the issue's target: 300 of its 412/s, "
                        f"{300 / 412:.2f})"
                    )
                for who, load in (("requests.create", measured), ("bare DRF view", limit)):
                    if load.errors:
                        result.findings.append(
                            f"{who}{suffix}: {load.errors} of {load.timing.n} failed "
                            f"({dict(load.statuses)})"
                        )
                if suffix == "" and measured.timing.per_s < CREATE_TARGET_PER_S:
                    result.findings.append(
                        f"requests.create: {measured.timing.per_s:.0f} requests/s at 8 "
                        f"connections, under the {CREATE_TARGET_PER_S:g}/s target"
                    )
                if suffix == ".single" and measured.timing.p50_ms > CREATE_TARGET_P50_MS:
                    result.findings.append(
                        f"requests.create.single: p50 {measured.timing.p50_ms:.1f} ms at one "
                        f"connection, over the {CREATE_TARGET_P50_MS:g} ms target"
                    )
                if suffix == "" and len(queries) > CREATE_MAX_QUERIES:
                    result.findings.append(
                        f"requests.create: {len(queries)} queries per registration, over the "
                        f"{CREATE_MAX_QUERIES} target"
                    )
                results.append(result)
    finally:
        token.delete()
        removed = _remove_created(ctx, started)
        ctx.log(f"    removed the {removed:,} requests the workload registered")
    return results


def _remove_created(ctx: Context, since: float) -> int:
    """Delete what the create workload wrote: its requests with their events, history rows,
    escalation rows and the notifications about them (ids read once: the table has no index
    on the ref); then vacuum those tables. Where autovacuum is off (CI's PostgreSQL), the dead
    rows stayed in the indexes a registration reads, and the next run's first round paid for
    them: 217–226/s against 296–339/s in the rounds after it (bench README, finding 31)."""
    tables = (
        "service_requests_requestevent",
        "notifications_notification",
        "service_requests_historicalservicerequest",
        "service_requests_requestescalation",
        "service_requests_servicerequest",
    )
    with ctx.db.raw() as raw:
        with raw.transaction():
            ids = [
                row[0]
                for row in raw.fetchall(
                    "SELECT id FROM service_requests_servicerequest WHERE external_ref = %s",
                    [CREATE_REF],
                )
            ]
            if not ids:
                return 0
            marks = ", ".join(["%s"] * len(ids))
            raw.execute(
                f"DELETE FROM service_requests_requestevent WHERE request_id IN ({marks})", ids
            )
            raw.execute(
                "DELETE FROM notifications_notification WHERE kind = 'request_assigned' "
                f"AND url IN ({marks})",
                [f"/requests/{pk}/" for pk in ids],
            )
            raw.execute(
                f"DELETE FROM service_requests_historicalservicerequest WHERE id IN ({marks})",
                ids,
            )
            raw.execute(
                f"DELETE FROM service_requests_requestescalation WHERE request_id IN ({marks})",
                ids,
            )
            removed = raw.execute(
                f"DELETE FROM service_requests_servicerequest WHERE id IN ({marks})", ids
            )
        _vacuum(raw, *tables)
    return removed


# --- escalation ------------------------------------------------------------------------------

LIMIT_SQL = [
    # One level up for every overdue request, as events, and the escalation rows updated:
    # what the sweep writes, without deciding who is told (the heads are looked up per unit).
    """
    INSERT INTO service_requests_requestevent
        (request_id, kind, created_at, actor_id, from_status, to_status, target_user_id,
         target_unit_id, level, reason)
    SELECT r.id, 'escalated', %s, NULL, '', '', r.responsible_id, r.unit_id,
           e.level + 1, 'overdue'
    FROM service_requests_requestescalation e
    JOIN service_requests_servicerequest r ON r.id = e.request_id
    WHERE e.next_at <= %s
    """,
    """
    UPDATE service_requests_requestescalation
    SET level = level + 1, next_at = %s
    WHERE next_at <= %s
    """,
]


def _vacuum(raw: Any, *tables: str) -> None:
    if raw.vendor == "postgresql":
        for table in tables:
            raw.execute(f"VACUUM (ANALYZE) {table}")


class _StatementCounter:
    """Counts the statements of a long call by kind (`describe`), keeping no parameters (the
    sweep's bulk inserts carry millions) and the first SELECT … FOR UPDATE for its plan."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.batch_select: Any = None

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        from bench.measure import Statement

        statement = Statement(sql, ())
        self.counts[describe(statement)] += 1
        if self.batch_select is None and "FOR UPDATE" in sql:
            self.batch_select = Statement(sql, tuple(params or ()))
        return execute(sql, params, many, context)


def _escalation(ctx: Context, total: int) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from aftersales.service_requests.services import escalate_overdue

    now = timezone.now()
    tables = (
        "service_requests_requestescalation",
        "service_requests_requestevent",
        "notifications_notification",
    )
    with ctx.db.raw() as raw:
        overdue = raw.execute(
            "UPDATE service_requests_requestescalation SET next_at = %s, level = 0 "
            "WHERE request_id IN (SELECT id FROM service_requests_servicerequest WHERE is_open)",
            [now - timedelta(minutes=1)],
        )
        ctx.log(f"  escalation: {overdue:,} open requests made overdue")
        # The physical limit (rolled back), then a vacuum so the sweep meets a clean table.
        t0 = time.perf_counter()
        try:
            with raw.transaction():
                for statement in LIMIT_SQL:
                    raw.execute(statement, [now, now])
                # The foreign keys are checked at commit (Django makes them deferred): check
                # them before rolling back, or the limit leaves out a third of the work.
                if raw.vendor == "postgresql":
                    raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
                raise _Rollback
        except _Rollback:
            pass
        limit_s = time.perf_counter() - t0
        ctx.log(f"    bare SQL: {limit_s:.1f} s")
        _vacuum(raw, *tables)
    counter = _StatementCounter()
    escalated = 0
    t0 = time.perf_counter()
    try:
        with connection.execute_wrapper(counter):
            escalated = escalate_overdue(now=now)
        sweep_s = time.perf_counter() - t0
        ctx.log(f"    escalate_overdue: {escalated:,} in {sweep_s:.1f} s")
    finally:
        with ctx.db.raw() as raw:
            raw.execute(
                "DELETE FROM service_requests_requestevent WHERE kind = 'escalated' "
                "AND created_at = %s",
                [now],
            )
            raw.execute(
                "DELETE FROM notifications_notification WHERE kind = 'requests_escalated' "
                "AND created_at >= %s",
                [now],
            )
            raw.execute(
                "UPDATE service_requests_requestescalation SET level = 0, next_at = ("
                "SELECT due_at FROM service_requests_servicerequest "
                "WHERE id = request_id) WHERE next_at IS NOT NULL OR level > 0"
            )
            _vacuum(raw, *tables)
    ours = Timing(1, sweep_s * 1e3, sweep_s * 1e3, sweep_s * 1e3, escalated / sweep_s)
    limit = Timing(1, limit_s * 1e3, limit_s * 1e3, limit_s * 1e3, overdue / limit_s)
    result = Result(
        "requests.escalation",
        f"escalate_overdue over {overdue:,} open overdue requests",
        kind="throughput",
        ours=ours,
        limit=limit,
        unit="requests/s",
        queries=float(sum(counter.counts.values())),
    )
    result.limit_label = "INSERT … SELECT events + one UPDATE + their key checks, rolled back"
    result.notes.append(
        f"{escalated:,} escalated in {sweep_s:.1f} s (bare SQL {limit_s:.1f} s); statements: "
        + ", ".join(f"{name} ×{n}" for name, n in counter.counts.most_common(10))
    )
    result.extra.update(
        seconds=sweep_s,
        limit_seconds=limit_s,
        overdue=overdue,
        target_s=SWEEP_TARGET_S,
        statements=dict(counter.counts),
    )
    if escalated != overdue:
        result.findings.append(
            f"requests.escalation: {escalated:,} escalated of {overdue:,} overdue requests"
        )
    if sweep_s > SWEEP_TARGET_S:
        result.findings.append(
            f"requests.escalation: {sweep_s:.0f} s for {overdue:,} requests, over the "
            f"{SWEEP_TARGET_S:g} s target"
        )
    if counter.batch_select is not None:
        from bench.plans import explain

        with ctx.db.raw() as raw:
            result.plan = explain(raw, counter.batch_select, analyze=False)
            judge_plan(raw, result, result.plan, "batch query")
    return [result]


class _Rollback(Exception):
    pass
