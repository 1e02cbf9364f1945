import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from aftersales.calendars import selectors, services
from aftersales.calendars.business_time import add_business_minutes
from aftersales.calendars.filters import CalendarFilter
from aftersales.calendars.forms import (
    SUPPORTED_YEARS,
    CalendarDayForm,
    CalendarForm,
    DeadlineForm,
    HolidayLoadForm,
    WorkingWeekForm,
)
from aftersales.calendars.models import BusinessCalendar, CalendarDay
from aftersales.core.history import history_of
from aftersales.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    PositionPermissionMixin,
    htmx_partial,
)

VIEW = "calendars.view_businesscalendar"
CHANGE = "calendars.change_businesscalendar"
ADD = "calendars.add_businesscalendar"


def _detail_url(calendar: BusinessCalendar, year: int | None = None) -> str:
    url = reverse("calendars:calendar_detail", args=[calendar.pk])
    return f"{url}?year={year}" if year else url


class EditableCalendarMixin:
    """Writes reach only calendars owned inside the user's subtree; any other calendar is 404,
    even one the user may read (a calendar inherited from a unit above)."""

    request: HttpRequest

    def get_queryset(self) -> models.QuerySet[BusinessCalendar]:
        return BusinessCalendar.objects.editable_by(self.request.user)


class ServiceErrorsMixin:
    """A ValidationError from the service becomes form errors (keys the form lacks, or that
    `service_error_fields` does not map, become non-field errors) instead of a server error."""

    service_error_fields: dict[str, str] = {}

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        try:
            return super().form_valid(form)  # type: ignore[misc]
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.error_dict.items():
                    field = self.service_error_fields.get(key, key)
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)  # type: ignore[attr-defined]


