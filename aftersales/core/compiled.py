"""The SQL of the hottest reads, kept per process by what it depends on.

For an agent's queue page at ten million requests Django spent as long building the SQL
(filters, joins, the ordering: ~1.5 ms) as PostgreSQL spent running it (bench:
requests.queue.*). A read that goes through `values_rows` builds its queryset once per key;
later calls run the same statement with the same parameters.

The key must name everything the SQL and its parameters depend on (the user, their scope, the
page, the columns): what is kept is exactly what the ORM built for that key. Only statements
whose columns need no conversion are kept — the driver then hands back what `values_list`
would — so on SQLite (datetimes come back as text) every call builds its query as usual.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# Pages of the agents one process serves; the oldest go first.
MAX_ENTRIES = 5_000

_statements: OrderedDict[Hashable, tuple[str, str, tuple[Any, ...]]] = OrderedDict()
_lock = threading.Lock()


def values_rows(key: Hashable, build: Callable[[], QuerySet[Any]]) -> list[tuple[Any, ...]]:
    """`list(build())` for a `values_list` queryset, its SQL kept under `key`."""
    with _lock:
        kept = _statements.get(key)
        if kept is not None:
            _statements.move_to_end(key)
    if kept is None:
        queryset = build()
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        if compiler.get_converters(columns):
            return list(queryset)
        kept = (queryset.db, sql, tuple(params))
        with _lock:
            _statements[key] = kept
            while len(_statements) > MAX_ENTRIES:
                _statements.popitem(last=False)
    alias, sql, params = kept
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def forget() -> None:
    """Drop every kept statement (tests start from a cold process)."""
    with _lock:
        _statements.clear()
