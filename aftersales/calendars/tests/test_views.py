import datetime as dt

import pytest
from django.urls import reverse

from aftersales.calendars.models import BusinessCalendar, CalendarDay
from aftersales.calendars.tests.factories import CalendarDayFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"calendars:{name}", args=args)


def test_list_shows_readable_calendars_only(admin_web, calendars):
    response = admin_web.get(url("calendar_list"))
    assert response.status_code == 200
    names = {c.name for c in response.context["object_list"]}
    assert names == {"East hours", "HQ hours"}  # own and inherited from above; not foreign


def test_list_filters_and_sorts(admin_web, calendars):
    response = admin_web.get(url("calendar_list"), {"q": "east", "sort": "-name"})
    assert [c.name for c in response.context["object_list"]] == ["East hours"]
    response = admin_web.get(url("calendar_list"), {"sort": "-name"})
    assert [c.name for c in response.context["object_list"]] == ["HQ hours", "East hours"]
    partial = admin_web.get(url("calendar_list"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'id="table"' in partial.content


def test_list_requires_permission(client, calendars):
    response = client.get(url("calendar_list"))
    assert response.status_code == 302  # to the login page


def test_detail(admin_web, calendars):
    CalendarDayFactory(calendar=calendars.own, date=dt.date(2025, 10, 1), name="国庆节")
    response = admin_web.get(url("calendar_detail", calendars.own.pk), {"year": 2025})
    assert response.status_code == 200
    content = response.content.decode()
    assert "08:30–12:00" in content
    assert "国庆节" in content
    assert response.context["can_edit"] is True
    assert "style=" not in content
    assert "<script>" not in content


def test_detail_of_an_inherited_calendar_is_read_only(admin_web, calendars):
    response = admin_web.get(url("calendar_detail", calendars.above.pk))
    assert response.status_code == 200
    assert response.context["can_edit"] is False


def test_foreign_calendar_is_404(admin_web, calendars):
    assert admin_web.get(url("calendar_detail", calendars.foreign.pk)).status_code == 404


@pytest.mark.parametrize("which", ["above", "foreign"])
def test_writes_outside_scope_are_404(admin_web, calendars, which):
    calendar = getattr(calendars, which)
    day = CalendarDayFactory(calendar=calendar)
    assert admin_web.get(url("calendar_update", calendar.pk)).status_code == 404
    assert admin_web.get(url("calendar_hours", calendar.pk)).status_code == 404
    assert (
        admin_web.post(url("calendar_hours", calendar.pk), {"day_0": "09:00-10:00"}).status_code
        == 404
    )
    assert (
        admin_web.post(
            url("calendar_day_add", calendar.pk), {"date": "2025-05-01", "kind": "holiday"}
        ).status_code
        == 404
    )
    assert admin_web.get(url("calendar_day_delete", day.pk)).status_code == 404
    assert admin_web.post(url("calendar_day_delete", day.pk)).status_code == 404
    assert (
        admin_web.post(url("calendar_holidays_load", calendar.pk), {"year": 2025}).status_code
        == 404
    )
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_writes_need_the_change_permission(client, technician, calendars):
    client.force_login(technician)
    assert client.get(url("calendar_detail", calendars.own.pk)).status_code == 200
    assert client.get(url("calendar_hours", calendars.own.pk)).status_code == 403
    assert client.get(url("calendar_create")).status_code == 403


def test_edit_working_hours(admin_web, calendars):
    calendar = calendars.own
    page = admin_web.get(url("calendar_hours", calendar.pk))
    assert page.status_code == 200
    assert page.context["form"].initial["day_0"] == "08:30-12:00, 13:30-17:30"
    data = {f"day_{d}": "08:30-12:00, 13:30-17:30" for d in range(5)}
    data["day_0"] = "09:00-12:00;13:00-18:00"
    data["day_5"] = "10:00 - 14:00"
    response = admin_web.post(url("calendar_hours", calendar.pk), data)
    assert response.status_code == 302
    assert [(i.start, i.end) for i in calendar.intervals.filter(weekday=0)] == [
        (dt.time(9, 0), dt.time(12, 0)),
        (dt.time(13, 0), dt.time(18, 0)),
    ]
    assert [(i.start, i.end) for i in calendar.intervals.filter(weekday=5)] == [
        (dt.time(10, 0), dt.time(14, 0))
    ]
    assert not calendar.intervals.filter(weekday=6).exists()


def test_edit_working_hours_shows_field_errors(admin_web, calendars):
    calendar = calendars.own
    data = {"day_0": "09:00-12:00, 11:00-13:00", "day_1": "nine to five", "day_2": "18:00-09:00"}
    response = admin_web.post(url("calendar_hours", calendar.pk), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "overlap" in errors["day_0"][0]
    assert "is not a time range" in errors["day_1"][0]
    assert "must end after it starts" in errors["day_2"][0]
    assert calendar.intervals.filter(weekday=0).count() == 2  # unchanged
    htmx = admin_web.post(url("calendar_hours", calendar.pk), data, headers={"HX-Request": "true"})
    assert htmx.status_code == 422
    assert b'id="hours-form"' in htmx.content
    assert b"<html" not in htmx.content


def test_create_and_edit_calendar(admin_web, tree, calendars):
    response = admin_web.post(
        url("calendar_create"), {"name": "Outlet hours", "owner": tree.outlet.pk, "country": "cn"}
    )
    calendar = BusinessCalendar.objects.get(name="Outlet hours")
    assert response.status_code == 302
    assert response["Location"] == url("calendar_detail", calendar.pk)
    assert calendar.country == "CN"
    response = admin_web.post(
        url("calendar_update", calendar.pk),
        {"name": "Outlet", "owner": tree.outlet.pk, "country": "RU"},
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert (calendar.name, calendar.country) == ("Outlet", "RU")


def test_create_cannot_place_a_calendar_outside_scope(admin_web, tree):
    response = admin_web.post(
        url("calendar_create"), {"name": "Sneaky", "owner": tree.foreign.pk, "country": ""}
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not BusinessCalendar.objects.filter(name="Sneaky").exists()


def test_add_and_delete_a_day(admin_web, calendars):
    calendar = calendars.own
    response = admin_web.post(
        url("calendar_day_add", calendar.pk),
        {"date": "2025-05-05", "kind": "holiday", "name": "Bridge"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("calendar_detail", calendar.pk) + "?year=2025"
    day = CalendarDay.objects.get(calendar=calendar, date=dt.date(2025, 5, 5))
    # GET only shows the forms; nothing changes until a POST.
    assert admin_web.get(url("calendar_day_add", calendar.pk)).status_code == 200
    confirm = admin_web.get(url("calendar_day_delete", day.pk))
    assert confirm.status_code == 200
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    response = admin_web.post(url("calendar_day_delete", day.pk))
    assert response.status_code == 302
    assert response["Location"] == url("calendar_detail", calendar.pk) + "?year=2025"
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_add_day_with_invalid_input_shows_the_form(admin_web, calendars):
    response = admin_web.post(url("calendar_day_add", calendars.own.pk), {"date": "", "kind": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "kind"}


def test_load_public_holidays_for_a_year(admin_web, calendars):
    calendar = calendars.own
    response = admin_web.post(url("calendar_holidays_load", calendar.pk), {"year": 2025})
    assert response.status_code == 302
    assert response["Location"] == url("calendar_detail", calendar.pk) + "?year=2025"
    assert calendar.days.filter(date=dt.date(2025, 9, 28), kind="workday").exists()
    assert admin_web.get(url("calendar_holidays_load", calendar.pk)).status_code == 200


def test_load_public_holidays_errors_are_shown_on_the_form(admin_web, calendars):
    calendar = calendars.own
    response = admin_web.post(url("calendar_holidays_load", calendar.pk), {"year": 1800})
    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    calendar.country = ""
    calendar.save()
    response = admin_web.post(url("calendar_holidays_load", calendar.pk), {"year": 2025})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not calendar.days.exists()


def test_deadline_calculator(admin_web, calendars):
    query = {"start": "2025-09-19T16:00", "minutes": 120, "timezone": "Asia/Shanghai"}
    response = admin_web.get(url("calendar_deadline", calendars.above.pk), query)
    assert response.status_code == 200
    assert response.context["deadline"].isoformat() == "2025-09-22T09:00:00+08:00"
    assert "2025-09-22 09:00" in response.content.decode()
    partial = admin_web.get(
        url("calendar_deadline", calendars.above.pk), query, headers={"HX-Request": "true"}
    )
    assert b'id="deadline-result"' in partial.content
    assert b"<html" not in partial.content
    bad = admin_web.get(url("calendar_deadline", calendars.above.pk), {"start": "x", "minutes": -1})
    assert bad.status_code == 200
    assert bad.context["deadline"] is None
    assert {"start", "minutes", "timezone"} <= set(bad.context["deadline_form"].errors)
