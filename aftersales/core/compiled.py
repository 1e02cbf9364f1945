"""The SQL of the hottest reads, kept per process by what it depends on.

For an agent's queue page at ten million requests Django spent as long building the SQL
(filters, joins, the ordering: ~1.5 ms) as PostgreSQL spent running it (bench:
requests.queue.*). A read that goes through `values_rows` builds its queryset once per key;
later calls run the same statement with the same parameters.

The key must name everything the SQL and its parameters depend on (the user, their scope, the
page, the columns): what is kept is exactly what the ORM built for that key. Only statements
whose columns need no conversion are kept — the driver then hands back what `values_list`
would — so on SQLite (datetimes come back as text) every call builds its query as usual.

`one_instance` does the same for a read of one model instance by id with its
`select_related` rows and annotations (a registration's customer: bench requests.create): the
id is the one parameter that changes between calls, and the row becomes instances the way
Django's own iterator makes them, its converters included. `ModelColumns` serves the few
statements written by hand (the token, the least-loaded worker): a model's columns in the
SELECT and the instance its slice of a row makes. `insert_statement` keeps an INSERT's text.
`prepared_cursor` runs a statement whose text stays the same from call to call (the token's
read, a kept instance read, a kept INSERT), prepared on PostgreSQL once a connection has run it
twice.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import _get_from_db, get_related_populators
from django.db.models.sql import InsertQuery

# Statements one process keeps (queue pages, customers' reads by scope); the oldest go first.
MAX_ENTRIES = 5_000

_statements: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()
# Stands for the id while a `one_instance` statement is built: no row has it, and the one
# parameter equal to it is where each call's id goes.
_ID_SLOT = -7_213_009_417_335_122_951
# Kept for a `one_instance` statement that does not carry its id as one parameter.
_BUILT_EACH_TIME = object()


def _kept(key: Hashable) -> Any:
    with _lock:
        kept = _statements.get(key)
        if kept is not None:
            _statements.move_to_end(key)
    return kept


def _keep(key: Hashable, kept: Any) -> None:
    with _lock:
        _statements[key] = kept
        while len(_statements) > MAX_ENTRIES:
            _statements.popitem(last=False)


def values_rows(key: Hashable, build: Callable[[], QuerySet[Any]]) -> list[tuple[Any, ...]]:
    """`list(build())` for a `values_list` queryset, its SQL kept under `key`."""
    kept = _kept(key)
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
        _keep(key, kept)
    alias, sql, params = kept
    connection = connections[alias]
    if connection.vendor == "postgresql":
        # With its values written in, and prepared on the connection once it runs there again
        # (psycopg counts; settings.py), so PostgreSQL plans it once per connection as it
        # would plan it for those values: planning was half the cost of a region's overdue
        # page (3.8–4.1 ms a read, 1.2–1.3 ms prepared; bench README, finding 28). A statement
        # read once on a connection is not prepared: a user's first page costs no more.
        with server_bound_cursor(alias, prepare=None) as cursor:
            # No parameters left, so a `%` in the text is written `%%`, as Django writes it.
            cursor.execute(connection.ops.compose_sql(sql, params).replace("%", "%%"), ())
            return [tuple(row) for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def prepared_cursor(alias: str = "default") -> Any:
    """A cursor for a statement whose text is the same on every call (what changes goes in its
    parameters). On PostgreSQL it is prepared on a connection the second time it runs there:
    parsing and planning a registration's reads and its insert took more of PostgreSQL's CPU
    than running them (bench README, finding 31). Elsewhere Django's own cursor."""
    if connections[alias].vendor == "postgresql":
        return server_bound_cursor(alias, prepare=None)
    return connections[alias].cursor()


def server_bound_cursor(alias: str = "default", *, prepare: bool | None = False) -> Any:
    """A cursor on PostgreSQL (Django's wrapper, so queries are logged and counted as usual)
    that sends the parameters apart from the statement (psycopg's server-side binding).
    `prepare`: False, never prepare; None, prepare a statement when it runs on the connection
    for the `prepare_threshold`-th time (psycopg keeps the last 100). Django's own cursors
    quote the values into the text and never prepare."""
    connection = connections[alias]
    # What connection.cursor() does (BaseDatabaseWrapper._cursor), with another cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_cursor_class(prepare)(connection.connection))


@functools.cache
def _cursor_class(prepare: bool | None) -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Cursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=prepare)

    return Cursor


@dataclass(frozen=True)
class _InstanceRead:
    """A kept `one_instance` statement and how its row becomes instances (ModelIterable's
    steps, decided once)."""

    alias: str
    sql: str
    params: tuple[Any, ...]
    slot: int  # which parameter is the id
    from_db: Callable[..., Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]
    converters: list[tuple[int, tuple[list[Any], Any]]]

    def run(self, pk: int) -> Model | None:
        params = list(self.params)
        params[self.slot] = pk
        connection = connections[self.alias]
        with prepared_cursor(self.alias) as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for convert in converters:
                value = convert(value, expression, connection)
            row[position] = value
        instance = self.from_db(self.alias, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, instance)
        for name, position in self.annotations.items():
            setattr(instance, name, row[position])
        return instance


