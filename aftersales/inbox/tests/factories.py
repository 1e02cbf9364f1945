import itertools

from django.core.files.base import ContentFile

from aftersales.core.testing import scoped_factory
from aftersales.inbox.models import InboundMessage, Reason, Source, Status
from aftersales.organisation.models import Unit

_numbers = itertools.count(1)


def make_inbound_message(unit: Unit | None, **fields) -> InboundMessage:  # type: ignore[no-untyped-def]
    """A quarantined message kept in `unit`, with its original on file."""
    number = next(_numbers)
    raw = (
        fields.pop("raw", None)
        or (
            f"From: Sender {number} <sender{number}@example.com>\r\n"
            f"Subject: Message {number}\r\nMessage-ID: <m{number}@example.com>\r\n\r\nHello.\r\n"
        ).encode()
    )
    fields.setdefault("message_id", f"<m{number}@example.com>")
    fields.setdefault("fingerprint", f"{number:064d}")
    fields.setdefault("source", Source.PIPE)
    fields.setdefault("from_address", f"sender{number}@example.com")
    fields.setdefault("subject", f"Message {number}")
    fields.setdefault("text", "Hello.")
    fields.setdefault("status", Status.QUARANTINED)
    fields.setdefault("reason", Reason.TOO_DEEP)
    message = InboundMessage(unit=unit, raw_size=len(raw), **fields)
    message.raw.save("message.eml", ContentFile(raw), save=False)
    message.save()
    return message


@scoped_factory(InboundMessage)
def inbound_message_in(unit: Unit) -> InboundMessage:
    return make_inbound_message(unit)
