"""The in-store repair journey of issue #5 in a real browser, every person on a phone-sized
screen (390×844): reception takes a phone in at the counter (IMEI, accessories, condition, a
photo, the fault, the customer's signature drawn on the pad) and prints the intake receipt in
the customer's language; a technician diagnoses with fault and repair codes and sends a quote
the customer approves through the one-time link on their own phone; the part is taken from the
outlet's stock; the device is tested, made ready and handed back. A unit that leaves for the
factory cannot be handed back until it has returned; one handed to another outlet is received
there. Asking for more parts than the shelf holds is refused on the page and changes nothing.

The staff work in English (their preferred language), the customer reads Russian."""

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.catalog.models import FaultCode, RepairCode
from aftersales.catalog.tests.factories import make_category, make_product_model
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.stock.models import StockBalance
from aftersales.work_orders.models import (
    Custody,
    CustodyKind,
    Photo,
    QuoteStatus,
    SignatureKind,
    Status,
    Warranty,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import (
    PNG,
    make_repair_in_diagnosis,
    stocked_warehouse,
)
from tests.browser.conftest import ARTIFACTS, PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_URL = re.compile(r"/work-orders/\d+/$")


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


@pytest.fixture
def private_files(tmp_path):  # type: ignore[no-untyped-def]
    """Photos and signatures land in a temporary directory, not the checkout's var/private."""
    storage = Photo._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@pytest.fixture
def phones(browser, request) -> Iterator[Callable[..., Page]]:  # type: ignore[no-untyped-def]
    """Opens a phone-sized browser of its own (own cookies: one person) per call. Whatever the
    browser refuses under the CSP (an inline style or script: fine in a test client, broken on
    a phone) fails the journey. On a failing journey every phone's screen and HTML are kept
    under test-artifacts/browser/."""
    opened: list[Page] = []
    refused: list[str] = []

    def watch(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    def open_phone(locale: str = "en-US") -> Page:
        context = browser.new_context(viewport=PHONE, locale=locale)
        context.set_default_timeout(10_000)
        context.on("console", watch)
        page = context.new_page()
        opened.append(page)
        return page

    yield open_phone
    failed = getattr(request.node, "journey_failed", False)
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    for number, page in enumerate(opened, start=1):
        if failed:
            folder.mkdir(parents=True, exist_ok=True)
            for shown, tab in enumerate(page.context.pages, start=1):
                name = f"phone-{number}-tab-{shown}"
                tab.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                (folder / f"{name}.html").write_text(tab.content(), encoding="utf-8")
        page.context.close()
    if failed and opened:
        request.node.add_report_section("call", "browser artifacts", f"kept in {folder}")
        print(f"\nbrowser artifacts kept in {folder}")  # noqa: T201 — named in the test report
    assert refused == [], "the browser refused under the CSP"


def _sign_on_pad(page: Page, pad: str = "[data-signature-pad]") -> None:
    """The customer signs with a finger: a stroke across the pad."""
    canvas = page.locator(f"{pad} canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300  # as wide as the phone's screen
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 20, y + 40 + (step % 3) * 15)
    page.mouse.up()
    assert (
        page.locator(f"{pad} input[type=hidden]").input_value().startswith("data:image/png;base64,")
    )


def _step(page: Page, status_label: str) -> None:
    """A plain status step from the order page's "Change the status" buttons."""
    page.locator("#action-status").get_by_role("button", name=f"→ {status_label}").click()
    expect(page.locator("#order-status")).to_have_text(status_label)


def _take_in(page: Page, live_server, customer, **fields: str) -> WorkOrder:  # type: ignore[no-untyped-def]
    """Reception opens the customer's card, takes the device in and lands on the order."""
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("#take-in-device").click()
    form = page.locator("#intake-form")
    expect(form).to_be_visible()
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    _sign_on_pad(page)
    form.get_by_role("button", name="Take in the device").click()
    page.wait_for_url(ORDER_URL)
    return WorkOrder.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def test_a_phone_goes_from_the_counter_to_the_customer_and_back(
    phones, live_server, network, settings, private_files
) -> None:
    settings.SITE_URL = live_server.url
    make_user("outlet_reception", network.outlet_a, username="olga", preferred_language="en")
    technician = make_user(
        "technician",
        network.outlet_a,
        username="tim",
        first_name="Tim",
        last_name="Baker",
        preferred_language="en",
    )
    customer = make_customer(
        network.outlet_a, phone="+7 916 123-45-67", name="Иван Петров", language="ru"
    )
    category = make_category(code="phones", name="Phones")
    model = make_product_model(category, code="PX-9", name="Phone X9", warranty_months=12)
    FaultCode.objects.create(category=category, code="NOPWR", name="Does not power on")
    RepairCode.objects.create(category=category, code="BATT", name="Battery replaced")
    warehouse, battery = stocked_warehouse(
        network.outlet_a,
        quantity="3",
        cost="80.00",
        part_number="BAT-X9",
        name_en="Battery X9",
        price=Decimal("150.00"),
    )
    battery.compatible_models.add(model)
    bought = timezone.localdate() - datetime.timedelta(days=60)

    # At the counter: a phone the customer never registered, with its IMEI and model.
    desk = phones()
    sign_in(desk, live_server, "olga", PASSWORD)
    desk.goto(f"{live_server.url}/customers/{customer.pk}/")
    desk.locator("#take-in-device").click()
    form = desk.locator("#intake-form")
    form.locator("[name=serial]").fill("356938035643809")
    form.locator("[name=model]").fill("px-9")  # typed in lower case, still found
    form.locator("[name=purchase_date]").fill(bought.isoformat())
    form.locator("[name=accessories]").fill("Charger, silicone case")
    form.locator("[name=condition]").fill("Scratched back cover, cracked lower-left corner")
    form.locator("[name=photos]").set_input_files(
        {"name": "back-cover.png", "mimeType": "image/png", "buffer": PNG}
    )
    form.locator("[name=reported_fault]").fill("Не включается после падения")
    form.locator("[name=technician]").select_option(str(technician.pk))
    expect(form.locator("[name=signer_name]")).to_have_value("Иван Петров")
    # Submitting before signing is stopped in the browser.
    form.get_by_role("button", name="Take in the device").click()
    expect(form.locator("[data-signature-error]")).to_be_visible()
    assert not WorkOrder.objects.exists()
    _sign_on_pad(desk)
    form.get_by_role("button", name="Take in the device").click()
    desk.wait_for_url(ORDER_URL)

    order = WorkOrder.objects.get()
    product = InstalledProduct.objects.get(customer=customer)
    assert (product.serial, product.model) == ("356938035643809", model)  # registered on the spot
    expect(desk.get_by_role("heading", name=re.compile(order.number))).to_be_visible()
    expect(desk.locator("#order-status")).to_have_text("New")
    expect(desk.locator("#order-warranty")).to_have_text("In warranty")
    expect(desk.locator("#order-custody")).to_contain_text("at the service unit")
    expect(desk.locator("#order-technician")).to_contain_text("Tim Baker")
    expect(desk.locator("#photos img")).to_have_count(1)
    expect(desk.locator("#signatures [data-signature=intake]")).to_contain_text("Иван Петров")
    assert order.photos.get().original_name == "back-cover.png"
    with order.signatures.get(kind=SignatureKind.INTAKE).image.open("rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"

    # The intake receipt prints in the customer's language, with the signature on it.
    desk.locator("#print-menu button").click()
    with desk.context.expect_page() as opened:
        desk.locator("#print-menu").get_by_role("link", name="Intake receipt").click()
    receipt = opened.value
    receipt.wait_for_load_state()
    expect(receipt.locator("html")).to_have_attribute("lang", "ru")
    expect(receipt.locator("h1")).to_have_text(_in("ru", "Intake receipt"))
    assert re.search("[а-я]", _in("ru", "In warranty"))  # a string the catalog has already
    expect(receipt.locator("body")).to_contain_text(_in("ru", "In warranty"))
    expect(receipt.locator("body")).to_contain_text("Не включается после падения")
    expect(receipt.locator("body")).to_contain_text("Charger, silicone case")
    expect(receipt.locator("body")).to_contain_text("356938035643809")
    expect(receipt.locator(".signature-box img")).to_be_visible()
    receipt.close()

    # The technician diagnoses with codes of the phone's category.
    bench = phones()
    sign_in(bench, live_server, "tim", PASSWORD)
    bench.goto(f"{live_server.url}/work-orders/{order.pk}/")
    _step(bench, "Diagnosis")
    bench.get_by_text("Edit the diagnosis").click()
    diagnosis = bench.locator("#action-diagnosis")
    diagnosis.locator("[name=diagnosis]").fill("Battery swollen after the fall; board is fine.")
    diagnosis.locator("[name=fault_codes]").select_option(label="NOPWR · Does not power on")
    diagnosis.locator("[name=repair_codes]").select_option(label="BATT · Battery replaced")
    diagnosis.get_by_role("button", name="Save the diagnosis").click()
    expect(bench.locator("#order-diagnosis")).to_contain_text("Battery swollen")
    expect(bench.locator("#diagnosis-title").locator("..")).to_contain_text("NOPWR")
    expect(bench.locator("#diagnosis-title").locator("..")).to_contain_text("BATT")

    # A quote (drop damage is the customer's), and the one-time link to send them.
    quote = bench.locator("#action-quote")
    quote.locator("[name=amount]").fill("150.00")
    quote.locator("[name=note]").fill("Battery replacement: drop damage is not under warranty.")
    quote.get_by_role("button", name="Send the quote").click()
    expect(bench.locator("#order-status")).to_have_text("Awaiting the customer's approval")
    link = bench.locator("#customer-link-url").input_value()
    assert link.startswith(f"{live_server.url}/work-orders/link/")

    # The customer opens it on their own phone, signed in nowhere, reads Russian, approves.
    own_phone = phones("ru-RU")
    own_phone.goto(link)
    expect(own_phone.locator("html")).to_have_attribute("lang", "ru")
    expect(own_phone.locator("#quote-amount")).to_have_text("150,00")  # Russian decimal comma
    expect(own_phone.locator("body")).to_contain_text("drop damage is not under warranty")
    own_phone.locator("button[name=answer][value=approve]").click()
    expect(own_phone.locator("#link-done")).to_be_visible()
    own_phone.goto(link)  # the link worked once
    expect(own_phone.locator("#link-refused")).to_be_visible()

    # Approved: in repair. The technician takes the battery from the outlet's shelf.
    bench.reload()
    expect(bench.locator("#order-status")).to_have_text("In repair")
    expect(bench.locator("#quote-status")).to_contain_text("Approved")
    issue = bench.locator("#action-part_issue")
    issue.locator("[name=part]").fill("bat-x9")
    issue.get_by_role("button", name="Take the part").click()
    expect(bench.locator("#part-lines tr[data-part='BAT-X9']")).to_be_visible()
    expect(bench.locator("#parts-cost")).to_have_text("80.00")
    bench.goto(f"{live_server.url}/stock/{warehouse.pk}/")
    expect(bench.locator("tr[data-part='BAT-X9'] td.text-end").first).to_have_text(
        re.compile(r"^\s*2\b")
    )
    assert StockBalance.objects.get(warehouse=warehouse, part=battery).quantity == Decimal("2")

    # Repaired, tested, ready for collection.
    bench.goto(f"{live_server.url}/work-orders/{order.pk}/")
    _step(bench, "Testing")
    _step(bench, "Ready for collection")

    # The customer collects it at the counter.
    desk.reload()
    hand_back = desk.locator("#action-complete")
    # Its own "Note" (the page holds four forms with a note).
    hand_back.get_by_label("Note").fill("Checked by the customer: powers on, charges.")
    hand_back.get_by_role("button", name="Handed back: close the order").click()
    expect(desk.locator("#order-status")).to_have_text("Completed")
    expect(desk.locator("#order-custody")).to_contain_text("with the customer")
    expect(desk.locator("#custody-log [data-kind=returned]")).to_be_visible()

    order.refresh_from_db()
    assert order.status == Status.COMPLETED and order.custody == Custody.CUSTOMER
    assert order.warranty == Warranty.IN_WARRANTY
    assert order.quote_status == QuoteStatus.APPROVED
    assert order.parts_cost == Decimal("80.00")
    assert {c.code for c in order.fault_codes.all()} == {"NOPWR"}
    assert {c.code for c in order.repair_codes.all()} == {"BATT"}


def test_a_phone_sent_to_the_factory_is_handed_back_only_once_it_is_back(
    phones, live_server, network, private_files
) -> None:
    make_user("outlet_reception", network.outlet_a, username="olga", preferred_language="en")
    make_user("technician", network.outlet_a, username="tim", preferred_language="en")
    customer = make_customer(network.outlet_a, name="Мария Соколова", language="ru")
    old = make_installed_product(
        customer,
        serial="490154203237518",
        purchase_date=timezone.localdate() - datetime.timedelta(days=800),
        warranty_end=timezone.localdate() - datetime.timedelta(days=70),
    )

    # The IMEI of a phone the customer already has: found, out of warranty.
    desk = phones()
    sign_in(desk, live_server, "olga", PASSWORD)
    order = _take_in(
        desk,
        live_server,
        customer,
        serial="490154203237518",
        reported_fault="Экран мерцает",
        accessories="",
    )
    assert order.product == old
    expect(desk.locator("#order-warranty")).to_have_text("Out of warranty")

    # The board must be replaced at the factory: the phone leaves, with the RMA number.
    bench = phones()
    sign_in(bench, live_server, "tim", PASSWORD)
    bench.goto(f"{live_server.url}/work-orders/{order.pk}/")
    _step(bench, "Diagnosis")
    custody = bench.locator("#action-custody")
    custody.get_by_label("What happened to the device").select_option(CustodyKind.SENT_TO_FACTORY)
    custody.get_by_label("Reference").fill("RMA-7781")
    custody.get_by_role("button", name="Record the step").click()
    expect(bench.locator("#order-custody")).to_contain_text("sent to the factory")
    expect(bench.locator("#custody-log [data-kind=to_factory]")).to_contain_text("RMA-7781")
    _step(bench, "Ready for collection")  # the factory promised it back (too soon)

    # The customer comes for it while it is away: refused, with the reason on the page.
    desk.reload()
    expect(desk.locator("#order-custody")).to_contain_text("sent to the factory")
    desk.locator("#action-complete").get_by_role(
        "button", name="Handed back: close the order"
    ).click()
    expect(desk.locator("#action-complete .alert-danger")).to_contain_text(
        "The device is not back yet (sent to the factory); record its return first."
    )
    order.refresh_from_db()
    assert order.status == Status.READY and order.custody == Custody.TO_FACTORY

    # The factory receives it, ships it back, it arrives at the outlet.
    for step in (CustodyKind.AT_FACTORY, CustodyKind.BACK_FROM_FACTORY_SENT):
        bench.locator("#action-custody [name=kind]").select_option(step)
        bench.locator("#action-custody").get_by_role("button", name="Record the step").click()
        expect(bench.locator(f"#custody-log [data-kind={step}]")).to_be_visible()
    expect(bench.locator("#order-custody")).to_contain_text("on the way back from the factory")
    bench.locator("#action-custody [name=kind]").select_option(CustodyKind.BACK_FROM_FACTORY)
    bench.locator("#action-custody").get_by_role("button", name="Record the step").click()
    expect(bench.locator("#order-custody")).to_contain_text("at the service unit")
    expect(bench.locator("#order-custody")).to_contain_text(network.outlet_a.name)

    # Now it can be handed back.
    desk.reload()
    desk.locator("#action-complete").get_by_role(
        "button", name="Handed back: close the order"
    ).click()
    expect(desk.locator("#order-status")).to_have_text("Completed")
    expect(desk.locator("#order-custody")).to_contain_text("with the customer")
    order.refresh_from_db()
    assert order.custody == Custody.CUSTOMER
    assert list(order.custody_events.order_by("pk").values_list("kind", flat=True)) == [
        CustodyKind.RECEIVED,
        CustodyKind.SENT_TO_FACTORY,
        CustodyKind.AT_FACTORY,
        CustodyKind.BACK_FROM_FACTORY_SENT,
        CustodyKind.BACK_FROM_FACTORY,
        CustodyKind.RETURNED,
    ]


def test_a_phone_handed_to_another_outlet_is_received_there(phones, live_server, network) -> None:
    make_user("technician", network.outlet_a, username="tim", preferred_language="en")
    make_user("technician", network.outlet_b, username="boris", preferred_language="en")
    order = make_repair_in_diagnosis(network.outlet_a)

    # Outlet A cannot repair it and hands it to outlet B.
    sender = phones()
    sign_in(sender, live_server, "tim", PASSWORD)
    sender.goto(f"{live_server.url}/work-orders/{order.pk}/")
    custody = sender.locator("#action-custody")
    custody.locator("[name=kind]").select_option(CustodyKind.HANDOFF_SENT)
    custody.locator("[name=to_unit]").select_option(str(network.outlet_b.pk))
    custody.locator("[name=reference]").fill("SF1234567890")
    custody.get_by_role("button", name="Record the step").click()
    expect(sender.locator("#order-custody")).to_contain_text("in transit to another unit")
    expect(sender.locator("#order-custody")).to_contain_text(network.outlet_b.name)

    # Outlet B finds it in its list while it is on the way and records its arrival.
    receiver = phones()
    sign_in(receiver, live_server, "boris", PASSWORD)
    receiver.goto(f"{live_server.url}/work-orders/")
    receiver.get_by_role("link", name=order.number).click()
    receiver.wait_for_url(ORDER_URL)
    receiver.locator("#action-custody [name=kind]").select_option(CustodyKind.HANDOFF_RECEIVED)
    receiver.locator("#action-custody").get_by_role("button", name="Record the step").click()
    expect(receiver.locator("#order-custody")).to_contain_text("at the service unit")
    expect(receiver.locator("#order-custody")).to_contain_text(network.outlet_b.name)
    order.refresh_from_db()
    assert order.unit == network.outlet_b and order.custody_unit == network.outlet_b


def test_taking_more_parts_than_the_shelf_holds_is_refused_on_the_page(
    phones, live_server, network
) -> None:
    make_user("technician", network.outlet_a, username="tim", preferred_language="en")
    make_user("technician", network.outlet_a, username="tanya", preferred_language="en")
    warehouse, screen = stocked_warehouse(
        network.outlet_a, quantity="1", cost="120.00", part_number="LCD-X9"
    )
    first = make_repair_in_diagnosis(network.outlet_a)
    second = make_repair_in_diagnosis(network.outlet_a)
    balance = StockBalance.objects.get(warehouse=warehouse, part=screen)

    tim = phones()
    sign_in(tim, live_server, "tim", PASSWORD)
    tim.goto(f"{live_server.url}/work-orders/{first.pk}/")
    issue = tim.locator("#action-part_issue")
    issue.locator("[name=part]").fill("LCD-X9")
    issue.get_by_label("Quantity").fill("2")
    issue.get_by_role("button", name="Take the part").click()
    refused = tim.locator("#action-part_issue .invalid-feedback, #action-part_issue .alert")
    expect(refused).to_contain_text(re.compile(r"Only 1 .*LCD-X9.*; 2 requested"))
    expect(tim.locator("#action-part_issue [name=quantity]")).to_have_value("2")  # kept to fix
    expect(tim.locator("#part-lines")).to_contain_text("No parts used.")
    balance.refresh_from_db()
    assert balance.quantity == Decimal("1") and not first.part_lines.exists()

    # Two technicians reach for the last screen: the one who comes second is told so.
    tanya = phones()
    sign_in(tanya, live_server, "tanya", PASSWORD)
    tanya.goto(f"{live_server.url}/work-orders/{second.pk}/")
    tanya.locator("#action-part_issue [name=part]").fill("LCD-X9")
    tim.locator("#action-part_issue [name=quantity]").fill("1")
    tim.locator("#action-part_issue").get_by_role("button", name="Take the part").click()
    expect(tim.locator("#part-lines tr[data-part='LCD-X9']")).to_be_visible()
    tanya.locator("#action-part_issue").get_by_role("button", name="Take the part").click()
    expect(
        tanya.locator("#action-part_issue .invalid-feedback, #action-part_issue .alert")
    ).to_contain_text(re.compile(r"Only 0 .*LCD-X9.*; 1 requested"))
    expect(tanya.locator("#part-lines")).to_contain_text("No parts used.")
    balance.refresh_from_db()
    assert balance.quantity == Decimal("0")
    assert first.part_lines.count() == 1 and not second.part_lines.exists()
