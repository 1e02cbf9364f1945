"""h. Field service (issue 5): the dispatch board of a unit of 50 engineers with a year of
visits in the database (target: under 200 ms a page).

The workload makes its own data the first time it runs on a bench database (and finds it again
afterwards; a rebuild drops it with the rest): `FIELD_CENTRES` centres of 50 field engineers
each, every engineer with 4 visits on each of 250 working days of the year before the load
(50 × 250 × 4 = 50,000 visits a centre, each its own completed visit work order), and 30 field
orders waiting on the measured centre's board. Written with bulk_create (no history rows, as
the generators), not through the services: the board only reads them.

Measured: `GET /field/board/?unit=…&date=…` (day and week view) through Django's test client
as the centre's dispatcher, the whole response (middleware, session, menu, template), and the
same SQL through the bare driver as the limit.
"""

from __future__ import annotations

import datetime
import random

from bench.compare import orm_vs_raw
from bench.workloads import Context, Result, workload

ENGINEERS = 50
DAYS = 250
VISITS_A_DAY = 4
WAITING = 30
FIELD_CENTRES = {"small": 3, "medium": 5, "full": 10}
PREFIX = "bench-field"
TARGET_MS = 200.0


def _build(ctx: Context, centres: list, year_end: datetime.date) -> None:  # type: ignore[type-arg]
    from django.db import transaction
    from django.utils import timezone

    from aftersales.accounts.models import Position, User
    from aftersales.customers.models import Customer
    from aftersales.field_service.clocks import DEFAULT_TERMS, due_and_warning
    from aftersales.field_service.models import Engineer, FieldJob, Visit
    from aftersales.work_orders.models import Kind, Status, WorkOrder

    rng = random.Random(5)
    engineer_position = Position.objects.get(code="field_engineer")
    dispatcher_position = Position.objects.get(code="dispatcher")
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    days = []
    day = year_end - datetime.timedelta(days=365)
    while len(days) < DAYS and day <= year_end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    tz = timezone.get_default_timezone()
    for index, centre in enumerate(centres):
        ctx.log(f"  field data: centre {centre.code} ({index + 1}/{len(centres)})")
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"{PREFIX}-{centre.pk}-{n}",
                        first_name=f"Engineer {n}",
                        unit=centre,
                        position=engineer_position,
                    )
                    for n in range(ENGINEERS)
                ]
            )
            User.objects.create(
                username=f"{PREFIX}-{centre.pk}-dispatcher",
                unit=centre,
                position=dispatcher_position,
            )
            engineers = Engineer.objects.bulk_create(
                [Engineer(user=user, unit=centre) for user in users]
            )
            for day in days:
                orders, visits = [], []
                for engineer in engineers:
                    for slot in range(VISITS_A_DAY):
                        start = datetime.datetime.combine(
                            day, datetime.time(9 + 2 * slot), tzinfo=tz
                        )
                        orders.append(
                            WorkOrder(
                                kind=Kind.VISIT,
                                status=Status.COMPLETED,
                                unit=centre,
                                customer_id=rng.choice(customers),
                                technician_id=engineer.user_id,
                                created_at=start - datetime.timedelta(hours=20),
                                completed_at=start + datetime.timedelta(hours=1),
                                address="bench address",
                            )
                        )
                        visits.append(
                            Visit(
                                engineer=engineer,
                                window_start=start,
                                window_end=start + datetime.timedelta(hours=2),
                                status="done",
                                outcome="finished",
                                arrived_at=start + datetime.timedelta(minutes=10),
                                departed_at=start + datetime.timedelta(minutes=70),
                            )
                        )
                orders = WorkOrder.objects.bulk_create(orders, batch_size=2000)
                for order, visit in zip(orders, visits, strict=True):
                    visit.work_order = order
                Visit.objects.bulk_create(visits, batch_size=2000)
            now = timezone.now()
            waiting = WorkOrder.objects.bulk_create(
                [
                    WorkOrder(
                        kind=Kind.VISIT,
                        unit=centre,
                        customer_id=rng.choice(customers),
                        created_at=now - datetime.timedelta(hours=n % 20),
                    )
                    for n in range(WAITING)
                ]
            )
            jobs = []
            for order in waiting:
                contact_due, contact_warn = due_and_warning(
                    order.created_at, 16, 60, business=False, schedule=None
                )
                onsite_due, onsite_warn = due_and_warning(
                    order.created_at, 24, 60, business=False, schedule=None
                )
                jobs.append(
                    FieldJob(
                        work_order=order,
                        business_hours=DEFAULT_TERMS.business_hours,
                        received_at=order.created_at,
                        contact_due_at=contact_due,
                        contact_warn_at=contact_warn,
                        onsite_due_at=onsite_due,
                        onsite_warn_at=onsite_warn,
                        next_check_at=contact_warn,
                    )
                )
            FieldJob.objects.bulk_create(jobs)


@workload("field", order=80)
def field(ctx: Context) -> list[Result]:
    """The dispatch board of a centre of 50 engineers with a year of visits."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.field_service.models import Engineer, Visit
    from aftersales.organisation.models import Unit

    centres = list(Unit.objects.filter(kind="centre").order_by("path"))
    count = FIELD_CENTRES.get(ctx.scale.name, 3)
    centres = centres[:count]
    year_end = timezone.localdate()
    if not Engineer.objects.filter(unit=centres[0]).exists():
        _build(ctx, centres, year_end)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE field_service_visit")
                cursor.execute("ANALYZE work_orders_workorder")
                cursor.execute("ANALYZE field_service_fieldjob")
    centre = centres[0]
    dispatcher = User.objects.get(username=f"{PREFIX}-{centre.pk}-dispatcher")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(dispatcher)
    busy_day = (
        Visit.objects.filter(engineer__unit=centre)
        .order_by("-window_start")
        .values_list("window_start", flat=True)
        .first()
    )
    day = timezone.localdate(busy_day) if busy_day else year_end
    total = Visit.objects.count()
    results = []
    # The bench runs with DEBUG off and no collectstatic: static URLs without the manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages), ctx.db.raw() as raw:
        for view in ("day", "week"):
            url = f"/field/board/?unit={centre.pk}&date={day:%Y-%m-%d}&view={view}"

            def call(url: str = url) -> object:
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                return response

            key = f"field.board.{view}"
            ctx.log(f"  {key}")
            result = orm_vs_raw(
                ctx,
                raw,
                key=key,
                title=f"Dispatch board, {view} view: 50 engineers, a year of visits "
                f"({total:,} visits in the table)",
                call=call,
                main=('FROM "field_service_visit"', "window_start"),
                iterations=100,
            )
            result.extra["visits_in_table"] = total
            if result.ours and result.ours.p95_ms > TARGET_MS:
                result.findings.append(
                    f"{key}: p95 {result.ours.p95_ms:.0f} ms is over the {TARGET_MS:.0f} ms target"
                )
            results.append(result)
    return results
