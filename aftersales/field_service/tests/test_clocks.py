"""The 16 h contact and 24 h on-site clocks of seed 001, in calendar and business hours (with a
holiday, a weekend and a make-up working day), their warnings and breaches once each."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.calendars.models import CalendarDay
from aftersales.calendars.tests.factories import BusinessCalendarFactory, give_week
from aftersales.field_service import clocks, services
from aftersales.field_service.models import ClockBreach, FieldJob, ResponsePolicy
from aftersales.field_service.tests.factories import make_engineer, make_visit
from aftersales.notifications.models import Notification
from aftersales.work_orders.models import Kind
from aftersales.work_orders.tests.factories import make_field_order, make_work_order

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(day: int, hour: int, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def reopened(order, received):  # type: ignore[no-untyped-def]
    """The order's clocks as if it had been received at `received`."""
    FieldJob.objects.filter(work_order=order).delete()
    return clocks.field_job_open(order, received_at=received)


@pytest.fixture
def business_centre(network):  # type: ignore[no-untyped-def]
    """The centre works Mon–Fri 09:00–18:00 Shanghai time; 1–2 October are holidays."""
    calendar = give_week(BusinessCalendarFactory(owner=network.hq), [(dt.time(9), dt.time(18))])
    for day in (1, 2):
        CalendarDay.objects.create(
            calendar=calendar, date=dt.date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY
        )
    network.centre.calendar = calendar
    network.centre.timezone = "Asia/Shanghai"
    network.centre.save()
    ResponsePolicy.objects.create(name="Business hours", unit=network.centre, business_hours=True)
    return network.centre


def test_a_field_order_starts_both_clocks_in_calendar_hours_by_default(network):
    order = make_field_order(network.outlet_a)
    job = order.field_job
    assert job.received_at == order.created_at
    assert job.contact_due_at == order.created_at + dt.timedelta(hours=16)
    assert job.onsite_due_at == order.created_at + dt.timedelta(hours=24)
    assert job.contact_warn_at == job.contact_due_at - dt.timedelta(minutes=60)
    assert job.next_check_at == job.contact_warn_at


def test_an_in_store_repair_has_no_clocks(network):
    order = make_work_order(network.outlet_a, Kind.REPAIR)
    assert not FieldJob.objects.filter(work_order=order).exists()


def test_business_hours_skip_the_night_the_holiday_and_the_weekend(business_centre, network):
    # Wednesday 17:00: one hour left that day, Thursday and Friday are holidays, then the
    # weekend; Monday gives nine hours, Tuesday the remaining six (contact) or Tuesday and
    # five hours of Wednesday (on site).
    job = reopened(make_field_order(network.outlet_a), at(30, 17))
    assert job.business_hours is True
    assert job.contact_due_at == at(6, 15, month=10)
    assert job.onsite_due_at == at(7, 14, month=10)
    # Warned an hour of business time before: Tuesday 14:00.
    assert job.contact_warn_at == at(6, 14, month=10)


def test_a_make_up_working_day_counts(business_centre, network):
    CalendarDay.objects.create(
        calendar=business_centre.calendar, date=dt.date(2026, 10, 4), kind=CalendarDay.Kind.WORKDAY
    )
    job = reopened(make_field_order(network.outlet_a), at(30, 17))
    # Wednesday 1 h + Sunday (make-up) 9 h + Monday 6 h.
    assert job.contact_due_at == at(5, 15, month=10)


def test_the_most_specific_policy_applies(business_centre, network):
    ResponsePolicy.objects.create(
        name="Installations", unit=business_centre, kind=Kind.INSTALLATION, contact_hours=4
    )
    ResponsePolicy.objects.create(name="Everywhere", contact_hours=2)
    visit = make_field_order(network.outlet_a, Kind.VISIT).field_job
    install = make_field_order(network.outlet_a, Kind.INSTALLATION).field_job
    elsewhere = make_field_order(network.hq, Kind.VISIT).field_job
    assert visit.policy.name == "Business hours"
    assert install.policy.name == "Installations"
    assert elsewhere.policy.name == "Everywhere"
    assert elsewhere.contact_due_at - elsewhere.received_at == dt.timedelta(hours=2)


