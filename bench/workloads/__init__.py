"""The registry of workloads and the shape of their results.

A workload is a function `fn(ctx) -> list[Result]` registered with `@workload(name, order)` in
a module of this package (discovered automatically). Each result compares "our figure" (the
app as it runs) with the "physical limit" (the same rows read or written by the bare driver, or
the minimal server for HTTP) and carries the queries per request and the main query's plan.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.database import BenchDatabase
from bench.measure import Timing
from bench.plans import Plan
from bench.scales import Scale


@dataclass
class Context:
    scale: Scale
    db: BenchDatabase
    tmp: Path
    log: Callable[[str], None]
    deadline: float  # time.monotonic() after which workloads should wrap up
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    key: str  # stable across runs and scales, e.g. "scoping.users.region"
    title: str
    kind: str = "latency"  # "latency" (lower is better) | "throughput" (higher is better)
    ours: Timing | None = None
    limit: Timing | None = None
    limit_label: str = ""  # what the limit is, when it is not the bare-driver replay
    queries: float | None = None
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"  # "ok" | "not available: …" | "failed: …"
    errors: int = 0
    unit: str = "req/s"  # throughput unit

    @property
    def ratio(self) -> float | None:
        """How many times the limit is better than our figure (≥ 1 means overhead)."""
        if self.ours is None or self.limit is None:
            return None
        if self.kind == "throughput":
            if self.ours.per_s <= 0:
                return None
            return self.limit.per_s / self.ours.per_s
        if not self.limit.p50_ms or math.isnan(self.limit.p50_ms):
            return None
        return self.ours.p50_ms / self.limit.p50_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "ours": self.ours.as_dict() if self.ours else None,
            "limit": self.limit.as_dict() if self.limit else None,
            "limit_label": self.limit_label,
            "ratio": self.ratio,
            "queries": self.queries,
            "plan": self.plan.as_dict() if self.plan else None,
            "notes": self.notes,
            "findings": self.findings,
            "errors": self.errors,
            "unit": self.unit,
            "extra": self.extra,
        }


WorkloadFn = Callable[[Context], list[Result]]


@dataclass(frozen=True)
class Workload:
    name: str
    order: int
    fn: WorkloadFn
    doc: str


REGISTRY: dict[str, Workload] = {}


def workload(name: str, *, order: int = 100) -> Callable[[WorkloadFn], WorkloadFn]:
    def register(fn: WorkloadFn) -> WorkloadFn:
        if name in REGISTRY:
            raise ValueError(f"workload {name!r} registered twice")
        REGISTRY[name] = Workload(name, order, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def ordered() -> list[Workload]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return sorted(REGISTRY.values(), key=lambda w: (w.order, w.name))
