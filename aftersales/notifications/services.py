"""Writes of notifications: tell users (in the app and by e-mail) and tell customers (by
e-mail), each in their own language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from aftersales.core import compiled
from aftersales.notifications.mail import absolute_url, send_email, send_emails
from aftersales.notifications.models import Notification

if TYPE_CHECKING:
    from aftersales.accounts.models import User

# Called under translation.override(<the recipient's language>): returns the text to show.
Text = Callable[[], str]


def language_of(user: User | None) -> str:
    return (user.preferred_language if user else "") or settings.LANGUAGE_CODE


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: Text,
    body: Text = str,
    url: str = "",
    email: bool = True,
    headers: dict[str, str] | None = None,
) -> list[Notification]:
    """One in-app notification per distinct active recipient, in their language; and, when
    `email`, one e-mail to each who has an address, sent after the transaction commits.
    Two queries whatever the number of recipients (the insert and nothing else)."""
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    notifications = []
    now = timezone.now()
    for user in unique.values():
        with translation.override(language_of(user)):
            subject, text = str(title()), str(body())
        notifications.append(
            Notification(
                recipient=user, kind=kind, title=subject[:300], body=text, url=url, created_at=now
            )
        )
        if email and user.email:
            _send_after_commit(
                to=[user.email], subject=subject, body=_with_link(text, url), headers=headers
            )
    if len(notifications) == 1:  # most often: one statement kept, prepared on PostgreSQL
        return [compiled.insert(notifications[0])]
    return Notification.objects.bulk_create(notifications)


def email_address(
    address: str,
    *,
    language: str,
    subject: Text,
    body: Text,
    url: str = "",
    headers: dict[str, str] | None = None,
) -> None:
    """An e-mail to someone who is not a user (a customer), in `language`, after commit."""
    if not address:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        text_subject, text_body = str(subject()), str(body())
    _send_after_commit(
        to=[address], subject=text_subject, body=_with_link(text_body, url), headers=headers
    )


# The e-mails of the innermost `emails_in_one_job` block, as they are committed.
_outbox: ContextVar[list[dict[str, Any]] | None] = ContextVar("outbox", default=None)


@contextmanager
def emails_in_one_job() -> Iterator[None]:
    """The e-mails asked for inside the block leave in one job once the transaction commits:
    one enqueue instead of one each (a registration tells its responsible and its customer;
    bench requests.create). As outside the block, an e-mail asked for in a part that is rolled
    back never leaves, and nothing leaves if the block raises."""
    outbox: list[dict[str, Any]] = []
    token = _outbox.set(outbox)
    try:
        yield
    finally:
        _outbox.reset(token)
    # After the callbacks that put the block's committed e-mails in the outbox.
    transaction.on_commit(partial(_send_together, outbox))


def _send_together(messages: list[dict[str, Any]]) -> None:
    if len(messages) == 1:
        send_email.enqueue(**messages[0])
    elif messages:
        send_emails.enqueue(messages=messages)


def _send_after_commit(
    *, to: list[str], subject: str, body: str, headers: dict[str, str] | None
) -> None:
    # Whatever the task backend (one that runs jobs at once included), an e-mail about a
    # step that is then rolled back must never leave.
    message = {"to": to, "subject": subject, "body": body, "headers": headers or {}}
    outbox = _outbox.get()
    if outbox is None:
        transaction.on_commit(partial(send_email.enqueue, **message))
    else:
        transaction.on_commit(partial(outbox.append, message))


def _with_link(text: str, url: str) -> str:
    return f"{text}\n\n{absolute_url(url)}\n" if url else text


@transaction.atomic
def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications read (all of them when `ids` is None); returns how many."""
    rows = Notification.objects.for_user(user).unread()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
