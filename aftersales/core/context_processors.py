from django.conf import settings
from django.http import HttpRequest

from aftersales.core.menu import menu_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user) if user is not None else [],
        "LANGUAGES": settings.LANGUAGES,
    }
