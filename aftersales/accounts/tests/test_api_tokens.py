"""Personal API tokens: created on the profile page or by a command, hashed, revocable."""

from django.core.management import call_command
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIClient

from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import make_user


def _bearer(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_a_user_creates_a_token_on_the_profile_page_and_sees_it_once(client, network):
    user = make_user("dispatcher", network.outlet_a)
    client.force_login(user)
    response = client.post(reverse("accounts:token_create"), {"name": "ERP exchange"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    token = ApiToken.objects.get(user=user)
    key = page.split('id="new-token">')[1].split("<")[0]
    assert key.startswith("as_") and ApiToken.hash_key(key) == token.key_hash
    assert key not in client.get(reverse("accounts:profile")).content.decode()
    assert _bearer(key).get("/api/v1/me/").json()["username"] == user.username


def test_the_token_is_stored_only_as_a_hash(network):
    user = make_user("dispatcher", network.outlet_a)
    token, key = api_token_create(user=user, name="script")
    assert key not in (token.key_hash, token.prefix)
    assert len(token.key_hash) == 64


def test_revoked_and_unknown_tokens_are_refused(network):
    user = make_user("dispatcher", network.outlet_a)
    token, key = api_token_create(user=user, name="script")
    assert _bearer(key).get("/api/v1/me/").status_code == 200
    from aftersales.accounts.services import api_token_revoke

    api_token_revoke(token=token)
    response = _bearer(key).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["error"]["status"] == 401
    assert _bearer("as_nonsense").get("/api/v1/me/").status_code == 401


def test_a_deactivated_users_tokens_stop_working_at_once(network):
    user = make_user("dispatcher", network.outlet_a)
    _token, key = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert _bearer(key).get("/api/v1/me/").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(client, network):
    owner = make_user("dispatcher", network.outlet_a)
    token, _key = api_token_create(user=owner, name="script")
    other = make_user("administrator", network.hq)
    client.force_login(other)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_management_command_issues_a_token(network, capsys):
    user = make_user("dispatcher", network.outlet_a, username="erp-bot")
    call_command("create_api_token", "erp-bot", "--name", "ERP")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.objects.get(user=user).key_hash == ApiToken.hash_key(key)


def test_a_token_speaks_its_owners_language_unless_the_client_asks_for_another(network):
    user = make_user("dispatcher", network.outlet_a, preferred_language="ru")
    _token, key = api_token_create(user=user, name="script")
    missing = "/api/v1/units/999999/"
    assert _bearer(key).get(missing).json()["error"]["message"] == "Не найдено."
    english = _bearer(key).get(missing, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "Not found."


def test_a_token_is_read_with_its_user_unit_and_extra_units_in_one_query(
    network, django_assert_num_queries
):
    from rest_framework.test import APIRequestFactory

    from aftersales.api.authentication import BearerTokenAuthentication
    from aftersales.core.scoping import scope_paths

    def authenticate(key):  # type: ignore[no-untyped-def]
        request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {key}")
        return BearerTokenAuthentication().authenticate(Request(request))

    home = make_user("dispatcher", network.outlet_a)
    token, key = api_token_create(user=home, name="script")
    authenticate(key)  # records the use: once a minute
    with django_assert_num_queries(1):
        user, found = authenticate(key)
        assert (found.pk, user.pk, user.unit) == (token.pk, home.pk, network.outlet_a)
        assert scope_paths(user) == [network.outlet_a.path]
    assert user.last_login == home.last_login and user.date_joined == home.date_joined

    roaming = make_user("dispatcher", network.outlet_a)
    roaming.additional_units.add(network.outlet_b)
    _token, key = api_token_create(user=roaming, name="script")
    user, _found = authenticate(key)
    assert sorted(scope_paths(user)) == sorted([network.outlet_a.path, network.outlet_b.path])

    nowhere = make_user("dispatcher", None)
    _token, key = api_token_create(user=nowhere, name="script")
    user, _found = authenticate(key)
    assert user.unit is None and scope_paths(user) == []
