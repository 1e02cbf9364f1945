"""The registry of table generators.

Each module in this package registers one or more generators with `@generator`. A feature
that adds tables adds ONE module here (say `tickets.py` with `@generator("requests",
after=("customers",))`) and a row-count key per scale in bench/scales.py; the runner discovers
modules on its own. A generator:

* receives a `GenContext` (scale, the bulk loader, a seeded random generator, what earlier
  generators left in `ctx.shared`, the one password hash, the load time);
* writes through `ctx.loader.load(...)` (COPY / executemany), never the ORM per row;
* chooses ids itself when later generators need them (the database starts empty after migrate,
  and sequences are moved past them at the end);
* returns {table: rows written} for the report;
* bumps `version` when its output changes, so existing bench databases are rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.loader import BulkLoader
from bench.scales import Scale


@dataclass
class GenContext:
    scale: Scale
    loader: BulkLoader
    now: datetime
    password_hash: str
    seed: int = 20260101
    shared: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = lambda message: None

    def rng(self, name: str) -> random.Random:
        """A random generator of its own per generator: output does not depend on order."""
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))


GeneratorFn = Callable[[GenContext], dict[str, int]]


@dataclass(frozen=True)
class Generator:
    name: str
    fn: GeneratorFn
    after: tuple[str, ...]
    version: str
    doc: str


REGISTRY: dict[str, Generator] = {}


def generator(
    name: str, *, after: Sequence[str] = (), version: str = "1"
) -> Callable[[GeneratorFn], GeneratorFn]:
    def register(fn: GeneratorFn) -> GeneratorFn:
        if name in REGISTRY:
            raise ValueError(f"generator {name!r} registered twice")
        REGISTRY[name] = Generator(name, fn, tuple(after), version, (fn.__doc__ or "").strip())
        return fn

    return register


def discover() -> None:
    """Import every module of this package so that their generators register."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def ordered() -> list[Generator]:
    """Generators in dependency order (`after`), ties by name, so runs are reproducible."""
    discover()
    done: list[Generator] = []
    seen: set[str] = set()

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in chain:
            raise ValueError(f"generator cycle: {' -> '.join((*chain, name))}")
        if name not in REGISTRY:
            raise ValueError(f"unknown generator {name!r} (needed by {chain[-1]!r})")
        for dependency in sorted(REGISTRY[name].after):
            visit(dependency, (*chain, name))
        seen.add(name)
        done.append(REGISTRY[name])

    for name in sorted(REGISTRY):
        visit(name, ())
    return done


def versions() -> dict[str, str]:
    return {g.name: g.version for g in ordered()}
