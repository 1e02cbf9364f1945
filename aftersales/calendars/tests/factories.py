"""Factories for calendar tests. Units go through the organisation service (treebeard needs
add_root/add_child), so UnitFactory is a plain Factory with a custom _create.

The scoped factories at the bottom tell the access matrix (aftersales.core.testing) how to make
a calendar, or a calendar day, that belongs to a given unit."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
from aftersales.core.testing import scoped_factory
from aftersales.organisation.models import Unit
from aftersales.organisation.services import unit_create

MORNING_AND_AFTERNOON = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]


class UnitFactory(factory.Factory):
    class Meta:
        model = Unit

    parent = None
    name = factory.Sequence(lambda n: f"Unit {n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = factory.LazyAttribute(lambda o: "hq" if o.parent is None else "outlet")
    timezone = ""

    @classmethod
    def _create(cls, model_class, parent=None, **kwargs):  # type: ignore[no-untyped-def]
        return unit_create(parent=parent, **kwargs)


class BusinessCalendarFactory(DjangoModelFactory):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    owner = factory.SubFactory(UnitFactory, timezone="Asia/Shanghai")
    country = "CN"


class WorkingIntervalFactory(DjangoModelFactory):
    class Meta:
        model = WorkingInterval

    calendar = factory.SubFactory(BusinessCalendarFactory)
    weekday = 0
    start = dt.time(9, 0)
    end = dt.time(18, 0)


class CalendarDayFactory(DjangoModelFactory):
    class Meta:
        model = CalendarDay

    calendar = factory.SubFactory(BusinessCalendarFactory)
    date = dt.date(2025, 10, 1)
    kind = CalendarDay.Kind.HOLIDAY
    name = ""


def give_week(
    calendar: BusinessCalendar,
    intervals: list[tuple[dt.time, dt.time]] = MORNING_AND_AFTERNOON,
    weekdays: range = range(5),
) -> BusinessCalendar:
    for weekday in weekdays:
        for start, end in intervals:
            WorkingIntervalFactory(calendar=calendar, weekday=weekday, start=start, end=end)
    return calendar


@scoped_factory(BusinessCalendar)
def calendar_in(unit: Unit) -> BusinessCalendar:
    return give_week(BusinessCalendarFactory(owner=unit))


@scoped_factory(CalendarDay)
def calendar_day_in(unit: Unit) -> CalendarDay:
    return CalendarDayFactory(calendar=BusinessCalendarFactory(owner=unit))
