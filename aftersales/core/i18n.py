from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


def remember_language(response: HttpResponse, language: str) -> None:
    """Keep the chosen interface language in the language cookie (for pages before sign-in)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: remembered in a cookie, and as the signed-in user's
    preferred language so that it follows them to other devices."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        remember_language(response, language)
        if request.user.is_authenticated:
            get_user_model().objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response
