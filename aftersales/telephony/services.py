"""Writes of the phone channel: a call arrives, an agent goes on or off duty, a call pops up,
a request is registered from a call, phone lines are configured."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.customers import phones
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import Channel, ServiceRequest
from aftersales.telephony import selectors
from aftersales.telephony.models import AgentPresence, Call, PhoneLine

CALL_ID_MAX = Call._meta.get_field("call_id").max_length
CALLER_MAX = Call._meta.get_field("caller").max_length


@transaction.atomic
def call_receive(
    *,
    call_id: str,
    caller: str | None = "",
    called: str | None = "",
    now: datetime.datetime | None = None,
) -> tuple[Call, bool]:
    """Record a call the exchange reports: identify the caller by phone, choose the agent on
    duty. Returns the call and whether it is new: an exchange that reports a call twice (a
    retry, a transfer) gets the first record back, and nobody gets a second pop-up."""
    call_id = (call_id or "").strip()
    if not call_id:
        raise ValidationError({"call_id": [_("Give the exchange's call id.")]})
    if len(call_id) > CALL_ID_MAX:
        raise ValidationError(
            {"call_id": [_("At most %(max)d characters.") % {"max": CALL_ID_MAX}]}
        )
    existing = Call.objects.filter(call_id=call_id).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    caller = (caller or "").strip()[:CALLER_MAX]
    called = (called or "").strip()[:CALLER_MAX]
    withheld = selectors.is_withheld(caller)
    # Every reading of the number, the home region's first: "8 912 345-67-89" may be Russian
    # or not; the first valid one is stored, any of them identifies the card.
    readings = [] if withheld else phones.candidates(caller)
    line = selectors.line_for(called)
    unit = line.unit if line is not None else selectors.default_unit()
    if unit is None:
        raise ValidationError({"called": [_("No unit takes calls yet.")]})
    customer = selectors.customer_for(readings, unit)
    try:
        with transaction.atomic():
            agent = _next_agent(unit, now)
            call = Call.objects.create(
                call_id=call_id,
                caller=caller,
                caller_number=readings[0] if readings else "",
                withheld=withheld,
                called=called,
                line=line,
                unit=unit,
                customer=customer,
                agent=agent,
                received_at=now,
            )
    except IntegrityError:
        # The same call reported twice at once: the other report won; its agent keeps it.
        return Call.objects.get(call_id=call_id), False
    return call, True


def _next_agent(unit: Unit, now: datetime.datetime) -> User | None:
    """The agent on duty whose last call is the oldest, who then becomes the newest.

    Two calls arriving together must not both go to the same agent: on PostgreSQL the chosen
    presence row is locked, and a concurrent call skips it for the next agent. When every one
    is locked (more simultaneous calls than agents), the call still goes to the next in turn
    rather than to nobody."""
    candidates = selectors.agents_on_duty(unit)
    presence = candidates.select_for_update(skip_locked=True, of=("self",)).first()
    if presence is None:
        presence = candidates.first()
    if presence is None:
        return None
    AgentPresence.objects.filter(pk=presence.pk).update(last_call_at=now)
    return presence.user


def agent_duty_set(
    *, user: User, on_duty: bool, now: datetime.datetime | None = None
) -> AgentPresence:
    """The agent starts or stops taking calls."""
    now = now or timezone.now()
    presence, created = AgentPresence.objects.get_or_create(
        user=user, defaults={"on_duty": on_duty, "since": now}
    )
    if not created and presence.on_duty != on_duty:
        presence.on_duty = on_duty
        presence.since = now
        presence.save(update_fields=["on_duty", "since"])
    return presence


def call_answer(*, call: Call, agent: User, now: datetime.datetime | None = None) -> bool:
    """The call has popped up on `agent`'s screen: it is answered, and pops up nowhere else.
    False when another of the agent's tabs showed it first (one conditional update)."""
    now = now or timezone.now()
    answered = Call.objects.filter(pk=call.pk, agent=agent, answered_at__isnull=True).update(
        answered_at=now
    )
    if answered:
        call.answered_at = now
    return bool(answered)


def call_link_request(*, request: ServiceRequest) -> int:
    """A request registered from a call (channel phone, the call id as its channel reference)
    is linked to the call. Called when the request is saved, in its transaction."""
    if request.channel != Channel.PHONE or not request.external_ref:
        return 0
    return Call.objects.filter(call_id=request.external_ref, request__isnull=True).update(
        request=request
    )


def _line_number(number: str) -> str:
    try:
        return phones.normalise(number)
    except ValidationError as error:
        raise ValidationError({"number": error.messages}) from error


@transaction.atomic
def phone_line_create(*, number: str, name: str, unit: Unit, is_active: bool = True) -> PhoneLine:
    line = PhoneLine(number=_line_number(number), name=name, unit=unit, is_active=is_active)
    _check_unique(line)
    line.save()
    return line


@transaction.atomic
def phone_line_update(
    *, line: PhoneLine, number: str, name: str, unit: Unit, is_active: bool = True
) -> PhoneLine:
    line.number = _line_number(number)
    line.name = name
    line.unit = unit
    line.is_active = is_active
    _check_unique(line)
    line.save()
    return line


def _check_unique(line: PhoneLine) -> None:
    # Numbers are compared in E.164, so "400-812-3456" and "+86 400 812 3456" are one line.
    if PhoneLine.objects.filter(number=line.number).exclude(pk=line.pk).exists():
        raise ValidationError({"number": [_("This number is already a phone line.")]})
