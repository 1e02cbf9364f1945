"""b. API throughput: the real app under gunicorn (production settings) against a minimal WSGI
app doing the same work (bench/limit_wsgi.py) under the same gunicorn command, both driven by
the same bounded load generator on loopback."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from bench.compare import judge_others, judge_plan, judge_statements
from bench.http_load import LoadResult, Server, drive, get
from bench.measure import Timing, capture_sql, pick, time_calls
from bench.plans import explain
from bench.workloads import Context, Result, workload

ENDPOINTS = [
    # key, title, path, main statement needles
    (
        "api.users",
        "GET /api/v1/users/?page_size=50 (region head)",
        "/api/v1/users/?page_size=50",
        ('FROM "accounts_user"', "LIMIT"),
    ),
    (
        "api.units",
        "GET /api/v1/units/ (region head)",
        "/api/v1/units/",
        ('FROM "organisation_unit"', "LIMIT"),
    ),
]

# Our server twice: as configured by default (a new database connection per request), and
# with persistent connections, to show what DATABASE_CONN_MAX_AGE is worth.
VARIANTS = [
    ("", "", {"DATABASE_CONN_MAX_AGE": "0"}),
    (".persistent", ", DATABASE_CONN_MAX_AGE=60", {"DATABASE_CONN_MAX_AGE": "60"}),
]


def _payload(body: bytes) -> Any:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict):
        data.pop("next", None)
        data.pop("previous", None)
    return data


def _in_process(
    path: str, headers: dict[str, str], seconds: float
) -> tuple[int, list[Any], bytes, Timing]:
    """Requests through Django in this process, one at a time, no HTTP: the queries the app
    issues per request in steady state (captured after a warm-up), and the latency of one
    request when nothing else competes for the CPU."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path, headers=headers)
    with capture_sql() as statements:
        response = client.get(path, headers=headers)
    timing = time_calls(lambda: client.get(path, headers=headers), iterations=200, seconds=seconds)
    return response.status_code, statements, response.content, timing


@workload("api", order=20)
def api(ctx: Context) -> list[Result]:
    """Requests/s, latency and errors of the list endpoints under gunicorn."""
    from aftersales.accounts.models import User
    from aftersales.accounts.services import api_token_create

    scale = ctx.scale
    user = User.objects.get(username="bench_region_head")
    token, key = api_token_create(user=user, name="bench run")
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    log_path = ctx.tmp / "gunicorn.log"
    results: list[Result] = []
    try:
        in_process = {}
        with ctx.db.raw() as raw:
            for name, _title, path, main in ENDPOINTS:
                status, statements, _content, alone = _in_process(path, headers, 3.0)
                ctx.log(f"    {name} in process, one at a time: p50 {alone.p50_ms:.1f} ms")
                plans = []
                page = pick(statements, *main)
                count = pick(statements, "COUNT(", main[0])
                if page is not None:
                    plans.append(("page query", explain(raw, page)))
                if count is not None:
                    plans.append(("count query", explain(raw, count)))
                others = Result(name, name)
                judge_others(raw, others, statements, page, skip=[count] if count else [])
                in_process[name] = (status, statements, alone, plans, others)

        def load(port: int, path: str) -> LoadResult:
            return drive(
                port,
                path,
                headers,
                total=scale.api_requests,
                seconds=scale.api_seconds,
                concurrency=scale.api_concurrency,
            )

        ctx.log("  limit: minimal WSGI app under gunicorn")
        limits: dict[str, LoadResult] = {}
        limit_bodies: dict[str, bytes] = {}
        limit_env = ctx.db.django_env(BENCH_LIMIT_DATABASE_URL=ctx.db.url)
        with Server("bench.limit_wsgi:application", limit_env, log_path) as server:
            server.wait_ready(ENDPOINTS[0][2], headers)
            for name, _title, path, _main in ENDPOINTS:
                limit_bodies[name] = get(server.port, path, headers)[1]
                limits[name] = load(server.port, path)
                ctx.log(f"    {name}: {limits[name].timing.per_s:.0f} req/s")

        secret = secrets.token_urlsafe(50)
        for suffix, label, variant_env in VARIANTS:
            if time.monotonic() > ctx.deadline:
                ctx.log(f"  skipping the{label or ' default'} variant: out of time")
                continue
            env = ctx.db.django_env(
                AFTERSALES_ENV="production",
                SECRET_KEY=secret,
                ALLOWED_HOSTS="127.0.0.1",
                SECURE_SSL_REDIRECT="0",
                DEBUG="0",
                LOG_LEVEL="WARNING",
                **variant_env,
            )
            ctx.log(f"  ours: config.wsgi under gunicorn{label}")
            with Server("config.wsgi", env, log_path) as server:
                server.wait_ready(ENDPOINTS[0][2], headers)
                for name, title, path, _main in ENDPOINTS:
                    status, body = get(server.port, path, headers)
                    measured = load(server.port, path)
                    ctx.log(f"    {name}{suffix}: {measured.timing.per_s:.0f} req/s")
                    results.append(
                        _result(
                            name + suffix,
                            title + label,
                            measured,
                            limits[name],
                            status,
                            body,
                            limit_bodies[name],
                            in_process[name],
                        )
                    )
        with ctx.db.raw() as raw:
            for result in results:
                for label, plan in result.extra.pop("_plans", []):
                    judge_plan(raw, result, plan, label)
        _compare_variants(results)
    finally:
        token.delete()
    return results


