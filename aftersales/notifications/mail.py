"""Outgoing e-mail: one place that builds every message the system sends.

Every message carries `Auto-Submitted: auto-generated` (RFC 3834), so well-behaved
auto-responders do not answer it and we never enter a reply loop. Header values are made
single-line here: a customer's name or a request subject holding CR/LF cannot inject headers.
"""

from __future__ import annotations

import logging
import re
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task

logger = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x00]+")


def one_line(value: str, limit: int = 250) -> str:
    """`value` fit for a header: line breaks and NULs become one space, trimmed to `limit`."""
    return _LINE_BREAKS.sub(" ", value or "").strip()[:limit]


def absolute_url(path: str) -> str:
    """A link for an e-mail: SITE_URL + path (paths only; links leave the site this way)."""
    if not path:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def build_message(
    *, to: list[str], subject: str, body: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    clean_headers = {"Auto-Submitted": "auto-generated"}
    for name, value in (headers or {}).items():
        clean_headers[one_line(name, 76)] = one_line(value, 900)
    return EmailMessage(
        subject=one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[one_line(address, 320) for address in to],
        headers=clean_headers,
    )


@task
def send_email(to: list[str], subject: str, body: str, headers: dict[str, str]) -> None:
    """Send one message. A failure raises, so the queue records it (and retries where the
    queue is configured to)."""
    build_message(to=to, subject=subject, body=body, headers=headers).send()
    logger.info("Sent %r to %d recipient(s).", one_line(subject, 80), len(to))


@task
def send_emails(messages: list[dict[str, Any]]) -> None:
    """Send the messages one step asked for together (`services.emails_in_one_job`). One that
    fails goes back on the queue alone, as `send_email`, so that retrying it never sends the
    others twice."""
    for message in messages:
        try:
            send_email.call(**message)
        except (smtplib.SMTPException, OSError):
            logger.warning(
                "Sending %r failed; queued again alone.", one_line(message["subject"], 80)
            )
            send_email.enqueue(**message)
