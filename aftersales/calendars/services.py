"""Writes to business calendars: the calendar itself, its weekly hours, its exceptional days,
and public holidays loaded from the `holidays` package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.calendars.business_time import Interval
from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
from aftersales.organisation.models import Unit


def _hm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def supported_countries() -> set[str]:
    """Two-letter codes of the countries the `holidays` package knows."""
    return {code for code in holidays_lib.list_supported_countries() if len(code) == 2}


def validate_country(country: str) -> str:
    country = country.strip().upper()
    if country and country not in supported_countries():
        raise ValidationError(
            {
                "country": _("No public holidays are known for country code “%(code)s”.")
                % {"code": country}
            }
        )
    return country


@transaction.atomic
def calendar_create(*, owner: Unit, name: str, country: str = "") -> BusinessCalendar:
    calendar = BusinessCalendar(owner=owner, name=name, country=validate_country(country))
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def calendar_update(*, calendar: BusinessCalendar, **fields: Any) -> BusinessCalendar:
    if "country" in fields:
        fields["country"] = validate_country(fields["country"] or "")
    for name, value in fields.items():
        setattr(calendar, name, value)
    calendar.full_clean()
    calendar.save()
    return calendar


def validate_intervals(intervals: Sequence[Interval]) -> list[Interval]:
    """The intervals sorted by start; ValidationError (a list of messages) if one does not end
    after it starts or two overlap. Touching intervals (12:00–13:00, 13:00–14:00) are fine."""
    ordered = sorted(intervals)
    errors = [
        _("The interval %(start)s–%(end)s must end after it starts.")
        % {"start": _hm(start), "end": _hm(end)}
        for start, end in ordered
        if not end > start
    ]
    for (s1, e1), (s2, e2) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1 and e1 > s1 and e2 > s2:
            errors.append(
                _("The intervals %(first)s and %(second)s overlap.")
                % {"first": f"{_hm(s1)}–{_hm(e1)}", "second": f"{_hm(s2)}–{_hm(e2)}"}
            )
    if errors:
        raise ValidationError(errors)
    return ordered


def _set_weekday(calendar: BusinessCalendar, weekday: int, intervals: list[Interval]) -> None:
    # Touch only what changed, so the change history shows real changes, not a rewrite.
    existing = {(i.start, i.end): i for i in calendar.intervals.filter(weekday=weekday)}
    wanted = set(intervals)
    for key, interval in existing.items():
        if key not in wanted:
            interval.delete()
    for start, end in intervals:
        if (start, end) not in existing:
            WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start=start, end=end)


@transaction.atomic
def weekday_intervals_set(
    *, calendar: BusinessCalendar, weekday: int, intervals: Sequence[Interval]
) -> list[WorkingInterval]:
    """Replace the working intervals of one weekday (0 = Monday); an empty list makes it a day
    off. ValidationError if an interval is empty or reversed, or two overlap."""
    if weekday not in WorkingInterval.Weekday.values:
        raise ValidationError({"weekday": _("Choose a day of the week.")})
    try:
        ordered = validate_intervals(intervals)
    except ValidationError as error:
        raise ValidationError({"intervals": error.messages}) from error
    _set_weekday(calendar, weekday, ordered)
    return list(calendar.intervals.filter(weekday=weekday).order_by("start"))


@transaction.atomic
def working_week_set(
    *, calendar: BusinessCalendar, week: Mapping[int, Sequence[Interval]]
) -> BusinessCalendar:
    """Replace the intervals of the weekdays in `week` (weekdays left out stay as they are).
    All or nothing: ValidationError keyed by weekday number (as a string) if any is invalid."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, list[Interval]] = {}
    for weekday, intervals in week.items():
        if weekday not in WorkingInterval.Weekday.values:
            errors[str(weekday)] = [_("Choose a day of the week.")]
            continue
        try:
            cleaned[weekday] = validate_intervals(intervals)
        except ValidationError as error:
            errors[str(weekday)] = error.messages
    if errors:
        raise ValidationError(errors)
    for weekday, intervals in cleaned.items():
        _set_weekday(calendar, weekday, intervals)
    return calendar


@transaction.atomic
def calendar_day_set(
    *, calendar: BusinessCalendar, date: dt.date, kind: str, name: str = ""
) -> CalendarDay:
    """Mark `date` as a holiday or a make-up working day (replacing what the date was)."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": _("Choose a holiday or a make-up working day.")})
    day, _created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "name": name}
    )
    return day


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay) -> None:
    """The date follows the weekly pattern again."""
    day.delete()


def _public_days(country: str, years: list[int]) -> dict[dt.date, tuple[str, str]]:
    try:
        probe = holidays_lib.country_holidays(country)
    except NotImplementedError as error:
        raise ValidationError(
            {
                "country": _("No public holidays are known for country code “%(code)s”.")
                % {"code": country}
            }
        ) from error
    # Names in the country's own language (China: zh_CN, Russia: ru), never the server's
    # locale, which the package would otherwise guess from the environment.
    table = holidays_lib.country_holidays(country, years=years, language=probe.default_language)
    wanted = set(years)
    days: dict[dt.date, tuple[str, str]] = {}
    for day, name in sorted(table.items()):
        if day.year in wanted:
            days[day] = (CalendarDay.Kind.HOLIDAY, name)
    # Make-up working days (China's 调休): the package keeps them as a set of dates, some of
    # them from other years, and gives them no names; the kind says what they are.
    for day in sorted(getattr(table, "weekend_workdays", ()) or ()):
        if day.year in wanted and day not in days:
            days[day] = (CalendarDay.Kind.WORKDAY, "")
    return days


@transaction.atomic
def load_public_holidays(
    *, calendar: BusinessCalendar, years: Iterable[int], country: str | None = None
) -> int:
    """Write the public holidays and make-up working days of `years` into `calendar`, for
    `country` (default: the calendar's). Idempotent: one row per (calendar, date), created or
    updated; rows already as the package says are left alone so the history shows only real
    changes. Returns the number of rows created or changed."""
    code = (country or calendar.country or "").strip().upper()
    if not code:
        raise ValidationError({"country": _("Set the calendar's country to load its holidays.")})
    year_list = sorted({int(year) for year in years})
    if not year_list:
        return 0
    public = _public_days(code, year_list)
    existing = {
        day.date: day
        for day in CalendarDay.objects.filter(calendar=calendar, date__year__in=year_list)
    }
    written = 0
    for day, (kind, name) in public.items():
        current = existing.get(day)
        if current is not None and current.kind == kind and current.name == name:
            continue
        CalendarDay.objects.update_or_create(
            calendar=calendar, date=day, defaults={"kind": kind, "name": name[:200]}
        )
        written += 1
    return written
