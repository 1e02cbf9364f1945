"""Named cases of the business-time engine (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.calendars.business_time import (
    BusinessSchedule,
    add_business_minutes,
    business_minutes_between,
    business_time_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))


def china_week(holidays=(), workdays=(), tz=SHANGHAI) -> BusinessSchedule:  # type: ignore[no-untyped-def]
    return BusinessSchedule(
        {weekday: DAY for weekday in range(5)}, frozenset(holidays), frozenset(workdays), tz
    )


def at(*args: int, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def test_friday_afternoon_runs_into_monday():
    # Fri 2025-09-19 16:00: 90 minutes left on Friday, the other 30 on Monday morning.
    assert add_business_minutes(china_week(), at(2025, 9, 19, 16, 0), 120) == at(2025, 9, 22, 9, 0)
    # Three hours: 90 on Friday, 90 on Monday from 08:30.
    assert add_business_minutes(china_week(), at(2025, 9, 19, 16, 0), 180) == at(2025, 9, 22, 10, 0)


def test_lunch_break_is_skipped():
    assert add_business_minutes(china_week(), at(2025, 9, 22, 11, 30), 60) == at(2025, 9, 22, 14, 0)
    assert (
        business_minutes_between(china_week(), at(2025, 9, 22, 11, 0), at(2025, 9, 22, 14, 0)) == 90
    )


def test_work_done_exactly_when_the_morning_ends():
    # The deadline is the end of the interval, not the start of the next one.
    assert add_business_minutes(china_week(), at(2025, 9, 22, 8, 30), 210) == at(2025, 9, 22, 12, 0)


def test_start_before_opening_and_after_closing():
    schedule = china_week()
    assert add_business_minutes(schedule, at(2025, 9, 22, 6, 0), 30) == at(2025, 9, 22, 9, 0)
    assert add_business_minutes(schedule, at(2025, 9, 22, 19, 0), 30) == at(2025, 9, 23, 9, 0)
    assert business_minutes_between(schedule, at(2025, 9, 22, 18, 0), at(2025, 9, 23, 8, 0)) == 0


def test_holiday_monday_has_no_working_time():
    schedule = china_week(holidays={dt.date(2025, 9, 22)})
    assert add_business_minutes(schedule, at(2025, 9, 19, 16, 0), 120) == at(2025, 9, 23, 9, 0)
    assert business_minutes_between(schedule, at(2025, 9, 22, 0, 0), at(2025, 9, 23, 0, 0)) == 0


def test_makeup_working_day_uses_the_first_working_weekday():
    monday = ((dt.time(10, 0), dt.time(11, 0)),)
    schedule = BusinessSchedule(
        {0: monday, 1: DAY}, frozenset(), frozenset({dt.date(2025, 9, 28)}), SHANGHAI
    )
    assert schedule.wall_intervals(dt.date(2025, 9, 28)) == monday
    assert add_business_minutes(schedule, at(2025, 9, 27, 12, 0), 30) == at(2025, 9, 28, 10, 30)


def test_result_keeps_the_start_tzinfo_and_zero_is_identity():
    start = dt.datetime(2025, 9, 22, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    result = add_business_minutes(china_week(), start, 60)
    assert result.tzinfo is dt.UTC
    assert result == at(2025, 9, 22, 10, 0)
    assert add_business_minutes(china_week(), start, 0) is start


def test_invalid_arguments():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(china_week(), dt.datetime(2025, 9, 22, 9, 0), 10)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(china_week(), at(2025, 9, 22, 9, 0), -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_minutes_between(china_week(), dt.datetime(2025, 9, 22), at(2025, 9, 23))  # noqa: DTZ001
    with pytest.raises(ValueError, match="end after it starts"):
        BusinessSchedule({0: ((dt.time(12), dt.time(9)),)}, frozenset(), frozenset(), SHANGHAI)


def test_calendar_without_working_time_raises():
    with pytest.raises(ValueError, match="no working time"):
        add_business_minutes(
            BusinessSchedule({}, frozenset(), frozenset(), SHANGHAI), at(2025, 1, 1), 1
        )


def test_between_is_antisymmetric_and_exact():
    schedule = china_week()
    a, b = at(2025, 9, 22, 9, 0, 30), at(2025, 9, 22, 9, 2)
    assert business_time_between(schedule, a, b) == dt.timedelta(seconds=90)
    assert business_minutes_between(schedule, a, b) == 1
    assert business_minutes_between(schedule, b, a) == -1


def test_dst_spring_forward_respects_wall_clock():
    # Every day 01:00–05:00 Berlin time. On 2025-03-30 the clocks jump 02:00 → 03:00, so the
    # day has three real hours; on 2025-10-26 they fall back 03:00 → 02:00: five hours.
    schedule = BusinessSchedule(
        {weekday: ((dt.time(1, 0), dt.time(5, 0)),) for weekday in range(7)},
        frozenset(),
        frozenset(),
        BERLIN,
    )
    spring = at(2025, 3, 30, 1, 0, tz=BERLIN)
    assert add_business_minutes(schedule, spring, 180) == at(2025, 3, 30, 5, 0, tz=BERLIN)
    assert add_business_minutes(schedule, spring, 180) == dt.datetime(
        2025, 3, 30, 3, 0, tzinfo=dt.UTC
    )
    assert business_minutes_between(schedule, spring, at(2025, 3, 31, 0, 0, tz=BERLIN)) == 180
    autumn = at(2025, 10, 26, 0, 0, tz=BERLIN)
    assert business_minutes_between(schedule, autumn, at(2025, 10, 27, 0, 0, tz=BERLIN)) == 300
    ordinary = at(2025, 3, 29, 0, 0, tz=BERLIN)
    assert business_minutes_between(schedule, ordinary, at(2025, 3, 30, 0, 0, tz=BERLIN)) == 240


def test_dst_weekend_keeps_opening_time_local():
    # Mon–Fri 08:30… in Berlin: Friday before the change is UTC+1, Monday after is UTC+2; the
    # office still opens at 08:30 local, i.e. an hour earlier in UTC.
    schedule = china_week(tz=BERLIN)
    deadline = add_business_minutes(schedule, at(2025, 3, 28, 17, 0, tz=BERLIN), 60)
    assert deadline == at(2025, 3, 31, 9, 0, tz=BERLIN)
    assert deadline.astimezone(dt.UTC) == dt.datetime(2025, 3, 31, 7, 0, tzinfo=dt.UTC)


def test_interval_inside_a_dst_gap_has_no_time():
    schedule = BusinessSchedule(
        {6: ((dt.time(2, 10), dt.time(2, 50)), (dt.time(3, 0), dt.time(3, 30)))},
        frozenset(),
        frozenset(),
        BERLIN,
    )
    # Sunday 2025-03-30: 02:10–02:50 never happens; 03:00–03:30 does.
    assert schedule.intervals_on(dt.date(2025, 3, 30)) == [
        (
            dt.datetime(2025, 3, 30, 1, 0, tzinfo=dt.UTC),
            dt.datetime(2025, 3, 30, 1, 30, tzinfo=dt.UTC),
        )
    ]


def test_dates_at_the_edge_of_datetime_are_value_errors():
    schedule = china_week(tz=ZoneInfo("America/New_York"))
    with pytest.raises(ValueError, match="outside"):
        add_business_minutes(schedule, dt.datetime(9999, 12, 31, 17, 0, tzinfo=dt.UTC), 600)
    with pytest.raises(ValueError, match="outside"):
        business_time_between(schedule, dt.datetime.min.replace(tzinfo=dt.UTC), at(2025, 1, 1))
    with pytest.raises(ValueError, match="outside"):
        add_business_minutes(schedule, dt.datetime(1, 1, 1, 1, 0, tzinfo=SHANGHAI), 1)
