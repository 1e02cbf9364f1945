"""One national business calendar owned by HQ (and so inherited by every unit): Monday to
Friday 09:00–12:00 and 13:00–18:00, China's public holidays and make-up working days."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from bench.generators import GenContext, generator

WEEKLY: dict[int, tuple[tuple[time, time], ...]] = {
    weekday: ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0))) for weekday in range(5)
}
YEARS = (2025, 2026, 2027, 2028)


def china_days(years: tuple[int, ...] = YEARS) -> dict[date, tuple[str, str]]:
    """date → (kind, name): public holidays and make-up working days from `holidays`."""
    import holidays

    table = holidays.country_holidays("CN", years=list(years), language="zh_CN")
    days: dict[date, tuple[str, str]] = {
        day: ("holiday", str(name)) for day, name in table.items() if day.year in years
    }
    for day in getattr(table, "weekend_workdays", ()) or ():
        if day.year in years and day not in days:
            days[day] = ("workday", "")
    return days


@generator("calendars", after=("units",), version="1")
def calendars(ctx: GenContext) -> dict[str, int]:
    """calendars_businesscalendar, _workinginterval, _calendarday; set on the HQ unit."""
    from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval

    hq = ctx.shared["units_by_code"]["hq"]
    written: dict[str, int] = {}
    written["calendars_businesscalendar"] = ctx.loader.load(
        BusinessCalendar,
        ["id", "name", "owner_id", "country"],
        [(1, "全国 · National", hq.id, "CN")],
    )
    intervals: list[tuple[Any, ...]] = [
        (1, weekday, start, end) for weekday, spans in WEEKLY.items() for start, end in spans
    ]
    written["calendars_workinginterval"] = ctx.loader.load(
        WorkingInterval, ["calendar_id", "weekday", "start", "end"], intervals
    )
    days = [(1, day, kind, name) for day, (kind, name) in sorted(china_days().items())]
    written["calendars_calendarday"] = ctx.loader.load(
        CalendarDay, ["calendar_id", "date", "kind", "name"], days
    )
    ctx.loader.execute("UPDATE organisation_unit SET calendar_id = %s WHERE id = %s", [1, hq.id])
    return written
