"""The periodic schedule: every recurring job of the project, in this one table.

Each entry names a django.tasks job by dotted path (so this upstream app imports no downstream
app) and a Huey crontab. Crontabs are read in UTC (Huey's default, utc=True). A consumer started
with periodic tasks enabled enqueues the entry when it is due; any consumer runs it, by calling
the job directly in the worker (no second hop through the queue, no result record left behind).

The consumer finds this module through aftersales/core/tasks.py, which djhuey's autodiscovery
imports in `run_huey` and in `serve`. Run every consumer but one with --no-periodic, see
docs/operations.md.
"""

import logging

from django.utils.module_loading import import_string
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

logger = logging.getLogger(__name__)

# job (a django.tasks Task, by dotted path) -> when. Minutes are spread to avoid a burst at :00.
SCHEDULE = {
    "aftersales.accounts.jobs.purge_login_failures": crontab(minute="7"),
    "aftersales.accounts.jobs.clear_expired_sessions": crontab(minute="17"),
    "aftersales.api.jobs.purge_idempotency_records": crontab(minute="27"),
    "aftersales.inbox.jobs.poll_mailbox": crontab(minute="*/2"),
    # Every five minutes, off the hour's round minutes (:01, :06, … :56).
    "aftersales.service_requests.jobs.escalate_overdue_requests": crontab(
        minute=",".join(str(minute) for minute in range(1, 60, 5))
    ),
    # Every five minutes at :03, :08, … :58: field service's contact and on-site clocks.
    "aftersales.field_service.jobs.sweep_field_clocks": crontab(
        minute=",".join(str(minute) for minute in range(3, 60, 5))
    ),
}


def _periodic(job_path: str, when):  # type: ignore[no-untyped-def]
    def run() -> None:
        logger.info("Scheduled job %s starting.", job_path)
        import_string(job_path).call()

    # The name makes the Huey registry key (aftersales.core.schedule.<job name>) unique and
    # readable in the consumer's log. db_periodic_task closes stale DB connections around the run.
    return db_periodic_task(when, name=job_path.rsplit(".", 1)[-1])(run)


PERIODIC_TASKS = {job_path: _periodic(job_path, when) for job_path, when in SCHEDULE.items()}
