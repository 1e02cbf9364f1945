"""Dataset sizes and the time/iteration budgets of each scale.

`rows` maps a row-count key to its target; a generator reads its own key with
`scale.count("users")`. A feature that adds a table adds its key here (with a number per
scale) and its generator under bench/generators/; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scale:
    name: str
    description: str
    rows: Mapping[str, int]
    # The org tree: 1 HQ → regions → centres → outlets (the same at every scale for now).
    regions: int = 6
    centres_per_region: int = 10
    outlets_per_centre: int = 10
    # Latency workloads: up to this many timed calls, or this long, whichever comes first.
    latency_iterations: int = 400
    latency_seconds: float = 4.0
    # API load: up to this many requests per endpoint, or this long, whichever comes first.
    api_requests: int = 2000
    api_seconds: float = 30.0
    api_concurrency: int = 8
    # Business-time engine: calls per measurement (time-capped as well).
    engine_calls: int = 20_000
    sqlite_ok: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """Target row count for `key`; 0 when this scale does not generate that table."""
        return int(self.rows.get(key, 0))

    @property
    def units(self) -> int:
        regions = self.regions
        centres = regions * self.centres_per_region
        return 1 + regions + centres + centres * self.outlets_per_centre


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small",
        description="smoke test: the full org tree, 20k people; finishes in a few minutes",
        rows={
            "users": 20_000,
            "api_tokens": 2_000,
            "login_failures": 5_000,
            "customers": 20_000,
            "installed_products": 20_000,
            "service_requests": 100_000,
        },
    ),
    "medium": Scale(
        name="medium",
        description="200k people: ten times small",
        rows={
            "users": 200_000,
            "api_tokens": 20_000,
            "login_failures": 50_000,
            "customers": 200_000,
            "installed_products": 200_000,
            "service_requests": 1_000_000,
        },
        latency_iterations=400,
        latency_seconds=6.0,
        api_requests=3000,
        api_seconds=45.0,
        sqlite_ok=False,
    ),
    "full": Scale(
        name="full",
        description=(
            "2M people: a hundred times small, the size later tables reach "
            "(2M customers, 10M requests, 20M ledger entries come with their features)"
        ),
        rows={
            "users": 2_000_000,
            "api_tokens": 200_000,
            "login_failures": 500_000,
            "customers": 2_000_000,
            "installed_products": 2_000_000,
            "service_requests": 10_000_000,
        },
        latency_iterations=300,
        latency_seconds=8.0,
        api_requests=3000,
        api_seconds=60.0,
        sqlite_ok=False,
    ),
}
