"""Reads of the phone channel: which line a number is, who is calling, who is on duty, what
pops up on an agent's screen."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Position, User
from aftersales.customers import phones
from aftersales.customers.models import Customer, Phone
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit
from aftersales.service_requests.models import ServiceRequest
from aftersales.telephony.models import AgentPresence, Call, PhoneLine

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

# Who may take calls: the agent registers the request from the call.
REGISTER_PERMISSION = ("service_requests", "add_servicerequest")
# A number shared by more cards than this is a switchboard, not a customer's phone.
MAX_CARDS_PER_NUMBER = 20


def is_withheld(caller: str) -> bool:
    """Exchanges send "", "anonymous", "Restricted", "<unknown>"… for a hidden number: whatever
    has no digit cannot be called back nor matched."""
    return not any(ch.isdigit() for ch in caller)


def line_for(called: str) -> PhoneLine | None:
    """The active line whose number is a reading of `called` ("4008-123-456", "+86 400…")."""
    readings = phones.candidates(called)
    if not readings:
        return None
    return (
        PhoneLine.objects.filter(number__in=readings, is_active=True)
        .select_related("unit")
        .order_by("pk")
        .first()
    )


def default_unit() -> Unit | None:
    """Where calls to a number that is no line go: TELEPHONY_DEFAULT_UNIT (a unit code) or,
    when it is empty or names no unit, the root of the tree."""
    code = getattr(settings, "TELEPHONY_DEFAULT_UNIT", "")
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
        logger.warning("TELEPHONY_DEFAULT_UNIT=%r names no unit; calls go to the root", code)
    return Unit.objects.filter(depth=1).order_by("path").first()


def customer_for(readings: list[str], unit: Unit) -> Customer | None:
    """The card a caller's number is on, looked up in the whole organisation: a national
    hotline takes calls from every outlet's customers, and a customer served by one outlet
    may call another's line. Showing the card is scoped (each viewer's `visible_to`), not the
    identification. When several cards share the number, an active card in the answering
    unit's subtree wins, then the home region's reading, then the oldest card."""
    if not readings:
        return None
    found = list(
        Phone.objects.filter(number__in=readings)
        .select_related("customer__unit")
        .order_by("pk")[:MAX_CARDS_PER_NUMBER]
    )
    if not found:
        return None

    def rank(phone: Phone) -> tuple[bool, bool, int, int]:
        customer = phone.customer
        return (
            not customer.is_active,
            not customer.unit.path.startswith(unit.path),
            readings.index(phone.number),
            customer.pk,
        )

    return min(found, key=rank).customer


def agents_on_duty(unit: Unit) -> QuerySet[AgentPresence]:
    """Agents who take calls to `unit`'s lines: on duty, active, of the unit itself (home unit,
    or acting for it), and whose position may register requests; the one whose last call is
    the oldest first (round robin; never called yet comes first)."""
    app_label, codename = REGISTER_PERMISSION
    may_register = Position.permissions.through.objects.filter(
        permission__content_type__app_label=app_label, permission__codename=codename
    ).values("position_id")
    acting = User.additional_units.through.objects.filter(unit_id=unit.pk).values("user_id")
    return (
        AgentPresence.objects.filter(
            on_duty=True, user__is_active=True, user__position_id__in=may_register
        )
        .filter(Q(user__unit_id=unit.pk) | Q(user_id__in=acting))
        .select_related("user")
        .order_by(F("last_call_at").asc(nulls_first=True), "since", "pk")
    )


def is_on_duty(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return AgentPresence.objects.filter(user_id=user.pk, on_duty=True).exists()


def call_to_pop(agent: User, now: datetime.datetime | None = None) -> Call | None:
    """The newest call given to `agent` that has not popped up yet, if it arrived within
    TELEPHONY_POP_SECONDS: a call older than that has ended or gone unanswered, and a screen
    opened an hour later must not pop it (it stays on the unanswered calls list)."""
    now = now or timezone.now()
    window = datetime.timedelta(seconds=getattr(settings, "TELEPHONY_POP_SECONDS", 120))
    return (
        Call.objects.filter(agent=agent, answered_at__isnull=True, received_at__gte=now - window)
        .select_related("line")
        .order_by("-received_at", "-pk")
        .first()
    )


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("customer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def card_summary(customer_id: int | None, user: User) -> Customer | None:
    """What the pop-up tells about the caller, if `user` may see the card (else None): the
    card with its responsible specialist, its products and the open requests `user` sees,
    in one query."""
    if customer_id is None or not user.has_perm("customers.view_customer"):
        return None
    products = InstalledProduct.objects.filter(customer=OuterRef("pk"))
    requests = ServiceRequest.objects.visible_to(user).filter(customer=OuterRef("pk"), is_open=True)
    return (
        Customer.objects.visible_to(user)
        .filter(pk=customer_id)
        .select_related("responsible")
        .annotate(product_count=_count(products), open_request_count=_count(requests))
        .first()
    )


def visible_customers(user: User, customer_ids: set[int | None]) -> dict[int, Customer]:
    """Of these cards, those `user` may open (one query), by id."""
    ids = {pk for pk in customer_ids if pk is not None}
    if not ids or not user.has_perm("customers.view_customer"):
        return {}
    return {
        customer.pk: customer for customer in Customer.objects.visible_to(user).filter(pk__in=ids)
    }


def visible_requests(user: User, request_ids: set[int | None]) -> set[int]:
    """Of these requests, the ids of those `user` may open (one query)."""
    ids = {pk for pk in request_ids if pk is not None}
    if not ids or not user.has_perm("service_requests.view_servicerequest"):
        return set()
    return set(
        ServiceRequest.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
