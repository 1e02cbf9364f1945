"""Background jobs of the accounts app (django.tasks; Huey runs them, see docs/operations.md).

Both are housekeeping and idempotent: running one twice, or on two machines at once, is harmless.
They run hourly from the schedule in aftersales/core/schedule.py, and can be enqueued by hand.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.tasks import task

from aftersales.accounts import throttle

logger = logging.getLogger(__name__)


@task
def purge_login_failures() -> int:
    """Delete the failed sign-ins that have left the throttle window; returns how many."""
    deleted = throttle.purge_old_failures()
    logger.info("Purged %d old login failure(s).", deleted)
    return deleted


@task
def clear_expired_sessions() -> None:
    """Delete expired sessions from the session store (what `manage.py clearsessions` does)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
