import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from aftersales.calendars import selectors, services
from aftersales.calendars.business_time import add_business_minutes
from aftersales.calendars.models import CalendarDay, WorkingInterval
from aftersales.calendars.tests.factories import (
    BusinessCalendarFactory,
    CalendarDayFactory,
    UnitFactory,
    give_week,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def china(db):  # type: ignore[no-untyped-def]
    return give_week(BusinessCalendarFactory(name="China", country="CN"))


def test_load_public_holidays_china_2025(china):
    written = services.load_public_holidays(calendar=china, years=[2025])
    days = {d.date: d for d in CalendarDay.objects.filter(calendar=china)}
    assert written == len(days) > 0
    for national_day in [1, 2, 3, 6, 7, 8]:  # the 4th and 5th are a weekend anyway
        assert days[dt.date(2025, 10, national_day)].kind == CalendarDay.Kind.HOLIDAY
    assert days[dt.date(2025, 10, 1)].name == "国庆节"  # names in the country's language
    # The make-up working days of National Day week: Sunday 28 Sep and Saturday 11 Oct.
    assert days[dt.date(2025, 9, 28)].kind == CalendarDay.Kind.WORKDAY
    assert days[dt.date(2025, 10, 11)].kind == CalendarDay.Kind.WORKDAY
    # Only the requested year, although the package knows make-up days of other years.
    assert {day.year for day in days} == {2025}


def test_national_day_week_deadlines(china):
    services.load_public_holidays(calendar=china, years=[2025])
    schedule = selectors.schedule_for_calendar(china, "Asia/Shanghai")
    # Fri 26 Sep 16:00 + 8 working hours: 90 minutes on Friday, the rest on the make-up Sunday.
    start = dt.datetime(2025, 9, 26, 16, 0, tzinfo=SHANGHAI)
    assert add_business_minutes(schedule, start, 480) == dt.datetime(
        2025, 9, 28, 16, 30, tzinfo=SHANGHAI
    )
    # Tue 30 Sep 17:00 + 1 hour: the holiday week passes, work resumes on Thu 9 Oct.
    start = dt.datetime(2025, 9, 30, 17, 0, tzinfo=SHANGHAI)
    assert add_business_minutes(schedule, start, 60) == dt.datetime(
        2025, 10, 9, 9, 0, tzinfo=SHANGHAI
    )
    # Sat 11 Oct works too.
    start = dt.datetime(2025, 10, 10, 17, 0, tzinfo=SHANGHAI)
    assert add_business_minutes(schedule, start, 60) == dt.datetime(
        2025, 10, 11, 9, 0, tzinfo=SHANGHAI
    )


def test_load_public_holidays_is_idempotent(china):
    first = services.load_public_holidays(calendar=china, years=range(2024, 2026))
    count = CalendarDay.objects.filter(calendar=china).count()
    history = CalendarDay.history.count()
    assert services.load_public_holidays(calendar=china, years=range(2024, 2026)) == 0
    assert CalendarDay.objects.filter(calendar=china).count() == count
    assert CalendarDay.history.count() == history  # nothing rewritten
    assert first == count


def test_load_public_holidays_updates_a_changed_day(china):
    CalendarDayFactory(calendar=china, date=dt.date(2025, 10, 1), kind="workday", name="x")
    services.load_public_holidays(calendar=china, years=[2025])
    day = CalendarDay.objects.get(calendar=china, date=dt.date(2025, 10, 1))
    assert (day.kind, day.name) == ("holiday", "国庆节")


def test_load_public_holidays_russia(db):
    russia = BusinessCalendarFactory(country="RU")
    assert services.load_public_holidays(calendar=russia, years=[2025]) > 0
    new_year = CalendarDay.objects.get(calendar=russia, date=dt.date(2025, 1, 1))
    assert new_year.kind == "holiday"
    assert "Новогодние" in new_year.name
    assert CalendarDay.objects.get(calendar=russia, date=dt.date(2025, 11, 1)).kind == "workday"


def test_load_public_holidays_needs_a_known_country(db):
    with pytest.raises(ValidationError) as error:
        services.load_public_holidays(calendar=BusinessCalendarFactory(country=""), years=[2025])
    assert "country" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.load_public_holidays(
            calendar=BusinessCalendarFactory(), years=[2025], country="QQ"
        )


def test_weekday_intervals_validation(china):
    with pytest.raises(ValidationError) as error:
        services.weekday_intervals_set(
            calendar=china, weekday=0, intervals=[(dt.time(12, 0), dt.time(9, 0))]
        )
    assert "must end after it starts" in error.value.message_dict["intervals"][0]
    with pytest.raises(ValidationError) as error:
        services.weekday_intervals_set(
            calendar=china,
            weekday=0,
            intervals=[(dt.time(9, 0), dt.time(12, 0)), (dt.time(11, 0), dt.time(14, 0))],
        )
    assert "overlap" in error.value.message_dict["intervals"][0]
    with pytest.raises(ValidationError):
        services.weekday_intervals_set(calendar=china, weekday=7, intervals=[])
    # Nothing changed by the failed attempts.
    assert china.intervals.filter(weekday=0).count() == 2


def test_weekday_intervals_set_replaces_only_what_changed(china):
    keep = china.intervals.get(weekday=0, start=dt.time(8, 30))
    rows = services.weekday_intervals_set(
        calendar=china,
        weekday=0,
        intervals=[(dt.time(13, 0), dt.time(18, 0)), (dt.time(8, 30), dt.time(12, 0))],
    )
    assert [(r.start, r.end) for r in rows] == [
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 0), dt.time(18, 0)),
    ]
    assert rows[0].pk == keep.pk
    services.weekday_intervals_set(calendar=china, weekday=0, intervals=[])
    assert not china.intervals.filter(weekday=0).exists()


