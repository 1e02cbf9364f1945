"""Polling the service mailbox over IMAP (stdlib imaplib).

Each run takes the unseen messages of the folder (oldest first, at most INBOX_IMAP_BATCH),
fetches each without marking it (BODY.PEEK[]), stores it through services.message_receive,
and only then flags it \\Seen. A message whose storing fails stays unseen and is fetched
again next run; one stored twice (a run interrupted between storing and flagging, or two
consumers at once) is found by its Message-ID and not stored again.
"""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass

from django.conf import settings

from aftersales.inbox import services
from aftersales.inbox.models import Source

logger = logging.getLogger(__name__)

_UID = re.compile(rb"UID (\d+)")


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0  # new messages (duplicates are fetched and flagged, not stored again)


def _connect() -> imaplib.IMAP4:
    host, port = settings.INBOX_IMAP_HOST, settings.INBOX_IMAP_PORT
    if settings.INBOX_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, timeout=60)
    return imaplib.IMAP4(host, port, timeout=60)


def poll() -> PollResult:
    """One run over the mailbox. Raises (after logging out) when the server refuses or a
    message cannot be stored, so the job queue records the failure."""
    result = PollResult()
    if not settings.INBOX_IMAP_HOST:
        return result
    client = _connect()
    try:
        client.login(settings.INBOX_IMAP_USER, settings.INBOX_IMAP_PASSWORD)
        status, _data = client.select(_quoted(settings.INBOX_IMAP_FOLDER))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {settings.INBOX_IMAP_FOLDER!r}")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error("UID SEARCH UNSEEN failed")
        uids = (data[0] or b"").split()[: settings.INBOX_IMAP_BATCH]
        for uid in uids:
            raw = _fetch(client, uid)
            if raw is None:
                continue  # gone meanwhile (expunged by another client)
            result.fetched += 1
            receipt = services.message_receive(raw, source=Source.IMAP)
            result.stored += receipt.created
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed.", exc_info=True)
    logger.info("Mailbox polled: %d fetched, %d new.", result.fetched, result.stored)
    return result


def _quoted(folder: str) -> str:
    """A folder name as an IMAP string (names with spaces need quotes)."""
    escaped = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error(f"UID FETCH {uid!r} failed")
    for item in data or []:
        # A literal comes as (b'1 (UID 7 BODY[] {123}', b'<the message>'); other untagged
        # answers (a FLAGS update) may be interleaved.
        if isinstance(item, tuple) and len(item) == 2 and b"BODY[]" in item[0].upper():
            found = _UID.search(item[0])
            if found is None or found.group(1) == uid:
                return item[1]
    return None
