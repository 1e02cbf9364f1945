"""The common shape of an in-process workload: run a call through the app (ORM), capture its
SQL, time it, time the same statements through the bare driver (the physical limit), EXPLAIN
the main statement and turn what the plan shows into notes and findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.database import RawConnection
from bench.measure import Statement, captured, describe, pick, repeated, replay, time_calls
from bench.plans import Plan, explain
from bench.workloads import Context, Result

# A sequential scan or a sort over more rows than this is worth a finding, not just a note.
BIG_TABLE_ROWS = 10_000
# Any query reading more rows than this per request is worth a finding (it grows with data).
MANY_ROWS = 100_000

_table_rows: dict[tuple[str, str], int] = {}


def table_rows(raw: RawConnection, table: str) -> int:
    key = (raw.vendor, table)
    if key not in _table_rows:
        if raw.vendor == "postgresql":
            rows = raw.fetchall(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table]
            )
            _table_rows[key] = max(int(rows[0][0]), 0) if rows else 0
        else:
            _table_rows[key] = int(raw.fetchall(f'SELECT count(*) FROM "{table}"')[0][0])
    return _table_rows[key]


def judge_statements(result: Result, statements: Sequence[Statement]) -> None:
    """Name the queries of one call, and flag the same query issued twice."""
    if len(statements) > 1:
        result.notes.append("queries: " + ", ".join(describe(s) for s in statements))
    for statement, times in repeated(statements):
        result.findings.append(
            f"{result.key}: the same query runs {times} times per call ({describe(statement)}: "
            f"{statement.short(90)})"
        )


def judge_plan(raw: RawConnection, result: Result, plan: Plan, label: str = "main query") -> None:
    """Notes for every sequential scan and sort; findings when they touch big tables."""
    if plan.error:
        result.notes.append(f"{label}: {plan.notes()}")
        return
    for scan in plan.scans:
        if not scan.table or scan.narrowed:
            continue
        size = table_rows(raw, scan.table)
        how = scan.method + (f" {scan.index}" if scan.index else "")
        if size <= BIG_TABLE_ROWS:
            result.notes.append(
                f"{label}: {how} on {scan.table} ({size:,} rows: small enough that the "
                "planner prefers it)"
            )
        elif scan.rows is not None and scan.rows <= BIG_TABLE_ROWS:
            result.notes.append(
                f"{label}: no index condition on {scan.table} ({size:,} rows): {how}, stopped "
                f"after {scan.rows:,} rows (LIMIT met early; fewer matches would read more)"
            )
        elif scan.rows is not None:
            result.findings.append(
                f"{result.key}: {label} reads {scan.rows:,} of {size:,} rows of {scan.table} "
                f"({how}) with no index condition"
            )
        elif " LIMIT " in f" {plan.sql.upper()} ":
            result.findings.append(
                f"{result.key}: {label} has no index condition on {scan.table} ({size:,} rows): "
                f"{how}; rows read depend on how soon the LIMIT is met (SQLite does not say)"
            )
        else:
            result.findings.append(
                f"{result.key}: {label} reads all {size:,} rows of {scan.table} ({how}): "
                "no index condition and no LIMIT"
            )
    for scan in plan.scans:
        if scan.rows is not None and scan.rows > MANY_ROWS:
            result.findings.append(
                f"{result.key}: {label} reads {scan.rows:,} rows of {scan.table} "
                f"({scan.method}) on every call: its cost grows with the data"
            )
    if plan.has_sort:
        read = plan.sort_rows or 0
        if read > BIG_TABLE_ROWS:
            result.findings.append(
                f"{result.key}: {label} sorts {read:,} rows ({plan.sort_keys}) to return one page;"
                " an index matching the filter and the order would stop after the page"
            )


def orm_vs_raw(
    ctx: Context,
    raw: RawConnection,
    *,
    key: str,
    title: str,
    call: Callable[[], object],
    main: Sequence[str],
    prefer: str | None = None,
    iterations: int | None = None,
) -> Result:
    statements: list[Statement] = captured(call)
    scale = ctx.scale
    budget = {
        "iterations": iterations or scale.latency_iterations,
        "seconds": scale.latency_seconds,
    }
    ours = time_calls(call, **budget)
    limit = time_calls(replay(raw, statements), **budget)
    result = Result(key, title, ours=ours, limit=limit, queries=float(len(statements)))
    result.limit_label = "same SQL via bare driver"
    result.extra["statements"] = [s.short(400) for s in statements]
    judge_statements(result, statements)
    statement = pick(statements, *main, prefer=prefer)
    if statement is not None:
        result.plan = explain(raw, statement)
        judge_plan(raw, result, result.plan)
    else:
        result.notes.append(f"main statement ({' + '.join(main)}) not found among the queries")
    judge_others(raw, result, statements, statement)
    return result


def judge_others(
    raw: RawConnection,
    result: Result,
    statements: Sequence[Statement],
    main: Statement | None,
    skip: Sequence[Statement] = (),
) -> None:
    """EXPLAIN every other SELECT of the call too: a slow helper query (the user's unit paths,
    a permission lookup) costs as much as a slow main one."""
    plans = result.extra.setdefault("other_plans", {})
    done = {(s.sql, s.params) for s in (main, *skip) if s is not None}
    for number, statement in enumerate(statements, 1):
        if not statement.is_select or (statement.sql, statement.params) in done:
            continue
        done.add((statement.sql, statement.params))
        label = f"query {number} ({describe(statement)})"
        plan = explain(raw, statement)
        plans[label] = plan.as_dict()
        judge_plan(raw, result, plan, label)
