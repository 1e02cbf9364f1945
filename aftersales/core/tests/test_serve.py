"""`manage.py serve`: development server in the foreground, job consumer in background threads.

The development server itself is replaced by a stand-in (it would block); the consumer is real,
on an in-memory queue so the tests never touch the developer's var/jobs.sqlite3.
"""

import signal
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus

from aftersales.core.management.commands import serve
from aftersales.core.tests.huey_testing import use_huey
from aftersales.core.tests.sample_jobs import touch_marker


class FakeRunserver:
    """Stands in for call_command("runserver", …); runs `during` while the "server" is up."""

    def __init__(self, during=None):  # type: ignore[no-untyped-def]
        self.calls = []
        self.during = during

    def __call__(self, name, *args, **options):  # type: ignore[no-untyped-def]
        self.calls.append((name, args, options))
        if self.during:
            self.during()


@pytest.fixture
def consumers(monkeypatch):
    """The consumers that serve creates (HUEY.create_consumer, recorded)."""
    from huey.contrib.djhuey import HUEY

    created = []
    original = HUEY.create_consumer

    def create_consumer(**options):  # type: ignore[no-untyped-def]
        consumer = original(**options)
        created.append(consumer)
        return consumer

    monkeypatch.setattr(HUEY, "create_consumer", create_consumer)
    return created


def _serve(monkeypatch, runserver, *args):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(serve, "call_command", runserver)
    out = StringIO()
    call_command("serve", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_serve_runs_jobs_in_background_while_the_server_runs(
    monkeypatch, consumers, tmp_path, django_capture_on_commit_callbacks
):
    use_huey(monkeypatch, immediate=False)
    marker = tmp_path / "marker"
    sigint_before = signal.getsignal(signal.SIGINT)
    seen = {}

    def while_serving():  # type: ignore[no-untyped-def]
        seen["sigint"] = signal.getsignal(signal.SIGINT)
        with django_capture_on_commit_callbacks(execute=True):
            result = touch_marker.enqueue(str(marker))
        deadline = time.monotonic() + 10
        while result.status != TaskResultStatus.SUCCESSFUL and time.monotonic() < deadline:
            time.sleep(0.05)
            result.refresh()
        seen["status"] = result.status

    runserver = FakeRunserver(during=while_serving)
    output = _serve(monkeypatch, runserver, "--addrport", "127.0.0.1:8765", "--no-periodic")

    assert runserver.calls == [
        ("runserver", ("127.0.0.1:8765",), {"use_reloader": False, "skip_checks": False})
    ]
    assert seen["status"] == TaskResultStatus.SUCCESSFUL
    assert marker.exists()
    assert "Huey consumer started in-process" in output
    # The consumer left the development server's signal handling alone…
    assert seen["sigint"] is sigint_before
    assert signal.getsignal(signal.SIGINT) is sigint_before
    # …ran on threads, without the schedule, and was stopped on the way out.
    [consumer] = consumers
    assert consumer.worker_type == "thread"
    assert consumer.periodic is False
    assert consumer.stop_flag.is_set()
    assert not any(thread.is_alive() for _worker, thread in consumer.worker_threads)
    assert "consumer stopped" in output


def test_serve_defaults_to_localhost_8000_and_stops_the_consumer_when_the_server_fails(
    monkeypatch, consumers
):
    use_huey(monkeypatch, immediate=False)

    def crash():  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    runserver = FakeRunserver(during=crash)
    with pytest.raises(KeyboardInterrupt):
        _serve(monkeypatch, runserver, "--no-periodic")

    assert runserver.calls[0][1] == ("127.0.0.1:8000",)
    [consumer] = consumers
    assert consumer.stop_flag.is_set()


def test_serve_no_jobs_starts_no_consumer(monkeypatch, consumers):
    use_huey(monkeypatch, immediate=False)
    runserver = FakeRunserver()

    output = _serve(monkeypatch, runserver, "--no-jobs")

    assert len(runserver.calls) == 1
    assert consumers == []
    assert "--no-jobs" in output


def test_serve_in_immediate_mode_starts_no_consumer(monkeypatch, consumers):
    use_huey(monkeypatch, immediate=True)
    runserver = FakeRunserver()

    output = _serve(monkeypatch, runserver)

    assert len(runserver.calls) == 1
    assert consumers == []
    assert "immediate mode" in output
