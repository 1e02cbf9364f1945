"""What leaves by e-mail reaches a real SMTP server (aiosmtpd on loopback), not a mock."""

import pytest
from django.utils import translation

from aftersales.customers.models import Email
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.tests.factories import make_service_request

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_registered_request_is_acknowledged_to_the_customer_in_their_language(
    smtp_server, network
):
    customer = make_customer(network.outlet_a, language="ru")
    Email.objects.create(customer=customer, address="ivan@example.ru")

    request = make_service_request(customer, subject="Не греет\r\nBcc: victim@example.com")

    message = smtp_server.wait_for(lambda m: "ivan@example.ru" in str(m["To"]))
    with translation.override("ru"):
        from django.utils.translation import gettext

        expected = gettext("Your request is registered")
    assert str(message["Subject"]) == f"{request.thread_tag} {expected}"
    assert message["Auto-Submitted"] == "auto-generated"
    assert f"<{request.number}.{request.reply_token}." in message["Message-ID"]
    # The subject's CR/LF became a space: no header was injected.
    assert message["Bcc"] is None
    assert "victim@example.com" not in str(smtp_server.envelopes)
    assert request.subject == "Не греет Bcc: victim@example.com"
