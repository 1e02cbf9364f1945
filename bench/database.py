"""The bench database: where it is, creating/dropping it, migrating it, raw driver connections.

PostgreSQL by default (database `aftersales_bench` on 127.0.0.1:5432, user postgres); any
PostgreSQL or SQLite URL with --database-url. The ambient DATABASE_URL is deliberately ignored:
the bench drops and refills its database, so it must never land on a developer's real one.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psycopg
from psycopg import sql as pgsql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/aftersales_bench"
META_TABLE = "bench_dataset"

# Django writes %s placeholders; sqlite3 wants ?. Same rule as Django's SQLiteCursorWrapper.
_FORMAT_QMARK = re.compile(r"(?<!%)%s")


def sqlite_sql(sql: str) -> str:
    return _FORMAT_QMARK.sub("?", sql).replace("%%", "%")


class UnsafeDatabase(RuntimeError):
    pass


@dataclass
class BenchDatabase:
    url: str
    vendor: str  # "postgresql" | "sqlite"
    name: str  # database name or SQLite file path
    pg_locale: str | None = None
    pg_icu_locale: str | None = None

    @classmethod
    def from_url(
        cls, url: str | None, *, pg_locale: str | None = None, pg_icu_locale: str | None = None
    ) -> BenchDatabase:
        url = url or DEFAULT_URL
        config = dj_database_url.parse(url)
        engine = config["ENGINE"]
        if engine.endswith("postgresql"):
            vendor = "postgresql"
        elif engine.endswith("sqlite3"):
            vendor = "sqlite"
        else:
            raise SystemExit(f"unsupported database for the bench: {engine}")
        return cls(url, vendor, str(config["NAME"]), pg_locale, pg_icu_locale)

    # --- safety ------------------------------------------------------------------------
    def check_safe(self, *, allow_any: bool) -> None:
        """The bench drops and refills this database: insist that it is a scratch one."""
        if allow_any:
            return
        label = Path(self.name).name if self.vendor == "sqlite" else self.name
        if "bench" not in label.lower():
            raise UnsafeDatabase(
                f"refusing to use {self.vendor} database {self.name!r}: its name does not "
                "contain 'bench' and the bench drops and refills it (--allow-any-database to "
                "insist)"
            )
        if self.vendor == "sqlite" and Path(self.name).resolve().is_relative_to(ROOT / "var"):
            raise UnsafeDatabase("refusing to use a SQLite file under var/ (the app's data)")

    # --- connections ---------------------------------------------------------------------
    def _pg_url(self, dbname: str | None = None) -> str:
        parts = urlsplit(self.url)
        scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
        path = f"/{dbname}" if dbname else parts.path
        return urlunsplit((scheme, parts.netloc, path, parts.query, parts.fragment))

    def raw(self, *, autocommit: bool = True) -> RawConnection:
        """A plain driver connection (psycopg 3 or sqlite3): no Django involved."""
        if self.vendor == "postgresql":
            conn = psycopg.connect(self._pg_url(), autocommit=autocommit, prepare_threshold=None)
            return RawConnection("postgresql", conn)
        lite = sqlite3.connect(self.name, isolation_level=None if autocommit else "DEFERRED")
        lite.execute("PRAGMA busy_timeout=20000")
        return RawConnection("sqlite", lite)

    def exists(self) -> bool:
        if self.vendor == "sqlite":
            return Path(self.name).exists()
        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return row.fetchone() is not None

    def server_version(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0] if row else '?'}"

    def collation(self) -> str | None:
        if self.vendor == "sqlite":
            return None
        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
            row = conn.execute(
                "SELECT datcollate, datlocprovider FROM pg_database WHERE datname = %s",
                [self.name],
            ).fetchone()
        if not row:
            return None
        provider = {"c": "libc", "i": "icu"}.get(str(row[1]), str(row[1]))
        return f"{row[0]} ({provider})"

    # --- lifecycle -----------------------------------------------------------------------
    def drop(self) -> None:
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(self.name + suffix).unlink(missing_ok=True)
            return
        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
            ident = pgsql.Identifier(self.name)
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    def create(self) -> None:
        if self.vendor == "sqlite":
            Path(self.name).parent.mkdir(parents=True, exist_ok=True)
            return
        sql = pgsql
        options: list[pgsql.Composable] = []
        if self.pg_locale or self.pg_icu_locale:
            options.append(sql.SQL("TEMPLATE template0 ENCODING 'UTF8'"))
        if self.pg_locale:
            options.append(sql.SQL("LOCALE {}").format(sql.Literal(self.pg_locale)))
        if self.pg_icu_locale:
            options.append(
                sql.SQL("LOCALE_PROVIDER icu ICU_LOCALE {}").format(sql.Literal(self.pg_icu_locale))
            )
        statement = sql.SQL("CREATE DATABASE {} {}").format(
            sql.Identifier(self.name), sql.SQL(" ").join(options)
        )
        with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def django_env(self, **extra: str) -> dict[str, str]:
        """Environment for a Django process (manage.py, gunicorn) on this database."""
        env = dict(os.environ)
        for name in ("DATABASE_URL_FILE", "DEBUG_FILE", "SECRET_KEY_FILE"):
            env.pop(name, None)
        env.update({"DATABASE_URL": self.url, "DJANGO_SETTINGS_MODULE": "config.settings"})
        env.update(extra)
        return env

    def migrate(self, *, timeout: float = 600) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=self.django_env(AFTERSALES_ENV="local", DEBUG="0"),
            check=True,
            timeout=timeout,
        )

    # --- dataset fingerprint ---------------------------------------------------------------
    def stored(self, key: str) -> Any:
        """A value the last successful build stored in the META_TABLE (None without one)."""
        if not self.exists():
            return None
        with self.raw() as raw:
            try:
                rows = raw.fetchall(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])
            except (psycopg.Error, sqlite3.Error):
                return None
        return json.loads(rows[0][0]) if rows else None

    def has_tables(self) -> bool:
        if not self.exists():
            return False
        with self.raw() as raw:
            if self.vendor == "sqlite":
                rows = raw.fetchall("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [])
            else:
                rows = raw.fetchall(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", []
                )
        return bool(rows[0][0])


class RawConnection:
    """psycopg / sqlite3 behind one small interface; SQL uses Django's %s placeholders."""

    def __init__(self, vendor: str, conn: Any) -> None:
        self.vendor = vendor
        self.conn = conn

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def _sql(self, sql: str) -> str:
        return sqlite_sql(sql) if self.vendor == "sqlite" else sql

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall()) if cur.description is not None else []
        finally:
            cur.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            return int(cur.rowcount)
        finally:
            cur.close()

    def client_fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Like fetchall, but with the parameters merged client-side (as Django does on
        PostgreSQL): used for EXPLAIN, which must see the literal values."""
        if self.vendor == "sqlite":
            return self.fetchall(sql, params)
        cur = psycopg.ClientCursor(self.conn)
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.vendor == "postgresql":
            with self.conn.transaction():
                yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
