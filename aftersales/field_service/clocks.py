"""The response clocks of field work (seed 001): contact the customer within 16 hours of
receiving the order, be on site within 24 hours, per the unit's response policy in calendar
hours or in business hours of the unit's calendar (holidays and make-up days included, by the
calendars' engine). Writes: opening the clocks, recording the contact, the first arrival, and
the sweep that warns before a clock runs out and records the breach when it has.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.calendars.business_time import BusinessSchedule, add_business_minutes
from aftersales.calendars.selectors import schedule_for_unit
from aftersales.core.scoping import ancestor_paths
from aftersales.field_service.models import (
    DEFAULT_CONTACT_HOURS,
    DEFAULT_ONSITE_HOURS,
    DEFAULT_WARN_MINUTES,
    ClockBreach,
    FieldJob,
    ResponsePolicy,
    Visit,
)
from aftersales.field_service.models import Clock as ClockKind
from aftersales.notifications.services import notify
from aftersales.work_orders.models import CLOSED_STATUSES, FIELD_KINDS, WorkOrder

if TYPE_CHECKING:
    from aftersales.accounts.models import User


@dataclass(frozen=True)
class Terms:
    contact_hours: int
    onsite_hours: int
    business_hours: bool
    warn_minutes: int
    policy: ResponsePolicy | None = None


DEFAULT_TERMS = Terms(DEFAULT_CONTACT_HOURS, DEFAULT_ONSITE_HOURS, False, DEFAULT_WARN_MINUTES)


def policy_for(order: WorkOrder) -> Terms:
    """The active policy of the nearest unit up the order's unit's lineage (a policy for no
    unit comes last); at the same unit, one for the order's kind before a general one."""
    paths = ancestor_paths(order.unit.path)
    policy = (
        ResponsePolicy.objects.filter(is_active=True)
        .filter(Q(unit__isnull=True) | Q(unit__path__in=paths))
        .filter(Q(kind="") | Q(kind=order.kind))
        .order_by(F("unit__depth").desc(nulls_last=True), "-kind", "pk")
        .first()
    )
    if policy is None:
        return DEFAULT_TERMS
    return Terms(
        policy.contact_hours,
        policy.onsite_hours,
        policy.business_hours,
        policy.warn_minutes,
        policy,
    )


def due_and_warning(
    start: datetime.datetime,
    hours: int,
    warn_minutes: int,
    *,
    business: bool,
    schedule: BusinessSchedule | None,
) -> tuple[datetime.datetime, datetime.datetime]:
    """When a clock of `hours` started at `start` runs out, and when to warn: `warn_minutes`
    before, counted the same way (business minutes left, or real minutes)."""
    minutes = hours * 60
    if not business:
        due = start + datetime.timedelta(minutes=minutes)
        return due, due - datetime.timedelta(minutes=min(warn_minutes, minutes))
    assert schedule is not None
    due = add_business_minutes(schedule, start, minutes)
    warn = add_business_minutes(schedule, start, max(0, minutes - warn_minutes))
    return due, warn


def _next_check(job: FieldJob) -> datetime.datetime | None:
    """The next instant the sweep has something to do for `job`, or None."""
    instants: list[datetime.datetime] = []
    breached = {b.clock for b in getattr(job, "_breaches", ())}
    for clock, stopped, warned, warn_at, due in (
        (
            ClockKind.CONTACT,
            job.contacted_at,
            job.contact_warned,
            job.contact_warn_at,
            job.contact_due_at,
        ),
        (
            ClockKind.ONSITE,
            job.first_arrival_at,
            job.onsite_warned,
            job.onsite_warn_at,
            job.onsite_due_at,
        ),
    ):
        if stopped is not None:
            continue
        if not warned:
            instants.append(warn_at)
        elif clock not in breached:
            instants.append(due)
    return min(instants) if instants else None


