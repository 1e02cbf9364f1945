"""Sign-in throttling per account and per client address.

Failures live in the database (LoginFailure) so the limit holds across processes and machines.
The client address is REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT declared proxies, the address
that the outermost trusted proxy saw; a client cannot choose it by sending X-Forwarded-For.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from aftersales.accounts.models import LoginFailure


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    # Each trusted proxy appends the address it received from; the client controls the rest.
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote


def _window_start():  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def is_locked_out(username: str, address: str) -> bool:
    since = _window_start()
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_FAILURES_PER_ACCOUNT:
        return True
    return recent.filter(address=address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS


def record_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], address=address)


def record_success(username: str) -> None:
    """A successful sign-in clears the account's failures, not the address's: an attacker who
    owns one account must not be able to reset the budget used against others."""
    LoginFailure.objects.filter(username=username.lower()).delete()


def purge_old_failures() -> int:
    deleted, _ = LoginFailure.objects.filter(created_at__lt=_window_start()).delete()
    return deleted
