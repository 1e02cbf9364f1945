"""Journeys through the foundation, as people would take them, in each language."""

import pytest
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.organisation.models import Unit
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_finds_and_edits_an_outlet_in_english(page, live_server, network):
    make_user("administrator", network.hq, username="wei", preferred_language="en")
    sign_in(page, live_server, "wei", PASSWORD)

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Organisation").click()
    nav.get_by_role("link", name="Units").click()
    expect(page.get_by_role("heading", name="Units")).to_be_visible()

    # Filtering swaps only the table (HTMX) and puts the filter in the address bar.
    page.evaluate("window.__marker = 'still the same page'")
    page.get_by_role("main").get_by_label("Search", exact=True).fill("浦东")
    expect(page.locator("#table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "still the same page"
    assert "q=" in page.url

    page.get_by_role("link", name="浦东网点").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("This field is required")
    page.get_by_label("Name").fill("Pudong flagship")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Pudong flagship")).to_be_visible()
    expect(page.locator("#history-title")).to_be_visible()
    expect(page.get_by_text("浦东网点 → Pudong flagship")).to_be_visible()
    assert Unit.objects.get(pk=network.outlet_a.pk).name == "Pudong flagship"


def test_a_dispatcher_switches_from_simplified_chinese_to_russian(page, live_server, network):
    make_user("dispatcher", network.centre, username="zhao", preferred_language="zh-hans")
    sign_in(page, live_server, "zhao", PASSWORD)
    expect(page.get_by_role("heading", name="欢迎")).to_be_visible()
    page.get_by_label("语言").select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Добро пожаловать")).to_be_visible()


def test_a_field_engineer_uses_the_menu_on_a_phone_in_russian(phone_page, live_server, network):
    make_user("field_engineer", network.outlet_a, username="igor", preferred_language="ru")
    page = phone_page
    sign_in(page, live_server, "igor", PASSWORD)
    toggler = page.get_by_role("button", name="Показать или скрыть меню")
    expect(toggler).to_be_visible()
    toggler.click()
    nav = page.get_by_role("navigation", name="Основная навигация")
    nav.get_by_role("button", name="Оргструктура").click()
    nav.get_by_role("link", name="Подразделения").click()
    expect(page.locator("#table tbody tr")).to_have_count(1)  # only their own outlet
    expect(page.get_by_role("link", name="浦东网点")).to_be_visible()


def test_a_unit_head_creates_an_api_token_in_traditional_chinese(page, live_server, network):
    make_user("unit_head", network.region, username="wu", preferred_language="zh-hant")
    sign_in(page, live_server, "wu", PASSWORD)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_label("權杖名稱").fill("ERP 對接")
    page.get_by_role("button", name="建立權杖").click()
    token = page.locator("#new-token")
    expect(token).to_contain_text("as_")
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.get_by_text("ERP 對接")).to_be_visible()


def test_an_administrator_sets_working_hours_and_computes_a_deadline_in_simplified_chinese(
    page, live_server, network
):
    from aftersales.calendars.services import calendar_create

    make_user("administrator", network.hq, username="zhang", preferred_language="zh-hans")
    calendar = calendar_create(owner=network.hq, name="上海工作日历", country="CN")
    sign_in(page, live_server, "zhang", PASSWORD)
    page.goto(f"{live_server.url}/calendars/{calendar.pk}/")
    page.get_by_role("link", name="编辑工作时间").click()
    for weekday in ["星期一", "星期二", "星期三", "星期四", "星期五"]:
        page.get_by_label(weekday).fill("08:30-12:00, 13:30-17:30")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="上海工作日历")).to_be_visible()

    # Friday 16:00 + 120 working minutes: 90 on Friday, 30 on Monday morning.
    page.get_by_label("开始").fill("2026-11-27T16:00")
    page.get_by_label("工作时长（分钟）").fill("120")
    page.get_by_label("时区").select_option("Asia/Shanghai")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#deadline-result")).to_contain_text("2026-11-30 09:00")
