"""A hotline agent types what the caller says into the navbar box and lands on the card.

The box is found by its role (a search box in the main navigation), so the journeys hold in
every language; each runs in the language the agent works in."""

import re

import pytest
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.tests.factories import make_customer
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _navbar_box(page):  # type: ignore[no-untyped-def]
    return page.locator("nav.navbar").get_by_role("searchbox")


def test_a_hotline_agent_finds_a_caller_by_phone_in_simplified_chinese(page, live_server, network):
    wang = make_customer(network.outlet_a, phone="+86 138 0013 8000", name="王小明")
    make_customer(network.outlet_a, phone="13900139000", name="王小红")
    make_user("hotline_agent", network.hq, username="li", preferred_language="zh-hans")
    sign_in(page, live_server, "li", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    box = _navbar_box(page)
    box.fill("138-0013-8000")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{wang.pk}/$"))
    expect(page.get_by_role("heading", name="王小明")).to_be_visible()

    # A name shared by two customers lists both; the agent picks the caller.
    box = _navbar_box(page)
    box.fill("王小")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("table tbody tr")).to_have_count(2)
    expect(page.locator("#search-page-q")).to_be_focused()
    page.get_by_role("link", name="王小明").click()
    page.wait_for_url(re.compile(rf"/customers/{wang.pk}/$"))


def test_an_outlet_agent_finds_a_caller_by_8_prefixed_phone_and_name_in_russian(
    page, live_server, network
):
    fyodorov = make_customer(network.outlet_b, phone="+7 912 345 67 89", name="Фёдоров Пётр")
    make_customer(network.outlet_b, name="Фёдорова Анна")
    make_customer(network.outlet_a, name="Фёдоров Иван")  # another outlet's: never shown
    make_user("outlet_reception", network.outlet_b, username="olga", preferred_language="ru")
    sign_in(page, live_server, "olga", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    box = _navbar_box(page)
    box.fill("8 (912) 345-67-89")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{fyodorov.pk}/$"))
    expect(page.get_by_role("heading", name="Фёдоров Пётр")).to_be_visible()

    box = _navbar_box(page)
    box.fill("федоров")  # typed with е, as most people type ё
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("Фёдоров Иван")).to_have_count(0)
    page.get_by_role("link", name="Фёдоров Пётр").click()
    page.wait_for_url(re.compile(rf"/customers/{fyodorov.pk}/$"))
