from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation

from aftersales.customers.models import Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.portal.models import PortalAccount
from aftersales.portal.tests.factories import make_portal_account, sign_in
from aftersales.service_requests.models import Attachment, RequestType
from aftersales.service_requests.tests.factories import make_request_type


@pytest.fixture(autouse=True)
def _english_and_jobs_at_once(settings):  # type: ignore[no-untyped-def]
    """Pages and e-mails are read in English (the site's default language is Chinese); e-mail
    jobs run as soon as they are enqueued."""
    settings.LANGUAGE_CODE = "en"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_files(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Attachments land in a temporary directory, not in var/private."""
    storage = Attachment._meta.get_field("file").storage
    monkeypatch.setattr(storage, "base_location", str(tmp_path), raising=False)
    monkeypatch.setattr(storage, "location", str(tmp_path), raising=False)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class Portal:
    """Two customers of outlet A and B, each with a verified portal account, and a "Repair"
        request type that asks what is broken and, for a leak, where it leaks (and a "General
    question" type that asks nothing)."""

    alice: Customer
    alice_account: PortalAccount
    bob: Customer
    bob_account: PortalAccount
    repair: RequestType
    general: RequestType


@pytest.fixture
def portal(network) -> Portal:  # type: ignore[no-untyped-def]
    alice = make_customer(network.outlet_a, name="Alice Wang")
    Email.objects.create(customer=alice, address="alice@example.com")
    bob = make_customer(network.outlet_b, name="Bob Petrov")
    general = make_request_type(name="General question", code="general")
    repair = make_request_type(name="Repair", code="repair")
    what = repair.fields.create(
        key="what", label="What is broken?", kind="choice", choices="Screen\nLeak", required=True
    )
    repair.fields.create(
        key="where",
        label="Where does it leak?",
        kind="text",
        required=True,
        show_if_field=what,
        show_if_values="Leak",
    )
    return Portal(
        alice=alice,
        alice_account=make_portal_account(alice, email="alice@example.com", name="Alice Wang"),
        bob=bob,
        bob_account=make_portal_account(bob, email="bob@example.com", name="Bob Petrov"),
        repair=repair,
        general=general,
    )


@pytest.fixture
def alice_client(client, portal) -> Client:  # type: ignore[no-untyped-def]
    sign_in(client, portal.alice_account)
    return client
