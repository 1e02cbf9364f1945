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


def use_private_storage(monkeypatch, location) -> None:  # type: ignore[no-untyped-def]
    """Point the private files of the inbox and of requests at `location`. The file fields
    took their storage when the models were loaded, so the fields are repointed (overriding
    settings.STORAGES would not reach them)."""
    from django.core.files.storage import FileSystemStorage

    from aftersales.inbox.models import InboundMessage
    from aftersales.service_requests.models import Attachment

    storage = FileSystemStorage(location=location, base_url=None)
    for model, name in ((InboundMessage, "raw"), (Attachment, "file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Originals and attachments go to a temporary folder, and e-mail jobs run at once."""
    use_private_storage(monkeypatch, tmp_path / "private")
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


@pytest.fixture
def receive(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Deliver raw bytes as the mail server would; e-mails the system sends land in the
    outbox once the transaction commits."""
    from aftersales.inbox import services
    from aftersales.inbox.models import Source

    def deliver(raw: bytes, **options):  # type: ignore[no-untyped-def]
        options.setdefault("source", Source.PIPE)
        with django_capture_on_commit_callbacks(execute=True):
            return services.message_receive(raw, **options)

    return deliver


@pytest.fixture
def alices_request(desk):  # type: ignore[no-untyped-def]
    from django.core import mail

    from aftersales.service_requests.tests.factories import make_service_request

    request = make_service_request(desk.alice, request_type=desk.request_type, subject="Leak")
    mail.outbox.clear()
    return request
