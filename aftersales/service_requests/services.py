"""Writes to service requests: registration on any channel, the lifecycle, assignment,
deadlines, the conversation, the result and the customer's answer to it, escalation.

Every function is one transaction; the ones that change a request lock its row first, so two
agents (or an agent and the escalation sweep) never overwrite each other's step. Notifications
are written in the same transaction and their e-mails leave after it commits.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, models, transaction
from django.db.models.signals import post_save, pre_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_change_reason_from_object

from aftersales.calendars.business_time import BusinessSchedule
from aftersales.calendars.selectors import schedule_for_unit
from aftersales.core import compiled
from aftersales.core.files import guess_content_type
from aftersales.core.scoping import PATH_STEP
from aftersales.customers.models import Contact, Customer, Email
from aftersales.installed_base.models import InstalledProduct
from aftersales.notifications.services import email_address, emails_in_one_job, notify
from aftersales.organisation.models import Unit
from aftersales.service_requests import questions, selectors
from aftersales.service_requests.models import (
    DEFAULT_TRANSITIONS,
    OPEN_STATUSES,
    Attachment,
    Channel,
    Decision,
    EventKind,
    Priority,
    RequestEscalation,
    RequestEvent,
    RequestMessage,
    RequestType,
    RequestTypeTransition,
    ServiceRequest,
    Status,
    format_number,
)

if TYPE_CHECKING:
    from aftersales.accounts.models import User

SUBJECT_MAX = ServiceRequest._meta.get_field("subject").max_length
# Statuses the customer hears about by e-mail when a request enters them.
CUSTOMER_TOLD_ON = frozenset(
    {Status.IN_WORK, Status.WAITING_CUSTOMER, Status.DONE, Status.CLOSED, Status.CANCELLED}
)


@dataclass(frozen=True)
class NewFile:
    """A file arriving with a request or a message, from any channel."""

    name: str
    content: UploadedFile
    field_key: str = ""

    @property
    def size(self) -> int:
        return self.content.size or 0


# --- Configuration ---------------------------------------------------------------------------


@transaction.atomic
def request_type_create(**fields: object) -> RequestType:
    """A request type with the default lifecycle (see models.DEFAULT_TRANSITIONS)."""
    request_type = RequestType(**fields)
    request_type.full_clean()
    request_type.save()
    RequestTypeTransition.objects.bulk_create(
        RequestTypeTransition(request_type=request_type, from_status=a, to_status=b)
        for a, b in DEFAULT_TRANSITIONS
    )
    return request_type


# --- Helpers ---------------------------------------------------------------------------------


def _url(request: ServiceRequest) -> str:
    return reverse("service_requests:request_detail", args=[request.pk])


def _event(request: ServiceRequest, kind: str, actor: User | None = None, **fields) -> None:  # type: ignore[no-untyped-def]
    RequestEvent.objects.create(request=request, kind=kind, actor=actor, **fields)


def _check_files(files: Sequence[NewFile]) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    for new in files:
        if new.size > limit:
            raise ValidationError(
                {
                    new.field_key or "files": _(
                        "“%(name)s” is %(size)s MB; files of up to %(limit)s MB are accepted."
                    )
                    % {
                        "name": new.name[:100],
                        "size": f"{new.size / 1048576:.1f}",
                        "limit": f"{limit / 1048576:.1f}".removesuffix(".0"),  # never "0 MB"
                    }
                }
            )


def _store_files(
    request: ServiceRequest,
    files: Sequence[NewFile],
    *,
    user: User | None,
    message: RequestMessage | None = None,
    internal: bool = False,
) -> list[Attachment]:
    stored = []
    for new in files:
        attachment = Attachment(
            request=request,
            message=message,
            field_key=new.field_key,
            original_name=(new.name or "file")[:255],
            content_type=guess_content_type(new.name, getattr(new.content, "content_type", "")),
            size=new.size,
            is_internal=internal,
            uploaded_by=user,
        )
        attachment.file.save(new.name or "file", new.content, save=False)
        # The file is on disk before the row commits; a rollback leaves an orphan file, never
        # a row without its file.
        attachment.save()
        stored.append(attachment)
    return stored


def _customer_address(customer: Customer, contact: Contact | None, first: str) -> str:
    """The contact's own e-mail address, else the customer's `first`."""
    if contact is not None:
        own = Email.objects.filter(customer=customer, contact=contact).order_by("pk")
        return own.values_list("address", flat=True).first() or first
    return first


def _tell_customer(request: ServiceRequest, subject, body) -> None:  # type: ignore[no-untyped-def]
    """E-mail the customer about `request`, threaded: the tag in the subject and a Message-ID
    that carries the number and the reply token, so a reply finds its way back."""
    tag = request.thread_tag

    def full_subject() -> str:
        return f"{tag} {subject()}"

    email_address(
        request.customer_email,
        language=request.customer_language,
        subject=full_subject,
        body=body,
        headers={"Message-ID": outgoing_message_id(request)},
    )


def outgoing_message_id(request: ServiceRequest) -> str:
    from django.utils.crypto import get_random_string

    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{request.number}.{request.reply_token}.{get_random_string(8)}@{domain}>"


def _staff_to_tell(request: ServiceRequest, *, besides: User | None) -> list[User]:
    people = [request.responsible] if request.responsible_id else []
    people += list(request.executors.all())
    return [p for p in people if p is not None and (besides is None or p.pk != besides.pk)]


def _schedule(request: ServiceRequest) -> BusinessSchedule:
    """The handling unit's business schedule, read once per service call (three queries)."""
    cached = getattr(request, "_business_schedule", None)
    if cached is None or cached[0] != request.unit_id:
        cached = (request.unit_id, schedule_for_unit(request.unit))
        request._business_schedule = cached  # type: ignore[attr-defined]
    return cached[1]


