"""Writes of the inbox: receive a message (store it, then route it), and an administrator's
decisions on a quarantined one.

Receiving is two steps, each its own transaction. First the raw message is stored, so it is
kept whatever happens next; a second delivery of the same message (same Message-ID and
content) finds it and stops there. Then it is read (parsing.py, bounded) and routed:

- machine-written (auto-reply, bounce, delivery report, our own message) → ignored, never
  answered, no request: no reply loops;
- too complex to read within the limits → quarantined for an administrator;
- a reply (the request's tag `[R00000012-<token>]` in the subject, or our Message-ID
  `<R00000012.<token>.…>` in In-Reply-To / References, the token matching) → a message on
  that request; a tag whose token does not match → quarantined (a guessed number alone
  never reaches someone else's request);
  a reply to a request cancelled, or closed longer ago than its type's reopening period,
  becomes a new request for the same customer that names the old one;
- anything else → a new request of the inbox's type for the customer whose card has the
  sender's address (the newest card when several do), or for a new customer created from
  the sender's name and address in the inbox unit.

Files over ATTACHMENT_MAX_BYTES are not put on the request: it gets an internal note naming
them, and the sender one short reply (the message itself is not automatic, so this cannot
loop). The original, files included, stays in the inbox.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales.customers.models import Customer, CustomerKind
from aftersales.customers.services import customer_create
from aftersales.inbox import charsets, parsing
from aftersales.inbox.models import OPEN_TO_HANDLING, InboundMessage, Reason, Status
from aftersales.notifications.services import email_address, notify
from aftersales.organisation.models import Unit
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import (
    Channel,
    RequestMessage,
    RequestType,
    ServiceRequest,
)
from aftersales.service_requests.models import Status as RequestStatus

if TYPE_CHECKING:
    from aftersales.accounts.models import User

logger = logging.getLogger(__name__)

# The tag in our subjects and the Message-IDs we send (service_requests.services).
SUBJECT_TAG = re.compile(r"\[R(\d{1,12})-([0-9A-Za-z]{1,20})\]")
OUR_MESSAGE_ID = re.compile(r"^<R(\d{1,12})\.([0-9A-Za-z]{1,20})\.[^<>@\s]*@[^<>\s]*>$")
THREAD_CANDIDATES = 20


@dataclass(frozen=True)
class Receipt:
    message: InboundMessage
    created: bool  # False: the same message had been received before


def limits() -> parsing.Limits:
    return parsing.Limits(
        max_message_bytes=settings.INBOX_MAX_MESSAGE_BYTES,
        max_depth=settings.INBOX_MAX_DEPTH,
        max_parts=settings.INBOX_MAX_PARTS,
        max_encoded_words=settings.INBOX_MAX_ENCODED_WORDS,
        max_attachment_bytes=settings.ATTACHMENT_MAX_BYTES,
    )


def inbox_unit() -> Unit | None:
    """Where messages that reach no request are kept (and new customers from e-mail are
    served): INBOX_UNIT_CODE, or the root of the organisation."""
    code = settings.INBOX_UNIT_CODE
    units = Unit.objects.filter(code=code) if code else Unit.objects.filter(depth=1)
    return units.order_by("path").first()


def inbox_request_type() -> RequestType | None:
    """The type of requests opened by e-mail: INBOX_REQUEST_TYPE, or the first active type
    that asks no required question (an e-mail cannot answer one)."""
    code = settings.INBOX_REQUEST_TYPE
    types = RequestType.objects.filter(is_active=True)
    if code:
        return types.filter(code=code).first()
    return types.exclude(fields__required=True).order_by("order", "name", "pk").first()


def _inbox_actor() -> User:
    """customer_create checks that whoever writes may serve the card's unit. The inbox writes
    on the organisation's behalf into the unit the configuration names, so it acts through an
    unsaved stand-in that sees every unit (as the portal does); it is never stored."""
    from aftersales.accounts.models import User

    return User(username="inbox", is_active=True, is_superuser=True)


def _own_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


# --- Receiving -------------------------------------------------------------------------------


def message_receive(
    raw: bytes,
    *,
    source: str,
    envelope_sender: str | None = None,
    now: datetime.datetime | None = None,
) -> Receipt:
    """Store `raw` (once) and route it. Raises only when the message could not be stored; a
    failure while routing leaves it stored and quarantined."""
    now = now or timezone.now()
    headers = parsing.header_block(raw, 256 * 1024)
    fingerprint = parsing.fingerprint(raw, headers)
    key = parsing.message_id_of(headers)[:250] or f"<{fingerprint[:40]}@no-message-id.invalid>"
    existing = InboundMessage.objects.filter(message_id=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        # Another message under the same id (a broken or hostile sender): kept apart.
        key = f"{key[:240]}#{fingerprint[:12]}"
        existing = InboundMessage.objects.filter(message_id=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                message = InboundMessage(
                    message_id=key,
                    fingerprint=fingerprint,
                    source=source,
                    raw_size=len(raw),
                    received_at=now,
                    unit=inbox_unit(),
                )
                message.raw.save("message.eml", ContentFile(raw), save=False)
                message.save()
        except IntegrityError:
            existing = InboundMessage.objects.filter(message_id=key).first()
            if existing is None:
                raise
        else:
            return Receipt(_process(message, raw, envelope_sender, now), created=True)
    if existing.status == Status.RECEIVED:
        # Stored before but never routed (the process stopped in between): route it now.
        existing = _process(existing, raw, envelope_sender, now)
    return Receipt(existing, created=False)


def _process(
    message: InboundMessage, raw: bytes, envelope_sender: str | None, now: datetime.datetime
) -> InboundMessage:
    try:
        parsed = parsing.parse(raw, limits())
    except Exception as error:  # noqa: BLE001 - parse() is written never to raise; belt and braces
        logger.exception("Inbound message %s could not be parsed.", message.pk)
        parsed = parsing.ParsedMessage(too_complex=parsing.UNREADABLE)
        parsed.too_complex_detail = type(error).__name__
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.status != Status.RECEIVED:
                return locked
            _describe(locked, parsed)
            _route(locked, parsed, envelope_sender, now)
            locked.handled_at = now
            locked.save()
            return locked
    except Exception as error:
        logger.exception("Inbound message %s could not be routed; quarantined.", message.pk)
        try:
            _describe(message, parsed)
            message.status = Status.QUARANTINED
            message.reason = Reason.FAILED
            message.detail = charsets.storable(f"{type(error).__name__}: {error}"[:2000])
            message.detail = message.detail.replace("\x00", "")
            message.handled_at = now
            message.save()
            _tell_administrators(message)
        except Exception:
            # Stored all the same (status "received"); the next delivery of it routes it again.
            logger.exception("Inbound message %s stays unrouted.", message.pk)
        return message


def _describe(message: InboundMessage, parsed: parsing.ParsedMessage) -> None:
    """What was read, kept on the row for the administrators' page."""
    message.from_address = parsed.from_address[:254]
    message.from_name = parsed.from_name[:200]
    message.subject = parsed.subject[:500]
    message.sent_at = parsed.date
    message.text = parsed.text
    message.headers = [[name, value] for name, value in parsed.headers]
    message.attachments = [
        {
            "name": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "too_large": item.too_large,
        }
        for item in parsed.attachments
    ]
    message.notes = parsed.notes[:50]


