import datetime as dt

import pytest
from django.urls import reverse

from aftersales.accounts.services import api_token_create
from aftersales.calendars.tests.factories import CalendarDayFactory

pytestmark = pytest.mark.django_db


def deadline_url(unit) -> str:  # type: ignore[no-untyped-def]
    return reverse("api:unit_deadline", args=[unit.pk])


@pytest.fixture
def api(client, administrator):  # type: ignore[no-untyped-def]
    _token, key = api_token_create(user=administrator, name="tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.fixture
def east_calendar(tree, calendars):  # type: ignore[no-untyped-def]
    tree.region.calendar = calendars.own
    tree.region.save()
    return calendars.own


def test_deadline_for_a_unit(api, tree, east_calendar):
    response = api.post(
        deadline_url(tree.outlet),
        {"start": "2025-09-19T16:00:00+08:00", "minutes": 120},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "deadline": "2025-09-22T09:00:00+08:00",
        "timezone": "Asia/Shanghai",  # inherited from HQ
        "calendar": east_calendar.pk,  # inherited from the region
    }


def test_deadline_without_offset_is_read_in_the_units_zone(api, tree, east_calendar):
    response = api.post(
        deadline_url(tree.outlet),
        {"start": "2025-09-22T11:30:00", "minutes": 60},
        content_type="application/json",
    )
    assert response.json()["deadline"] == "2025-09-22T14:00:00+08:00"


def test_deadline_with_another_offset(api, tree, east_calendar):
    # 01:00 UTC is 09:00 in Shanghai.
    response = api.post(
        deadline_url(tree.outlet),
        {"start": "2025-09-22T01:00:00Z", "minutes": 30},
        content_type="application/json",
    )
    assert response.json()["deadline"] == "2025-09-22T09:30:00+08:00"


def test_deadline_without_any_calendar_uses_the_default_week(api, tree):
    response = api.post(
        deadline_url(tree.outlet),
        {"start": "2025-09-19T17:00:00+08:00", "minutes": 120},
        content_type="application/json",
    )
    assert response.json() == {
        "deadline": "2025-09-22T10:00:00+08:00",
        "timezone": "Asia/Shanghai",
        "calendar": None,
    }


def test_deadline_for_a_foreign_unit_is_404(api, tree):
    response = api.post(
        deadline_url(tree.foreign),
        {"start": "2025-09-19T16:00:00+08:00", "minutes": 120},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "not a date", "minutes": 10}, "start"),
        ({"start": "2025-09-19T16:00:00+08:00", "minutes": -5}, "minutes"),
        ({"start": "2025-09-19T16:00:00+08:00", "minutes": "ten"}, "minutes"),
        ({"minutes": 10}, "start"),
    ],
)
def test_deadline_bad_input_is_400(api, tree, body, field):
    response = api.post(deadline_url(tree.outlet), body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_deadline_needs_authentication(client, tree):
    response = client.post(deadline_url(tree.outlet), {}, content_type="application/json")
    assert response.status_code == 401


def test_calendar_list_and_retrieve(api, calendars):
    CalendarDayFactory(calendar=calendars.own, date=dt.date(2025, 10, 1), name="国庆节")
    CalendarDayFactory(calendar=calendars.own, date=dt.date(2024, 10, 1), name="国庆节")
    response = api.get(reverse("api:calendar-list"), {"year": 2025})
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert {row["name"] for row in rows} == {"East hours", "HQ hours"}
    own = api.get(reverse("api:calendar-detail", args=[calendars.own.pk]), {"year": 2025}).json()
    assert own["days"] == [{"date": "2025-10-01", "kind": "holiday", "name": "国庆节"}]
    assert own["intervals"][0] == {"weekday": 0, "start": "08:30", "end": "12:00"}
    assert len(own["intervals"]) == 10
    assert api.get(reverse("api:calendar-detail", args=[calendars.foreign.pk])).status_code == 404
    assert api.get(reverse("api:calendar-list"), {"year": "soon"}).status_code == 400


def test_calendars_are_read_only(api, calendars):
    response = api.post(
        reverse("api:calendar-list"), {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 405


def test_deadline_start_outside_the_supported_years_is_400(api, tree):
    response = api.post(
        deadline_url(tree.outlet),
        {"start": "9999-12-31T23:00:00-05:00", "minutes": 1000},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "start" in response.json()["error"]["fields"]


def test_openapi_schema_lists_the_calendar_endpoints(api):
    response = api.get(reverse("api:schema"))
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/units/{id}/deadline/" in paths
    assert "/api/v1/calendars/{id}/" in paths
