"""Receive one e-mail from standard input: for the mail server to pipe the service address
into (see docs/operations.md). Exit status 0 once the message is stored, whatever became of
it (a request, a reply, quarantine, a duplicate); 75 (EX_TEMPFAIL) when it could not be
stored, so the mail server keeps it and tries again later."""

import logging
import sys

from django.core.management.base import BaseCommand, CommandError

from aftersales.inbox import services
from aftersales.inbox.models import Source

logger = logging.getLogger(__name__)

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and route one RFC 822 message read from standard input."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--file", help="Read the message from this file instead of standard input."
        )
        parser.add_argument(
            "--sender",
            default=None,
            help="The envelope sender (Postfix: ${sender}); empty for a bounce.",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            if options["file"]:
                with open(options["file"], "rb") as source:
                    raw = source.read()
            else:
                raw = sys.stdin.buffer.read()
        except OSError as error:
            raise CommandError(
                f"Cannot read the message: {error}", returncode=EX_TEMPFAIL
            ) from error
        try:
            receipt = services.message_receive(
                raw, source=Source.PIPE, envelope_sender=options["sender"]
            )
        except Exception as error:
            logger.exception("An inbound message could not be stored.")
            raise CommandError(
                f"The message could not be stored: {error}", returncode=EX_TEMPFAIL
            ) from error
        message = receipt.message
        state = "stored" if receipt.created else "already stored"
        self.stdout.write(f"{state}: #{message.pk} {message.status} {message.reason}".rstrip())
