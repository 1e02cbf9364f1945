"""Reads of field service: the dispatch board, assignment suggestions, the engineer's day."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from aftersales.core.scoping import ancestor_paths
from aftersales.field_service.models import ACTIVE_VISIT, Engineer, FieldJob, Visit, VisitStatus
from aftersales.service_requests.models import Skill
from aftersales.work_orders.models import CLOSED_STATUSES, FIELD_KINDS, WorkOrder

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.organisation.models import Unit

DAY_FIRST_HOUR = 7
DAY_LAST_HOUR = 21  # the board's day runs 07:00–21:00 in the unit's time zone
UNSCHEDULED_LIMIT = 200


def unit_zone(unit: Unit) -> ZoneInfo:
    return ZoneInfo(unit.effective_timezone())


def engineers_of(unit: Unit) -> QuerySet[Engineer]:
    return (
        Engineer.objects.filter(unit=unit, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


@dataclass
class BoardVisit:
    pk: int
    url: str
    status: str
    status_label: str
    start: str
    end: str
    customer: str
    left: float
    width: float


@dataclass
class Row:
    engineer: Engineer
    visits: list[BoardVisit] = field(default_factory=list)
    # week view: one list per day
    days: list[list[BoardVisit]] = field(default_factory=list)


@dataclass
class Board:
    unit: Unit
    view: str
    start: datetime.datetime
    end: datetime.datetime
    days: list[datetime.date]
    hours: list[int]
    rows: list[Row]
    waiting: list[FieldJob]
    tz: ZoneInfo


def board(unit: Unit, day: datetime.date, view: str = "day") -> Board:
    """The unit's engineers with their visits of the day (or the Monday-to-Sunday week of
    `day`), and the unit's field jobs waiting for a visit with their clocks. Four queries
    whatever the history: the engineers, their visits in the range (index engineer,
    window_start), the waiting jobs, the unit's time zone."""
    tz = unit_zone(unit)
    if view == "week":
        first = day - datetime.timedelta(days=day.weekday())
        days = [first + datetime.timedelta(days=n) for n in range(7)]
    else:
        view, first, days = "day", day, [day]
    start = datetime.datetime.combine(first, datetime.time(0), tz)
    end = datetime.datetime.combine(days[-1] + datetime.timedelta(days=1), datetime.time(0), tz)
    engineers = list(engineers_of(unit))
    rows = {e.pk: Row(e, days=[[] for _ in days]) for e in engineers}
    # Plain values, not model rows: a week of 50 engineers is a thousand visits, and three
    # model instances each (visit, order, customer) cost more than the query (bench field.*).
    visits = (
        Visit.objects.filter(
            engineer_id__in=list(rows),
            window_start__gte=start,
            window_start__lt=end,
        )
        .exclude(status=VisitStatus.CANCELLED)
        # The customer's name as a subquery per visit shown, not a join: joined, PostgreSQL
        # hashed the whole work order table (a seq scan of 150,000 orders for a week's 1,000
        # visits, growing with every year of history; bench field.board.week).
        .annotate(
            customer_name=Subquery(
                WorkOrder.objects.filter(pk=OuterRef("work_order_id")).values("customer__name")[:1]
            )
        )
        .order_by("engineer_id", "window_start")
        .values_list("pk", "engineer_id", "window_start", "window_end", "status", "customer_name")
    )
    labels = dict(VisitStatus.choices)
    url = reverse("field_service:visit_detail", args=[0])[:-2]
    span = (DAY_LAST_HOUR - DAY_FIRST_HOUR) * 60
    for pk, engineer_id, window_start, window_end, status, customer in visits:
        local = window_start.astimezone(tz)
        # Position within the day view (percent of the shown hours).
        begin = (local.hour - DAY_FIRST_HOUR) * 60 + local.minute
        length = (window_end - window_start).total_seconds() / 60
        left = max(0.0, min(begin, span))
        visit = BoardVisit(
            pk=pk,
            url=f"{url}{pk}/",
            status=status,
            status_label=str(labels.get(status, status)),
            start=f"{local:%H:%M}",
            end=f"{window_end.astimezone(tz):%H:%M}",
            customer=customer,
            left=round(100 * left / span, 2),
            width=round(max(2.0, 100 * (min(begin + length, span) - left) / span), 2),
        )
        row = rows[engineer_id]
        row.visits.append(visit)
        row.days[(local.date() - first).days].append(visit)
    return Board(
        unit=unit,
        view=view,
        start=start,
        end=end,
        days=days,
        hours=list(range(DAY_FIRST_HOUR, DAY_LAST_HOUR)),
        rows=list(rows.values()),
        waiting=list(waiting_jobs(unit)[:UNSCHEDULED_LIMIT]),
        tz=tz,
    )


