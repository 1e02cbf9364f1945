"""The API's shared behaviour: errors, pagination, scoping of link targets, privileged fields."""

from rest_framework.test import APIClient

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.models import Unit


def _as(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_openapi_description_is_public_json(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/units/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_works_without_a_cdn(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page and "cdn." not in page and "jsdelivr" not in page


def test_lists_are_paginated_and_scoped(network):
    centre_admin = make_user("administrator", network.centre)
    body = _as(centre_admin).get("/api/v1/units/", {"page_size": 2}).json()
    assert body["count"] == 3  # the centre and its two outlets
    assert len(body["results"]) == 2 and body["next"]
    assert {u["code"] for u in body["results"]} <= {
        network.centre.code,
        network.outlet_a.code,
        network.outlet_b.code,
    }


def test_list_query_count_is_flat(network, django_assert_max_num_queries):
    admin = make_user("administrator", network.hq)
    for _ in range(5):
        from aftersales.organisation.tests.factories import make_unit

        make_unit(network.centre)
    with django_assert_max_num_queries(8):
        assert _as(admin).get("/api/v1/units/").status_code == 200


def test_validation_errors_name_the_fields_in_the_callers_language(network):
    admin = make_user("administrator", network.hq, preferred_language="ru")
    api = _as(admin)
    response = api.post(
        "/api/v1/units/", {"kind": "outlet"}, format="json", headers={"accept-language": "ru"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "name" in error["fields"]
    assert "Обязательное поле" in error["fields"]["name"][0]
    assert Unit.objects.count() == 5


def test_a_foreign_unit_as_link_target_is_refused_and_nothing_changes(network):
    admin = make_user("administrator", network.outlet_a)
    response = _as(admin).post(
        "/api/v1/units/",
        {"name": "Sneaky", "code": "sneaky", "kind": "outlet", "parent": network.outlet_b.pk},
        format="json",
    )
    assert response.status_code == 400 and "parent" in response.json()["error"]["fields"]
    assert not Unit.objects.filter(code="sneaky").exists()


def test_a_user_cannot_be_placed_in_a_foreign_unit(network):
    admin = make_user("administrator", network.outlet_a)
    victim = make_user("technician", network.outlet_a)
    response = _as(admin).patch(
        f"/api/v1/users/{victim.pk}/", {"unit": network.outlet_b.pk}, format="json"
    )
    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.unit == network.outlet_a


def test_privileged_fields_in_a_payload_are_never_stored(network):
    admin = make_user("administrator", network.outlet_a)
    response = _as(admin).post(
        "/api/v1/users/",
        {
            "username": "new.tech",
            "unit": network.outlet_a.pk,
            "position": admin.position_id,
            "is_superuser": True,
            "is_staff": True,
            "password": "long-enough-passphrase-7",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = User.objects.get(username="new.tech")
    assert not created.is_superuser and not created.is_staff
    assert created.check_password("long-enough-passphrase-7")


def test_a_weak_password_is_refused(network):
    admin = make_user("administrator", network.outlet_a, preferred_language="en")
    response = _as(admin).post(
        "/api/v1/users/",
        {
            "username": "weak",
            "unit": network.outlet_a.pk,
            "position": admin.position_id,
            "password": "123",
        },
        format="json",
    )
    assert response.status_code == 400 and "password" in response.json()["error"]["fields"]
    assert not User.objects.filter(username="weak").exists()


def test_a_record_outside_scope_is_404_like_a_missing_one(network):
    admin = make_user("administrator", network.outlet_a)
    api = _as(admin)
    foreign = api.get(f"/api/v1/units/{network.outlet_b.pk}/")
    missing = api.get("/api/v1/units/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_me_tells_who_i_am_and_what_i_may_do(network):
    technician = make_user("technician", network.outlet_a)
    body = _as(technician).get("/api/v1/me/").json()
    assert body["unit"] == network.outlet_a.pk
    assert "organisation.view_unit" in body["permissions"]
    assert "accounts.add_user" not in body["permissions"]
