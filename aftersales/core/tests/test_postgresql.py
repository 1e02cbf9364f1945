"""A kept PostgreSQL connection is checked before reuse without a query."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL backend's own health check"
)


@pytest.fixture
def kept():  # type: ignore[no-untyped-def]
    """A second connection to the test database, as a worker keeps one between requests."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def test_a_healthy_kept_connection_is_found_usable_without_a_query(db, kept, monkeypatch):
    sent = []
    monkeypatch.setattr(kept.connection, "execute", lambda *a, **k: sent.append(a))
    monkeypatch.setattr(kept.connection, "cursor", lambda *a, **k: sent.append(a))

    assert kept.is_usable()
    assert sent == []


def test_a_connection_the_server_ended_is_found_unusable_and_replaced(db, kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while kept.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye is on its way

    assert not kept.is_usable()
    kept.health_check_enabled, kept.health_check_done = True, False
    kept.close_if_health_check_failed()
    with kept.cursor() as cursor:  # a new connection, as after Django's own failed check
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
