import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

LOGIN_TIME_KEY = "_aftersales_login_at"


class SessionLimitsMiddleware:
    """Ends a session past its absolute lifetime, however active it has been. The idle limit is
    SESSION_COOKIE_AGE renewed on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = request.session.get(LOGIN_TIME_KEY)
        if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            request.session.flush()
        return self.get_response(request)


TIMEZONE_KEY = "_aftersales_tz"


class UserLocaleMiddleware:
    """Activates the signed-in user's preferred language (after LocaleMiddleware, which knows
    only cookies and headers) and their unit's time zone, so dates and times read as local.
    The time zone is looked up once per session. Deactivated users need no check here: the
    auth backend refuses to load an inactive user, so their sessions end at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
            zone = request.session.get(TIMEZONE_KEY)
            if zone is None:
                zone = user.unit.effective_timezone() if user.unit_id else settings.TIME_ZONE
                request.session[TIMEZONE_KEY] = zone
            timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
