"""Configuration that every request reads — a request type's questions, SLA policies, a unit's
business schedule, a position's permissions — kept per process and never served stale.

Each change of such configuration writes a new random value into the single row of
`ConfigurationGeneration`, in the same transaction as the change (apps name the models they
own with `watch(...)`, and a signal does it). A read takes the generation first and the cache
answers only for entries loaded under that generation; anything else is read from the
database and kept under the generation it was read after. Read committed: whoever sees the new
generation sees the change, so an entry is never older than its key; an entry made under an
old generation while a change commits is at worst newer than its key, and nobody asks for
that key again. A rolled-back change takes its value with it: the row is back at the old value
and so is the configuration (values are random, never reused).

Inside an HTTP request the generation is read once (the API's token query brings it along;
otherwise the first cached read asks); outside requests — jobs, commands — every cached read
asks first: one small query instead of the reads it replaces.

Writes that bypass model signals (`QuerySet.update`, `bulk_create`, raw SQL, treebeard moves)
must call `changed()` themselves.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save

# Enough for every type, policy, unit schedule and the permissions of the people one process
# serves; the oldest entries go first.
MAX_ENTRIES = 20_000

_OUTSIDE_REQUEST = -1  # generations are non-negative
_UNKNOWN = -2
_request_generation: ContextVar[int] = ContextVar(
    "configuration_generation", default=_OUTSIDE_REQUEST
)

_entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
_lock = threading.Lock()


def _table() -> str:
    from aftersales.core.models import ConfigurationGeneration

    return ConfigurationGeneration._meta.db_table


def generation_sql() -> str:
    """An expression other queries select to bring the generation along (the token query)."""
    return f"(SELECT g.value FROM {_table()} g WHERE g.id = 1)"


def noted(value: int | None) -> None:
    """The generation as another query of this request read it."""
    if _request_generation.get() != _OUTSIDE_REQUEST:
        _request_generation.set(value or 0)


def current() -> int:
    known = _request_generation.get()
    if known >= 0:
        return known
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {_table()} WHERE id = 1")
        row = cursor.fetchone()
    value = row[0] if row else 0  # the row is gone after a test flush: nothing configured yet
    if known == _UNKNOWN:
        _request_generation.set(value)
    return value


def cached[T](key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s answer for `key` under the current generation. What it returns is shared
    by every caller in this process: never change it."""
    generation = current()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == generation:
            _entries.move_to_end(key)
            return entry[1]
    value = load()
    with _lock:
        _entries[key] = (generation, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def changed() -> None:
    """The configuration changed: a new generation, written in the caller's transaction."""
    value = secrets.randbits(62)
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET value = %s WHERE id = 1", [value])
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {table} (id, value) VALUES (1, %s)", [value])
    if _request_generation.get() != _OUTSIDE_REQUEST:
        _request_generation.set(value)


def forget() -> None:
    """Drop every entry (tests start from a cold process)."""
    with _lock:
        _entries.clear()


def _on_change(sender: type[models.Model], **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed: after, not before
        changed()


def watch(*watched: type[models.Model]) -> None:
    """Saving or deleting any of `watched` (or changing its many-to-many links) is a change
    of the configuration."""
    for model in watched:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"configuration:{model}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"configuration-d:{model}")


def watch_links(*through: type[models.Model]) -> None:
    for model in through:
        m2m_changed.connect(_on_change, sender=model, dispatch_uid=f"configuration-m:{model}")


def _request_started(**_kwargs: Any) -> None:
    _request_generation.set(_UNKNOWN)


def _request_finished(**_kwargs: Any) -> None:
    _request_generation.set(_OUTSIDE_REQUEST)


request_started.connect(_request_started, dispatch_uid="configuration-request-started")
request_finished.connect(_request_finished, dispatch_uid="configuration-request-finished")
