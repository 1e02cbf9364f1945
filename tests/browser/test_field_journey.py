"""The on-site journey of issue #5 in a real browser: a customer's air conditioner needs an
engineer at home. The dispatcher (English, desktop) makes a field work order from the service
request, sees it waiting on the board with its two clocks (seed 001: contact within 16 hours,
on site within 24), opens the job, picks the engineer the system ranks first (skill and
region), records the call with the customer and plans the visit; the board shows it in the
engineer's row. The engineer (Russian, a 390×844 phone) opens "My jobs", navigates and calls,
marks the arrival (the on-site clock is met), records the part from the unit's stock, the work
and a photo; the customer types their name, signs on the screen and rates the visit; the order
is completed and the printed service record sheet carries the signature and the name.

A second story: orders received long ago show their clocks as missed on the board, and the
sweep records the breaches the job page lists."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.customers.models import Address
from aftersales.customers.tests.factories import make_customer
from aftersales.field_service import clocks
from aftersales.field_service.models import FieldJob, ResponsePolicy, Visit, VisitStatus
from aftersales.field_service.tests.factories import make_engineer
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.organisation.tests.factories import make_unit
from aftersales.service_requests.tests.factories import (
    make_request_type,
    make_service_request,
    make_skill,
)
from aftersales.stock.models import StockBalance
from aftersales.work_orders.models import Kind, Photo, Signature, SignatureKind, Status, WorkOrder
from aftersales.work_orders.tests.factories import PNG, make_field_order, stocked_warehouse
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FITS_THE_PHONE = "document.documentElement.scrollWidth <= window.innerWidth"


def _in(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return gettext(message) % values if values else gettext(message)


@pytest.fixture
def private_files(tmp_path):  # type: ignore[no-untyped-def]
    """Signatures and photos land in a temporary directory, not the checkout's var/private."""
    storage = Signature._meta.get_field("image").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


def _visit_window() -> tuple[datetime.datetime, datetime.datetime]:
    """An hour today (the unit's day, Asia/Shanghai by default): the next full hour, kept
    between 08:00 and 20:00, so the visit is on today's board, inside its 07:00–21:00 track,
    and in today's jobs whenever the test runs (CI runs at night in Shanghai too)."""
    now = timezone.localtime()
    start = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    start = max(start, now.replace(hour=8, minute=0, second=0, microsecond=0))
    start = min(start, now.replace(hour=20, minute=0, second=0, microsecond=0))
    return start, start + datetime.timedelta(hours=1)