def _quarantine(message: InboundMessage, reason: str, detail: str = "") -> None:
    message.status = Status.QUARANTINED
    message.reason = reason
    message.detail = charsets.storable(detail.replace("\x00", ""))
    transaction.on_commit(lambda: _tell_administrators(message))


def _route(
    message: InboundMessage,
    parsed: parsing.ParsedMessage,
    envelope_sender: str | None,
    now: datetime.datetime,
) -> None:
    if parsed.too_complex:
        _quarantine(message, parsed.too_complex, parsed.too_complex_detail)
        return
    thread, mismatch = _thread_of(parsed)
    if thread is not None:
        message.request = thread
        message.unit = thread.unit
    machine = parsed.auto
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        machine = parsing.BOUNCE
    if parsed.from_address.lower() == _own_address():
        machine = machine or Reason.OWN_MESSAGE
    if machine:
        message.status = Status.IGNORED
        message.reason = machine
        return
    if mismatch and thread is None:
        _quarantine(message, Reason.WRONG_TOKEN, mismatch)
        return
    if thread is not None:
        if _closed_for_good(thread, now):
            _register(message, parsed, now, follow_up_to=thread)
        else:
            _add_to_thread(message, parsed, thread, now)
        return
    if not _valid_address(parsed.from_address):
        _quarantine(message, Reason.INVALID_SENDER, parsed.from_address[:254])
        return
    _register(message, parsed, now)


