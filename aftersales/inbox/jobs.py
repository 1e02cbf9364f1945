"""Background jobs of the inbox (django.tasks; Huey runs them, see docs/operations.md)."""

from django.tasks import task

from aftersales.inbox import mailbox


@task
def poll_mailbox() -> int:
    """Fetch the service mailbox's unseen messages and store each (INBOX_IMAP_*; does nothing
    while INBOX_IMAP_HOST is empty). Runs every 2 minutes from aftersales/core/schedule.py;
    safe to run twice at once (a message is stored once). Returns how many were new."""
    return mailbox.poll().stored
