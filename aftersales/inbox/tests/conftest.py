from dataclasses import dataclass

import pytest
from django.utils import translation

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.models import RequestType
from aftersales.service_requests.tests.factories import make_request_type


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read messages in English; the site's default language is Chinese."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Originals and attachments go to a temporary folder, and e-mail jobs run at once."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.DEFAULT_FROM_EMAIL = "Service <service@aftersales.example>"


@dataclass
class Desk:
    """The service desk of the network: e-mail lands in the root unit (hq); Alice is a
    customer of outlet A with her address on file; the inbox's request type."""

    network: object
    admin: object
    alice: Customer
    request_type: RequestType


@pytest.fixture
def desk(network, settings) -> Desk:  # type: ignore[no-untyped-def]
    settings.INBOX_UNIT_CODE = ""
    settings.INBOX_REQUEST_TYPE = ""
    alice = make_customer(network.outlet_a, name="Alice Wong")
    Email.objects.create(customer=alice, address="alice@example.com")
    return Desk(
        network=network,
        admin=make_user("administrator", network.hq),
        alice=alice,
        request_type=make_request_type(code="email", name="E-mail enquiry"),
    )