def one_instance[M: Model](key: Hashable, build: Callable[[int], QuerySet[M]], pk: int) -> M | None:
    """The instance `build(pk)` reads (a queryset of at most one row: `pk` is an id it filters
    on), with its `select_related` instances and annotations; the statement is kept under
    `key`, which names everything but the id that it depends on. None when there is no row."""
    kept = _kept(key)
    if kept is _BUILT_EACH_TIME:
        return next(iter(build(pk)), None)
    if kept is None:
        queryset = build(_ID_SLOT)
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = [n for n, value in enumerate(params) if type(value) is int and value == _ID_SLOT]
        if len(slots) != 1 or compiler.klass_info is None:
            _keep(key, _BUILT_EACH_TIME)
            return next(iter(build(pk)), None)
        fields = compiler.klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        select = compiler.select
        kept = _InstanceRead(
            alias=queryset.db,
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            from_db=_get_from_db(queryset.model, queryset._fetch_mode),
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(
                compiler.klass_info, select, queryset.db, queryset._fetch_mode
            ),
            annotations=dict(compiler.annotation_col_map),
            converters=list(
                compiler.get_converters([c for c, _sql, _a in select[: compiler.col_count]]).items()
            ),
        )
        _keep(key, kept)
    return kept.run(pk)  # type: ignore[no-any-return]


def insert_statement(
    instance: Model, returning: Sequence[Field], alias: str = "default"
) -> tuple[str, list[Any]]:
    """The `INSERT … RETURNING returning` of a new `instance` (every local concrete field but
    its auto id) as Django's compiler writes it, and its values as a save prepares them (each
    field's `pre_save` run). Compiling it took ~10% of a registration's Python (bench README,
    finding 31), so the text is kept per model and returned columns, where it cannot depend
    on the values: no field with a database default or a placeholder of its own, and no value
    an expression (then it is compiled each time)."""
    model = type(instance)
    fields = _insert_fields(model)
    connection = connections[alias]
    values = [field.pre_save(instance, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return _compiled_insert(instance, fields, returning, alias, raw=False)
    params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    key = ("insert", model, alias, tuple(field.attname for field in returning))
    sql = _kept(key)
    if sql is None:
        # raw: the values are the ones `pre_save` has just set, not set a second time.
        sql, compiled_params = _compiled_insert(instance, fields, returning, alias, raw=True)
        if len(compiled_params) != len(fields) or any(
            field.has_db_default() or hasattr(field, "get_placeholder_sql") for field in fields
        ):
            return sql, compiled_params
        _keep(key, sql)
    return sql, params


def _compiled_insert(
    instance: Model, fields: list[Field], returning: Sequence[Field], alias: str, *, raw: bool
) -> tuple[str, list[Any]]:
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance], raw=raw)
    compiler = query.get_compiler(alias)
    compiler.returning_fields = list(returning)
    ((sql, params),) = compiler.as_sql()
    return sql, list(params)


@functools.cache
def _insert_fields(model: type[Model]) -> list[Field]:
    meta = model._meta
    return [f for f in meta.local_concrete_fields if f is not meta.pk and not f.generated]


def insert(instance: Model, alias: str = "default") -> Model:
    """Save a new `instance` as `bulk_create([instance])` saves it (no signals), by a kept
    statement run prepared (`insert_statement`, `prepared_cursor`); its new id is set on it."""
    meta = instance._meta
    if meta.db_returning_fields != [meta.pk]:
        return type(instance)._default_manager.using(alias).bulk_create([instance])[0]
    instance._prepare_related_fields_for_save(operation_name="insert")
    sql, params = insert_statement(instance, [meta.pk], alias)
    with prepared_cursor(alias) as cursor:
        cursor.execute(sql, params)
        (instance.pk,) = cursor.fetchone()
    instance._state.adding, instance._state.db = False, alias
    return instance


@functools.cache
def model_columns(model: type[Model]) -> ModelColumns:
    return ModelColumns(model)


class ModelColumns:
    """A model's columns in a hand-written SELECT, and the instance a row's slice of them
    makes: converted as the ORM converts them (SQLite hands datetimes over as text), then
    `from_db`. For the few statements the ORM cannot say cheaply (the token, the least-loaded
    worker)."""

    def __init__(self, model: type[Model]) -> None:
        connection = connections["default"]
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.converters = []
        for n, field in enumerate(self.fields):
            column = field.cached_col
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((n, found, column))

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, table_alias: str) -> str:
        quote = connections["default"].ops.quote_name
        return ", ".join(f"{table_alias}.{quote(f.column)}" for f in self.fields)

    def instance(self, values: Sequence[Any], alias: str = "default") -> Model | None:
        """The instance of `values` (this model's columns, in order); None for a row that
        an outer join left empty."""
        if values[0] is None:
            return None
        values = list(values)
        connection = connections[alias]
        for n, converters, column in self.converters:
            value = values[n]
            for convert in converters:
                value = convert(value, column, connection)
            values[n] = value
        return self.model.from_db(alias, self.attnames, values)


def forget() -> None:
    """Drop every kept statement (tests start from a cold process)."""
    with _lock:
        _statements.clear()
