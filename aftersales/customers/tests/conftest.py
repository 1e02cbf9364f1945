import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages checked by these tests are read in English (the site's default is Chinese)."""
    with translation.override("en"):
        yield
