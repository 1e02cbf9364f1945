"""The portal's own session: which portal account a browser is signed in as.

Kept apart from django.contrib.auth on purpose: the account's id lives under its own session
key, which AuthenticationMiddleware never reads, so `request.user` stays anonymous on every
staff page for a customer, and portal pages look only at this key, so a staff login opens no
portal page. A fingerprint of the password hash is kept beside the id, so a password reset
ends the sessions signed in with the old password (as Django does for staff).
"""

from __future__ import annotations

import functools
import time
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

from aftersales.accounts.middleware import LOGIN_TIME_KEY
from aftersales.portal.models import PortalAccount

ACCOUNT_KEY = "portal_account_id"
HASH_KEY = "portal_account_hash"
TIMEZONE_KEY = "portal_tz"


def _fingerprint(account: PortalAccount) -> str:
    return salted_hmac(
        "aftersales.portal.session", account.password, algorithm="sha256"
    ).hexdigest()


def log_in(request: HttpRequest, account: PortalAccount) -> None:
    """Start the account's session under a new session key (no fixation). A staff login in
    the same browser ends first: one person per browser session."""
    if request.user.is_authenticated:
        auth.logout(request)
    request.session.cycle_key()
    request.session[ACCOUNT_KEY] = account.pk
    request.session[HASH_KEY] = _fingerprint(account)
    request.session[LOGIN_TIME_KEY] = time.time()
    request.session.pop(TIMEZONE_KEY, None)


def log_out(request: HttpRequest) -> None:
    request.session.flush()


def current_account(request: HttpRequest) -> PortalAccount | None:
    """The signed-in portal account (active, verified, linked to a customer), or None."""
    if hasattr(request, "_portal_account"):
        return request._portal_account  # type: ignore[attr-defined,no-any-return]
    account = None
    pk = request.session.get(ACCOUNT_KEY)
    if pk is not None:
        account = (
            PortalAccount.objects.select_related("customer")
            .filter(pk=pk, is_active=True, verified_at__isnull=False, customer__isnull=False)
            .first()
        )
        if account is None or not constant_time_compare(
            request.session.get(HASH_KEY, ""), _fingerprint(account)
        ):
            account = None
            for key in (ACCOUNT_KEY, HASH_KEY, TIMEZONE_KEY):
                request.session.pop(key, None)
    request._portal_account = account  # type: ignore[attr-defined]
    return account


def activate_account_locale(request: HttpRequest, account: PortalAccount) -> None:
    """The account's language and its customer's time zone (the serving unit's), for this
    request; the zone is looked up once per session."""
    if account.language:
        translation.activate(account.language)
        request.LANGUAGE_CODE = account.language
    zone = request.session.get(TIMEZONE_KEY)
    if zone is None:
        zone = account.customer.unit.effective_timezone()  # type: ignore[union-attr]
        request.session[TIMEZONE_KEY] = zone
    timezone.activate(zoneinfo.ZoneInfo(zone))


def login_url(next_path: str = "") -> str:
    url = reverse("portal:login")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def portal_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Portal pages: a signed-in portal account or the portal's sign-in page (never the staff
    one). The view finds the account at `request.portal_account`."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = current_account(request)
        if account is None:
            return redirect(login_url(request.get_full_path()))
        request.portal_account = account  # type: ignore[attr-defined]
        # UserLocaleMiddleware deactivates the time zone once the response is rendered.
        activate_account_locale(request, account)
        return view(request, *args, **kwargs)

    return wrapper
