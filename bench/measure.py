"""Timing, percentiles, and capturing the SQL the ORM sends (to count it, EXPLAIN it and replay
it through the bare driver as the "physical limit")."""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection

from bench.database import RawConnection


@dataclass
class Timing:
    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    per_s: float  # calls completed per second of wall time (sequential)

    @classmethod
    def from_samples(cls, samples_ns: Sequence[int], wall_s: float | None = None) -> Timing:
        if not samples_ns:
            return cls(0, math.nan, math.nan, math.nan, 0.0)
        ordered = sorted(samples_ns)
        total_s = sum(ordered) / 1e9
        wall = wall_s if wall_s else total_s
        return cls(
            n=len(ordered),
            p50_ms=percentile(ordered, 50) / 1e6,
            p95_ms=percentile(ordered, 95) / 1e6,
            mean_ms=total_s * 1e3 / len(ordered),
            per_s=len(ordered) / wall if wall > 0 else 0.0,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def time_calls(
    fn: Callable[[], object], *, iterations: int, seconds: float, warmup: int = 10
) -> Timing:
    """Call `fn` up to `iterations` times or for `seconds`, whichever ends first, after
    `warmup` untimed calls; latency of each call."""
    for _ in range(warmup):
        fn()
    samples: list[int] = []
    clock = time.perf_counter_ns
    start = clock()
    deadline = start + int(seconds * 1e9)
    while len(samples) < iterations:
        t0 = clock()
        fn()
        t1 = clock()
        samples.append(t1 - t0)
        if t1 >= deadline:
            break
    return Timing.from_samples(samples, (clock() - start) / 1e9)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]

    @property
    def is_select(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT")

    def short(self, width: int = 120) -> str:
        text = " ".join(self.sql.split())
        return text if len(text) <= width else text[: width - 1] + "…"


@contextmanager
def capture_sql() -> Iterator[list[Statement]]:
    """Every statement the default connection executes inside the block, with its parameters
    exactly as handed to the driver (Django placeholders)."""
    statements: list[Statement] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not many:
            statements.append(Statement(sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


def captured(fn: Callable[[], object]) -> list[Statement]:
    with capture_sql() as statements:
        fn()
    return statements


def replay(raw: RawConnection, statements: Sequence[Statement]) -> Callable[[], int]:
    """A function running `statements` through the bare driver and fetching every row: the
    same rows read, no framework. Returns the row count (so nothing is optimised away)."""
    prepared = [(s.sql, s.params) for s in statements]

    def run() -> int:
        rows = 0
        for sql, params in prepared:
            rows += len(raw.fetchall(sql, params))
        return rows

    return run


def pick(
    statements: Sequence[Statement], *needles: str, prefer: str | None = None
) -> Statement | None:
    """The first statement containing every needle (case-insensitive); with `prefer`, one that
    also contains it if there is one."""
    matches = [
        s for s in statements if all(n.lower() in s.sql.lower() for n in needles) and s.is_select
    ]
    if prefer:
        preferred = [s for s in matches if prefer.lower() in s.sql.lower()]
        if preferred:
            return preferred[0]
    return matches[0] if matches else None


_FROM = re.compile(r'\bFROM "?(\w+)"?', re.IGNORECASE)
_JOIN = re.compile(r'\bJOIN "?(\w+)"?', re.IGNORECASE)
_UPDATE = re.compile(r'^\s*(UPDATE|INSERT INTO|DELETE FROM) "?(\w+)"?', re.IGNORECASE)


def describe(statement: Statement) -> str:
    """A few words for a statement: `count(accounts_user)`, `accounts_apitoken`, ..."""
    sql = statement.sql
    write = _UPDATE.match(sql)
    if write:
        return f"{write.group(1).split()[0].lower()} {write.group(2)}"
    match = _FROM.search(sql)
    table = match.group(1) if match else "?"
    joined = [t for t in dict.fromkeys(_JOIN.findall(sql)) if t != table]
    if joined:
        table += "+" + "+".join(joined)
    if "COUNT(" in sql.upper():
        return f"count({table})"
    if "_prefetch_related_val" in sql:
        return f"prefetch {table}"
    return table


def repeated(statements: Sequence[Statement]) -> list[tuple[Statement, int]]:
    """Statements issued more than once with the same parameters within one call."""
    counts = Counter((s.sql, s.params) for s in statements)
    return [(Statement(sql, params), n) for (sql, params), n in counts.items() if n > 1]
