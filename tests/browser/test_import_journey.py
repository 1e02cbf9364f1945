"""An administrator loads last year's customer list from the old system: a bad row is shown
before anything is written, the fixed file loads, and loading it again duplicates nothing."""

import pytest
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.models import Customer
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "客户编号,客户名称,电话,邮箱\n"
ROWS = [
    "OLD-001,张伟,138 0013 8000,zhang@example.cn\n",
    "OLD-002,Иванов Иван Иванович,8 (912) 345-67-89,ivanov@example.ru\n",
    "OLD-003,王芳贸易有限公司,+86 139 0013 9000,\n",
]
BAD_ROW = "OLD-004,李娜,12345,\n"
FIXED_ROW = "OLD-004,李娜,137 0013 7000,\n"


def _upload(page, live_server, path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/imports/")
    page.get_by_role("link", name="New import").click()
    page.get_by_label("What to import").select_option("customers")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    # The headings were recognised: the phone column is mapped already.
    expect(page.get_by_label("电话")).to_have_value("phone")
    page.get_by_role("button", name="Check the file").click()


def test_bad_row_fixed_then_loaded_once(page, live_server, network, tmp_path):
    make_user("administrator", network.outlet_a, username="lin", preferred_language="en")
    sign_in(page, live_server, "lin", PASSWORD)

    bad = tmp_path / "customers-2025.csv"
    bad.write_text(HEADER + "".join(ROWS) + BAD_ROW, encoding="gb18030")
    _upload(page, live_server, bad)
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("5")
    expect(errors.first).to_contain_text("电话")
    expect(errors.first).to_contain_text("“12345” is not a valid phone number.")
    expect(page.get_by_role("button", name="Load")).to_be_disabled()
    assert Customer.objects.count() == 0

    fixed = tmp_path / "customers-2025-fixed.csv"
    fixed.write_text(HEADER + "".join(ROWS) + FIXED_ROW, encoding="gb18030")
    _upload(page, live_server, fixed)
    expect(page.locator("[data-count=create]")).to_have_text("4")
    expect(page.locator("[data-count=errors]")).to_have_text("0")
    page.get_by_role("button", name="Load").click()
    expect(page.locator("[data-count=created]")).to_have_text("4")
    assert Customer.objects.count() == 4

    _upload(page, live_server, fixed)
    expect(page.locator("[data-count=update]")).to_have_text("4")
    page.get_by_role("button", name="Load").click()
    expect(page.locator("[data-count=created]")).to_have_text("0")
    expect(page.locator("[data-count=updated]")).to_have_text("4")
    assert Customer.objects.count() == 4
    page.screenshot(path=str(tmp_path / "result.png"), full_page=True)
