"""The field API: plan a visit, arrive, depart; jobs with their clocks; engineers."""

import pytest
from rest_framework.test import APIClient

from aftersales.field_service.tests.factories import (
    make_dispatcher,
    make_engineer,
    make_visit,
    window,
)
from aftersales.work_orders.tests.factories import make_field_order

pytestmark = pytest.mark.django_db


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_dispatcher_plans_and_the_engineer_arrives_and_departs(network):
    dispatcher = make_dispatcher(network.outlet_a)
    engineer = make_engineer(network.outlet_a)
    order = make_field_order(network.outlet_a)
    start, end = window()
    response = api(dispatcher).post(
        "/api/v1/field/visits/",
        {
            "work_order": order.pk,
            "engineer": engineer.pk,
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "agreed": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    listed = api(dispatcher).get(f"/api/v1/field/visits/?engineer={engineer.pk}").json()
    assert [v["id"] for v in listed["results"]] == [visit_id]
    job = api(dispatcher).get(f"/api/v1/field/jobs/?unit={network.outlet_a.pk}").json()
    assert job["results"][0]["contact_state"] == "met"

    as_engineer = api(engineer.user)
    assert (
        as_engineer.post(f"/api/v1/field/visits/{visit_id}/arrive/").json()["status"] == "on_site"
    )
    again = as_engineer.post(f"/api/v1/field/visits/{visit_id}/arrive/")
    assert again.status_code == 400
    left = as_engineer.post(
        f"/api/v1/field/visits/{visit_id}/depart/", {"outcome": "revisit"}, format="json"
    )
    assert left.json()["outcome"] == "revisit"


def test_a_window_ending_before_it_starts_is_a_400(network):
    dispatcher = make_dispatcher(network.outlet_a)
    engineer = make_engineer(network.outlet_a)
    order = make_field_order(network.outlet_a)
    start, end = window()
    response = api(dispatcher).post(
        "/api/v1/field/visits/",
        {
            "work_order": order.pk,
            "engineer": engineer.pk,
            "window_start": end.isoformat(),
            "window_end": start.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400


def test_the_engineer_list_and_the_contact(network):
    visit = make_visit(network.outlet_a)
    engineer = visit.engineer
    listed = api(engineer.user).get("/api/v1/field/engineers/").json()
    assert engineer.pk in [e["id"] for e in listed["results"]]
    job = visit.work_order.field_job
    answer = api(engineer.user).post(f"/api/v1/field/jobs/{job.pk}/contact/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["contacted_at"]
