import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read messages in English; the site's default language is Chinese, so pages
    are asked for in English too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
