"""Django's PostgreSQL backend, but a kept connection's health is checked without a query.

With `CONN_HEALTH_CHECKS` Django sends `SELECT 1` before the first query of every request
that reuses a connection: a round trip and a statement for PostgreSQL to run, ~5% of a
registration's throughput (bench README, finding 31). A server that ends a session (a restart,
`pg_terminate_backend`, `idle_session_timeout`) says so and closes the socket, so a connection
with nothing to read is alive; one with something to read gets Django's own check, which
drops it if it is gone (decision 64).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if not hasattr(select, "poll"):  # Windows: Django's own check
            return bool(super().is_usable())
        try:
            waiting = select.poll()
            waiting.register(connection.fileno(), select.POLLIN)
            readable = waiting.poll(0)
        except (OSError, ValueError):
            return False
        return not readable or bool(super().is_usable())
