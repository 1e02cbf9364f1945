import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read messages in English; the site's default language is Chinese, so pages
    are asked for in English too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_files(tmp_path):  # type: ignore[no-untyped-def]
    """Photos and signatures land in a temporary directory, not the checkout's var/private."""
    from aftersales.work_orders.models import Photo

    storage = Photo._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