@transaction.atomic
def field_job_open(order: WorkOrder, *, received_at: datetime.datetime | None = None) -> FieldJob:
    """Start the clocks of a field work order (idempotent: an order has one job). Both clocks
    run from the unit's receipt of the order: its creation."""
    existing = FieldJob.objects.filter(work_order=order).first()
    if existing is not None:
        return existing
    if order.kind not in FIELD_KINDS:
        raise ValidationError(_("Only field work has response clocks."))
    received = received_at or order.created_at
    terms = policy_for(order)
    schedule = schedule_for_unit(order.unit) if terms.business_hours else None
    contact_due, contact_warn = due_and_warning(
        received,
        terms.contact_hours,
        terms.warn_minutes,
        business=terms.business_hours,
        schedule=schedule,
    )
    onsite_due, onsite_warn = due_and_warning(
        received,
        terms.onsite_hours,
        terms.warn_minutes,
        business=terms.business_hours,
        schedule=schedule,
    )
    job = FieldJob(
        work_order=order,
        policy=terms.policy,
        business_hours=terms.business_hours,
        received_at=received,
        contact_due_at=contact_due,
        contact_warn_at=contact_warn,
        onsite_due_at=onsite_due,
        onsite_warn_at=onsite_warn,
    )
    job.next_check_at = _next_check(job)
    job.save()
    return job


def _late(job: FieldJob, clock: str, due: datetime.datetime, when: datetime.datetime) -> None:
    """A clock stopped after its time: the breach is recorded (if the sweep has not done so
    yet) with the moment it was met."""
    if when <= due:
        return
    breach, created = ClockBreach.objects.get_or_create(
        field_job=job, clock=clock, defaults={"due_at": due, "recorded_at": when, "met_at": when}
    )
    if not created and breach.met_at is None:
        breach.met_at = when
        breach.save(update_fields=["met_at"])


def _locked_job(job: FieldJob) -> FieldJob:
    return FieldJob.objects.select_for_update(of=("self",)).get(pk=job.pk)


def check_window(window_start: datetime.datetime, window_end: datetime.datetime) -> None:
    """An agreed or planned visit window: it ends after it starts, and lies around now (a
    typo'd year would put the visit off every board and the job's clocks off every list)."""
    if window_end <= window_start:
        raise ValidationError({"window_end": _("The window must end after it starts.")})
    if abs(window_start - timezone.now()) > datetime.timedelta(days=366):
        raise ValidationError({"window_start": _("The window must be within a year of today.")})


