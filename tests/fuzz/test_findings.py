"""What fuzzing the API found, pinned down as plain tests (fast; they run without schemathesis).

Each test names the defect as it was: the fuzz test in this package found it, the app now does
what the test says.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.models import Unit


@pytest.fixture
def outlet_admin(network):  # type: ignore[no-untyped-def]
    return make_user("administrator", network.outlet_a)


@pytest.fixture
def api(outlet_admin) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(outlet_admin)
    return client


@pytest.fixture
def schema(client, db) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/openapi.json").json()


@pytest.mark.parametrize("parent", [{}, {"parent": None}])
def test_an_outlet_administrator_cannot_add_a_headquarters(api, network, parent) -> None:
    # Was 201: a new root unit, outside the caller's subtree (and invisible to them afterwards).
    body = {"name": "Rogue HQ", "code": "rogue", "kind": "hq", **parent}
    response = api.post("/api/v1/units/", body, format="json")
    assert response.status_code == 400 and "parent" in response.json()["error"]["fields"]
    assert not Unit.objects.filter(code="rogue").exists()


def test_a_unit_change_does_not_document_a_parent(schema) -> None:
    create = schema["components"]["schemas"]["UnitInputRequest"]
    change = schema["components"]["schemas"]["UnitChangeInputRequest"]
    assert "parent" in create["required"]
    assert "parent" not in change["properties"]


@pytest.mark.parametrize(
    "path", ["/api/v1/units/1.5/", "/api/v1/units/1/deadline/x/", "/api/v1/no/"]
)
def test_an_unknown_api_address_answers_with_the_json_404(api, path) -> None:
    # Was Django's HTML "Not Found" page.
    for method in ("get", "post", "patch"):
        response = getattr(api, method)(path, {}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["status"] == 404


def test_an_api_address_without_its_slash_still_redirects(api) -> None:
    assert api.get("/api/v1/units").status_code == 301


def test_request_bodies_are_json_only(api, network) -> None:
    # A form body cannot say null or []: `"calendar": null` arrived as the text "null".
    response = api.patch(f"/api/v1/units/{network.outlet_a.pk}/", {"name": "x"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_active": 0}, "is_active"),
        ({"is_active": "false"}, "is_active"),
        ({"phones": 5}, "phones"),
        ({"kind": 1}, "kind"),
        ({"calendar": "1"}, "calendar"),
        ({"name": " " + "x" * 200}, "name"),
    ],
)
def test_unit_values_not_as_documented_are_refused(api, network, body, field) -> None:
    # Were converted by DRF (0 to false, 5 to "5", ...) or measured after stripping spaces.
    response = api.patch(f"/api/v1/units/{network.outlet_a.pk}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_user_values_not_as_documented_are_refused(api, outlet_admin) -> None:
    user = make_user("technician", outlet_admin.unit)
    url = f"/api/v1/users/{user.pk}/"
    for body, field in [({"additional_units": {}}, "additional_units"), ({"unit": 1.5}, "unit")]:
        response = api.patch(url, body, format="json")
        assert response.status_code == 400, body
        assert list(response.json()["error"]["fields"]) == [field], body
    assert (
        api.patch(url, {"is_active": False, "unit": float(user.unit_id)}, format="json").json()[
            "is_active"
        ]
        is False
    )


def test_a_required_text_of_spaces_is_documented_as_blank(api, network, schema) -> None:
    response = api.patch(f"/api/v1/units/{network.outlet_a.pk}/", {"name": "\n"}, format="json")
    assert response.status_code == 400
    pattern = schema["components"]["schemas"]["UnitInputRequest"]["properties"]["name"]["pattern"]
    assert pattern == r"[^\s\x1c-\x1f]"


@pytest.mark.parametrize(("value", "status"), [("abc", 400), ("0", 400), ("", 200), ("9999", 200)])
def test_page_size_is_a_whole_number_from_one(api, value, status) -> None:
    # Was: anything that is not a page size silently gave the default one.
    response = api.get("/api/v1/units/", {"page_size": value})
    assert response.status_code == status
    if status == 400:
        assert "page_size" in response.json()["error"]["fields"]


@pytest.mark.parametrize("url", ["/api/v1/units/", "/api/v1/users/"])
def test_an_unknown_yes_no_filter_value_is_refused(api, url) -> None:
    # Was ignored: `?is_active=flase` listed the inactive records too.
    assert api.get(url, {"is_active": "flase"}).status_code == 400
    for value in ("true", "false", "1", "0", "", "unknown"):
        assert api.get(url, {"is_active": value}).status_code == 200, value


def test_the_unit_list_page_still_filters_by_yes_no(client, outlet_admin) -> None:
    client.force_login(outlet_admin)
    for value in ("unknown", "true", "false"):
        response = client.get(reverse("organisation:unit_list"), {"is_active": value})
        assert response.status_code == 200, value


def test_the_schema_says_what_the_calendar_endpoints_accept_and_answer(schema) -> None:
    # Was `format: time` for "08:30" (RFC 3339 wants seconds and an offset), and a year without
    # the bounds the endpoint enforces.
    interval = schema["components"]["schemas"]["WorkingIntervalOutput"]["properties"]
    assert "format" not in interval["start"] and interval["start"]["pattern"]
    year = next(
        parameter
        for parameter in schema["paths"]["/api/v1/calendars/"]["get"]["parameters"]
        if parameter["name"] == "year"
    )
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (1950, 2100)


def test_only_creating_operations_take_an_idempotency_key(schema) -> None:
    for path, item in schema["paths"].items():
        post = item.get("post")
        if post is None:
            continue
        takes_key = any(p["name"] == "Idempotency-Key" for p in post.get("parameters", []))
        creates = "201" in post["responses"]
        assert takes_key == creates, path
        assert ("422" in post["responses"]) == creates, path


def test_empty_query_parameters_are_documented_as_not_given(schema) -> None:
    query = [
        parameter
        for item in schema["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    assert query and all(parameter.get("allowEmptyValue") for parameter in query)