def waiting_jobs(unit: Unit) -> QuerySet[FieldJob]:
    """Open field orders of `unit` with no visit planned or under way, most urgent first."""
    active = Visit.objects.filter(work_order=OuterRef("work_order"), status__in=ACTIVE_VISIT)
    return (
        FieldJob.objects.filter(work_order__unit=unit)
        .exclude(work_order__status__in=CLOSED_STATUSES)
        .filter(~Exists(active))
        .select_related("work_order__customer")
        .order_by("contact_due_at", "pk")
    )


# --- Suggestions ------------------------------------------------------------------------------


@dataclass
class Suggestion:
    engineer: Engineer
    skill: bool
    region: bool
    load: int
    reasons: list[str] = field(default_factory=list)


def order_needs(order: WorkOrder) -> tuple[int | None, list[int], Unit | None]:
    """What the order asks of an engineer: the request type's skill, the product's category
    (with the categories above it), and the customer's region."""
    from aftersales.service_requests.selectors import customer_region

    skill_id = None
    if order.service_request_id:
        skill_id = (
            WorkOrder.objects.filter(pk=order.pk)
            .values_list("service_request__request_type__skill_id", flat=True)
            .first()
        )
    categories: list[int] = []
    if order.product_id:
        category = order.product.model.category
        while category is not None:
            categories.append(category.pk)
            category = category.parent
    return skill_id, categories, customer_region(order.customer)


def suggestions(order: WorkOrder, day: datetime.date, limit: int = 10) -> list[Suggestion]:
    """The engineers of the order's unit ranked for a visit on `day`: who has the skill (the
    request type's skill, or the product's category among theirs), who serves the customer's
    region, then who has the fewest visits that day; ties to the lowest id."""
    skill_id, categories, region = order_needs(order)
    tz = unit_zone(order.unit)
    start = datetime.datetime.combine(day, datetime.time(0), tz)
    end = start + datetime.timedelta(days=1)
    engineers = engineers_of(order.unit).annotate(
        load=Count(
            "visits",
            filter=Q(
                visits__window_start__gte=start,
                visits__window_start__lt=end,
                visits__status__in=ACTIVE_VISIT | {VisitStatus.DONE},
            ),
        ),
        has_skill=Exists(
            Skill.members.through.objects.filter(
                user_id=OuterRef("user_id"), skill_id=skill_id or 0
            )
        ),
        has_category=Exists(
            Engineer.categories.through.objects.filter(
                engineer_id=OuterRef("pk"), productcategory_id__in=categories or [0]
            )
        ),
        has_region=Exists(
            Engineer.regions.through.objects.filter(
                engineer_id=OuterRef("pk"),
                unit__path__in=ancestor_paths(region.path) if region else [""],
            )
        ),
    )
    ranked = []
    for engineer in engineers:
        skill = bool(engineer.has_skill or engineer.has_category)
        reasons = []
        if engineer.has_skill:
            reasons.append("skill")
        if engineer.has_category:
            reasons.append("category")
        if engineer.has_region:
            reasons.append("region")
        ranked.append(Suggestion(engineer, skill, engineer.has_region, engineer.load, reasons))
    ranked.sort(key=lambda s: (not s.skill, not s.region, s.load, s.engineer.pk))
    return ranked[:limit]


# --- The engineer's day -----------------------------------------------------------------------


def my_visits(user: User, day: datetime.date, tz: Any) -> QuerySet[Visit]:
    """The user's visits of `day` and any still under way (on the way, on site)."""
    start = datetime.datetime.combine(day, datetime.time(0), tz)
    end = start + datetime.timedelta(days=1)
    return (
        Visit.objects.filter(engineer__user=user)
        .filter(
            Q(window_start__gte=start, window_start__lt=end)
            | Q(status__in=[VisitStatus.EN_ROUTE, VisitStatus.ON_SITE])
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("work_order__customer", "work_order__product__model")
        .order_by("window_start", "pk")
    )


def customer_phone(order: WorkOrder) -> str:
    phone = order.customer.phones.order_by("pk").values_list("number", flat=True).first()
    return phone or ""


def field_orders(unit_ids: list[int]) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(unit_id__in=unit_ids, kind__in=FIELD_KINDS)


def visits_by_order(order_ids: list[int]) -> dict[int, list[Visit]]:
    grouped: dict[int, list[Visit]] = defaultdict(list)
    for visit in Visit.objects.filter(work_order_id__in=order_ids).select_related("engineer__user"):
        grouped[visit.work_order_id].append(visit)
    return grouped


def customer_phones(customer_ids: list[int]) -> dict[int, str]:
    """Each customer's first phone number (one query)."""
    from aftersales.customers.models import Phone

    phones: dict[int, str] = {}
    rows = Phone.objects.filter(customer_id__in=customer_ids).order_by("customer_id", "pk")
    for customer_id, number in rows.values_list("customer_id", "number"):
        phones.setdefault(customer_id, number)
    return phones
