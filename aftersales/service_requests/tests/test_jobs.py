"""The escalation job and its place in the periodic schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from aftersales.accounts.tests.factories import make_user
from aftersales.core import schedule
from aftersales.customers.tests.factories import make_customer
from aftersales.notifications.models import Notification
from aftersales.service_requests.jobs import escalate_overdue_requests
from aftersales.service_requests.models import EventKind, RequestEvent, ServiceRequest
from aftersales.service_requests.tests.factories import make_service_request, make_sla_policy

JOB = "aftersales.service_requests.jobs.escalate_overdue_requests"


@pytest.fixture(autouse=True)
def _jobs_at_once(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def overdue_request(network) -> ServiceRequest:  # type: ignore[no-untyped-def]
    """A request of outlet A whose response was due a week ago."""
    agent = make_user("technician", network.outlet_a)
    make_sla_policy(response_minutes=60, resolution_minutes=480)
    return make_service_request(
        make_customer(network.outlet_a, responsible=agent),
        now=timezone.now() - dt.timedelta(days=7),
    )


def test_the_job_escalates_what_is_due_and_says_how_many(network):
    request = overdue_request(network)

    result = escalate_overdue_requests.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    event = RequestEvent.objects.get(request=request, kind=EventKind.ESCALATED)
    assert (event.level, event.target_user) == (1, request.responsible)
    assert Notification.objects.filter(
        recipient=request.responsible, kind="requests_escalated"
    ).exists()


def test_running_the_job_again_at_once_changes_nothing(network):
    overdue_request(network)
    escalate_overdue_requests.call()
    assert escalate_overdue_requests.call() == 0
    assert RequestEvent.objects.filter(kind=EventKind.ESCALATED).count() == 1


def test_the_job_with_nothing_due(db):
    assert escalate_overdue_requests.call() == 0


@pytest.mark.parametrize(
    ("minute", "due"), [(1, True), (6, True), (56, True), (0, False), (5, False), (30, False)]
)
def test_the_schedule_runs_the_sweep_every_five_minutes_off_the_round_ones(minute, due):
    task_class = schedule.PERIODIC_TASKS[JOB].task_class
    for hour in (0, 13):
        # Huey (utc=True) checks periodic tasks against naive UTC datetimes.
        at = dt.datetime(2026, 3, 1, hour, minute, tzinfo=dt.UTC).replace(tzinfo=None)
        due_now = {type(task) for task in HUEY.read_periodic(at)}
        assert (task_class in due_now) == due
