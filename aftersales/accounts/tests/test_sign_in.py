"""Signing in, throttling, sessions."""

import time

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.middleware import LOGIN_TIME_KEY
from aftersales.accounts.models import LoginFailure
from aftersales.accounts.tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"


def _try(client, username, password, address="10.0.0.1", forwarded=None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_a_user_signs_in_and_lands_on_the_home_page(client, network):
    make_user("dispatcher", network.outlet_a, username="li.na")
    response = _try(client, "li.na", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_page_shows_the_signed_in_users_position_and_unit_without_reading_them_apart(
    client, network
) -> None:
    """The header names the user's position and unit on every page; they come with the
    session's user (one query), not one query each while the page renders."""
    user = make_user("dispatcher", network.outlet_a, username="wang.fang")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{user.position} · {network.outlet_a}" in page
    alone = (
        'FROM "accounts_position"',
        'FROM "organisation_unit" WHERE "organisation_unit"."id" =',
    )
    read_alone = [q["sql"] for q in queries.captured_queries if any(a in q["sql"] for a in alone)]
    assert read_alone == []


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(client, network):
    make_user("dispatcher", network.outlet_a, username="li.na")
    for _ in range(3):
        assert _try(client, "li.na", "wrong").status_code == 200
    response = _try(client, "li.na", PASSWORD, address="10.0.0.99")
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()


@override_settings(LOGIN_FAILURES_PER_ADDRESS=4, LOGIN_FAILURES_PER_ACCOUNT=100)
def test_an_address_is_throttled_and_a_forged_forwarded_header_does_not_reset_it(client, network):
    make_user("dispatcher", network.outlet_a, username="li.na")
    for number in range(4):
        _try(client, f"guess-{number}", "wrong", forwarded=f"203.0.113.{number}")
    response = _try(client, "li.na", PASSWORD, forwarded="198.51.100.7")
    assert response.status_code == 200  # refused: same REMOTE_ADDR
    assert LoginFailure.objects.filter(address="10.0.0.1").count() == 4


@override_settings(
    TRUSTED_PROXY_COUNT=1, LOGIN_FAILURES_PER_ADDRESS=2, LOGIN_FAILURES_PER_ACCOUNT=100
)
def test_behind_a_declared_proxy_the_proxy_seen_address_counts(client, network):
    # The client prepends a fake address; our proxy appends the real one.
    for number in range(2):
        _try(
            client,
            f"g{number}",
            "wrong",
            address="10.9.9.9",
            forwarded=f"1.1.1.{number}, 192.0.2.50",
        )
    assert LoginFailure.objects.filter(address="192.0.2.50").count() == 2


def test_a_successful_sign_in_clears_the_accounts_failures(client, network):
    make_user("dispatcher", network.outlet_a, username="li.na")
    _try(client, "li.na", "wrong")
    _try(client, "li.na", PASSWORD)
    assert not LoginFailure.objects.filter(username="li.na").exists()


def test_session_cookie_flags(client, network, settings):
    make_user("dispatcher", network.outlet_a, username="li.na")
    response = _try(client, "li.na", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle expiry renews on activity


def test_a_session_ends_at_its_absolute_limit_however_active(client, network, settings):
    make_user("dispatcher", network.outlet_a, username="li.na")
    _try(client, "li.na", PASSWORD)
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_a_deactivated_users_session_stops_at_once(client, network):
    user = make_user("dispatcher", network.outlet_a)
    client.force_login(user)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302


def test_password_change_enforces_the_policy(client, network):
    user = make_user("dispatcher", network.outlet_a, preferred_language="en")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_menu_follows_the_position(client, network):
    technician = make_user("technician", network.outlet_a, preferred_language="en")
    client.force_login(technician)
    page = client.get("/").content.decode()
    assert reverse("organisation:unit_list") in page
    assert reverse("accounts:user_list") not in page
    admin = make_user("administrator", network.outlet_a, preferred_language="en")
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert reverse("accounts:user_list") in page and reverse("accounts:position_list") in page
