"""The "physical limit" of the list endpoints: a minimal WSGI app, no Django, no DRF.

It answers GET /api/v1/users/ and GET /api/v1/units/ with the same JSON as the real API (same
fields, same order, same pagination envelope) after doing the same work: look the bearer token
up, check the caller's position grants the view permission, read the caller's unit paths, count
and read one page of the subtree, read the page's related ids, serialise with json. It keeps one
database connection per thread. Served by the same gunicorn command as the app and driven by
the same load generator, so the HTTP server and the client cost the same on both sides and the
ratio isolates what the framework adds.

Configured by BENCH_LIMIT_DATABASE_URL (postgres://… or sqlite:////path).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

import psycopg

_QMARK = re.compile(r"(?<!%)%s")
_local = threading.local()

USER_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "unit",
    "additional_units",
    "position",
    "preferred_language",
    "is_active",
)


class Database:
    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite:")
        if self.sqlite:
            path = url.removeprefix("sqlite://")
            self.conn: Any = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
            self.conn.execute("PRAGMA busy_timeout=20000")
        else:
            pg_url = "postgresql://" + url.split("://", 1)[1]
            self.conn = psycopg.connect(pg_url, autocommit=True, prepare_threshold=None)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite:
            sql = _QMARK.sub("?", sql).replace("%%", "%")
        cur = self.conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()


def db() -> Database:
    conn = getattr(_local, "db", None)
    if conn is None:
        conn = Database(os.environ["BENCH_LIMIT_DATABASE_URL"])
        _local.db = conn
    return conn


class HttpError(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def authenticate(environ: dict[str, Any], database: Database) -> tuple[Any, ...]:
    header = environ.get("HTTP_AUTHORIZATION", "").split()
    if len(header) != 2 or header[0].lower() != "bearer":
        raise HttpError("401 Unauthorized", "not_authenticated", "Authentication required.")
    key_hash = hashlib.sha256(header[1].encode()).hexdigest()
    rows = database.rows(
        "SELECT u.id, u.is_active, u.is_superuser, u.unit_id, u.position_id"
        " FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id"
        " WHERE t.key_hash = %s AND t.revoked_at IS NULL",
        [key_hash],
    )
    if not rows or not rows[0][1]:
        raise HttpError("401 Unauthorized", "authentication_failed", "Invalid token.")
    return rows[0]


def require(database: Database, user: tuple[Any, ...], app_label: str, codename: str) -> None:
    if user[2]:
        return
    rows = database.rows(
        "SELECT 1 FROM accounts_position_permissions pp"
        " JOIN auth_permission p ON p.id = pp.permission_id"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
        " WHERE pp.position_id = %s AND ct.app_label = %s AND p.codename = %s",
        [user[4], app_label, codename],
    )
    if not rows:
        raise HttpError("403 Forbidden", "permission_denied", "Permission denied.")


def scope(database: Database, user: tuple[Any, ...]) -> list[str] | None:
    """Unit paths whose subtrees the caller sees (None: everything), minimal like scope_paths."""
    if user[2]:
        return None
    rows = database.rows(
        "SELECT path FROM organisation_unit WHERE id = %s"
        " UNION SELECT un.path FROM accounts_user_additional_units a"
        " JOIN organisation_unit un ON un.id = a.unit_id WHERE a.user_id = %s",
        [user[3] or 0, user[0]],
    )
    minimal: list[str] = []
    for (path,) in sorted(rows):
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def subtree(column: str, paths: list[str] | None) -> tuple[str, list[str]]:
    if paths is None:
        return "1 = 1", []
    if not paths:
        return "1 = 0", []
    return "(" + " OR ".join(f"{column} LIKE %s" for _ in paths) + ")", [p + "%" for p in paths]


def page_params(environ: dict[str, Any]) -> tuple[dict[str, list[str]], int, int]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    page = int(query.get("page", ["1"])[0])
    size = min(int(query.get("page_size", ["50"])[0]), 500)
    return query, max(page, 1), max(size, 1)


def link(environ: dict[str, Any], query: dict[str, list[str]], page: int | None) -> str:
    params = {k: v for k, v in query.items() if k != "page"}
    if page is not None and page > 1:
        params["page"] = [str(page)]
    base = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}{environ.get('PATH_INFO', '')}"
    encoded = urlencode(sorted(params.items()), doseq=True)
    return f"{base}?{encoded}" if encoded else base


def envelope(
    environ: dict[str, Any],
    query: dict[str, list[str]],
    page: int,
    size: int,
    count: int,
    results: list[dict[str, Any]],
) -> dict[str, Any]:
    last = max((count + size - 1) // size, 1)
    if page > last:
        raise HttpError("404 Not Found", "not_found", "Not found.")
    return {
        "count": count,
        "next": link(environ, query, page + 1) if page < last else None,
        "previous": (link(environ, query, page - 1) if page > 1 else None),
        "results": results,
    }


def users(environ: dict[str, Any], database: Database) -> dict[str, Any]:
    user = authenticate(environ, database)
    require(database, user, "accounts", "view_user")
    where, params = subtree("un.path", scope(database, user))
    query, page, size = page_params(environ)
    base = " FROM accounts_user u JOIN organisation_unit un ON un.id = u.unit_id WHERE " + where
    count = database.rows("SELECT count(*)" + base, params)[0][0]
    rows = database.rows(
        "SELECT u.id, u.username, u.first_name, u.last_name, u.email, u.phone, u.unit_id,"
        " u.position_id, u.preferred_language, u.is_active"
        + base
        + " ORDER BY u.username LIMIT %s OFFSET %s",
        [*params, size, (page - 1) * size],
    )
    extra: dict[int, list[int]] = {row[0]: [] for row in rows}
    if rows:
        marks = ", ".join(["%s"] * len(rows))
        for user_id, unit_id in database.rows(
            "SELECT a.user_id, a.unit_id FROM accounts_user_additional_units a"
            " JOIN organisation_unit un ON un.id = a.unit_id"
            f" WHERE a.user_id IN ({marks}) ORDER BY un.path",
            list(extra),
        ):
            extra[user_id].append(unit_id)
    results = [
        dict(
            zip(
                USER_FIELDS,
                (r[0], r[1], r[2], r[3], r[4], r[5], r[6], extra[r[0]], r[7], r[8], bool(r[9])),
                strict=True,
            )
        )
        for r in rows
    ]
    return envelope(environ, query, page, size, count, results)


def units(environ: dict[str, Any], database: Database) -> dict[str, Any]:
    user = authenticate(environ, database)
    require(database, user, "organisation", "view_unit")
    where, params = subtree("path", scope(database, user))
    query, page, size = page_params(environ)
    count = database.rows("SELECT count(*) FROM organisation_unit WHERE " + where, params)[0][0]
    rows = database.rows(
        "SELECT id, name, code, kind, ownership, depth, address, phones, email, timezone,"
        " calendar_id, is_active, path FROM organisation_unit WHERE "
        + where
        + " ORDER BY path LIMIT %s OFFSET %s",
        [*params, size, (page - 1) * size],
    )
    parents: dict[str, int] = {}
    wanted = sorted({r[12][:-4] for r in rows if r[5] > 1})
    if wanted:
        marks = ", ".join(["%s"] * len(wanted))
        parents = dict(
            database.rows(f"SELECT path, id FROM organisation_unit WHERE path IN ({marks})", wanted)
        )
    results = [
        {
            "id": r[0],
            "name": r[1],
            "code": r[2],
            "kind": r[3],
            "ownership": r[4],
            "parent": parents.get(r[12][:-4]) if r[5] > 1 else None,
            "depth": r[5],
            "address": r[6],
            "phones": r[7],
            "email": r[8],
            "timezone": r[9],
            "calendar": r[10],
            "is_active": bool(r[11]),
        }
        for r in rows
    ]
    return envelope(environ, query, page, size, count, results)


ROUTES: dict[str, Callable[[dict[str, Any], Database], dict[str, Any]]] = {
    "/api/v1/users/": users,
    "/api/v1/units/": units,
}


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = ROUTES.get(environ.get("PATH_INFO", ""))
    try:
        if handler is None or environ.get("REQUEST_METHOD") != "GET":
            raise HttpError("404 Not Found", "not_found", "Not found.")
        status, data = "200 OK", handler(environ, db())
    except HttpError as error:
        status = error.status
        code = int(status.split()[0])
        data = {"error": {"status": code, "code": error.code, "message": error.message}}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


application = app
