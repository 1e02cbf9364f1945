"""Background jobs of the API plumbing (django.tasks; scheduled in aftersales/core/schedule.py)."""

import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from aftersales.api.models import IdempotencyRecord

logger = logging.getLogger(__name__)

# A client retries within minutes; a day leaves room for long outages without keeping
# answers forever.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


@task
def purge_idempotency_records() -> int:
    """Forget remembered answers older than IDEMPOTENCY_KEY_LIFETIME; returns how many."""
    cutoff = timezone.now() - IDEMPOTENCY_KEY_LIFETIME
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    logger.info("Purged %d idempotency record(s).", deleted)
    return deleted
