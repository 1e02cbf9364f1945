"""Background jobs of service requests (django.tasks; Huey runs them, see docs/operations.md).

The escalation sweep runs every five minutes from the schedule in aftersales/core/schedule.py.
It is idempotent: a second run at the same moment, or on another machine at once, finds
nothing more to escalate (each step pushes the request's next escalation into the future).
"""

import logging

from django.tasks import task

from aftersales.service_requests import services

logger = logging.getLogger(__name__)


@task
def escalate_overdue_requests() -> int:
    """Move every request whose next escalation is due one level up its chain; returns how
    many escalated."""
    escalated = services.escalate_overdue()
    logger.info("Escalated %d overdue request(s).", escalated)
    return escalated
