"""Writes of field service: engineers' profiles and visits (plan, reassign, cancel, set off,
arrive, depart, finish with the customer's signature). Each function is one transaction; the
work order moves through work_orders' own services in the same transaction, so a refused step
leaves neither a visit nor an order half-changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.field_service import clocks
from aftersales.field_service.models import (
    ACTIVE_VISIT,
    VISIT_TRANSITIONS,
    Engineer,
    FieldJob,
    Outcome,
    Visit,
    VisitStatus,
)
from aftersales.organisation.models import Unit
from aftersales.work_orders import services as work_orders
from aftersales.work_orders.models import FIELD_KINDS, SignatureKind, Status, WorkOrder

if TYPE_CHECKING:
    from aftersales.accounts.models import User
    from aftersales.calendars.models import BusinessCalendar
    from aftersales.catalog.models import ProductCategory
    from aftersales.service_requests.models import Skill


# --- Engineers -------------------------------------------------------------------------------


def _check_regions(regions: Iterable[Unit]) -> list[Unit]:
    regions = list(regions)
    if any(region.kind != "region" for region in regions):
        raise ValidationError({"regions": _("Choose regions only.")})
    return regions


@transaction.atomic
def engineer_create(
    *,
    user: User,
    unit: Unit | None = None,
    regions: Iterable[Unit] = (),
    categories: Iterable[ProductCategory] = (),
    skills: Iterable[Skill] | None = None,
    calendar: BusinessCalendar | None = None,
    is_active: bool = True,
) -> Engineer:
    """Make an employee a field engineer of a unit's board (their own unit by default)."""
    if Engineer.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This employee is already a field engineer.")})
    unit = unit or user.unit
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit.")})
    engineer = Engineer.objects.create(user=user, unit=unit, calendar=calendar, is_active=is_active)
    engineer.regions.set(_check_regions(regions))
    engineer.categories.set(list(categories))
    if skills is not None:
        user.skills.set(list(skills))
    return engineer


@transaction.atomic
def engineer_update(
    *,
    engineer: Engineer,
    unit: Unit,
    regions: Iterable[Unit] = (),
    categories: Iterable[ProductCategory] = (),
    skills: Iterable[Skill] | None = None,
    calendar: BusinessCalendar | None = None,
    is_active: bool = True,
) -> Engineer:
    engineer.unit = unit
    engineer.calendar = calendar
    engineer.is_active = is_active
    engineer.save()
    engineer.regions.set(_check_regions(regions))
    engineer.categories.set(list(categories))
    if skills is not None:
        engineer.user.skills.set(list(skills))
    return engineer


# --- Visits ----------------------------------------------------------------------------------


def _check_window(window_start: datetime.datetime, window_end: datetime.datetime) -> None:
    if window_start is None or window_end is None:
        raise ValidationError({"window_start": _("Give the time window of the visit.")})
    clocks.check_window(window_start, window_end)


def _check_engineer(engineer: Engineer) -> None:
    if not engineer.is_active or not engineer.user.is_active:
        raise ValidationError({"engineer": _("This engineer is not active.")})


def _locked_visit(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("engineer__user", "work_order")
        .get(pk=visit.pk)
    )


def _step(visit: Visit, to_status: str) -> None:
    if to_status not in VISIT_TRANSITIONS.get(visit.status, frozenset()):
        raise ValidationError(
            _("A visit that is “%(from)s” cannot become “%(to)s”.")
            % {"from": VisitStatus(visit.status).label, "to": VisitStatus(to_status).label}
        )
    visit.status = to_status


def _check_own(visit: Visit, user: User | None) -> None:
    """The engineer records their own visits; dispatchers record anyone's."""
    if user is None or visit.engineer.user_id == user.pk:
        return
    if not user.has_perm("field_service.dispatch_visit"):
        raise ValidationError(_("This visit is another engineer's."))


@transaction.atomic
def visit_schedule(
    *,
    order: WorkOrder,
    engineer: Engineer,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    user: User | None,
    agreed: bool = False,
    note: str = "",
) -> Visit:
    """Plan a visit of `engineer` to the customer in a window. The order becomes scheduled and
    is assigned to the engineer; `agreed`: the window was agreed with the customer on the phone,
    which stops the contact clock. One visit at a time: a planned one is reassigned instead."""
    _check_window(window_start, window_end)
    order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.kind not in FIELD_KINDS:
        raise ValidationError(_("Only field work is visited."))
    if order.is_closed:
        raise ValidationError(
            _("Work order %(number)s is %(status)s; no visit can be planned.")
            % {"number": order.number, "status": Status(order.status).label.lower()}
        )
    _check_engineer(engineer)
    if Visit.objects.filter(work_order=order, status__in=ACTIVE_VISIT).exists():
        raise ValidationError(
            _("The order already has a visit planned; reassign or cancel it instead.")
        )
    job = clocks.field_job_open(order)
    visit = Visit.objects.create(
        work_order=order,
        engineer=engineer,
        window_start=window_start,
        window_end=window_end,
        note=note.strip(),
        created_by=user,
    )
    if order.status != Status.SCHEDULED:
        work_orders.mark_scheduled(order, user, note=_("Visit planned"))
    work_orders.work_order_assign(
        order=order, technician=engineer.user, user=user, reason=_("Visit planned")
    )
    if agreed:
        clocks.contact_record(job=job, user=user, window_start=window_start, window_end=window_end)
    return visit