def _result(
    key: str,
    title: str,
    measured: LoadResult,
    limit: LoadResult,
    status: int,
    body: bytes,
    limit_body: bytes,
    in_process: tuple[int, list[Any], Timing, list[Any], Result],
) -> Result:
    ip_status, statements, alone, plans, others = in_process
    result = Result(key, title, kind="throughput", ours=measured.timing, limit=limit.timing)
    result.limit_label = "minimal WSGI app, same gunicorn"
    result.errors = measured.errors
    result.queries = float(len(statements))
    result.plan = plans[0][1] if plans else None
    result.extra.update(
        load=measured.as_dict(),
        limit_load=limit.as_dict(),
        statements=[s.short(400) for s in statements],
        other_plans={
            **{label: plan.as_dict() for label, plan in plans[1:]},
            **others.extra.get("other_plans", {}),
        },
        _plans=plans,
    )
    result.notes += others.notes
    result.findings += [f.replace(f"{others.key}:", f"{key}:", 1) for f in others.findings]
    result.extra["in_process_one_at_a_time"] = alone.as_dict()
    result.notes.append(
        f"in process, one request at a time, no HTTP: p50 {alone.p50_ms:.1f} ms, "
        f"p95 {alone.p95_ms:.1f} ms"
    )
    judge_statements(result, statements)
    if len(plans) > 1:
        result.notes.append(f"{plans[1][0]}: {plans[1][1].notes()}")
    same = status == 200 and _payload(body) == _payload(limit_body)
    result.extra["payload_matches_limit"] = same
    if status != 200:
        result.status = f"failed: HTTP {status}"
        result.findings.append(f"{key}: the endpoint answered HTTP {status}")
    elif not same:
        result.notes.append("the limit app's JSON differs from the API's (compare in the JSON)")
    if ip_status != 200:
        result.notes.append(f"in-process request answered HTTP {ip_status}")
    if measured.errors:
        result.findings.append(
            f"{key}: {measured.errors} of {measured.timing.n} requests failed "
            f"({dict(measured.statuses)})"
        )
    result.notes.append("+1 UPDATE of the token's last_used_at at most once a minute (not counted)")
    return result


def _compare_variants(results: list[Result]) -> None:
    """A finding when persistent connections change throughput noticeably."""
    by_key = {r.key: r for r in results}
    for name, *_ in ENDPOINTS:
        default, persistent = by_key.get(name), by_key.get(name + ".persistent")
        if not default or not persistent or not default.ours or not persistent.ours:
            continue
        gain = persistent.ours.per_s / default.ours.per_s - 1 if default.ours.per_s else 0
        persistent.extra["gain_over_default"] = gain
        if gain > 0.10:
            persistent.findings.append(
                f"{name}: a new database connection per request (DATABASE_CONN_MAX_AGE=0, the "
                f"default) costs throughput: {default.ours.per_s:.0f} req/s vs "
                f"{persistent.ours.per_s:.0f} req/s with DATABASE_CONN_MAX_AGE=60 "
                f"(+{gain:.0%})"
            )
