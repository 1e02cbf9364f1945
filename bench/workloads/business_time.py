"""d. Business time: add_business_minutes(schedule, start, minutes) on a China-like schedule
(two working spans a day, public holidays, make-up working days, Asia/Shanghai), and the
deadline of a unit read from the database (selectors.deadline_for_unit).

There is no physical limit here: a bare loop of date arithmetic "of equivalent size" is not a
meaningful equivalent of walking a calendar, so only our figure is reported. Guarded: while
the engine is being written, a missing module or a different signature reports
"not available" instead of failing the run."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import cycle
from typing import Any
from zoneinfo import ZoneInfo

from bench.compare import judge_statements
from bench.generators.calendars import WEEKLY, china_days
from bench.measure import captured, time_calls
from bench.workloads import Context, Result, workload

NO_LIMIT = "n/a: no meaningful bare equivalent"
TZ = "Asia/Shanghai"


def _inputs(count: int, low: int, high: int) -> list[tuple[datetime, int]]:
    rng = random.Random(f"business-time:{low}:{high}")
    tz = ZoneInfo(TZ)
    origin = datetime(2026, 1, 1, tzinfo=tz)
    return [
        (origin + timedelta(minutes=rng.randrange(365 * 24 * 60)), rng.randint(low, high))
        for _ in range(count)
    ]


def _engine_call(add: Callable[..., Any], schedule: Any, low: int, high: int) -> Callable[[], Any]:
    inputs = cycle(_inputs(1000, low, high))

    def call() -> Any:
        start, minutes = next(inputs)
        return add(schedule, start, minutes)

    return call


@workload("business_time", order=40)
def business_time(ctx: Context) -> list[Result]:
    """Calls per second of the business-time engine."""
    keys = [
        ("business_time.add_minutes", "add_business_minutes, 1–480 min (within ~a day)", 1, 480),
        ("business_time.add_minutes.long", "add_business_minutes, 1–10 working days", 480, 4800),
    ]
    try:
        from aftersales.calendars.business_time import BusinessSchedule, add_business_minutes
    except ImportError as exc:
        return [
            Result(key, title, kind="throughput", status=f"not available: {exc}")
            for key, title, _, _ in keys
        ]
    days = china_days()
    try:
        schedule = BusinessSchedule(
            weekly=WEEKLY,
            holidays=frozenset(d for d, (kind, _) in days.items() if kind == "holiday"),
            workdays=frozenset(d for d, (kind, _) in days.items() if kind == "workday"),
            tz=ZoneInfo(TZ),
        )
        add_business_minutes(schedule, _inputs(1, 1, 1)[0][0], 60)
    except (TypeError, ValueError, AttributeError) as exc:
        return [
            Result(
                key,
                title,
                kind="throughput",
                status=f"not available: engine signature differs ({exc})",
            )
            for key, title, _, _ in keys
        ]

    results: list[Result] = []
    for key, title, low, high in keys:
        ctx.log(f"  {key}")
        timing = time_calls(
            _engine_call(add_business_minutes, schedule, low, high),
            iterations=ctx.scale.engine_calls,
            seconds=ctx.scale.latency_seconds,
            warmup=200,
        )
        result = Result(key, title, kind="throughput", ours=timing, unit="calls/s", queries=0.0)
        result.limit_label = NO_LIMIT
        result.notes.append("pure function, no database; " + NO_LIMIT)
        results.append(result)
    results.append(_deadline_for_unit(ctx))
    return results


def _deadline_for_unit(ctx: Context) -> Result:
    key, title = "business_time.deadline_for_unit", "selectors.deadline_for_unit (outlet, 1 day)"
    try:
        from aftersales.calendars.selectors import deadline_for_unit
    except ImportError as exc:
        return Result(key, title, status=f"not available: {exc}")
    from aftersales.organisation.models import Unit

    outlet = Unit.objects.get(code="r01-c01-o01")
    inputs = cycle(_inputs(1000, 60, 480))

    def call() -> Any:
        start, minutes = next(inputs)
        return deadline_for_unit(outlet, start, minutes)

    try:
        statements = captured(call)
    except Exception as exc:  # noqa: BLE001 - the selector is new; report, do not abort the run
        return Result(key, title, status=f"not available: {type(exc).__name__}: {exc}")
    ctx.log(f"  {key}")
    timing = time_calls(
        call, iterations=ctx.scale.latency_iterations, seconds=ctx.scale.latency_seconds
    )
    result = Result(key, title, ours=timing, queries=float(len(statements)))
    result.limit_label = NO_LIMIT
    result.extra["statements"] = [s.short(400) for s in statements]
    judge_statements(result, statements)
    result.notes.append(
        "schedule read from the database on every call (lineage, calendar intervals and days), "
        "then the engine; " + NO_LIMIT
    )
    return result
