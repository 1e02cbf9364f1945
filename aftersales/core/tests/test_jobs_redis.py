"""A real consumer on Redis: `manage.py run_huey` in a subprocess runs a django.tasks job that
this test process enqueued, and the result comes back through django.tasks.

Design choices:
- The job (sample_jobs.touch_marker) writes a file and returns its process id, so the test needs
  no database shared between the two processes: it holds on SQLite (in-memory test database)
  and PostgreSQL alike. The consumer gets a throwaway SQLite DATABASE_URL and var directory so
  it can never touch the developer's data.
- Enqueueing: HUEY is built from settings at import, so this process's HUEY is not on Redis.
  Instead of running the enqueue in a second subprocess (`manage.py shell -c …`, code in a
  string), the test points the live HUEY at a RedisStorage for the same queue name as the
  consumer. Everything else stays real: the django.tasks backend, the registered task, the
  serializer, and the result lookup (Task.get_result / TaskResult.refresh).
- Each run uses its own queue name (HUEY_NAME) and deletes its keys afterwards.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.tasks import TaskResultStatus
from huey.storage import RedisStorage

from aftersales.core.tests.huey_testing import use_huey
from aftersales.core.tests.sample_jobs import touch_marker

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
WAIT_SECONDS = 20


@pytest.fixture
def redis_url():
    """REDIS_URL if Redis answers there; skipped otherwise, except in CI (CI=true) where the
    suite is expected to have a Redis and its absence is a failure."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {REDIS_URL} ({exc}); set REDIS_URL or start Redis"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_queue(redis_url, monkeypatch):
    """A fresh queue name on Redis; this process's HUEY enqueues onto it."""
    name = f"aftersales-test-{uuid.uuid4().hex[:12]}"
    storage = RedisStorage(name, url=redis_url)
    use_huey(monkeypatch, immediate=False, storage=storage)
    yield name
    storage.flush_all()
    storage.pool.disconnect()


@pytest.fixture
def consumer(redis_url, redis_queue, tmp_path):
    """`manage.py run_huey` on the same Redis queue; stopped (SIGINT, graceful) afterwards."""
    env = {
        **os.environ,
        "HUEY_URL": redis_url,
        "HUEY_NAME": redis_queue,
        "HUEY_IMMEDIATE": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'consumer.sqlite3'}",
        "AFTERSALES_VAR_DIR": str(tmp_path / "var"),
    }
    log_path = tmp_path / "consumer.log"
    with log_path.open("wb") as log:
        # --no-periodic: the hourly schedule must not fire into the throwaway database.
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.django_db(transaction=True)  # TASKS enqueue on commit: let the commit happen
def test_run_huey_consumer_runs_a_django_task_from_redis(consumer, tmp_path):
    process, log_path = consumer
    marker = tmp_path / "marker"

    result = touch_marker.enqueue(str(marker))

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = touch_marker.get_result(result.id)
        if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            break
        if process.poll() is not None:
            break
        time.sleep(0.2)

    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert result.status == TaskResultStatus.SUCCESSFUL, (
        f"job status {result.status} after ≤{WAIT_SECONDS}s; errors={result.errors}; "
        f"consumer exit={process.poll()}; consumer log:\n{log}"
    )
    assert marker.read_text(encoding="utf-8") == f"ran in {result.return_value}"
    assert result.return_value == process.pid != os.getpid()
    assert result.worker_ids
    # The consumer discovered the periodic schedule (aftersales/core/tasks.py -> schedule.py).
    assert "aftersales.core.schedule.purge_login_failures" in log
    assert "aftersales.core.schedule.clear_expired_sessions" in log
