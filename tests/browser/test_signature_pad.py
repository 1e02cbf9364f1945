"""The on-screen signature pad in a real browser, on a phone-sized screen: the customer opens
the one-time link, an empty pad stops the form in the browser, a drawn signature is sent as a
PNG and recorded with the name and the rating."""

import pytest
from playwright.sync_api import expect

from aftersales.work_orders import services
from aftersales.work_orders.models import CustomerLink, Signature, SignatureKind
from aftersales.work_orders.tests.factories import make_field_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def private_files(tmp_path):  # type: ignore[no-untyped-def]
    """The signature lands in a temporary directory, not the checkout's var/private."""
    storage = Signature._meta.get_field("image").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


def test_the_customer_signs_the_service_record_on_a_phone(
    phone_page, live_server, network, private_files
) -> None:
    order = make_field_order(network.outlet_a)
    token = services.signature_link_create(order=order, user=None)
    page = phone_page
    page.goto(f"{live_server.url}/work-orders/link/{token}/")
    canvas = page.locator("[data-signature-pad] canvas")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300  # the pad is as wide as the phone's screen

    page.locator("input[name=signer_name]").fill("李强")
    page.locator("form#link-sign-form button[type=submit]").click()
    expect(page.locator("[data-signature-error]")).to_be_visible()
    assert CustomerLink.objects.get().used_at is None  # nothing left the browser

    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + 30 + step * 20, y + 40 + (step % 3) * 15)
    page.mouse.up()
    value = page.locator("input[name=signature]").input_value()
    assert value.startswith("data:image/png;base64,")

    page.locator("select[name=rating]").select_option("5")
    page.locator("form#link-sign-form button[type=submit]").click()
    expect(page.locator("#link-done")).to_be_visible()
    signature = order.signatures.get()
    assert signature.kind == SignatureKind.SERVICE_RECORD and signature.signer_name == "李强"
    with signature.image.open("rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (private_files / signature.image.name).exists()
