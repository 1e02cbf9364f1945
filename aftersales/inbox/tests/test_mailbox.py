"""The mailbox job against a real IMAP conversation on loopback (imap_server.py): unseen
messages are fetched, stored, and only then marked seen; a run that cannot store leaves them
unseen for the next one; a second run finds nothing new."""

import imaplib

import pytest

from aftersales.inbox import jobs, mailbox
from aftersales.inbox.models import InboundMessage, Source, Status
from aftersales.inbox.tests import samples
from aftersales.inbox.tests.conftest import use_private_storage
from aftersales.inbox.tests.imap_server import ImapServer


@pytest.fixture
def imap(settings):  # type: ignore[no-untyped-def]
    with ImapServer() as server:
        settings.INBOX_IMAP_HOST = "127.0.0.1"
        settings.INBOX_IMAP_PORT = server.port
        settings.INBOX_IMAP_SSL = False
        settings.INBOX_IMAP_USER = server.mailbox.user
        settings.INBOX_IMAP_PASSWORD = server.mailbox.password
        settings.INBOX_IMAP_FOLDER = "INBOX"
        settings.INBOX_IMAP_BATCH = 100
        yield server.mailbox


def test_unseen_mail_is_stored_then_marked_seen(desk, imap, django_capture_on_commit_callbacks):
    already_read = imap.deliver(samples.koi8_r())
    imap.messages[already_read].flags.add("\\Seen")
    first = imap.deliver(samples.plain())
    second = imap.deliver(samples.gb2312_with_gbk_characters())
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox.poll()
    assert (result.fetched, result.stored) == (2, 2)
    assert imap.seen() == {already_read, first, second}
    stored = InboundMessage.objects.order_by("pk")
    assert [m.source for m in stored] == [Source.IMAP, Source.IMAP]
    assert [m.status for m in stored] == [Status.NEW_REQUEST, Status.NEW_REQUEST]
    with stored[1].raw.open("rb") as raw:
        assert raw.read() == samples.gb2312_with_gbk_characters()
    # fetched without marking, marked after storing
    fetches = [c for c in imap.commands if c.startswith("UID FETCH")]
    assert all("BODY.PEEK[]" in c for c in fetches)
    order = [c.split()[1] for c in imap.commands if c.startswith("UID")]
    assert order == ["SEARCH", "FETCH", "STORE", "FETCH", "STORE"]


def test_a_second_run_finds_nothing_new(desk, imap) -> None:
    imap.deliver(samples.plain())
    assert jobs.poll_mailbox.call() == 1
    assert jobs.poll_mailbox.call() == 0
    assert InboundMessage.objects.count() == 1


def test_a_message_seen_again_is_not_stored_twice(desk, imap) -> None:
    uid = imap.deliver(samples.plain())
    mailbox.poll()
    imap.messages[uid].flags.clear()  # another client marked it unread
    imap.deliver(samples.plain())  # and the mail server delivered it twice
    result = mailbox.poll()
    assert (result.fetched, result.stored) == (2, 0)
    assert InboundMessage.objects.count() == 1


def test_when_storing_fails_the_message_stays_unseen(desk, imap, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    use_private_storage(monkeypatch, blocked)
    uid = imap.deliver(samples.plain())
    with pytest.raises(OSError, match="not-a-folder|Not a directory|File exists"):
        mailbox.poll()
    assert imap.seen() == set() and not InboundMessage.objects.exists()
    assert imap.commands[-1] == "LOGOUT"  # the session is closed all the same
    assert uid in imap.messages


def test_at_most_a_batch_per_run(desk, imap, settings) -> None:
    settings.INBOX_IMAP_BATCH = 2
    for number in range(3):
        imap.deliver(samples.plain(message_id=f"<batch-{number}@x>", body=f"n{number}"))
    assert mailbox.poll().fetched == 2
    assert mailbox.poll().fetched == 1


def test_a_wrong_password_fails_the_run(desk, imap, settings) -> None:
    settings.INBOX_IMAP_PASSWORD = "wrong"
    imap.deliver(samples.plain())
    with pytest.raises(imaplib.IMAP4.error):
        mailbox.poll()
    assert not InboundMessage.objects.exists()


def test_without_a_host_the_job_does_nothing(db, settings) -> None:
    settings.INBOX_IMAP_HOST = ""
    assert jobs.poll_mailbox.call() == 0
