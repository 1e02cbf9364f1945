"""Properties of the business-time engine over random schedules, holidays and time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aftersales.calendars.business_time import (
    BusinessSchedule,
    add_business_minutes,
    business_minutes_between,
    business_time_between,
)

ZONES = ["Asia/Shanghai", "Europe/Moscow", "Asia/Urumqi", "Europe/Berlin", "America/New_York"]
# Daylight-saving transitions (Berlin, New York) are where wall-clock arithmetic breaks first.
DST_DATES = [
    dt.date(2025, 3, 9),
    dt.date(2025, 3, 30),
    dt.date(2025, 10, 26),
    dt.date(2025, 11, 2),
    dt.date(2026, 3, 29),
]
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
MINUTES = st.integers(min_value=0, max_value=3000)


@st.composite
def day_intervals(draw) -> tuple[tuple[dt.time, dt.time], ...]:  # type: ignore[no-untyped-def]
    marks = sorted(draw(st.lists(st.integers(0, 23 * 60 + 59), unique=True, max_size=6)))
    pairs = zip(marks[0::2], marks[1::2], strict=False)
    return tuple((dt.time(*divmod(a, 60)), dt.time(*divmod(b, 60))) for a, b in pairs)


@st.composite
def scenarios(draw) -> tuple[BusinessSchedule, dt.datetime]:  # type: ignore[no-untyped-def]
    """A schedule with at least an hour of work a week, and a minute-aligned start near it."""
    weekly = {weekday: draw(day_intervals()) for weekday in range(7)}
    weekly_minutes = sum(
        (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)
        for intervals in weekly.values()
        for a, b in intervals
    )
    assume(weekly_minutes >= 60)
    base = draw(
        st.one_of(st.sampled_from(DST_DATES), st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))
    )
    offsets = st.integers(-3, 45)
    holidays = {base + dt.timedelta(days=n) for n in draw(st.sets(offsets, max_size=10))}
    workdays = {base + dt.timedelta(days=n) for n in draw(st.sets(offsets, max_size=5))}
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    schedule = BusinessSchedule(weekly, frozenset(holidays), frozenset(workdays), tz)
    minute_of_day = draw(st.integers(0, 24 * 60 - 1))
    local = dt.datetime.combine(base, dt.time(*divmod(minute_of_day, 60)))
    start = local.replace(tzinfo=tz, fold=draw(st.integers(0, 1)))
    # Normalise imaginary local times (inside a DST gap) to a real instant in the zone.
    return schedule, start.astimezone(dt.UTC).astimezone(tz)


@PROPERTY_SETTINGS
@given(scenarios(), MINUTES, MINUTES)
def test_monotonic(scenario, a, b):  # type: ignore[no-untyped-def]
    schedule, start = scenario
    low, high = sorted((a, b))
    assert add_business_minutes(schedule, start, low) <= add_business_minutes(schedule, start, high)


@PROPERTY_SETTINGS
@given(scenarios(), MINUTES, MINUTES)
def test_additive(scenario, a, b):  # type: ignore[no-untyped-def]
    schedule, start = scenario
    stepwise = add_business_minutes(schedule, add_business_minutes(schedule, start, a), b)
    assert stepwise == add_business_minutes(schedule, start, a + b)


@PROPERTY_SETTINGS
@given(scenarios(), MINUTES)
def test_between_inverts_add(scenario, n):  # type: ignore[no-untyped-def]
    schedule, start = scenario
    end = add_business_minutes(schedule, start, n)
    assert business_minutes_between(schedule, start, end) == n
    assert business_minutes_between(schedule, end, start) == -n
    if n > 0:
        # The deadline is the earliest instant: the minute before it is working time.
        assert business_time_between(schedule, end - dt.timedelta(minutes=1), end) > dt.timedelta(0)


@PROPERTY_SETTINGS
@given(scenarios(), st.integers(0, 20_000), st.integers(0, 20_000))
def test_between_is_non_negative_and_additive_over_a_split(scenario, first, second):  # type: ignore[no-untyped-def]
    schedule, a = scenario
    # Steps are taken in real time: an aware datetime plus a timedelta is wall-clock arithmetic
    # that drops `fold`, so 01:00 (second, EST) + 0 minutes would be 01:00 EDT, an hour earlier.
    b = (a.astimezone(dt.UTC) + dt.timedelta(minutes=first)).astimezone(a.tzinfo)
    c = (b.astimezone(dt.UTC) + dt.timedelta(minutes=second)).astimezone(a.tzinfo)
    ab = business_time_between(schedule, a, b)
    bc = business_time_between(schedule, b, c)
    assert ab >= dt.timedelta(0)
    assert bc >= dt.timedelta(0)
    assert business_time_between(schedule, a, c) == ab + bc
    # On minute-aligned points the whole-minute counts add up too.
    assert business_minutes_between(schedule, a, c) == (
        business_minutes_between(schedule, a, b) + business_minutes_between(schedule, b, c)
    )
    # Never more working time than elapsed time (in UTC: subtracting two datetimes of one
    # zone gives the wall-clock difference, an hour short across an autumn DST change).
    assert ab <= b.astimezone(dt.UTC) - a.astimezone(dt.UTC)