def _thread_of(parsed: parsing.ParsedMessage) -> tuple[ServiceRequest | None, str]:
    """(the request this message answers, or None; a description of any tag that names a
    request but carries the wrong token). The subject's tag first, then In-Reply-To, then
    References from the newest."""
    candidates: list[tuple[int, str]] = [
        (int(number), token) for number, token in SUBJECT_TAG.findall(parsed.subject)
    ]
    for message_id in [*parsed.in_reply_to[::-1], *parsed.references[::-1]]:
        match = OUR_MESSAGE_ID.match(message_id)
        if match:
            candidates.append((int(match.group(1)), match.group(2)))
    candidates = candidates[:THREAD_CANDIDATES]
    if not candidates:
        return None, ""
    found = ServiceRequest.objects.select_related("request_type", "unit", "customer").in_bulk(
        {number for number, _token in candidates}
    )
    wrong = []
    for number, token in candidates:
        request = found.get(number)
        if request is not None and secrets.compare_digest(token, request.reply_token):
            return request, ""
        wrong.append(f"R{number:08d}")
    return None, ", ".join(dict.fromkeys(wrong))


def _closed_for_good(request: ServiceRequest, now: datetime.datetime) -> bool:
    """Cancelled, or closed longer ago than its type's reopening period: a reply there would
    be read by nobody, so it opens a new request instead."""
    if request.status == RequestStatus.CANCELLED:
        return True
    if request.status == RequestStatus.CLOSED and request.closed_at is not None:
        return now - request.closed_at > datetime.timedelta(days=request.request_type.reopen_days)
    return False


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _sender(parsed: parsing.ParsedMessage) -> str:
    if parsed.from_name and parsed.from_address:
        return f"{parsed.from_name} <{parsed.from_address}>"[:200]
    return (parsed.from_name or parsed.from_address)[:200]


def _files(
    parsed: parsing.ParsedMessage,
) -> tuple[list[requests.NewFile], list[parsing.Attachment]]:
    """(files for the request, files too large for it)."""
    kept, too_large = [], []
    for item in parsed.attachments:
        if item.data is None or item.size > settings.ATTACHMENT_MAX_BYTES:
            too_large.append(item)
        else:
            content = SimpleUploadedFile(item.filename, item.data, item.content_type)
            kept.append(requests.NewFile(name=item.filename, content=content))
    return kept, too_large


def _in_site_language(text) -> str:  # type: ignore[no-untyped-def]
    with translation.override(settings.LANGUAGE_CODE):
        return str(text())


def _add_to_thread(
    message: InboundMessage,
    parsed: parsing.ParsedMessage,
    request: ServiceRequest,
    now: datetime.datetime,
) -> None:
    files, too_large = _files(parsed)
    body = parsed.text
    if not body.strip() and not files:
        body = _in_site_language(lambda: _("(The e-mail has no text.)"))
    requests.message_post(
        request=request,
        body=body,
        author_name=_sender(parsed),
        source=RequestMessage.Source.EMAIL,
        files=files,
        now=now,
    )
    message.status = Status.ATTACHED
    if request.status == RequestStatus.CLOSED:
        message.reason = Reason.REPLY_TO_CLOSED
        message.detail = _in_site_language(
            lambda: _("Added to the closed request; its responsible may reopen it.")
        )
    _report_too_large(message, request, too_large, parsed)


