import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.calendars import services
from aftersales.calendars.business_time import Interval
from aftersales.calendars.models import BusinessCalendar, CalendarDay, WorkingInterval
from aftersales.core.forms import StyledFormMixin
from aftersales.organisation.models import TIMEZONE_CHOICES, Unit

# Enough for any real service level (about eight years of 8-hour days) and far from the end of
# the calendar, where datetime arithmetic would overflow.
MAX_MINUTES = 1_000_000
# Years the pages and the API accept for starts and holiday loading: every real use, and far
# from datetime's limits (year 1 and 9999), where time-zone conversions overflow.
SUPPORTED_YEARS = range(1950, 2101)

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})$")


class CalendarForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "owner", "country"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A calendar belongs to a unit the user can see: never outside their subtree.
        self.fields["owner"].queryset = Unit.objects.visible_to(user)
        self.fields["country"].help_text = _(
            "Two-letter country code (CN, RU, …), used to load public holidays."
        )

    def clean_country(self) -> str:
        try:
            return services.validate_country(self.cleaned_data.get("country") or "")
        except ValidationError as error:
            raise ValidationError(error.message_dict["country"]) from error


def parse_intervals(text: str) -> list[Interval]:
    """ "08:30-12:00, 13:30-17:30" → [(08:30, 12:00), (13:30, 17:30)]; ValidationError with one
    message per part that is not a time range."""
    intervals: list[Interval] = []
    errors: list[str] = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        times = None
        if match:
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            try:
                times = (dt.time(h1, m1), dt.time(h2, m2))
            except ValueError:
                times = None
        if times is None:
            errors.append(
                str(_("“%(value)s” is not a time range like 08:30-12:00.") % {"value": part})
            )
        else:
            intervals.append(times)
    if errors:
        raise ValidationError(errors)
    return intervals


def format_intervals(intervals: list[WorkingInterval]) -> str:
    return ", ".join(f"{i.start:%H:%M}-{i.end:%H:%M}" for i in intervals)


def _day_field(weekday: WorkingInterval.Weekday) -> forms.CharField:
    return forms.CharField(
        label=weekday.label,
        required=False,
        max_length=500,
        help_text=_("For example 08:30-12:00, 13:30-17:30. Leave empty for a day off."),
    )


class WorkingWeekForm(StyledFormMixin, forms.Form):
    """One text field per weekday ("day_0" = Monday): "08:30-12:00, 13:30-17:30"; empty = off."""

    day_0 = _day_field(WorkingInterval.Weekday.MONDAY)
    day_1 = _day_field(WorkingInterval.Weekday.TUESDAY)
    day_2 = _day_field(WorkingInterval.Weekday.WEDNESDAY)
    day_3 = _day_field(WorkingInterval.Weekday.THURSDAY)
    day_4 = _day_field(WorkingInterval.Weekday.FRIDAY)
    day_5 = _day_field(WorkingInterval.Weekday.SATURDAY)
    day_6 = _day_field(WorkingInterval.Weekday.SUNDAY)

    def __init__(self, *args: Any, calendar: BusinessCalendar, **kwargs: Any) -> None:
        self.calendar = calendar
        current: dict[int, list[WorkingInterval]] = {}
        for interval in calendar.intervals.order_by("weekday", "start"):
            current.setdefault(interval.weekday, []).append(interval)
        kwargs["initial"] = {
            **{f"day_{day}": format_intervals(rows) for day, rows in current.items()},
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.week: dict[int, list[Interval]] = {}
        for value in WorkingInterval.Weekday.values:
            name = f"day_{value}"
            if name in self.errors:
                continue
            try:
                self.week[value] = services.validate_intervals(
                    parse_intervals(cleaned.get(name, ""))
                )
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


class CalendarDayForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class HolidayLoadForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=SUPPORTED_YEARS.start, max_value=SUPPORTED_YEARS.stop - 1
    )


def out_of_range_message() -> str:
    return _("Enter a date between %(first)d and %(last)d.") % {
        "first": SUPPORTED_YEARS.start,
        "last": SUPPORTED_YEARS.stop - 1,
    }


class _WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone: the form attaches the chosen one (the
    current time zone must not get a say, nor reject a wall time it happens to skip)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        with timezone.override(dt.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class DeadlineForm(StyledFormMixin, forms.Form):
    start = _WallClockDateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    minutes = forms.IntegerField(label=_("Working minutes"), min_value=0, max_value=MAX_MINUTES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, tz_name = cleaned.get("start"), cleaned.get("timezone")
        if start is not None and start.year not in SUPPORTED_YEARS:
            self.add_error("start", out_of_range_message())
        elif start is not None and tz_name:
            cleaned["start"] = start.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
        return cleaned
