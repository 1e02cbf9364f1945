"""Business-time arithmetic: "when is N working minutes after this instant?" and "how much
working time lies between these two instants?" for one schedule. Pure: no database, no Django.

A schedule's intervals are wall-clock times in its time zone, turned into real instants date by
date with zoneinfo, so a 09:00–18:00 day is nine real hours except on a daylight-saving
transition date, where it is as long as the clocks say. Wall times that fall into a DST gap
(02:30 on a spring-forward night) are read as the moment of the jump; wall times that occur
twice (autumn) are read as their first occurrence. Both keep the wall-time → instant mapping
monotonic, so intervals never cross or swap.

All arithmetic runs on UTC instants, so results are exact to the microsecond.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

# Stop looking for working time after this many consecutive days without any: a calendar
# without working hours (or with every date a holiday) would otherwise loop forever.
SEARCH_LIMIT_DAYS = 3 * 366 + 7

Interval = tuple[time, time]
_MINUTE = timedelta(minutes=1)
_ZERO = timedelta(0)


@dataclass(frozen=True)
class BusinessSchedule:
    """Weekly working hours (weekday 0 = Monday → sorted, non-overlapping wall-clock intervals),
    dates without work (`holidays`) and make-up working days (`workdays`) in time zone `tz`.

    A make-up working day works the hours of the first weekday (lowest number) that has any;
    a holiday has no working time even when its weekday normally has. A date in both sets is
    a holiday (the database cannot hold both; a pure caller gets the safe reading)."""

    weekly: dict[int, tuple[Interval, ...]] = field(hash=False)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    tz: ZoneInfo = ZoneInfo("UTC")

    def __post_init__(self) -> None:
        normalised: dict[int, tuple[Interval, ...]] = {}
        for weekday, intervals in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0..6, not {weekday!r}")
            ordered = tuple(sorted((start, end) for start, end in intervals))
            for start, end in ordered:
                if not end > start:
                    raise ValueError(f"interval {start}–{end} must end after it starts")
            for (_s1, e1), (s2, _e2) in zip(ordered, ordered[1:], strict=False):
                if s2 < e1:
                    raise ValueError(f"intervals overlap on weekday {weekday}")
            if ordered:
                normalised[weekday] = ordered
        # Frozen dataclass: normalise once at construction.
        object.__setattr__(self, "weekly", normalised)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))

    @cached_property
    def makeup_intervals(self) -> tuple[Interval, ...]:
        """The hours of a make-up working day: those of the first weekday that has any."""
        for weekday in range(7):
            if self.weekly.get(weekday):
                return self.weekly[weekday]
        return ()

    def wall_intervals(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of `day` as wall-clock times."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.makeup_intervals
        return self.weekly.get(day.weekday(), ())

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of `day` as UTC instants, sorted, non-empty, disjoint."""
        result: list[tuple[datetime, datetime]] = []
        for start, end in self.wall_intervals(day):
            a = _instant(day, start, self.tz)
            b = _instant(day, end, self.tz)
            if b <= a:  # an interval wholly inside a DST gap has no real time
                continue
            if result and a <= result[-1][1]:  # touching after a gap: merge
                result[-1] = (result[-1][0], max(result[-1][1], b))
            else:
                result.append((a, b))
        return result


def _instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time `wall` on `day` in `tz` (see the module docstring)."""
    local = datetime.combine(day, wall, tzinfo=tz)
    before = local.utcoffset()
    after = local.replace(fold=1).utcoffset()
    if before is not None and after is not None and before < after:
        # A gap: fold=0 lands after the jump, fold=1 before it. Find the jump itself.
        return _gap_transition(local.replace(fold=1).astimezone(UTC), local.astimezone(UTC), tz)
    return local.astimezone(UTC)


def _gap_transition(low: datetime, high: datetime, tz: ZoneInfo) -> datetime:
    """The instant in (low, high] where `tz`'s offset changes; low and high are UTC instants on
    either side of one transition. Bisection to the second (transitions fall on whole seconds)."""
    offset_low = low.astimezone(tz).utcoffset()
    lo, hi = 0, int((high - low).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(tz).utcoffset() == offset_low:
            lo = mid
        else:
            hi = mid
    return low + timedelta(seconds=hi)


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} lies outside the supported dates") from None


def _days_from(schedule: BusinessSchedule, instant: datetime) -> Iterator[date]:
    day = instant.astimezone(schedule.tz).date()
    while True:
        yield day
        day += timedelta(days=1)  # OverflowError at year 9999: the callers turn it into ValueError


def add_business_minutes(schedule: BusinessSchedule, start: datetime, minutes: int) -> datetime:
    """The instant at which `minutes` of working time starting at `start` are done.

    0 returns `start` unchanged; otherwise the result lies in working time, possibly at the
    exact end of an interval (work done at 12:00 when the morning ends at 12:00), so that
    add(add(t, a), b) == add(t, a + b). The result is in `start`'s tzinfo."""
    current = _require_aware(start, "start")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if minutes == 0:
        return start
    try:
        return _add(schedule, start, current, minutes)
    except OverflowError:
        raise ValueError("the deadline falls outside the supported dates") from None


def _add(schedule: BusinessSchedule, start: datetime, current: datetime, minutes: int) -> datetime:
    remaining = timedelta(minutes=minutes)
    idle_days = 0
    for day in _days_from(schedule, current):
        intervals = schedule.intervals_on(day)
        idle_days = 0 if intervals else idle_days + 1
        if idle_days > SEARCH_LIMIT_DAYS:
            raise ValueError("the schedule has no working time within three years")
        for a, b in intervals:
            if b <= current:
                continue
            available = b - max(a, current)
            if remaining <= available:
                return (max(a, current) + remaining).astimezone(start.tzinfo)
            remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def business_time_between(schedule: BusinessSchedule, a: datetime, b: datetime) -> timedelta:
    """The exact working time between instants `a` and `b`; negative when `b` is before `a`."""
    start = _require_aware(a, "a")
    end = _require_aware(b, "b")
    if end < start:
        return -business_time_between(schedule, b, a)
    try:
        return _between(schedule, start, end)
    except OverflowError:
        raise ValueError("the instants fall outside the supported dates") from None


def _between(schedule: BusinessSchedule, start: datetime, end: datetime) -> timedelta:
    total = _ZERO
    last_day = end.astimezone(schedule.tz).date()
    for day in _days_from(schedule, start):
        if day > last_day:
            break
        for lo, hi in schedule.intervals_on(day):
            overlap = min(hi, end) - max(lo, start)
            if overlap > _ZERO:
                total += overlap
    return total


def business_minutes_between(schedule: BusinessSchedule, a: datetime, b: datetime) -> int:
    """Whole working minutes between `a` and `b` (working seconds // 60); if `b` is before `a`,
    the negative of business_minutes_between(schedule, b, a)."""
    if _require_aware(b, "b") < _require_aware(a, "a"):
        return -business_minutes_between(schedule, b, a)
    return business_time_between(schedule, a, b) // _MINUTE
