"""The whole request journey of issue #4 in a real browser, with a real SMTP server on loopback:
a call pops the caller's card on the agent's screen, the agent registers a request with the
questions its type asks, the customer signs up on the portal (verifying the e-mail), follows
the request, gets the result and disputes it, and the dispute reaches the unit head.

Three languages meet: the agent works in English, the customer in Russian (portal and
e-mails), the unit head reads Chinese."""

import json
import re
import urllib.request

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.models import Email
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.models import (
    EventKind,
    FieldKind,
    RequestTypeField,
    ServiceRequest,
    Status,
)
from aftersales.service_requests.tests.factories import (
    make_decision,
    make_request_type,
    make_sla_policy,
)
from aftersales.telephony.models import PhoneLine
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _in(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return gettext(message) % values if values else gettext(message)


def _post_call(live_server, token: str, **body: str) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/telephony/calls",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


def _text_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("plain",)).get_content()


def _link_in(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"https?://\S+", _text_of(message)).group(0)


def _answer(page, select, value=None, label=None) -> None:  # type: ignore[no-untyped-def]
    """Choose an answer that re-renders the questions, and wait until htmx has swapped and
    settled the new ones (a person is never quick enough to act before that)."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/new/for/" in r.url):
        select.select_option(value, label=label)
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


def test_a_call_becomes_a_request_the_customer_follows_and_disputes(
    page, phone_page, live_server, network, smtp_server, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    make_user(
        "hotline_agent",
        network.outlet_a,
        username="lina",
        preferred_language="en",
        email="lina@example.com",
    )
    head = make_user(
        "unit_head",
        network.outlet_a,
        username="chen",
        preferred_language="zh-hans",
        email="chen@example.com",
    )
    exchange = make_user("administrator", network.hq, username="exchange")
    _token, key = api_token_create(user=exchange, name="PBX")
    PhoneLine.objects.create(number="+864008123456", name="Hotline", unit=network.outlet_a)
    customer = make_customer(
        network.outlet_a, phone="138 0013 8000", name="Иван Петров", language="ru"
    )
    Email.objects.create(customer=customer, address="ivan@example.ru")
    repair = make_request_type(code="repair", name="Repair")
    warranty = RequestTypeField.objects.create(
        request_type=repair,
        key="warranty",
        label="Under warranty?",
        kind=FieldKind.CHOICE,
        choices="Yes\nNo",
        required=True,
        order=1,
    )
    RequestTypeField.objects.create(
        request_type=repair,
        key="receipt",
        label="Purchase receipt",
        kind=FieldKind.FILE,
        required=True,
        order=2,
        show_if_field=warranty,
        show_if_values="Yes",
    )
    make_sla_policy(response_minutes=60, resolution_minutes=960)
    make_decision(name="Repaired", request_type=repair)

    # The agent signs in and goes on duty.
    sign_in(page, live_server, "lina", PASSWORD)
    page.get_by_test_id("duty-switch").click()
    expect(page.get_by_test_id("duty-switch")).to_have_attribute("aria-pressed", "true")
    page.evaluate("window.__marker = 'no reload'")

    # The exchange reports the call; the caller's card pops up without a reload.
    call = _post_call(
        live_server, key, call_id="pbx-7781", caller="+8613800138000", called="+864008123456"
    )
    assert call["customer"]["id"] == customer.pk
    popup = page.locator("#call-popup")
    expect(popup).to_be_visible(timeout=15_000)
    expect(popup).to_contain_text("Иван Петров")
    assert page.evaluate("window.__marker") == "no reload"
    popup.get_by_test_id("call-register-request").click()

    # The type asks its questions; the receipt is asked for once "Yes" is answered.
    _answer(page, page.get_by_label("Type"), label="Repair")
    _answer(page, page.locator("[name=q_warranty]"), "Yes")
    receipt = tmp_path / "receipt.jpg"
    receipt.write_bytes(b"\xff\xd8\xff\xe0 receipt")
    recording = tmp_path / "call-7781.mp3"
    recording.write_bytes(b"ID3 recording")
    page.locator("[name=q_receipt]").set_input_files(str(receipt))
    page.locator("[name=files]").set_input_files(str(recording))
    page.get_by_label("Subject").fill("Кондиционер не охлаждает")
    page.get_by_role("button", name="Register the request").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))

    request = ServiceRequest.objects.get()
    expect(page.get_by_role("heading", name=re.compile(request.number))).to_be_visible()
    assert request.channel == "phone" and request.external_ref == "pbx-7781"
    assert request.responsible.username == "lina"
    assert request.answers == {"warranty": "Yes"}
    assert sorted(request.attachments.values_list("original_name", flat=True)) == [
        "call-7781.mp3",
        "receipt.jpg",
    ]
    assert request.response_due_at is not None and request.resolution_due_at is not None
    acknowledgment = smtp_server.wait_for(lambda m: "ivan@example.ru" in str(m["To"]))
    assert str(acknowledgment["Subject"]) == (
        f"{request.thread_tag} {_in('ru', 'Your request is registered')}"
    )

    # The customer signs up on the portal in Russian and verifies the address.
    portal = phone_page
    portal.goto(f"{live_server.url}/portal/sign-up/")
    portal.locator("[name=name]").fill("Иван Петров")
    portal.locator("[name=email]").fill("ivan@example.ru")
    portal.locator("[name=password]").fill("Kondicioner-2026")
    portal.locator("[name=password_again]").fill("Kondicioner-2026")
    portal.locator("#id_language").select_option("ru")
    portal.locator("form[action$='/sign-up/'] button[type=submit]").click()
    verification = smtp_server.wait_for(
        lambda m: "ivan@example.ru" in str(m["To"]) and "/portal/verify" in _text_of(m)
    )
    portal.goto(_link_in(verification))
    # Verified: the sign-in page, with the address filled in.
    expect(portal.locator("form[action$='/login/'] [name=email]")).to_have_value("ivan@example.ru")
    portal.locator("[name=password]").fill("Kondicioner-2026")
    portal.locator("form[action$='/login/'] button[type=submit]").click()
    portal.goto(f"{live_server.url}/portal/requests/")
    portal.get_by_role("link", name=re.compile(request.number)).click()
    expect(portal.get_by_text("Кондиционер не охлаждает").first).to_be_visible()

    # The agent takes it into work and records the decision and the result.
    page.get_by_role("button", name="→ In work").click()
    expect(page.locator("#request-status")).to_contain_text("In work")
    page.locator("#action-decide [name=decision]").select_option(label="Repaired")
    page.locator("#action-decide [name=result]").fill("Заменён конденсатор, проверено.")
    page.get_by_role("button", name="Record and send to the customer").click()
    expect(page.locator("#request-status")).to_contain_text("Done")
    result_mail = smtp_server.wait_for(
        lambda m: (
            "ivan@example.ru" in str(m["To"])
            and _in("ru", "The result of your request") in str(m["Subject"])
        )
    )
    assert "Заменён конденсатор" in _text_of(result_mail)

    # The customer disputes the result; it goes to the head of the unit, in Chinese.
    portal.reload()
    portal.locator("[name=claim]").fill("Через день снова не охлаждает.")
    portal.locator("form[action$='/dispute/'] button[type=submit]").click()
    head_mail = smtp_server.wait_for(lambda m: "chen@example.com" in str(m["To"]))
    assert str(head_mail["Subject"]) == _in(
        "zh-hans",
        "The customer disputes the result of request %(number)s",
        number=request.number,
    )
    request.refresh_from_db()
    assert request.status == Status.DISPUTED
    assert request.customer_claim == "Через день снова не охлаждает."
    assert request.events.filter(kind=EventKind.ESCALATED, target_user=head).exists()
