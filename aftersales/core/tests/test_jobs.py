"""The housekeeping jobs (aftersales.accounts.jobs) and the periodic schedule that runs them."""

import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string
from huey.contrib.djhuey import HUEY

from aftersales.accounts.jobs import clear_expired_sessions, purge_login_failures
from aftersales.accounts.models import LoginFailure
from aftersales.core import schedule
from aftersales.core.tests.huey_testing import use_huey

pytestmark = pytest.mark.django_db


@pytest.fixture
def huey_immediate(monkeypatch):
    """Jobs enqueued through django.tasks run inline, on an in-memory Huey storage."""
    return use_huey(monkeypatch, immediate=True)


@pytest.fixture
def login_failures():
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    old = LoginFailure.objects.create(
        username="ann", address="10.0.0.1", created_at=now - window - timedelta(minutes=1)
    )
    recent = LoginFailure.objects.create(
        username="ann", address="10.0.0.1", created_at=now - window + timedelta(minutes=1)
    )
    return old, recent


@pytest.fixture
def sessions():
    now = timezone.now()
    expired = Session.objects.create(
        session_key="e" * 32, session_data="", expire_date=now - timedelta(seconds=1)
    )
    live = Session.objects.create(
        session_key="l" * 32, session_data="", expire_date=now + timedelta(hours=1)
    )
    return expired, live


def _remaining(model):  # type: ignore[no-untyped-def]
    return set(model.objects.values_list("pk", flat=True))


def test_purge_login_failures_job_removes_only_failures_outside_the_window(login_failures):
    old, recent = login_failures

    assert purge_login_failures.call() == 1

    assert _remaining(LoginFailure) == {recent.pk}


def test_clear_expired_sessions_job_removes_only_expired_sessions(sessions):
    _expired, live = sessions

    clear_expired_sessions.call()

    assert _remaining(Session) == {live.pk}


def test_purge_login_failures_job_via_enqueue(
    huey_immediate, login_failures, django_capture_on_commit_callbacks
):
    _old, recent = login_failures

    # TASKS enqueue on commit: the test's transaction never commits, so run the callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        result = purge_login_failures.enqueue()
    result.refresh()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    assert _remaining(LoginFailure) == {recent.pk}
    assert purge_login_failures.get_result(result.id).status == TaskResultStatus.SUCCESSFUL


def test_clear_expired_sessions_job_via_enqueue(
    huey_immediate, sessions, django_capture_on_commit_callbacks
):
    _expired, live = sessions

    with django_capture_on_commit_callbacks(execute=True):
        result = clear_expired_sessions.enqueue()
    result.refresh()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert _remaining(Session) == {live.pk}


def test_schedule_names_django_tasks_jobs():
    assert schedule.SCHEDULE
    for job_path in schedule.SCHEDULE:
        assert isinstance(import_string(job_path), Task), job_path


@pytest.mark.parametrize(
    ("minute", "due"),
    [
        (7, {"aftersales.accounts.jobs.purge_login_failures"}),
        (17, {"aftersales.accounts.jobs.clear_expired_sessions"}),
        (30, {"aftersales.inbox.jobs.poll_mailbox"}),
        (
            6,
            {
                "aftersales.inbox.jobs.poll_mailbox",
                "aftersales.service_requests.jobs.escalate_overdue_requests",
            },
        ),
        (11, {"aftersales.service_requests.jobs.escalate_overdue_requests"}),
    ],
)
def test_schedule_runs_each_job_when_due(minute, due):
    by_task_class = {t.task_class: path for path, t in schedule.PERIODIC_TASKS.items()}
    for hour in (0, 13):
        # Huey (utc=True) checks periodic tasks against naive UTC datetimes.
        at = datetime(2026, 3, 1, hour, minute, tzinfo=UTC).replace(tzinfo=None)
        due_now = {
            by_task_class[type(t)] for t in HUEY.read_periodic(at) if type(t) in by_task_class
        }
        assert due_now == due


def test_consumer_discovers_the_schedule():
    # run_huey and serve call autodiscover_modules("tasks"); aftersales/core/tasks.py is the
    # module found there, and it loads the schedule.
    sys.modules.pop("aftersales.core.tasks", None)
    autodiscover_modules("tasks")
    assert "aftersales.core.tasks" in sys.modules
    assert sys.modules["aftersales.core.tasks"].schedule is schedule


def test_scheduled_entry_runs_its_job(huey_immediate, login_failures, sessions):
    _old, recent = login_failures
    _expired, live = sessions

    for periodic_task in schedule.PERIODIC_TASKS.values():
        periodic_task()  # what the consumer's worker does when the entry is due (inline here)

    assert _remaining(LoginFailure) == {recent.pk}
    assert _remaining(Session) == {live.pk}