def _deadline(request: ServiceRequest, start: datetime.datetime, minutes: int) -> datetime.datetime:
    return selectors.deadline(request.unit, start, minutes, schedule=_schedule(request))


def _minutes_left(request: ServiceRequest, now: datetime.datetime, due: datetime.datetime) -> int:
    return selectors.business_minutes_left(request.unit, now, due, schedule=_schedule(request))


def _set_deadlines(request: ServiceRequest, start: datetime.datetime) -> None:
    """Response and resolution deadlines from `start` in the handling unit's business time."""
    policy = request.sla_policy
    if policy is None:
        request.response_due_at = request.resolution_due_at = None
    else:
        if request.responded_at is None:
            request.response_due_at = _deadline(request, start, policy.response_minutes)
        request.resolution_due_at = _deadline(request, start, policy.resolution_minutes)
    _set_due(request, start)


def _escalation_step(request: ServiceRequest) -> datetime.timedelta:
    minutes = request.sla_policy.escalation_step_minutes if request.sla_policy else 0
    return datetime.timedelta(minutes=minutes or 60)


def _set_due(request: ServiceRequest, now: datetime.datetime) -> None:
    """due_at = the next deadline that matters, and when the escalation chain moves next.

    A paused or finished request has neither. While the deadline that matters lies ahead
    (never escalated, or a late first response moved it on to the resolution deadline), the
    breach is over: the chain starts again from the bottom when that deadline passes. A
    request still overdue after a pause goes on up the chain one policy step after work
    resumes, so the time spent waiting for the customer is never held against the unit."""
    if not request.is_open or request.paused_at is not None:
        request.due_at = None
    elif request.responded_at is None and request.response_due_at is not None:
        request.due_at = request.response_due_at
    else:
        request.due_at = request.resolution_due_at
    escalation = request.escalation
    before = (escalation.level, escalation.next_at)
    if request.due_at is None:
        escalation.next_at = None
    elif escalation.level == 0 or request.due_at > now:
        escalation.level = 0
        escalation.next_at = request.due_at
    elif escalation.next_at is None:
        escalation.next_at = now + _escalation_step(request)
    # A registering request's row is written with it; a moving one's only when it changed.
    if escalation.request_id is not None and (escalation.level, escalation.next_at) != before:
        escalation.save(update_fields=["level", "next_at"])


def _mark_responded(request: ServiceRequest, when: datetime.datetime) -> None:
    if request.responded_at is None:
        request.responded_at = when
        _set_due(request, when)


# --- Registration ----------------------------------------------------------------------------


