"""Background job of field service (django.tasks; Huey runs it, see docs/operations.md).

The clock sweep runs every five minutes from the schedule in aftersales/core/schedule.py. It
is idempotent: each warning and breach is recorded once (flags and a unique breach per clock),
so a second run at the same moment, or on another machine at once, finds nothing more to do.
"""

import logging

from django.tasks import task

from aftersales.field_service import clocks

logger = logging.getLogger(__name__)


@task
def sweep_field_clocks() -> dict[str, int]:
    """Warn before the contact and on-site clocks run out; record their breaches."""
    counts = clocks.sweep_clocks()
    logger.info("Field clocks: %d warning(s), %d breach(es).", counts["warned"], counts["breached"])
    return counts