@transaction.atomic
def visit_reassign(
    *,
    visit: Visit,
    engineer: Engineer,
    reason: str,
    user: User | None,
    window_start: datetime.datetime | None = None,
    window_end: datetime.datetime | None = None,
) -> Visit:
    """Give a visit not yet under way on site to another engineer (and/or another window),
    with the reason; the order follows to the new engineer."""
    visit = _locked_visit(visit)
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.EN_ROUTE):
        raise ValidationError(_("Only a visit not yet on site can be reassigned."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the visit is reassigned.")})
    _check_engineer(engineer)
    if window_start is not None or window_end is not None:
        _check_window(window_start, window_end)  # type: ignore[arg-type]
        visit.window_start, visit.window_end = window_start, window_end  # type: ignore[assignment]
    changed = engineer.pk != visit.engineer_id
    visit.engineer = engineer
    if changed:
        visit.status = VisitStatus.PLANNED
    visit.note = (visit.note + "\n" if visit.note else "") + reason.strip()
    visit.save()
    if changed:
        work_orders.work_order_assign(
            order=visit.work_order, technician=engineer.user, user=user, reason=reason
        )
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, reason: str, user: User | None) -> Visit:
    """Call a visit off (the customer is away, the engineer is ill); the order waits for
    another one on the board."""
    visit = _locked_visit(visit)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the visit is cancelled.")})
    _step(visit, VisitStatus.CANCELLED)
    visit.note = (visit.note + "\n" if visit.note else "") + reason.strip()
    visit.save()
    return visit


@transaction.atomic
def visit_set_off(*, visit: Visit, user: User | None) -> Visit:
    """The engineer is on the way."""
    visit = _locked_visit(visit)
    _check_own(visit, user)
    _step(visit, VisitStatus.EN_ROUTE)
    visit.save()
    return visit


@transaction.atomic
def visit_arrive(*, visit: Visit, user: User | None, at: datetime.datetime | None = None) -> Visit:
    """The engineer is at the customer's: the order goes on site and the first arrival stops
    the on-site clock."""
    visit = _locked_visit(visit)
    _check_own(visit, user)
    if visit.status == VisitStatus.ON_SITE:
        raise ValidationError(_("The arrival is already recorded."))
    _step(visit, VisitStatus.ON_SITE)
    now = at or timezone.now()
    visit.arrived_at = now
    visit.save()
    order = visit.work_order
    work_orders.mark_on_site(order, user)
    clocks.arrival_record(clocks.field_job_open(order), now)
    return visit


@transaction.atomic
def visit_depart(
    *,
    visit: Visit,
    outcome: str,
    user: User | None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Visit:
    """The engineer leaves. Work finished: the customer must have signed the service record
    sheet, and the order completes. Another visit needed: the order goes back to scheduled and
    waits on the board for the next visit."""
    visit = _locked_visit(visit)
    _check_own(visit, user)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Say whether the work is finished.")})
    if visit.status != VisitStatus.ON_SITE:
        raise ValidationError(_("Record the arrival before the departure."))
    _step(visit, VisitStatus.DONE)
    visit.departed_at = at or timezone.now()
    visit.outcome = outcome
    if note.strip():
        visit.note = (visit.note + "\n" if visit.note else "") + note.strip()
    visit.save()
    order = WorkOrder.objects.get(pk=visit.work_order_id)
    if outcome == Outcome.FINISHED:
        if order.status != Status.COMPLETED:
            work_orders.work_order_complete(order=order, user=user, note=note)
    else:
        work_orders.mark_scheduled(order, user, note=note.strip() or _("Another visit needed"))
    return visit


@transaction.atomic
def visit_finish(
    *,
    visit: Visit,
    signer_name: str,
    image_data_url: str,
    user: User | None,
    rating: int | None = None,
    comment: str = "",
    note: str = "",
) -> Visit:
    """On site, at the end: the customer signs the service record sheet on the screen (kept as
    an image with the time and the signer's name), rates the visit, and the engineer departs
    with the work finished, which completes the order."""
    visit = _locked_visit(visit)
    _check_own(visit, user)
    if visit.status != VisitStatus.ON_SITE:
        raise ValidationError(_("Record the arrival before the customer signs."))
    order = visit.work_order
    if not order.signatures.filter(kind=SignatureKind.SERVICE_RECORD).exists():
        work_orders.signature_record(
            order=order,
            kind=SignatureKind.SERVICE_RECORD,
            signer_name=signer_name,
            image_data_url=image_data_url,
            user=user,
        )
    if rating is not None:
        order.refresh_from_db(fields=["rating"])
        if order.rating is None:
            work_orders.rating_record(order=order, rating=rating, comment=comment, user=user)
    return visit_depart(visit=visit, outcome=Outcome.FINISHED, user=user, note=note)


def job_for(order: WorkOrder) -> FieldJob:
    """The order's field job (opened now for an order created before the clocks existed)."""
    return clocks.field_job_open(order)