def test_working_week_set_is_all_or_nothing(china):
    bad = {0: [(dt.time(9, 0), dt.time(10, 0))], 1: [(dt.time(10, 0), dt.time(9, 0))]}
    with pytest.raises(ValidationError) as error:
        services.working_week_set(calendar=china, week=bad)
    assert set(error.value.message_dict) == {"1"}
    assert china.intervals.filter(weekday=0).count() == 2


def test_calendar_day_set_and_delete(china):
    day = services.calendar_day_set(
        calendar=china, date=dt.date(2025, 5, 5), kind="holiday", name="A"
    )
    again = services.calendar_day_set(calendar=china, date=dt.date(2025, 5, 5), kind="workday")
    assert again.pk == day.pk
    assert again.kind == "workday"
    services.calendar_day_delete(day=again)
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    with pytest.raises(ValidationError):
        services.calendar_day_set(calendar=china, date=dt.date(2025, 5, 5), kind="nope")


def test_calendar_create_and_update(db):
    owner = UnitFactory(timezone="Asia/Shanghai")
    calendar = services.calendar_create(owner=owner, name="Shop hours", country="cn")
    assert calendar.country == "CN"
    services.calendar_update(calendar=calendar, name="Shop", country="ru")
    calendar.refresh_from_db()
    assert (calendar.name, calendar.country) == ("Shop", "RU")
    with pytest.raises(ValidationError):
        services.calendar_update(calendar=calendar, country="QQ")
    with pytest.raises(ValidationError):
        services.calendar_create(owner=owner, name="", country="")


def test_schedule_for_calendar_queries(china, django_assert_max_num_queries):
    CalendarDayFactory(calendar=china, date=dt.date(2025, 10, 1))
    CalendarDayFactory(calendar=china, date=dt.date(2025, 9, 28), kind="workday")
    with django_assert_max_num_queries(3):
        schedule = selectors.schedule_for_calendar(china, "Asia/Shanghai")
    assert schedule.weekly[0] == (
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    )
    assert 5 not in schedule.weekly
    assert schedule.holidays == {dt.date(2025, 10, 1)}
    assert schedule.workdays == {dt.date(2025, 9, 28)}
    assert schedule.tz == SHANGHAI
    with django_assert_max_num_queries(3):
        selectors.schedule_for_calendar(china.pk, "Asia/Shanghai")


def test_schedule_for_unit_inherits_calendar_and_time_zone(db):
    calendar = give_week(BusinessCalendarFactory())
    root = UnitFactory(timezone="Europe/Moscow")
    root.calendar = calendar
    root.save()
    outlet = UnitFactory(parent=root)
    schedule = selectors.schedule_for_unit(outlet)
    assert schedule.tz == ZoneInfo("Europe/Moscow")
    assert schedule.weekly[0][0] == (dt.time(8, 30), dt.time(12, 0))


def test_schedule_for_unit_without_calendar_is_the_default_week(db):
    unit = UnitFactory(timezone="Asia/Urumqi")
    schedule = selectors.schedule_for_unit(unit)
    assert schedule.weekly == {d: ((dt.time(9, 0), dt.time(18, 0)),) for d in range(5)}
    assert schedule.tz == ZoneInfo("Asia/Urumqi")


def test_moscow_and_urumqi_deadlines_differ_for_the_same_instant(db):
    # One calendar, 09:00–13:00 and 14:00–18:00 Mon–Fri, read in each unit's own zone.
    calendar = give_week(
        BusinessCalendarFactory(),
        intervals=[(dt.time(9, 0), dt.time(13, 0)), (dt.time(14, 0), dt.time(18, 0))],
    )
    moscow = UnitFactory(timezone="Europe/Moscow")
    urumqi = UnitFactory(timezone="Asia/Urumqi")
    for unit in (moscow, urumqi):
        unit.calendar = calendar
        unit.save()
    start = dt.datetime(2025, 3, 3, 5, 0, tzinfo=dt.UTC)  # Mon 08:00 Moscow, 11:00 Urumqi
    in_moscow = selectors.deadline_for_unit(moscow, start, 480)
    in_urumqi = selectors.deadline_for_unit(urumqi, start, 480)
    # Moscow: a whole day from 09:00 → Mon 18:00 MSK = 15:00 UTC.
    assert in_moscow == dt.datetime(2025, 3, 3, 15, 0, tzinfo=dt.UTC)
    assert in_moscow.isoformat() == "2025-03-03T18:00:00+03:00"
    # Urumqi: 11–13 and 14–18 on Monday (6 h), 2 h more on Tuesday → Tue 11:00 +06 = 05:00 UTC.
    assert in_urumqi == dt.datetime(2025, 3, 4, 5, 0, tzinfo=dt.UTC)
    assert in_urumqi.isoformat() == "2025-03-04T11:00:00+06:00"


def test_working_interval_check_constraint_still_holds(china):
    # The service validates first, so this constraint is only a last line of defence.
    assert WorkingInterval.objects.filter(calendar=china, end__lte=dt.time(0, 0)).count() == 0