@transaction.atomic
def request_register(
    *,
    customer: Customer,
    request_type: RequestType,
    channel: str,
    subject: str,
    description: str = "",
    answers: dict[str, object] | None = None,
    files: Sequence[NewFile] = (),
    priority: int | None = None,
    contact: Contact | None = None,
    product: InstalledProduct | None = None,
    registered_by: User | None = None,
    customer_email: str = "",
    external_ref: str = "",
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """Register a request: answers checked against the type's questions, the contract in
    force found, assigned by rule, deadlines computed in the handling unit's business hours,
    the responsible and executors told, the customer acknowledged by e-mail."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not request_type.is_active:
        errors["request_type"] = [_("This request type is no longer in use.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel.")]
    if priority is not None and priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    subject = " ".join((subject or "").split())[:SUBJECT_MAX]
    if not subject:
        errors["subject"] = [_("Say in a few words what the request is about.")]
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = [_("This contact belongs to another customer.")]
    if product is not None and product.customer_id != customer.pk:
        errors["product"] = [_("This product belongs to another customer.")]
    fields = selectors.questions_of(request_type)
    try:
        cleaned = questions.clean_answers(
            fields, answers or {}, {f.field_key for f in files if f.field_key}
        )
    except ValidationError as error:
        errors.update(error.message_dict)
        cleaned = {}
    if errors:
        raise ValidationError(errors)
    _check_files(files)

    facts = selectors.customer_facts(customer, timezone.localdate(now))
    priority = priority or request_type.default_priority
    assignment = selectors.choose_assignment(customer, request_type, facts=facts)
    request = ServiceRequest(
        customer=customer,
        contact=contact,
        product=product,
        contract_id=facts.contract_id,
        request_type=request_type,
        channel=channel,
        external_ref=external_ref[:200],
        subject=subject,
        description=description,
        answers=cleaned,
        priority=priority,
        unit=assignment.unit,
        responsible=assignment.responsible,
        sla_policy=selectors.sla_policy_for(request_type, priority, facts.service_level),
        registered_at=now,
        registered_by=registered_by,
        customer_email=customer_email or _customer_address(customer, contact, facts.email),
        customer_language=customer.language,
    )
    request.escalation = RequestEscalation()
    _set_deadlines(request, now)
    _insert_registered(
        request,
        RequestEvent(
            kind=EventKind.REGISTERED,
            created_at=now,
            actor=registered_by,
            to_status=Status.REGISTERED,
            target_unit=assignment.unit,
            target_user=assignment.responsible,
            reason=assignment.rule,
        ),
    )
    _store_files(request, files, user=registered_by)
    responsible = assignment.responsible
    with emails_in_one_job():
        if responsible is not None and (
            registered_by is None or responsible.pk != registered_by.pk
        ):
            _tell_assigned(request, responsible)
        _tell_customer(
            request,
            lambda: _("Your request is registered"),
            lambda: (
                _(
                    "We have registered your request “%(subject)s” under number %(number)s. "
                    "Reply to this e-mail to add anything."
                )
                % {"subject": request.subject, "number": request.number}
            ),
        )
    return request


def _insert_registered(request: ServiceRequest, event: RequestEvent) -> None:
    """Write a new request with its escalation row, its creation record in the history and
    its registration `event`: on PostgreSQL in one statement, elsewhere by the ORM's saves."""
    if connection.vendor == "postgresql":
        _insert_registered_at_once(request, event)
    else:
        _insert_registered_by_orm(request, event)


def _insert_registered_by_orm(request: ServiceRequest, event: RequestEvent) -> None:
    request.save()
    request.escalation.save(force_insert=True)
    event.request = request
    event.save(force_insert=True)


@dataclass(frozen=True)
class _RegisteredRows:
    """What `_insert_registered_at_once` writes besides the request's own insert: the SQL
    after it, and the fields whose values it takes (the escalation's, those of the history
    record that are not copied from the request, the event's)."""

    history: type[models.Model]
    returned: list[models.Field]  # type: ignore[type-arg]
    sql: str
    escalation: list[models.Field]  # type: ignore[type-arg]
    history_own: list[models.Field]  # type: ignore[type-arg]
    event: list[models.Field]  # type: ignore[type-arg]


@functools.cache
def _registered_rows() -> _RegisteredRows:
    history = ServiceRequest.history.model
    copied = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    escalation = [RequestEscalation._meta.get_field(name) for name in ("level", "next_at")]
    history_own = [
        history._meta.get_field(name)
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    ]
    event = [f for f in RequestEvent._meta.concrete_fields if f.name not in ("id", "request")]
    quote = connection.ops.quote_name

    def columns(fields: list[models.Field]) -> str:  # type: ignore[type-arg]
        return ", ".join(quote(f.column) for f in fields)

    def marks(fields: list[models.Field]) -> str:  # type: ignore[type-arg]
        return ", ".join("%s" for _field in fields)

    sql = (
        f" e AS (INSERT INTO {RequestEscalation._meta.db_table} (request_id, {columns(escalation)})"
        f" SELECT id, {marks(escalation)} FROM r),"
        f" h AS (INSERT INTO {history._meta.db_table} ({columns(copied)}, {columns(history_own)})"
        f" SELECT {columns(copied)}, {marks(history_own)} FROM r),"
        f" v AS (INSERT INTO {RequestEvent._meta.db_table} (request_id, {columns(event)})"
        f" SELECT id, {marks(event)} FROM r)"
        " SELECT id FROM r"
    )
    returned = [ServiceRequest._meta.get_field(f.name) for f in copied]
    return _RegisteredRows(history, returned, sql, escalation, history_own, event)


def _insert_registered_at_once(request: ServiceRequest, event: RequestEvent) -> None:
    """The four rows of `_insert_registered` in one statement. The ORM's saves and
    simple_history's record took ~1.5 ms of Python a registration and three more round trips
    (bench requests.create). The request's own insert is the ORM's (its values prepared as a
    save prepares them); the other rows copy what it returned, and the model signals are sent
    as a save sends them. Both ways write the same rows (tested)."""
    escalation = request.escalation
    db = connections[connection.alias]  # the connection itself, not its per-thread proxy
    pre_save.send(ServiceRequest, instance=request, raw=False, using=db.alias, update_fields=None)
    rows = _registered_rows()
    request_sql, request_params = compiled.insert_statement(request, rows.returned, db.alias)
    user = rows.history.get_default_history_user(request)  # type: ignore[attr-defined]
    history_values = [
        getattr(request, "_history_date", None) or timezone.now(),
        "+",
        None if user is None else user.pk,
        get_change_reason_from_object(request),
    ]
    params = [
        *request_params,
        *(f.get_db_prep_save(getattr(escalation, f.attname), db) for f in rows.escalation),
        *(f.get_db_prep_save(v, db) for f, v in zip(rows.history_own, history_values, strict=True)),
        *(f.get_db_prep_save(getattr(event, f.attname), db) for f in rows.event),
    ]
    sql = f"WITH r AS ({request_sql}),{rows.sql}"
    with compiled.prepared_cursor(db.alias) as cursor:
        cursor.execute(sql, params)
        (request.pk,) = cursor.fetchone()
    request._state.adding, request._state.db = False, db.alias
    escalation.request = request
    escalation._state.adding, escalation._state.db = False, db.alias
    # The history is written: simple_history's receiver must not write it again.
    request.skip_history_when_saving = True
    try:
        post_save.send(
            ServiceRequest,
            instance=request,
            created=True,
            update_fields=None,
            raw=False,
            using=db.alias,
        )
    finally:
        del request.skip_history_when_saving


def _tell_assigned(request: ServiceRequest, user: User) -> None:
    notify(
        [user],
        kind="request_assigned",
        title=lambda: _("Request %(number)s is assigned to you") % {"number": request.number},
        body=lambda: f"{request.customer.name}: {request.subject}",
        url=_url(request),
    )


# --- Lifecycle -------------------------------------------------------------------------------


def _locked(request: ServiceRequest) -> ServiceRequest:
    # The request's row and its escalation's: PostgreSQL refuses to lock the nullable side of
    # the outer joins (policy, responsible), and the others' rows need no lock; the escalation
    # is joined by an inner join (every request has one) so that its row can be locked. NO
    # KEY: the sweep, holding an escalation row, writes events that reference the request (a
    # KEY SHARE lock); a plain FOR UPDATE here would wait for the sweep while it waits for us.
    return (
        ServiceRequest.objects.select_for_update(of=("self", "escalation"), no_key=True)
        .select_related(
            "unit", "sla_policy", "request_type", "customer", "responsible", "escalation"
        )
        .filter(escalation__isnull=False)
        .get(pk=request.pk)
    )


def _check_transition(request: ServiceRequest, to_status: str) -> None:
    if to_status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if to_status not in selectors.allowed_targets(request):
        raise ValidationError(
            {
                "status": _("A request of type “%(type)s” cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "type": request.request_type.name,
                    "from": Status(request.status).label,
                    "to": Status(to_status).label,
                }
            }
        )


def _move(
    request: ServiceRequest,
    to_status: str,
    *,
    actor: User | None,
    now: datetime.datetime,
    reason: str = "",
    event_kind: str = EventKind.STATUS,
) -> None:
    """Change the status of a locked request and keep its clock right:
    - waiting for the customer stops the clock and keeps the business minutes left;
    - leaving the wait starts it again with those minutes, from now;
    - done, closed and cancelled stop it for good; a dispute or a reopening restarts the
      resolution clock with the policy's full resolution time."""
    from_status = request.status
    was_open = request.is_open
    if to_status == Status.WAITING_CUSTOMER:
        if request.response_due_at and request.responded_at is None:
            request.paused_response_minutes = _minutes_left(request, now, request.response_due_at)
        if request.resolution_due_at:
            request.paused_resolution_minutes = _minutes_left(
                request, now, request.resolution_due_at
            )
        request.paused_at = now
    elif from_status == Status.WAITING_CUSTOMER:
        if request.paused_response_minutes is not None and request.responded_at is None:
            request.response_due_at = _deadline(request, now, request.paused_response_minutes)
        if request.paused_resolution_minutes is not None:
            request.resolution_due_at = _deadline(request, now, request.paused_resolution_minutes)
        request.paused_at = None
        request.paused_response_minutes = request.paused_resolution_minutes = None
    request.status = to_status
    request.is_open = to_status in OPEN_STATUSES
    if to_status in (Status.CLOSED, Status.CANCELLED):
        request.closed_at = now
    if request.is_open and not was_open:  # disputed or reopened: a new resolution clock
        request.closed_at = None
        request.escalation.level = 0
        if request.sla_policy is not None:
            request.resolution_due_at = _deadline(
                request, now, request.sla_policy.resolution_minutes
            )
    if to_status not in (Status.REGISTERED, Status.CANCELLED):
        _mark_responded(request, now)
    _set_due(request, now)
    request.save()
    _event(request, event_kind, actor, from_status=from_status, to_status=to_status, reason=reason)
    if to_status in CUSTOMER_TOLD_ON:
        _tell_customer_status(request)
    staff = _staff_to_tell(request, besides=actor)
    if staff:
        notify(
            staff,
            kind="request_status",
            title=lambda: (
                _("Request %(number)s: %(status)s")
                % {"number": request.number, "status": Status(to_status).label}
            ),
            body=lambda: reason,
            url=_url(request),
        )


def _tell_customer_status(request: ServiceRequest) -> None:
    status = Status(request.status)
    if status == Status.DONE:

        def body() -> str:
            decision = request.decision.name if request.decision else ""
            return _(
                "Decision: %(decision)s\n\n%(result)s\n\n"
                "Please confirm the result or dispute it on the portal, or reply to this e-mail."
            ) % {"decision": decision, "result": request.result}

        _tell_customer(request, lambda: _("The result of your request"), body)
        return
    _tell_customer(
        request,
        lambda: _("Your request is now: %(status)s") % {"status": status.label},
        lambda: (
            _("Request %(number)s “%(subject)s” is now: %(status)s.")
            % {"number": request.number, "subject": request.subject, "status": status.label}
        ),
    )


@transaction.atomic
def request_transition(
    *,
    request: ServiceRequest,
    to_status: str,
    user: User | None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """Move a request to `to_status` if its type allows it. Done needs a decision
    (request_decide), a dispute the customer's claim (request_dispute); closed → in work is
    a reopening (request_reopen)."""
    request = _locked(request)
    now = now or timezone.now()
    _check_transition(request, to_status)
    if to_status == Status.DONE:
        raise ValidationError({"status": _("Record the decision and the result to finish.")})
    if to_status == Status.DISPUTED:
        raise ValidationError({"status": _("Record the customer's claim to dispute the result.")})
    if request.status == Status.CLOSED and to_status == Status.IN_WORK:
        return request_reopen(request=request, user=user, reason=reason, now=now)
    if to_status == Status.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("Say why the request is cancelled.")})
    _move(request, to_status, actor=user, now=now, reason=reason.strip())
    return request


