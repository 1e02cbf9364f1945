"""Inbound e-mail: every message that reaches the service mailbox, kept as it arrived.

A message is stored (its raw RFC 822 bytes in private storage) before anything else is done
with it, so nothing that arrives is lost: it then becomes a reply on a request, a new request,
an ignored auto-reply or bounce, or waits in quarantine for an administrator. The same message
delivered twice (pipe and mailbox, or a retry) is stored once: Message-ID is unique.

Scoping: a message belongs to the unit of the request it went to; one that went to no request
belongs to the inbox unit (settings.INBOX_UNIT_CODE, by default the root of the organisation),
so the administrators there see the quarantine.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.files import private_storage
from aftersales.core.scoping import ScopedQuerySet
from aftersales.inbox import parsing


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, not yet handled")
    ATTACHED = "attached", _("Added to a request")
    NEW_REQUEST = "new_request", _("Registered as a new request")
    QUARANTINED = "quarantined", _("Quarantined")
    IGNORED = "ignored", _("Ignored (automatic message)")
    REJECTED = "rejected", _("Rejected")


# An administrator may still act on these (attach, register, reject).
OPEN_TO_HANDLING = frozenset({Status.QUARANTINED, Status.IGNORED, Status.REJECTED})


class Reason(models.TextChoices):
    TOO_LARGE = parsing.TOO_LARGE, _("The message is larger than the inbox accepts")
    HEADER_TOO_LONG = parsing.HEADER_TOO_LONG, _("A header is too long")
    TOO_DEEP = parsing.TOO_DEEP, _("Parts are nested too deep")
    TOO_MANY_PARTS = parsing.TOO_MANY_PARTS, _("Too many parts")
    TOO_MANY_WORDS = parsing.TOO_MANY_WORDS, _("Too many encoded words in the headers")
    UNREADABLE = parsing.UNREADABLE, _("The message could not be read")
    AUTO_REPLY = parsing.AUTO_REPLY, _("Automatic reply")
    BOUNCE = parsing.BOUNCE, _("Delivery failure report")
    OWN_MESSAGE = "own_message", _("Sent by this system")
    WRONG_TOKEN = "wrong_token", _("The request tag does not match the request")
    INVALID_SENDER = "invalid_sender", _("The sender's address is not valid")
    NO_REQUEST_TYPE = "no_request_type", _("No request type for e-mail is configured")
    REFUSED = "refused", _("The request could not be registered")
    FAILED = "failed", _("Handling failed")
    REPLY_TO_CLOSED = "reply_to_closed", _("A reply to a closed request")
    BY_HAND = "by_hand", _("Handled by an administrator")


class Source(models.TextChoices):
    PIPE = "pipe", _("Mail server (pipe)")
    IMAP = "imap", _("Mailbox (IMAP)")


class InboundMessageQuerySet(ScopedQuerySet):
    scope_field = "unit"


def raw_path(instance: InboundMessage, filename: str) -> str:
    return f"inbox/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.eml"


class InboundMessage(models.Model):
    """One e-mail as received, and what became of it."""

    raw = models.FileField(
        _("original message"), upload_to=raw_path, storage=private_storage, max_length=200
    )
    raw_size = models.PositiveBigIntegerField(_("size"), default=0)
    # The Message-ID (or, without one, an id made from the content); unique, so a message
    # delivered twice is stored once. A different message reusing an id gets a suffix.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("arrived by"), max_length=10, choices=Source.choices)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices, blank=True)
    # Particulars of the reason or of the routing ("several customers have this address…").
    detail = models.TextField(_("details"), blank=True)
    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    # Null only when the organisation has no unit yet: the message is still kept.
    unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What was read from the message, for the administrators' page (the raw file is the truth).
    text = models.TextField(_("text"), blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    notes = models.JSONField(_("reading notes"), default=list, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(
        excluded_fields=["text", "headers", "attachments", "notes", "fingerprint", "raw"]
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-received_at"], name="inbox_by_unit"),
            models.Index(fields=["status", "-received_at"], name="inbox_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address} {self.subject}".strip() or self.message_id

    @property
    def is_quarantined(self) -> bool:
        return self.status == Status.QUARANTINED

    @property
    def can_be_handled(self) -> bool:
        return self.status in OPEN_TO_HANDLING