@transaction.atomic
def contact_record(
    *,
    job: FieldJob,
    user: User | None,
    window_start: datetime.datetime | None = None,
    window_end: datetime.datetime | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> FieldJob:
    """The customer was called and the visit time agreed: the contact clock stops (at the
    first contact; a later call only updates the agreed window and note). A planned visit of
    the order moves to the agreed window."""
    job = _locked_job(job)
    order = job.work_order
    if order.status in CLOSED_STATUSES:
        raise ValidationError(_("The work order is closed."))
    if (window_start is None) != (window_end is None):
        raise ValidationError({"window_end": _("Give both ends of the agreed time.")})
    if window_start is not None and window_end is not None:
        check_window(window_start, window_end)
    now = at or timezone.now()
    if job.contacted_at is None:
        job.contacted_at = now
        job.contacted_by = user
        _late(job, ClockKind.CONTACT, job.contact_due_at, now)
    if window_start is not None:
        job.appointment_start, job.appointment_end = window_start, window_end
        Visit.objects.filter(work_order=order, status="planned").update(
            window_start=window_start, window_end=window_end
        )
    if note.strip():
        job.contact_note = note.strip()
    job._breaches = list(job.breaches.all())  # type: ignore[attr-defined]
    job.next_check_at = _next_check(job)
    job.save()
    return job


def arrival_record(job: FieldJob, at: datetime.datetime) -> None:
    """The first arrival on site stops the on-site clock (inside the visit's transaction)."""
    job = _locked_job(job)
    if job.first_arrival_at is not None:
        return
    job.first_arrival_at = at
    _late(job, ClockKind.ONSITE, job.onsite_due_at, at)
    job._breaches = list(job.breaches.all())  # type: ignore[attr-defined]
    job.next_check_at = _next_check(job)
    job.save()


# --- The sweep -------------------------------------------------------------------------------


def sweep_clocks(*, now: datetime.datetime | None = None, batch_size: int = 2000) -> dict[str, int]:
    """Warn the engineer and the unit's heads before a clock runs out and record the breach
    when it has, once each. Reads only jobs whose `next_check_at` has come (one index range);
    batches of `batch_size`, each its own transaction, rows another sweep holds skipped on
    PostgreSQL. Jobs of closed orders stop. Returns counts of warnings and breaches."""
    from aftersales.service_requests.selectors import unit_head_ids

    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0}
    # recipient id → list of (order number, clock, breached?)
    tell: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
    while True:
        with transaction.atomic():
            rows = FieldJob.objects.filter(next_check_at__lte=now).order_by("next_check_at")
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True, of=("self",))
            jobs = list(rows.select_related("work_order")[:batch_size])
            if not jobs:
                break
            breaches = defaultdict(list)
            for breach in ClockBreach.objects.filter(field_job__in=jobs):
                breaches[breach.field_job_id].append(breach)
            engineers = dict(
                Visit.objects.filter(work_order_id__in=[j.work_order_id for j in jobs])
                .order_by("work_order_id", "-created_at")
                .values_list("work_order_id", "engineer__user_id")
            )
            heads = unit_head_ids(sorted({j.work_order.unit_id for j in jobs}))
            new_breaches = []
            for job in jobs:
                order = job.work_order
                job._breaches = breaches[job.pk]  # type: ignore[attr-defined]
                if order.status in CLOSED_STATUSES:
                    job.next_check_at = None
                    continue
                people = list(heads.get(order.unit_id, []))
                if order.technician_id:
                    people.append(order.technician_id)
                elif order.pk in engineers:
                    people.append(engineers[order.pk])
                done = {b.clock for b in job._breaches}  # type: ignore[attr-defined]
                for clock, stopped, warn_at, due, warned_field in (
                    (
                        ClockKind.CONTACT,
                        job.contacted_at,
                        job.contact_warn_at,
                        job.contact_due_at,
                        "contact_warned",
                    ),
                    (
                        ClockKind.ONSITE,
                        job.first_arrival_at,
                        job.onsite_warn_at,
                        job.onsite_due_at,
                        "onsite_warned",
                    ),
                ):
                    if stopped is not None:
                        continue
                    if now >= due and clock not in done:
                        breach = ClockBreach(
                            field_job=job, clock=clock, due_at=due, recorded_at=now
                        )
                        new_breaches.append(breach)
                        job._breaches.append(breach)  # type: ignore[attr-defined]
                        setattr(job, warned_field, True)
                        counts["breached"] += 1
                        for person in people:
                            tell[person].append((order.number, clock, True))
                    elif now >= warn_at and not getattr(job, warned_field) and now < due:
                        setattr(job, warned_field, True)
                        counts["warned"] += 1
                        for person in people:
                            tell[person].append((order.number, clock, False))
                    elif now >= due:
                        setattr(job, warned_field, True)
                job.next_check_at = _next_check(job)
            ClockBreach.objects.bulk_create(new_breaches, ignore_conflicts=True)
            FieldJob.objects.bulk_update(
                jobs, ["contact_warned", "onsite_warned", "next_check_at"], batch_size=500
            )
    if tell:
        _tell(tell)
    return counts


def _tell(tell: dict[int, list[tuple[str, str, bool]]]) -> None:
    """One digest notification per person per sweep."""
    from aftersales.accounts.models import User

    labels = {ClockKind.CONTACT: ClockKind.CONTACT.label, ClockKind.ONSITE: ClockKind.ONSITE.label}
    for user in User.objects.filter(pk__in=list(tell), is_active=True):
        items = tell[user.pk]
        breached = [i for i in items if i[2]]

        def title(items=items, breached=breached) -> str:  # type: ignore[no-untyped-def]
            if breached:
                return _("Field response time missed: %(count)s work order(s)") % {
                    "count": len({i[0] for i in breached})
                }
            return _("Field response time runs out soon: %(count)s work order(s)") % {
                "count": len({i[0] for i in items})
            }

        def body(items=items) -> str:  # type: ignore[no-untyped-def]
            return "\n".join(
                f"{number}: {labels[clock]} — " + (_("missed") if late else _("due soon"))
                for number, clock, late in items[:50]
            )

        notify(
            [user],
            kind="field_clock",
            title=title,
            body=body,
            url=reverse("field_service:board"),
        )
