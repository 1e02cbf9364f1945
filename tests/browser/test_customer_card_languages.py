"""The card journey in each interface language: an agent types a caller's phone into the
navbar box, lands on the card and reads it (sections, the product's warranty) in their own
language, then opens the product and the import page."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "ru", "en"])
def test_an_agent_reads_the_card_in_their_language(page, live_server, network, language):
    customer = make_customer(network.outlet_a, phone="+7 912 345 67 89", name="Ёлкин Семён")
    today = timezone.localdate()
    make_installed_product(
        customer,
        serial="352099001761481",
        purchase_date=today - datetime.timedelta(days=30),
        warranty_end=today + datetime.timedelta(days=335),
    )
    make_user("administrator", network.hq, username="agent", preferred_language=language)
    sign_in(page, live_server, "agent", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", language)

    box = page.locator("nav.navbar").get_by_role("searchbox")
    box.fill("8 (912) 345-67-89")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_role("heading", name="Ёлкин Семён")).to_be_visible()
    for section in ("Contacts", "Addresses", "Products", "Timeline"):
        if language != "en":
            assert _in(language, section) != section, f"{section} is not translated"
        expect(page.get_by_role("heading", name=_in(language, section), exact=True)).to_be_visible()
    expect(page.get_by_text(_in(language, "In warranty")).first).to_be_visible()
    expect(page.get_by_text("+7 912 345-67-89")).to_be_visible()

    page.get_by_role("link", name=re.compile("352099001761481")).first.click()
    page.wait_for_url(re.compile(r"/products/\d+/$"))
    expect(page.get_by_text(_in(language, "In warranty")).first).to_be_visible()

    page.goto(f"{live_server.url}/imports/new/")
    expect(page.get_by_role("heading", name=_in(language, "New import"))).to_be_visible()