def _watch_refusals(page, refused: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Collect what the browser refuses to apply on `page` (the CSP allows no inline style or
    script: such a page looks fine in a test client and broken in a browser)."""
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def _draw_signature(page, canvas) -> None:  # type: ignore[no-untyped-def]
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300  # as wide as the phone's screen
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 20, y + 40 + (step % 3) * 15)
    page.mouse.up()


def test_a_visit_is_dispatched_worked_on_a_phone_and_signed_on_the_screen(
    page, phone_page, live_server, network, private_files
):
    unit = network.outlet_a
    ResponsePolicy.objects.create(
        name="Seed 001", unit=network.hq, contact_hours=16, onsite_hours=24, business_hours=False
    )
    make_user("dispatcher", unit, username="dana", preferred_language="en")
    aircon = make_skill(name="Air conditioners")
    repair = make_request_type(code="aircon", name="Air conditioner repair", skill=aircon)
    west = make_unit(network.hq, name="West region")  # another region
    # Three engineers: one serves the customer's region without the skill, one has the skill in
    # another region, and the last made has both: the system must rank them, not the ids.
    near = make_engineer(unit, regions=[network.region], user=make_user("field_engineer", unit))
    far = make_engineer(unit, regions=[west], user=make_user("field_engineer", unit))
    aircon.members.add(far.user)
    ivan = make_user(
        "field_engineer",
        unit,
        username="ivan",
        first_name="Иван",
        last_name="Соколов",
        preferred_language="ru",
    )
    right = make_engineer(unit, regions=[network.region], skills=[aircon], user=ivan)
    customer = make_customer(unit, phone="138 0013 8000", name="王芳")
    Address.objects.create(
        customer=customer,
        region=network.region,
        text="上海市浦东新区世纪大道 100 号 12 室",
        is_default=True,
    )
    product = make_installed_product(customer)
    request = make_service_request(
        customer,
        request_type=repair,
        subject="Air conditioner does not cool",
        description="Blows warm air since yesterday.",
        product=product,
    )
    warehouse, part = stocked_warehouse(unit, quantity="3", cost="40.00", part_number="CAP-35UF")

    # --- The dispatcher makes the field order from the request. ---
    refused: list[str] = []
    _watch_refusals(page, refused)
    sign_in(page, live_server, "dana", PASSWORD)
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    page.locator("#request-actions [data-action=work_order]").click()
    page.wait_for_url(re.compile(r"/work-orders/new/from-request/\d+/"))
    expect(page.locator("#source-request")).to_contain_text(request.number)
    expect(page.locator("#order-form [name=kind]")).to_have_value(Kind.VISIT)
    expect(page.locator("#order-form [name=reported_fault]")).to_have_value(
        "Blows warm air since yesterday."
    )
    page.get_by_role("button", name="Create the work order").click()
    page.wait_for_url(re.compile(r"/work-orders/\d+/$"))
    order = WorkOrder.objects.get(service_request=request)
    job = FieldJob.objects.get(work_order=order)
    assert order.kind == Kind.VISIT and order.address.startswith("上海市浦东新区")
    assert job.contact_due_at == job.received_at + datetime.timedelta(hours=16)
    assert job.onsite_due_at == job.received_at + datetime.timedelta(hours=24)

    # It waits on the board with both clocks running.
    page.goto(f"{live_server.url}/field/board/")
    waiting = page.locator(f"#waiting [data-job='{job.pk}']")
    expect(waiting).to_contain_text(order.number)
    expect(waiting).to_contain_text("王芳")
    contact_clock = waiting.locator("[data-clock=contact]")
    onsite_clock = waiting.locator("[data-clock=onsite]")
    expect(contact_clock).to_have_class(re.compile(r"\bclock-running\b"))
    expect(contact_clock).to_contain_text(re.compile(r"(15 h 5\d min|16 h 00 min) left"))
    expect(onsite_clock).to_contain_text(re.compile(r"(23 h 5\d min|24 h 00 min) left"))

    # The job: the engineer with the skill and the region comes first, then skill, then region.
    waiting.get_by_role("link", name="Assign").click()
    page.wait_for_url(re.compile(rf"/field/jobs/{job.pk}/"))
    expect(page.locator("dl")).to_contain_text("calendar hours · Seed 001")
    ranked = page.locator("#suggestions tbody tr")
    expect(ranked).to_have_count(3)
    assert [ranked.nth(n).get_attribute("data-engineer") for n in range(3)] == [
        str(right.pk),
        str(far.pk),
        str(near.pk),
    ]
    expect(ranked.first).to_contain_text("Соколов")

    # The dispatcher calls the customer and agrees on the time: the contact clock stops.
    start, end = _visit_window()
    contact = page.locator("#contact-form")
    contact.locator("[name=window_start]").fill(f"{start:%Y-%m-%dT%H:%M}")
    contact.locator("[name=window_end]").fill(f"{end:%Y-%m-%dT%H:%M}")
    contact.locator("[name=note]").fill("Customer at home all afternoon; ring twice.")
    contact.get_by_role("button", name="Record the contact").click()
    expect(page.locator("#clocks [data-clock=contact]")).to_have_class(re.compile(r"\bclock-met\b"))
    expect(page.locator("#clocks [data-clock=onsite]")).to_have_class(
        re.compile(r"\bclock-running\b")
    )

    # The agreed window is already in the plan; choosing the first suggestion fills the engineer.
    page.locator("#suggestions tbody tr").first.get_by_role("link", name="Choose").click()
    schedule = page.locator("#schedule-form")
    expect(schedule.locator("[name=engineer]")).to_have_value(str(right.pk))
    expect(schedule.locator("[name=window_start]")).to_have_value(f"{start:%Y-%m-%dT%H:%M}")
    expect(schedule.locator("[name=agreed]")).to_be_checked()
    schedule.get_by_role("button", name="Plan the visit").click()
    page.wait_for_url(re.compile(r"/field/board/\?unit="))
    row = page.locator(f"#board tr[data-engineer='{right.pk}']")
    expect(row.locator(".board-visit")).to_have_count(1)
    expect(row.locator(".board-visit")).to_contain_text(f"{start:%H:%M} 王芳")
    # The block sits at its hour on the 07:00–21:00 track.
    track = row.locator(".board-track").bounding_box()
    block = row.locator(".board-visit").bounding_box()
    assert track is not None and block is not None
    hours = max(0.0, min(start.hour - 7, 14))
    assert abs(block["x"] - track["x"] - track["width"] * hours / 14) < 3
    assert abs(block["width"] - track["width"] / 14) < 3
    expect(page.locator(f"#waiting [data-job='{job.pk}']")).to_have_count(0)
    visit = Visit.objects.get(work_order=order)
    order.refresh_from_db()
    assert visit.engineer == right and order.status == Status.SCHEDULED
    assert order.technician == ivan

    # --- The engineer, on a phone, in Russian. ---
    phone = phone_page
    _watch_refusals(phone, refused)
    sign_in(phone, live_server, "ivan", PASSWORD)
    phone.goto(f"{live_server.url}/field/my/")
    expect(phone.locator("h1")).to_contain_text(_in("ru", "My jobs today"))
    card = phone.locator(f"#jobs [data-visit='{visit.pk}']")
    expect(card).to_contain_text("王芳")
    expect(card).to_contain_text(f"{start:%H:%M}–{end:%H:%M}")
    navigate = card.locator("a[href*='openstreetmap']")
    assert "%E4%B8%8A%E6%B5%B7" in (navigate.get_attribute("href") or "")  # 上海, quoted
    expect(card.locator("a[href^='tel:']")).to_have_attribute("href", "tel:+8613800138000")
    # Navigate, call and open side by side, thumb-sized.
    buttons = [card.locator(".btn-lg").nth(n).bounding_box() for n in range(3)]
    assert len({round(box["y"]) for box in buttons}) == 1
    assert all(box["height"] >= 44 for box in buttons)
    assert phone.evaluate(FITS_THE_PHONE)
    card.get_by_role("link", name=_in("ru", "Open")).click()
    phone.wait_for_url(re.compile(rf"/field/visits/{visit.pk}/"))
    expect(phone.locator("#call")).to_have_attribute("href", "tel:+8613800138000")
    expect(phone.locator("#navigate")).to_be_visible()
    assert phone.evaluate(FITS_THE_PHONE)

    # Arrival: the on-site clock is met.
    phone.locator("#arrive").click()
    expect(phone.locator("#visit")).to_have_attribute("data-status", VisitStatus.ON_SITE)
    expect(phone.get_by_text(_in("ru", "Arrival recorded."))).to_be_visible()
    expect(phone.locator("[data-clock=onsite]")).to_have_class(re.compile(r"\bclock-met\b"))
    assert phone.evaluate(FITS_THE_PHONE)

    # The part comes from the unit's warehouse; the work done; a photo of the new capacitor.
    parts = phone.locator("#parts")
    parts.locator("[name=part]").fill("cap-35uf")
    parts.locator("[name=quantity]").fill("1")
    parts.locator("button").click()
    expect(phone.locator("#parts li")).to_contain_text("CAP-35UF")
    work = phone.locator("#work")
    work.locator("[name=description]").fill("Заменён пусковой конденсатор, фреон в норме")
    work.locator("[name=minutes]").fill("45")
    work.locator("[name=amount]").fill("120")
    work.locator("button").click()
    expect(phone.locator("#work li")).to_contain_text("Заменён пусковой конденсатор")
    photos = phone.locator("#photos")
    photos.locator("[name=file]").set_input_files(
        {"name": "capacitor.png", "mimeType": "image/png", "buffer": PNG}
    )
    photos.locator("[name=caption]").fill("Новый конденсатор")
    photos.locator("button").click()
    expect(phone.get_by_text(_in("ru", "Photo added."))).to_be_visible()
    expect(phone.locator("#photos .badge")).to_have_text("1")
    assert phone.evaluate(FITS_THE_PHONE)

    # The customer types the name, signs on the screen and rates the visit.
    sign = phone.locator("#sign")
    sign.locator("[name=signer_name]").fill("王芳")
    _draw_signature(phone, sign.locator("[data-signature-pad] canvas"))
    assert sign.locator("input[name=signature]").input_value().startswith("data:image/png;base64,")
    sign.locator("label[for=rating-5]").click()
    sign.locator("[name=comment]").fill("很好，谢谢")
    assert phone.evaluate(FITS_THE_PHONE)
    phone.locator("#finish").click()
    expect(phone.get_by_text(_in("ru", "Signed and completed. Thank you!"))).to_be_visible()
    expect(phone.locator("#visit")).to_have_attribute("data-status", VisitStatus.DONE)
    assert phone.evaluate(FITS_THE_PHONE)

    order.refresh_from_db()
    visit.refresh_from_db()
    assert order.status == Status.COMPLETED and order.rating == 5
    assert order.work_done == "Заменён пусковой конденсатор, фреон в норме"
    assert visit.arrived_at is not None and visit.departed_at is not None
    assert visit.outcome == "finished"
    job.refresh_from_db()
    assert job.first_arrival_at == visit.arrived_at and job.contacted_at is not None
    line = order.part_lines.get()
    assert line.part == part and line.warehouse == warehouse and line.quantity == Decimal("1")
    assert StockBalance.objects.get(warehouse=warehouse, part=part).quantity == Decimal("2")
    assert order.photos.get().stage == Photo.Stage.ON_SITE
    signature = order.signatures.get(kind=SignatureKind.SERVICE_RECORD)
    assert signature.signer_name == "王芳" and signature.signed_at is not None
    with signature.image.open("rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"

    # The printed service record sheet carries the drawn signature and the customer's name.
    page.goto(f"{live_server.url}/work-orders/{order.pk}/print/service_record/")
    box = page.locator(".signature-box")
    expect(box.locator("img[src^='data:image/png;base64,']")).to_be_visible()
    expect(box).to_contain_text("王芳")
    expect(box).to_contain_text(timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M"))
    expect(page.locator(".sheet")).to_contain_text("CAP-35UF")
    expect(page.locator(".sheet")).to_contain_text("Заменён пусковой конденсатор")
    assert refused == []


def test_clocks_run_out_on_the_board_for_orders_received_long_ago(page, live_server, network):
    unit = network.outlet_a
    make_user("dispatcher", unit, username="dana", preferred_language="en")
    make_engineer(unit)
    now = timezone.now()

    def received(hours_ago: float) -> WorkOrder:
        order = make_field_order(unit)
        when = now - datetime.timedelta(hours=hours_ago)
        WorkOrder.objects.filter(pk=order.pk).update(created_at=when)
        FieldJob.objects.filter(work_order=order).delete()
        clocks.field_job_open(order, received_at=when)
        return order

    late = received(30)  # both clocks ran out: contact 14 h ago, on site 6 h ago
    close = received(15.5)  # the contact clock warns: half an hour left
    clocks.sweep_clocks()

    sign_in(page, live_server, "dana", PASSWORD)
    page.goto(f"{live_server.url}/field/board/?unit={unit.pk}")
    items = page.locator("#waiting li[data-job]")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(late.number)  # the most urgent first
    missed = items.first
    for clock in ("contact", "onsite"):
        expect(missed.locator(f"[data-clock={clock}]")).to_have_class(
            re.compile(r"\bclock-breached\b")
        )
        expect(missed.locator(f"[data-clock={clock}]")).to_contain_text("missed")
    warned = page.locator(f"#waiting [data-job='{close.field_job.pk}'] [data-clock=contact]")
    expect(warned).to_have_class(re.compile(r"\bclock-warned\b"))
    expect(warned).to_contain_text(re.compile(r"(29|30) min left"))

    # The job lists the breaches the sweep recorded.
    missed.get_by_role("link", name=late.number).click()
    expect(page.locator("#breaches li")).to_have_count(2)
