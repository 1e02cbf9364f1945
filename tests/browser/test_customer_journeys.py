"""Journeys through the customer card, as the front line takes them."""

import pytest
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.models import Customer
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hotline_agent_registers_a_company_and_corrects_its_name(page, live_server, network):
    make_user("hotline_agent", network.outlet_a, username="lina", preferred_language="en")
    sign_in(page, live_server, "lina", PASSWORD)

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Customers").click()
    nav.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", name="New customer")).to_be_visible()

    page.get_by_label("Kind").select_option("company")
    page.locator("#id_name").fill("上海电气有限公司")
    page.get_by_label("Contact name").fill("李雷")
    page.locator("#id_phones-0-number").fill("138 0013 8000")
    # "Add another" adds a row in place: no reload, the page keeps its state.
    page.evaluate("window.__marker = 'still the same page'")
    page.get_by_role("button", name="Add an address").click()
    page.locator("#id_addresses-0-text").fill("浦东新区世纪大道100号")
    assert page.evaluate("window.__marker") == "still the same page"
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="上海电气有限公司")).to_be_visible()
    expect(page.get_by_text("+86 138 0013 8000")).to_be_visible()
    expect(page.get_by_text("李雷")).to_be_visible()
    expect(page.get_by_text("浦东新区世纪大道100号")).to_be_visible()
    expect(page.locator("#first-contact")).to_be_visible()

    page.get_by_role("link", name="Edit").click()
    page.locator("#id_name").fill("上海电气集团")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="上海电气集团")).to_be_visible()
    expect(page.get_by_text("上海电气有限公司 → 上海电气集团")).to_be_visible()
    customer = Customer.objects.get()
    assert customer.name == "上海电气集团"
    assert customer.phones.get().number == "+8613800138000"
    assert customer.contacts.get().name == "李雷"
