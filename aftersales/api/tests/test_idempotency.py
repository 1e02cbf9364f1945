"""A client that retries a creating request causes one effect."""

from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.models import Unit


def _as(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def _new_outlet(network, code="retry-outlet"):  # type: ignore[no-untyped-def]
    return {"name": "重试网点", "code": code, "kind": "outlet", "parent": network.centre.pk}


def test_a_replay_with_the_same_key_yields_one_unit_and_the_same_answer(network):
    api = _as(make_user("administrator", network.hq))
    first = api.post(
        "/api/v1/units/", _new_outlet(network), format="json", headers={"Idempotency-Key": "k-1"}
    )
    again = api.post(
        "/api/v1/units/", _new_outlet(network), format="json", headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Unit.objects.filter(code="retry-outlet").count() == 1


def test_the_same_key_with_a_different_body_is_refused(network):
    api = _as(make_user("administrator", network.hq))
    api.post(
        "/api/v1/units/", _new_outlet(network), format="json", headers={"Idempotency-Key": "k-2"}
    )
    other = api.post(
        "/api/v1/units/",
        _new_outlet(network, "other-code"),
        format="json",
        headers={"Idempotency-Key": "k-2"},
    )
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert not Unit.objects.filter(code="other-code").exists()


def test_keys_belong_to_their_user(network):
    one = _as(make_user("administrator", network.hq))
    two = _as(make_user("administrator", network.hq))
    one.post(
        "/api/v1/units/",
        _new_outlet(network, "a-code"),
        format="json",
        headers={"Idempotency-Key": "same"},
    )
    response = two.post(
        "/api/v1/units/",
        _new_outlet(network, "b-code"),
        format="json",
        headers={"Idempotency-Key": "same"},
    )
    assert response.status_code == 201
    assert Unit.objects.filter(code__in=["a-code", "b-code"]).count() == 2


def test_a_failed_request_does_not_burn_the_key(network):
    api = _as(make_user("administrator", network.hq))
    bad = api.post(
        "/api/v1/units/", {"kind": "outlet"}, format="json", headers={"Idempotency-Key": "k-3"}
    )
    assert bad.status_code == 400
    good = api.post(
        "/api/v1/units/",
        _new_outlet(network, "fixed"),
        format="json",
        headers={"Idempotency-Key": "k-3"},
    )
    assert good.status_code == 201


def test_the_header_is_in_the_openapi_description(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = schema["paths"]["/api/v1/units/"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)


def test_remembered_answers_are_forgotten_after_a_day(network):
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.api.jobs import purge_idempotency_records
    from aftersales.api.models import IdempotencyRecord

    api = _as(make_user("administrator", network.hq))
    api.post(
        "/api/v1/units/",
        _new_outlet(network, "old"),
        format="json",
        headers={"Idempotency-Key": "old"},
    )
    api.post(
        "/api/v1/units/",
        _new_outlet(network, "new"),
        format="json",
        headers={"Idempotency-Key": "new"},
    )
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert purge_idempotency_records.call() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