def _customer_for(parsed: parsing.ParsedMessage, now: datetime.datetime) -> tuple[Customer, str]:
    """(the customer whose card has the sender's address — the newest active card when
    several do — or a new customer in the inbox unit; a note on the choice)."""
    address = parsed.from_address.lower()
    cards = list(
        Customer.objects.filter(emails__address=address)
        .order_by("-is_active", "-created_at", "-pk")
        .distinct()[:5]
    )
    if cards:
        note = ""
        if len(cards) > 1:
            note = _in_site_language(
                lambda: (
                    _("Several customers have the address %(address)s; chose %(code)s.")
                    % {"address": address, "code": cards[0].code or cards[0].pk}
                )
            )
        return cards[0], note
    unit = inbox_unit()
    if unit is None:
        raise ValidationError(_("The organisation has no unit to serve a new customer."))
    customer = customer_create(
        user=_inbox_actor(),
        name=(parsed.from_name or address)[:300],
        unit=unit,
        kind=CustomerKind.PERSON,
        emails=[address],
        notes=_in_site_language(
            lambda: (
                _("Created from an e-mail received on %(date)s.")
                % {"date": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT")}
            )
        ),
    )
    return customer, _in_site_language(
        lambda: _("New customer %(code)s created from the sender.") % {"code": customer.code}
    )


def _register(
    message: InboundMessage,
    parsed: parsing.ParsedMessage,
    now: datetime.datetime,
    *,
    follow_up_to: ServiceRequest | None = None,
    user: User | None = None,
    request_type: RequestType | None = None,
    customer: Customer | None = None,
) -> None:
    request_type = request_type or inbox_request_type()
    if request_type is None:
        _quarantine(message, Reason.NO_REQUEST_TYPE)
        return
    files, too_large = _files(parsed)
    subject = parsed.subject or _in_site_language(
        lambda: _("E-mail from %(sender)s") % {"sender": parsed.from_address or "?"}
    )
    description = parsed.text
    if follow_up_to is not None:
        description = (
            _in_site_language(
                lambda: _("Follow-up to request %(number)s.") % {"number": follow_up_to.number}
            )
            + "\n\n"
            + description
        )
        customer = customer or follow_up_to.customer
    try:
        with transaction.atomic():
            note = ""
            if customer is None:
                customer, note = _customer_for(parsed, now)
            request = requests.request_register(
                customer=customer,
                request_type=request_type,
                channel=Channel.EMAIL,
                subject=subject,
                description=description,
                files=files,
                customer_email=parsed.from_address.lower()
                if _valid_address(parsed.from_address)
                else "",
                external_ref=message.message_id,
                registered_by=user,
                now=now,
            )
    except ValidationError as error:
        _quarantine(message, Reason.REFUSED, "; ".join(error.messages)[:2000])
        return
    message.status = Status.NEW_REQUEST
    message.request = request
    message.unit = request.unit
    message.detail = note
    if follow_up_to is not None:
        message.reason = Reason.REPLY_TO_CLOSED
        message.detail = follow_up_to.number
        requests.message_post(
            request=follow_up_to,
            body=_in_site_language(
                lambda: (
                    _("A later e-mail from the customer became request %(number)s.")
                    % {"number": request.number}
                )
            ),
            internal=True,
            now=now,
        )
    _report_too_large(message, request, too_large, parsed)


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f}"


def _report_too_large(
    message: InboundMessage,
    request: ServiceRequest,
    too_large: list[parsing.Attachment],
    parsed: parsing.ParsedMessage,
) -> None:
    """The request learns which files were left out (an internal note pointing at the inbox);
    the sender gets one short reply, in the customer's language, threaded on the request."""
    if not too_large:
        return
    limit = _megabytes(settings.ATTACHMENT_MAX_BYTES)
    names = ", ".join(f"“{item.filename}” ({_megabytes(item.size)} MB)" for item in too_large)
    requests.message_post(
        request=request,
        body=_in_site_language(
            lambda: (
                _(
                    "Files over %(limit)s MB were not added to the request: %(names)s. "
                    "The original e-mail, files included, is kept in the inbox (message %(id)s)."
                )
                % {"limit": limit, "names": names, "id": message.pk}
            )
        ),
        internal=True,
    )
    if not _valid_address(parsed.from_address):
        return
    email_address(
        parsed.from_address,
        language=request.customer_language,
        subject=lambda: f"{request.thread_tag} " + _("A file you sent is too large"),
        body=lambda: (
            _(
                "Thank you for your e-mail about request %(number)s. These files are larger than "
                "the %(limit)s MB we accept and were not added to the request: %(names)s. "
                "Please reply with smaller files or a link to download them."
            )
            % {"number": request.number, "limit": limit, "names": names}
        ),
        headers={"Message-ID": requests.outgoing_message_id(request)},
    )


def _tell_administrators(message: InboundMessage) -> None:
    """In the app only (no e-mail: a flood of junk must not become a flood of mail)."""
    from aftersales.accounts.models import User

    if message.unit_id is None:
        return
    people = User.objects.filter(
        unit_id=message.unit_id,
        is_active=True,
        position__permissions__content_type__app_label="inbox",
        position__permissions__codename="change_inboundmessage",
    ).distinct()
    notify(
        list(people),
        kind="inbox_quarantined",
        title=lambda: _("An e-mail is waiting in quarantine"),
        body=lambda: f"{message.from_address}: {message.subject}"[:500],
        url=reverse("inbox:message_detail", args=[message.pk]),
        email=False,
    )


# --- An administrator's decisions --------------------------------------------------------------