@transaction.atomic
def request_decide(
    *,
    request: ServiceRequest,
    decision: Decision,
    result: str,
    user: User | None,
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """Record the decision and the result, mark the request done and send the result to the
    customer, who confirms or disputes it."""
    request = _locked(request)
    now = now or timezone.now()
    _check_transition(request, Status.DONE)
    errors = {}
    if not decision.is_active or decision.request_type_id not in (None, request.request_type_id):
        errors["decision"] = [_("Choose a decision for this type of request.")]
    if not result.strip():
        errors["result"] = [_("Describe the result for the customer.")]
    if errors:
        raise ValidationError(errors)
    request.decision = decision
    request.result = result.strip()
    request.decided_at = now
    _event(request, EventKind.DECIDED, user, reason=f"{decision.name}\n{request.result}")
    _move(request, Status.DONE, actor=user, now=now)
    return request


@transaction.atomic
def request_confirm(
    *, request: ServiceRequest, user: User | None = None, now: datetime.datetime | None = None
) -> ServiceRequest:
    """The customer accepts the result: the request closes."""
    request = _locked(request)
    if request.status != Status.DONE:
        raise ValidationError(_("Only a request with a result can be confirmed."))
    _check_transition(request, Status.CLOSED)
    _move(
        request,
        Status.CLOSED,
        actor=user,
        now=now or timezone.now(),
        event_kind=EventKind.CONFIRMED,
    )
    return request


@transaction.atomic
def request_dispute(
    *,
    request: ServiceRequest,
    claim: str,
    user: User | None = None,
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """The customer disputes the result: the request reopens as disputed and goes to the head
    of the responsible unit with the customer's claim."""
    request = _locked(request)
    now = now or timezone.now()
    if request.status != Status.DONE:
        raise ValidationError(_("Only a request with a result can be disputed."))
    _check_transition(request, Status.DISPUTED)
    claim = claim.strip()
    if not claim:
        raise ValidationError({"claim": _("Say what you disagree with.")})
    request.customer_claim = claim
    _move(
        request, Status.DISPUTED, actor=user, now=now, reason=claim, event_kind=EventKind.DISPUTED
    )
    # The head of the handling unit hears; a unit without a head must not swallow the claim,
    # so it goes up to the nearest unit that has one. The level is that head's place in the
    # escalation chain (2 = the handling unit's head); the request's own chain starts afresh.
    told_unit, heads = selectors.nearest_heads(request.unit)
    for head in heads or [None]:
        _event(
            request,
            EventKind.ESCALATED,
            None,
            target_user=head,
            target_unit=told_unit,
            level=2 + request.unit.depth - told_unit.depth,
            reason=claim,
        )
    notify(
        heads,
        kind="request_disputed",
        title=lambda: (
            _("The customer disputes the result of request %(number)s") % {"number": request.number}
        ),
        body=lambda: claim,
        url=_url(request),
    )
    return request


@transaction.atomic
def request_rate(
    *, request: ServiceRequest, rating: int, comment: str = "", user: User | None = None
) -> ServiceRequest:
    request = _locked(request)
    if request.status not in (Status.DONE, Status.CLOSED):
        raise ValidationError(_("A request can be rated once it has a result."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    request.rating = rating
    request.rating_comment = comment.strip()[:2000]
    request.save(update_fields=["rating", "rating_comment"])
    _event(request, EventKind.RATED, user, reason=f"{rating}/5 {request.rating_comment}".strip())
    return request


@transaction.atomic
def request_reopen(
    *,
    request: ServiceRequest,
    user: User | None,
    reason: str,
    now: datetime.datetime | None = None,
) -> ServiceRequest:
    """Reopen a closed request within its type's reopening period."""
    request = _locked(request)
    now = now or timezone.now()
    if request.status != Status.CLOSED:
        raise ValidationError(_("Only a closed request can be reopened."))
    _check_transition(request, Status.IN_WORK)
    limit = request.request_type.reopen_days
    if request.closed_at and now - request.closed_at > datetime.timedelta(days=limit):
        raise ValidationError(
            _("This request was closed more than %(days)d days ago; register a new one.")
            % {"days": limit}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is reopened.")})
    _move(
        request,
        Status.IN_WORK,
        actor=user,
        now=now,
        reason=reason.strip(),
        event_kind=EventKind.REOPENED,
    )
    return request


# --- Assignment ------------------------------------------------------------------------------


@transaction.atomic
def request_assign(
    *,
    request: ServiceRequest,
    responsible: User | None,
    executors: Iterable[User] | None = None,
    reason: str,
    user: User | None,
) -> ServiceRequest:
    """Hand the request to `responsible` (in its handling unit or any unit the assigning user
    sees; the request moves to the new responsible's unit) with a reason; optionally set the
    executors. Newly involved people are told."""
    request = _locked(request)
    if not request.is_open:
        raise ValidationError(_("A request that is no longer open cannot be reassigned."))
    reason = reason.strip()
    changed_responsible = (responsible.pk if responsible else None) != request.responsible_id
    if changed_responsible and not reason:
        raise ValidationError({"reason": _("Say why the request is reassigned.")})
    if responsible is not None and changed_responsible:
        if not _in_units_of(user, responsible):
            raise ValidationError({"responsible": _("Choose an employee of your units.")})
        if not selectors.can_work(responsible):
            raise ValidationError({"responsible": _("This employee cannot work on requests.")})
    new_people: list[User] = []
    if changed_responsible:
        _event(
            request,
            EventKind.REASSIGNED,
            user,
            target_user=responsible,
            target_unit=responsible.unit if responsible else request.unit,
            reason=reason,
        )
        request.responsible = responsible
        if responsible is not None:
            request.unit = responsible.unit
            new_people.append(responsible)
        request.save()
    if executors is not None:
        executors = list(executors)
        before = set(request.executors.values_list("pk", flat=True))
        for executor in executors:
            if executor.pk in before:
                continue
            if not _in_units_of(user, executor):
                raise ValidationError(
                    {
                        "executors": _("%(name)s is not an employee of your units.")
                        % {"name": executor}
                    }
                )
            if not selectors.can_work(executor):
                raise ValidationError(
                    {"executors": _("%(name)s cannot work on requests.") % {"name": executor}}
                )
        request.executors.set(executors)
        new_people += [e for e in executors if e.pk not in before]
    for person in {p.pk: p for p in new_people if user is None or p.pk != user.pk}.values():
        _tell_assigned(request, person)
    return request


def _in_units_of(user: User | None, employee: User) -> bool:
    """Whether `employee` works in a unit `user` may act for (a job, acting for nobody, may
    hand a request to anyone)."""
    return user is None or Unit.objects.visible_to(user).filter(pk=employee.unit_id).exists()


# --- Conversation ----------------------------------------------------------------------------


@transaction.atomic
def message_post(
    *,
    request: ServiceRequest,
    body: str,
    author: User | None = None,
    author_name: str = "",
    source: str = RequestMessage.Source.STAFF,
    internal: bool = False,
    files: Sequence[NewFile] = (),
    now: datetime.datetime | None = None,
) -> RequestMessage:
    """Add to the thread. A public staff message is the first response if none came yet and
    goes to the customer by e-mail; a customer's message tells the responsible and, when the
    request was waiting for the customer, puts it back in work."""
    request = _locked(request)
    now = now or timezone.now()
    body = (body or "").strip()
    if not body and not files:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    from_customer = source != RequestMessage.Source.STAFF
    if from_customer and internal:
        raise PermissionDenied
    _check_files(files)
    message = RequestMessage.objects.create(
        request=request,
        author=author,
        author_name=author_name[:200],
        source=source,
        is_internal=internal,
        body=body,
        created_at=now,
    )
    _store_files(request, files, user=author, message=message, internal=internal)
    if from_customer:
        if request.status == Status.WAITING_CUSTOMER:
            _move(request, Status.IN_WORK, actor=None, now=now, reason=_("The customer replied."))
        notify(
            _staff_to_tell(request, besides=None),
            kind="request_message",
            title=lambda: (
                _("The customer wrote on request %(number)s") % {"number": request.number}
            ),
            body=lambda: body[:500],
            url=_url(request),
        )
    elif not internal:
        if request.responded_at is None:
            _mark_responded(request, now)
            request.save()
        _tell_customer(
            request,
            lambda: _("A reply on your request"),
            lambda: body,
        )
    return message


# --- Escalation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Escalation:
    """One overdue request's next step up the chain."""

    request_id: int
    level: int
    # Level 1: the responsible. Level 2 and up: the heads of the unit at `unit_path` (empty
    # when the chain has gone past the root, e.g. after the unit moved).
    responsible_id: int | None
    unit_path: str
    next_at: datetime.datetime | None


def _next_escalation(
    pk: int,
    level: int,
    responsible_id: int | None,
    unit_path: str,
    step_minutes: int | None,
    now: datetime.datetime,
) -> _Escalation:
    """Level 1 is the responsible, 2 the head of the handling unit, 3 the head of its parent,
    and so on; the chain ends at the root (no next step). Nobody responsible: straight to 2."""
    level = 2 if level == 0 and responsible_id is None else level + 1
    step = datetime.timedelta(minutes=step_minutes or 60)
    if level == 1:
        return _Escalation(pk, 1, responsible_id, unit_path, now + step)
    end = len(unit_path) - PATH_STEP * (level - 2)
    path = unit_path[:end] if end > 0 else ""
    at_root = len(path) <= PATH_STEP
    return _Escalation(pk, level, None, path, None if at_root else now + step)


@dataclass
class _Chain:
    """The units (by path) and their heads one sweep has met: read once per sweep, not once
    per batch (at a million requests that was 400 queries)."""

    units: dict[str, int] = field(default_factory=dict)
    heads: dict[int, list[int]] = field(default_factory=dict)

    def learn(self, paths: set[str]) -> None:
        new = paths - self.units.keys()
        if new:
            found = dict(Unit.objects.filter(path__in=new).values_list("path", "pk"))
            self.units.update(found)
            self.heads.update(selectors.unit_head_ids(list(found.values())))


@transaction.atomic
def _escalate_batch(
    rows: list[tuple],
    now: datetime.datetime,
    told: dict[int, list[int]],  # type: ignore[type-arg]
    chain: _Chain,
) -> int:
    """Escalate one batch of overdue requests one level each; rows are
    (pk, level, responsible_id, unit_path, step_minutes). Adds to `told` (person id → ids of
    their escalated requests) instead of notifying, so each person hears once per sweep."""
    steps = [_next_escalation(*row, now=now) for row in rows]
    chain.learn({s.unit_path for s in steps if s.unit_path})
    units, heads = chain.units, chain.heads
    # (request, person told, unit, level) of each escalation event
    events: list[tuple[int, int | None, int | None, int]] = []
    updates: dict[tuple[int, datetime.datetime | None], list[int]] = defaultdict(list)
    for step in steps:
        unit_id = units.get(step.unit_path)
        if step.level == 1:
            people = [step.responsible_id]
        else:
            people = heads.get(unit_id, []) if unit_id else []
        for person_id in people or [None]:
            events.append((step.request_id, person_id, unit_id, step.level))
        for person_id in people:
            told[person_id].append(step.request_id)
        updates[(step.level, step.next_at)].append(step.request_id)
    _write_escalations(events, updates, now=now, reason=_("The deadline has passed."))
    return len(steps)


def _write_escalations(
    events: list[tuple[int, int | None, int | None, int]],
    updates: dict[tuple[int, datetime.datetime | None], list[int]],
    *,
    now: datetime.datetime,
    reason: str,
) -> None:
    """Write a batch's escalation events and move its requests' levels. On PostgreSQL the
    events go in by COPY and each group of requests is one UPDATE with an array of ids: a
    million escalations then cost the database's work, not a million model instances and
    statements of thousands of parameters (bench: requests.escalation)."""
    if connection.vendor != "postgresql":
        RequestEvent.objects.bulk_create(
            [
                RequestEvent(
                    request_id=request_id,
                    kind=EventKind.ESCALATED,
                    created_at=now,
                    target_user_id=person_id,
                    target_unit_id=unit_id,
                    level=level,
                    reason=reason,
                )
                for request_id, person_id, unit_id, level in events
            ],
            batch_size=2000,
        )
        for (level, next_at), pks in updates.items():
            RequestEscalation.objects.filter(pk__in=pks).update(level=level, next_at=next_at)
        return
    columns = (
        "request_id, kind, created_at, target_user_id, target_unit_id, level, reason, "
        "from_status, to_status"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {RequestEvent._meta.db_table} ({columns}) FROM STDIN"
        ) as copy:
            for request_id, person_id, unit_id, level in events:
                copy.write_row(
                    (
                        request_id,
                        EventKind.ESCALATED,
                        now,
                        person_id,
                        unit_id,
                        level,
                        reason,
                        "",
                        "",
                    )
                )
        for (level, next_at), pks in updates.items():
            cursor.execute(
                f"UPDATE {RequestEscalation._meta.db_table} "
                "SET level = %s, next_at = %s WHERE request_id = ANY(%s::bigint[])",
                [level, next_at, pks],
            )


@transaction.atomic
def _tell_escalated(told: dict[int, list[int]]) -> None:
    from aftersales.accounts.models import User

    people = User.objects.in_bulk(list(told))
    for person_id, pks in told.items():
        if person_id not in people:
            continue
        count = len(pks)
        notify(
            [people[person_id]],
            kind="requests_escalated",
            title=lambda count=count: (
                _("%(count)d overdue request(s) escalated to you") % {"count": count}
            ),
            body=lambda pks=pks: ", ".join(format_number(pk) for pk in pks[:50]),
            url=reverse("service_requests:queue") + "?view=overdue",
        )


def escalate_overdue(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> int:
    """The escalation sweep: every open request whose next escalation is due moves one level
    up the chain (responsible → unit head → parent unit head → …), each step recorded as a
    request event, each person told once per sweep with the list of their requests. Runs in
    batches, each its own transaction; rows another sweep holds are skipped (PostgreSQL), so
    consumers on several machines may run it at once. Returns how many requests escalated."""
    now = now or timezone.now()
    total = 0
    told: dict[int, list[int]] = defaultdict(list)
    chain = _Chain()
    while True:
        with transaction.atomic():
            # next_at is empty for a closed or paused request: no need to ask if it is open.
            rows = RequestEscalation.objects.filter(next_at__lte=now).order_by("next_at")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            batch = list(
                rows.values_list(
                    "request_id",
                    "level",
                    "request__responsible_id",
                    "request__unit__path",
                    "request__sla_policy__escalation_step_minutes",
                )[:batch_size]
            )
            if not batch:
                break
            total += _escalate_batch(batch, now, told, chain)
    if told:
        _tell_escalated(told)
    return total
