"""Reads of business calendars: the schedule that applies to a calendar or a unit, deadlines."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from aftersales.calendars.business_time import BusinessSchedule, Interval, add_business_minutes
from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
from aftersales.core import configuration
from aftersales.core.scoping import ancestor_paths
from aftersales.organisation.models import Unit

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from aftersales.accounts.models import User

# Used when neither a unit nor any of its ancestors has a calendar.
DEFAULT_WEEKLY: dict[int, tuple[Interval, ...]] = {
    weekday: ((time(9, 0), time(18, 0)),) for weekday in range(5)
}


def default_schedule(tz_name: str) -> BusinessSchedule:
    """Monday to Friday, 09:00–18:00, no holidays."""
    return BusinessSchedule(DEFAULT_WEEKLY, frozenset(), frozenset(), ZoneInfo(tz_name))


def schedule_for_calendar(calendar: BusinessCalendar | int, tz_name: str) -> BusinessSchedule:
    """The schedule of `calendar` (an instance or an id) read in time zone `tz_name`.
    Two queries: the intervals and the exceptional days (all years; a few dozen a year)."""
    calendar_id = calendar.pk if isinstance(calendar, BusinessCalendar) else calendar
    weekly: dict[int, list[Interval]] = defaultdict(list)
    rows = WorkingInterval.objects.filter(calendar_id=calendar_id).values_list(
        "weekday", "start", "end"
    )
    for weekday, start, end in rows:
        weekly[weekday].append((start, end))
    holidays: set[date] = set()
    workdays: set[date] = set()
    days = CalendarDay.objects.filter(calendar_id=calendar_id).values_list("date", "kind")
    for day, kind in days:
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(day)
    return BusinessSchedule(
        {weekday: tuple(intervals) for weekday, intervals in weekly.items()},
        frozenset(holidays),
        frozenset(workdays),
        ZoneInfo(tz_name),
    )


# The lineage of a unit with, for each unit that has a calendar, the calendar's working
# intervals ("weekday start end;…") and exceptional days ("date kind;…") as text.
_LINEAGE_WITH_CALENDARS = """
SELECT u.timezone, u.calendar_id,
    (SELECT {agg}(CAST(i.weekday AS TEXT) || ' ' || CAST(i."start" AS TEXT) || ' '
                  || CAST(i."end" AS TEXT), ';')
     FROM {intervals} i WHERE i.calendar_id = u.calendar_id),
    (SELECT {agg}(CAST(d.date AS TEXT) || ' ' || d.kind, ';')
     FROM {days} d WHERE d.calendar_id = u.calendar_id)
FROM {units} u
WHERE u.path IN ({paths})
ORDER BY u.depth DESC
"""


def schedule_for_unit(unit: Unit) -> BusinessSchedule:
    """The schedule a unit works by: its own or its nearest ancestor's calendar, in its own or
    its nearest ancestor's time zone; without any calendar up the tree, DEFAULT_WEEKLY.

    One query, written out (every deadline of every request asks, and the ORM took longer to
    build the statement than the database to answer it): the unit's lineage, each unit that
    has a calendar bringing that calendar's intervals and exceptional days as text — what
    `unit.effective_settings()` and `schedule_for_calendar` read in three queries — and kept
    with the configuration (units and calendars are watched), so mostly no query at all."""
    return configuration.cached(("schedule", unit.path), lambda: _read_schedule(unit.path))


def _read_schedule(path: str) -> BusinessSchedule:
    paths = ancestor_paths(path)
    sql = _LINEAGE_WITH_CALENDARS.format(
        agg="string_agg" if connection.vendor == "postgresql" else "group_concat",
        intervals=WorkingInterval._meta.db_table,
        days=CalendarDay._meta.db_table,
        units=Unit._meta.db_table,
        paths=", ".join(["%s"] * len(paths)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, paths)
        lineage = cursor.fetchall()
    zone, calendar = "", None
    for unit_zone, calendar_id, interval_text, day_text in lineage:
        zone = zone or unit_zone
        if calendar is None and calendar_id is not None:
            calendar = (interval_text or "", day_text or "")
    tz_name = zone or settings.TIME_ZONE
    if calendar is None:
        return default_schedule(tz_name)
    weekly: dict[int, list[Interval]] = defaultdict(list)
    for item in filter(None, calendar[0].split(";")):
        weekday, start, end = item.split(" ")
        weekly[int(weekday)].append((time.fromisoformat(start), time.fromisoformat(end)))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for item in filter(None, calendar[1].split(";")):
        day, kind = item.split(" ")
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays).add(date.fromisoformat(day))
    return BusinessSchedule(
        {weekday: tuple(spans) for weekday, spans in weekly.items()},
        frozenset(holidays),
        frozenset(workdays),
        ZoneInfo(tz_name),
    )


def deadline_for_unit(unit: Unit, start: datetime, minutes: int) -> datetime:
    """`minutes` of the unit's working time after `start` (aware), in the unit's time zone."""
    schedule = schedule_for_unit(unit)
    return add_business_minutes(schedule, start, minutes).astimezone(schedule.tz)


def units_using_calendar(calendar: BusinessCalendar, user: User) -> QuerySet[Unit]:
    """Units visible to `user` that have `calendar` set on them directly (the units below them
    inherit it unless they set their own)."""
    return Unit.objects.visible_to(user).filter(calendar=calendar).order_by("path")


def days_editable_by(user: User) -> QuerySet[CalendarDay]:
    """Exceptional days of the calendars `user` may edit (owned inside their subtree)."""
    return CalendarDay.objects.filter(
        calendar__in=BusinessCalendar.objects.editable_by(user)
    ).select_related("calendar")


def calendar_days_of_year(calendar: BusinessCalendar, year: int) -> list[CalendarDay]:
    return list(calendar.days.filter(date__year=year).order_by("date"))


def weekly_intervals(calendar: BusinessCalendar) -> list[tuple[int, str, list[WorkingInterval]]]:
    """(weekday, its name, its intervals) for every weekday, Monday first; one query."""
    by_day: dict[int, list[WorkingInterval]] = defaultdict(list)
    for interval in calendar.intervals.order_by("weekday", "start"):
        by_day[interval.weekday].append(interval)
    return [(value, label, by_day[value]) for value, label in WorkingInterval.Weekday.choices]
