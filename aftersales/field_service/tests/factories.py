"""Field service records made through the services: engineers, field orders with their clocks,
visits at each step. Scoped makers for the access matrix."""

import datetime

from django.utils import timezone

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import scoped_factory, shared_factory
from aftersales.field_service import services
from aftersales.field_service.models import (
    ClockBreach,
    Engineer,
    FieldJob,
    ResponsePolicy,
    Visit,
)
from aftersales.organisation.models import Unit
from aftersales.work_orders.models import Kind, WorkOrder
from aftersales.work_orders.tests.factories import make_field_order


def make_engineer(unit: Unit, **fields) -> Engineer:  # type: ignore[no-untyped-def]
    user = fields.pop("user", None) or make_user("field_engineer", unit)
    return services.engineer_create(user=user, unit=unit, **fields)


def make_dispatcher(unit: Unit):  # type: ignore[no-untyped-def]
    return make_user("dispatcher", unit)


def window(
    hours_from_now: float = 2, length: float = 2
) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.now() + datetime.timedelta(hours=hours_from_now)
    return start, start + datetime.timedelta(hours=length)


def make_visit(  # type: ignore[no-untyped-def]
    unit: Unit, *, engineer: Engineer | None = None, order: WorkOrder | None = None, **fields
) -> Visit:
    order = order or make_field_order(unit, Kind.VISIT)
    engineer = engineer or make_engineer(unit)
    start, end = fields.pop("window", None) or window()
    return services.visit_schedule(
        order=order,
        engineer=engineer,
        window_start=start,
        window_end=end,
        user=fields.pop("user", None) or make_dispatcher(unit),
        **fields,
    )


@scoped_factory(Engineer)
def engineer_in(unit: Unit) -> Engineer:
    return make_engineer(unit)


@scoped_factory(FieldJob)
def field_job_in(unit: Unit) -> FieldJob:
    return make_field_order(unit, Kind.VISIT).field_job


@scoped_factory(Visit)
def visit_in(unit: Unit) -> Visit:
    return make_visit(unit)


@scoped_factory(ClockBreach)
def breach_in(unit: Unit) -> ClockBreach:
    job = make_field_order(unit, Kind.VISIT).field_job
    return ClockBreach.objects.create(field_job=job, clock="contact", due_at=job.contact_due_at)


@shared_factory(ResponsePolicy)
def policy_in(unit: Unit) -> ResponsePolicy:
    return ResponsePolicy.objects.create(name=f"Policy {unit.pk}", unit=unit)