class CalendarListView(ObjectListView):
    model = BusinessCalendar
    permission_required = VIEW
    filterset_class = CalendarFilter
    template_name = "calendars/calendar_list.html"
    sortable = {"name": "name", "owner": "owner__name", "country": "country"}
    default_sort = "name"
    columns = [
        ("name", gettext_lazy("Name")),
        ("owner", gettext_lazy("Owner unit")),
        ("country", gettext_lazy("Country")),
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("owner")


class CalendarDetailView(ObjectDetailView):
    model = BusinessCalendar
    permission_required = VIEW
    template_name = "calendars/calendar_detail.html"

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().select_related("owner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        calendar = self.object
        user = self.request.user
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
        if year not in SUPPORTED_YEARS:
            year = timezone.localdate().year
        tz_name = calendar.owner.effective_timezone()
        can_edit = (
            user.has_perm(CHANGE)
            and BusinessCalendar.objects.editable_by(user).filter(pk=calendar.pk).exists()
        )
        local_now = timezone.localtime(timezone.now(), timezone=zoneinfo.ZoneInfo(tz_name))
        context.update(
            {
                "weekly": selectors.weekly_intervals(calendar),
                "year": year,
                "previous_year": year - 1 if year - 1 in SUPPORTED_YEARS else None,
                "next_year": year + 1 if year + 1 in SUPPORTED_YEARS else None,
                "days": selectors.calendar_days_of_year(calendar, year),
                "units": selectors.units_using_calendar(calendar, user),
                "history": history_of(calendar),
                "can_edit": can_edit,
                "timezone_of_owner": tz_name,
                "deadline_form": DeadlineForm(
                    initial={
                        "start": local_now.replace(second=0, microsecond=0, tzinfo=None),
                        "minutes": 480,
                        "timezone": tz_name,
                    }
                ),
            }
        )
        if can_edit:
            context["day_form"] = CalendarDayForm(initial={"date": f"{year}-01-01"})
            context["holiday_form"] = HolidayLoadForm(initial={"year": year})
        return context


class CalendarCreateView(ServiceErrorsMixin, ObjectCreateView):
    model = BusinessCalendar
    form_class = CalendarForm
    permission_required = ADD
    template_name = "calendars/calendar_form.html"
    success_message = gettext_lazy("Calendar saved.")

    form_takes_user = True

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.calendar_create(**form.cleaned_data)

    def get_success_url(self) -> str:
        return _detail_url(self.object)


class CalendarUpdateView(ServiceErrorsMixin, EditableCalendarMixin, ObjectUpdateView):
    model = BusinessCalendar
    form_class = CalendarForm
    permission_required = CHANGE
    template_name = "calendars/calendar_form.html"
    success_message = gettext_lazy("Calendar saved.")

    form_takes_user = True

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.calendar_update(calendar=self.object, **form.cleaned_data)

    def get_success_url(self) -> str:
        return _detail_url(self.object)


class CalendarHoursUpdateView(ServiceErrorsMixin, EditableCalendarMixin, ObjectUpdateView):
    """The weekly working hours: one text field per weekday."""

    model = BusinessCalendar
    form_class = WorkingWeekForm
    permission_required = CHANGE
    template_name = "calendars/calendar_hours_form.html"
    success_message = gettext_lazy("Working hours saved.")
    service_error_fields = {str(day): f"day_{day}" for day in range(7)}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "calendar": self.object}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        return services.working_week_set(calendar=self.object, week=form.week)

    def get_success_url(self) -> str:
        return _detail_url(self.object)


class CalendarDayAddView(ServiceErrorsMixin, EditableCalendarMixin, ObjectUpdateView):
    """Mark a date as a holiday or a make-up working day. The detail page posts here; GET shows
    the same form on a page of its own (for a direct link, and so no GET ever writes)."""

    model = BusinessCalendar
    form_class = CalendarDayForm
    permission_required = CHANGE
    template_name = "calendars/calendar_day_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # the form makes a CalendarDay, not the calendar
        return kwargs

    def save_form(self, form):  # type: ignore[no-untyped-def]
        self.day = services.calendar_day_set(calendar=self.object, **form.cleaned_data)
        return self.object

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        if getattr(self, "day", None) is not None:
            messages.success(
                self.request,
                _("%(date)s saved as %(kind)s.")
                % {"date": self.day.date.isoformat(), "kind": self.day.get_kind_display()},
            )
        return response

    def get_success_url(self) -> str:
        return _detail_url(self.object, self.day.date.year)


class CalendarHolidaysLoadView(ServiceErrorsMixin, EditableCalendarMixin, ObjectUpdateView):
    """Load one year's public holidays and make-up working days for the calendar's country.
    The detail page posts here; GET shows the form on a page of its own."""

    model = BusinessCalendar
    form_class = HolidayLoadForm
    permission_required = CHANGE
    template_name = "calendars/calendar_holidays_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"year": timezone.localdate().year}

    def save_form(self, form):  # type: ignore[no-untyped-def]
        self.year = form.cleaned_data["year"]
        self.count = services.load_public_holidays(calendar=self.object, years=[self.year])
        return self.object

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        if getattr(self, "count", None) is not None:
            messages.success(
                self.request,
                _("Public holidays of %(year)s loaded: %(count)d days added or changed.")
                % {"year": self.year, "count": self.count},
            )
        return response

    def get_success_url(self) -> str:
        return _detail_url(self.object, self.year)


class CalendarDayDeleteView(PositionPermissionMixin, generic.DeleteView):
    """GET asks for confirmation; POST removes the day, which then follows the weekly pattern
    again. Only days of calendars the user may edit (others: 404)."""

    model = CalendarDay
    permission_required = CHANGE
    template_name = "calendars/calendar_day_confirm_delete.html"

    def get_queryset(self) -> models.QuerySet[CalendarDay]:
        return selectors.days_editable_by(self.request.user)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        day = self.object
        services.calendar_day_delete(day=day)
        messages.success(self.request, _("%(date)s removed.") % {"date": day.date.isoformat()})
        return redirect(_detail_url(day.calendar, day.date.year))


class CalendarDeadlineView(ObjectDetailView):
    """The deadline calculator: start + working minutes → when they are done (GET; for HTMX
    only the result fragment)."""

    model = BusinessCalendar
    permission_required = VIEW
    template_name = "calendars/calendar_deadline.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DeadlineForm(self.request.GET or None)
        deadline = None
        if form.is_valid():
            tz_name = form.cleaned_data["timezone"]
            schedule = selectors.schedule_for_calendar(self.object, tz_name)
            try:
                deadline = add_business_minutes(
                    schedule, form.cleaned_data["start"], form.cleaned_data["minutes"]
                ).astimezone(schedule.tz)
            except ValueError:
                form.add_error(None, _("The calendar has no working time to count."))
        context.update({"deadline_form": form, "deadline": deadline})
        return context

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{name}#result" for name in names]
        return names
