"""Bulk loading: PostgreSQL COPY through psycopg 3, executemany on SQLite. Never the ORM row
by row.

A generator hands `BulkLoader.load` a model, the columns it varies per row and an iterable of
tuples; every other concrete field gets a constant (given, or the field's default, or NULL), so
a field added later with a default does not break the generator. Values are converted for the
database the way Django would (`get_db_prep_save`): once for constants, per row only for the
few field types whose Python value the driver cannot take as is (dates/times on SQLite...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from bench.database import BenchDatabase, RawConnection

# Field types whose values need Django's conversion on SQLite (sqlite3 has no native adapter,
# or its adapter differs from Django's storage format).
_SQLITE_CONVERT = (
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
    models.JSONField,
    models.DurationField,
)
_CHUNK = 10_000


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class BulkLoader:
    def __init__(self, db: BenchDatabase) -> None:
        self.db = db
        self.raw: RawConnection = db.raw(autocommit=True)
        self.loaded: dict[str, int] = {}
        self.models: list[type[models.Model]] = []
        if db.vendor == "sqlite":
            # A throwaway load: no need to survive a power cut half-way.
            self.raw.execute("PRAGMA journal_mode=WAL")
            self.raw.execute("PRAGMA synchronous=OFF")
            self.raw.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        self.raw.close()

    # --- public API for generators ---------------------------------------------------------
    def load(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        constants: Mapping[str, Any] | None = None,
    ) -> int:
        """Insert `rows` (tuples aligned with `columns`, field names or attnames) into `model`'s
        table. Returns the number of rows written."""
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]
        given = {f.attname for f in fields} | {f.name for f in fields}
        constants = dict(constants or {})
        const_fields: list[models.Field[Any, Any]] = []
        const_values: list[Any] = []
        for name, value in constants.items():
            field = meta.get_field(name)
            const_fields.append(field)
            const_values.append(field.get_db_prep_save(value, connection))
            given |= {field.attname, field.name}
        for field in meta.concrete_fields:
            if field.attname in given or field.name in given:
                continue
            if field.primary_key:
                continue  # the database assigns it
            const_fields.append(field)
            const_values.append(field.get_db_prep_save(self._default(model, field), connection))
        all_fields = [*fields, *const_fields]
        converters = self._converters(fields)
        const_tuple = tuple(const_values)

        def prepared() -> Iterator[tuple[Any, ...]]:
            if any(converters):
                for row in rows:
                    yield (
                        *(c(v) if c else v for c, v in zip(converters, row, strict=True)),
                        *const_tuple,
                    )
            else:
                for row in rows:
                    yield (*row, *const_tuple)

        count = self._write(meta.db_table, [f.column for f in all_fields], prepared())
        self.loaded[meta.db_table] = self.loaded.get(meta.db_table, 0) + count
        if model not in self.models:
            self.models.append(model)
        return count

    def load_m2m(
        self, model: type[models.Model], field_name: str, pairs: Iterable[tuple[int, int]]
    ) -> int:
        """Rows of an auto-created many-to-many table: (source id, target id)."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through  # type: ignore[union-attr]
        source = field.m2m_field_name()  # type: ignore[union-attr]
        target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
        return self.load(through, [source, target], pairs)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.raw.execute(sql, params)

    # --- after all generators ---------------------------------------------------------------
    def finish(self) -> None:
        """Move sequences past the ids written explicitly, then refresh planner statistics
        (and, on PostgreSQL, the visibility map that index-only scans need)."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.models)
        for statement in statements:
            self.raw.fetchall(statement)
        if self.db.vendor == "postgresql":
            self.raw.execute("VACUUM (ANALYZE)")
        else:
            self.raw.execute("PRAGMA optimize")
            self.raw.execute("ANALYZE")

    # --- internals ---------------------------------------------------------------------------
    @staticmethod
    def _default(model: type[models.Model], field: models.Field[Any, Any]) -> Any:
        if field.default is not NOT_PROVIDED:
            return field.get_default()
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return timezone.now()
        if field.null:
            return None
        if field.empty_strings_allowed:
            return ""
        raise ValueError(
            f"{model.__name__}.{field.name} has no default: the generator must provide it"
        )

    def _converters(self, fields: Sequence[models.Field[Any, Any]]) -> list[Any]:
        if self.db.vendor != "sqlite":
            return [None] * len(fields)
        result: list[Any] = []
        for field in fields:
            if isinstance(field, _SQLITE_CONVERT):
                result.append(lambda v, f=field: f.get_db_prep_save(v, connection))
            else:
                result.append(None)
        return result

    def _write(self, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        qtable = connection.ops.quote_name(table)
        count = 0
        if self.db.vendor == "postgresql":
            conn = self.raw.conn
            copy_sql = f"COPY {qtable} ({quoted}) FROM STDIN"
            with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {qtable} ({quoted}) VALUES ({marks})"
        with self.raw.transaction():
            for chunk in _chunks(rows, _CHUNK):
                self.raw.conn.executemany(sql, chunk)
                count += len(chunk)
        return count