def _locked_for_handling(message: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status not in OPEN_TO_HANDLING:
        raise ValidationError(_("This e-mail has already been handled."))
    return locked


def _reread(message: InboundMessage) -> parsing.ParsedMessage:
    with message.raw.open("rb") as raw:
        return parsing.parse(raw.read(), limits())


def _raw_as_file(message: InboundMessage) -> list[requests.NewFile]:
    """The original message as a file, when the request can take it (for a message that could
    not be read in full: the request then holds what the inbox holds)."""
    if message.raw_size > settings.ATTACHMENT_MAX_BYTES:
        return []
    with message.raw.open("rb") as raw:
        data = raw.read()
    name = f"message-{message.pk}.eml"
    return [requests.NewFile(name=name, content=SimpleUploadedFile(name, data, "message/rfc822"))]


def _handled(message: InboundMessage, user: User, now: datetime.datetime, status: str) -> None:
    message.status = status
    message.reason = Reason.BY_HAND
    message.handled_by = user
    message.handled_at = now


@transaction.atomic
def message_attach(
    *,
    message: InboundMessage,
    request: ServiceRequest,
    user: User,
    now: datetime.datetime | None = None,
) -> InboundMessage:
    """Put a quarantined (or ignored, or rejected) message on `request` as the customer's
    message, as if it had been a reply (the caller checked that `user` sees the request)."""
    now = now or timezone.now()
    message = _locked_for_handling(message)
    parsed = _reread(message)
    if parsed.too_complex:
        files = _raw_as_file(message)
        body = _(
            "E-mail from %(sender)s, “%(subject)s”: it could not be read in full; "
            "the original is attached and kept in the inbox (message %(id)s)."
        ) % {"sender": _sender(parsed) or "?", "subject": message.subject, "id": message.pk}
        too_large = []
    else:
        files, too_large = _files(parsed)
        body = parsed.text if parsed.text.strip() or files else _("(The e-mail has no text.)")
    requests.message_post(
        request=request,
        body=body,
        author_name=_sender(parsed),
        source=RequestMessage.Source.EMAIL,
        files=files,
        now=now,
    )
    _handled(message, user, now, Status.ATTACHED)
    message.request = request
    message.unit = request.unit
    message.detail = _("Added to request %(number)s by %(user)s.") % {
        "number": request.number,
        "user": user.get_full_name() or user.get_username(),
    }
    message.save()
    if too_large:
        _report_too_large(message, request, too_large, parsed)
    return message


@transaction.atomic
def message_register(
    *,
    message: InboundMessage,
    user: User,
    request_type: RequestType | None = None,
    customer: Customer | None = None,
    now: datetime.datetime | None = None,
) -> InboundMessage:
    """Register a new request from a quarantined (or ignored, or rejected) message: for
    `customer` (the caller checked that `user` sees it) or the sender's customer, of
    `request_type` or the inbox's type."""
    now = now or timezone.now()
    message = _locked_for_handling(message)
    parsed = _reread(message)
    if parsed.too_complex:
        parsed.attachments = []
        parsed.text = _(
            "The e-mail could not be read in full; the original is attached and kept in the "
            "inbox (message %(id)s)."
        ) % {"id": message.pk}
        if not parsed.subject:
            parsed.subject = message.subject
    if customer is None and not _valid_address(parsed.from_address):
        raise ValidationError(
            {"customer": _("The sender's address is not valid: choose the customer.")}
        )
    before = message.status
    _register(message, parsed, now, user=user, request_type=request_type, customer=customer)
    if message.status != Status.NEW_REQUEST:
        raise ValidationError(message.detail or Reason(message.reason).label)
    if parsed.too_complex:
        files = _raw_as_file(message)
        if files:
            requests.message_post(
                request=message.request,
                body=_("The original e-mail."),
                internal=True,
                files=files,
                author=user,
                now=now,
            )
    _handled(message, user, now, Status.NEW_REQUEST)
    message.detail = _("Registered as request %(number)s by %(user)s (was: %(status)s).") % {
        "number": message.request.number,
        "user": user.get_full_name() or user.get_username(),
        "status": Status(before).label,
    }
    message.save()
    return message


@transaction.atomic
def message_reject(
    *, message: InboundMessage, user: User, note: str, now: datetime.datetime | None = None
) -> InboundMessage:
    """Mark a quarantined or ignored message as not a request (junk, a wrong address…). It
    stays in the inbox."""
    now = now or timezone.now()
    message = _locked_for_handling(message)
    if message.status == Status.REJECTED:
        raise ValidationError(_("This e-mail has already been rejected."))
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Say why the e-mail is rejected.")})
    _handled(message, user, now, Status.REJECTED)
    message.detail = note[:2000]
    message.save()
    return message