def test_contact_stops_the_contact_clock_and_moves_the_planned_visit(network):
    visit = make_visit(network.outlet_a)
    job = visit.work_order.field_job
    start, end = (
        visit.window_start + dt.timedelta(hours=1),
        visit.window_end + dt.timedelta(hours=1),
    )
    job = clocks.contact_record(job=job, user=None, window_start=start, window_end=end)
    assert job.contacted_at is not None and job.appointment_start == start
    visit.refresh_from_db()
    assert (visit.window_start, visit.window_end) == (start, end)
    # Only the on-site clock is left to watch.
    assert job.next_check_at == job.onsite_warn_at
    assert not job.breaches.exists()


def test_contact_window_must_end_after_it_starts(network):
    job = make_field_order(network.outlet_a).field_job
    start = job.received_at
    with pytest.raises(Exception, match="end after it starts"):
        clocks.contact_record(job=job, user=None, window_start=start, window_end=start)


def test_an_agreed_time_with_a_typoed_year_is_refused_and_the_job_left_as_it_was(network):
    job = make_field_order(network.outlet_a).field_job
    start = job.received_at.replace(year=640)
    with pytest.raises(Exception, match="within a year of today"):
        clocks.contact_record(
            job=job, user=None, window_start=start, window_end=start + dt.timedelta(hours=2)
        )
    job.refresh_from_db()
    assert (job.contacted_at, job.appointment_start) == (None, None)


def test_a_late_contact_is_a_breach_met_late(network):
    order = make_field_order(network.outlet_a)
    job = order.field_job
    late = job.contact_due_at + dt.timedelta(minutes=5)
    clocks.contact_record(job=job, user=None, at=late)
    breach = ClockBreach.objects.get(field_job=job)
    assert (breach.clock, breach.due_at, breach.met_at) == ("contact", job.contact_due_at, late)


def test_the_sweep_warns_then_records_breaches_once_each(network, region_head):
    head = region_head.__class__.objects.get(pk=region_head.pk)
    head.unit = network.outlet_a
    head.save()
    visit = make_visit(network.outlet_a)
    engineer = visit.engineer.user
    job = visit.work_order.field_job

    assert clocks.sweep_clocks(now=job.contact_warn_at - dt.timedelta(minutes=1)) == {
        "warned": 0,
        "breached": 0,
    }
    assert clocks.sweep_clocks(now=job.contact_warn_at) == {"warned": 1, "breached": 0}
    assert clocks.sweep_clocks(now=job.contact_warn_at) == {"warned": 0, "breached": 0}
    told = Notification.objects.filter(kind="field_clock")
    assert set(told.values_list("recipient", flat=True)) == {engineer.pk, head.pk}

    assert clocks.sweep_clocks(now=job.contact_due_at) == {"warned": 0, "breached": 1}
    assert clocks.sweep_clocks(now=job.contact_due_at) == {"warned": 0, "breached": 0}
    # Much later: the on-site clock is warned and breached in one sweep: one breach, no warning.
    late = job.onsite_due_at + dt.timedelta(hours=1)
    assert clocks.sweep_clocks(now=late) == {"warned": 0, "breached": 1}
    assert clocks.sweep_clocks(now=late) == {"warned": 0, "breached": 0}
    assert sorted(job.breaches.values_list("clock", flat=True)) == ["contact", "onsite"]
    job.refresh_from_db()
    assert job.next_check_at is None
    # The engineer arrives at last: the on-site breach is met late.
    services.visit_arrive(visit=visit, user=engineer, at=late + dt.timedelta(minutes=30))
    assert job.breaches.get(clock="onsite").met_at == late + dt.timedelta(minutes=30)


def test_the_sweep_drops_jobs_of_closed_orders(network):
    from aftersales.work_orders.services import work_order_transition

    order = make_field_order(network.outlet_a)
    work_order_transition(order=order, to_status="cancelled", user=None, note="Customer declined")
    job = order.field_job
    assert clocks.sweep_clocks(now=job.onsite_due_at) == {"warned": 0, "breached": 0}
    job.refresh_from_db()
    assert job.next_check_at is None


def test_the_first_arrival_stops_the_onsite_clock(network):
    visit = make_visit(network.outlet_a, agreed=True)
    services.visit_arrive(visit=visit, user=visit.engineer.user)
    job = FieldJob.objects.get(work_order=visit.work_order)
    assert job.first_arrival_at is not None and job.contacted_at is not None
    assert job.next_check_at is None
    assert job.clock_state("onsite") == "met"


def test_an_engineer_is_made_from_an_employee_once(network):
    engineer = make_engineer(network.outlet_a)
    with pytest.raises(Exception, match="already a field engineer"):
        services.engineer_create(user=engineer.user, unit=network.outlet_a)
