"""The work order pages as people use them: reception takes a phone in at the counter, a
technician works the order page (diagnosis, quote, parts, custody, signatures, hand-back), the
documents print in the customer's language, and the customer answers through a one-time link.
Every refusal is shown on the page and changes nothing."""

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_product_model
from aftersales.core.testing import query_count
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.stock.selectors import balance_of
from aftersales.work_orders import services
from aftersales.work_orders.models import (
    Custody,
    CustodyKind,
    CustomerLink,
    Kind,
    PartLine,
    Photo,
    QuoteStatus,
    Signature,
    SignatureKind,
    Status,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import (
    PNG,
    SIGNATURE_DATA_URL,
    make_field_order,
    make_quoted_repair,
    make_repair_in_diagnosis,
    make_work_order,
    stocked_warehouse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
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


@dataclass
class Outlet:
    """Outlet A: reception, a technician, a unit head; a customer with a phone in warranty."""

    reception: User
    technician: User
    head: User
    customer: Customer
    phone: InstalledProduct


@pytest.fixture
def outlet(network) -> Outlet:  # type: ignore[no-untyped-def]
    customer = make_customer(network.outlet_a, name="王丽")
    return Outlet(
        reception=make_user("outlet_reception", network.outlet_a),
        technician=make_user("technician", network.outlet_a),
        head=make_user("unit_head", network.outlet_a),
        customer=customer,
        phone=make_installed_product(customer, serial="352099001761481"),
    )


def detail(order: WorkOrder) -> str:
    return reverse("work_orders:order_detail", args=[order.pk])


def url(name: str, order: WorkOrder) -> str:
    return reverse(f"work_orders:{name}", args=[order.pk])


def photo(name: str = "front.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_the_units_orders_and_filters_them(client, network, outlet) -> None:
    mine = make_work_order(network.outlet_a, customer=outlet.customer, product=outlet.phone)
    visit = make_field_order(network.outlet_a)
    foreign = make_work_order(network.outlet_b)
    client.force_login(outlet.technician)

    page = client.get(reverse("work_orders:order_list")).content.decode()
    assert mine.number in page and visit.number in page and foreign.number not in page

    page = client.get(reverse("work_orders:order_list"), {"kind": Kind.VISIT}).content.decode()
    assert visit.number in page and mine.number not in page
    page = client.get(reverse("work_orders:order_list"), {"q": "35-2099-0017-6148-1"})
    assert mine.number in page.content.decode()
    assert visit.number not in page.content.decode()
    page = client.get(reverse("work_orders:order_list"), {"custody": Custody.OUTLET})
    assert mine.number in page.content.decode() and visit.number not in page.content.decode()


def test_the_list_exports_what_it_shows(client, network, outlet) -> None:
    mine = make_work_order(network.outlet_a)
    foreign = make_work_order(network.outlet_b)
    client.force_login(outlet.technician)
    response = client.get(reverse("work_orders:order_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert mine.number in body and foreign.number not in body


def test_the_list_takes_the_same_queries_for_few_or_many_orders(client, network, outlet) -> None:
    client.force_login(outlet.technician)
    make_work_order(network.outlet_a, technician=outlet.technician)
    few = query_count(client, reverse("work_orders:order_list"))
    for _ in range(4):
        make_work_order(network.outlet_a, technician=outlet.technician)
        make_field_order(network.outlet_a)
    assert query_count(client, reverse("work_orders:order_list")) == few


# --- Creating orders --------------------------------------------------------------------------


def test_reception_finds_the_customer_and_draws_up_a_visit(client, network, outlet) -> None:
    client.force_login(outlet.reception)
    found = client.get(reverse("work_orders:order_create"), {"find": outlet.customer.code})
    assert (
        reverse("work_orders:order_for_customer", args=[outlet.customer.pk])
        in found.content.decode()
    )

    response = client.post(
        reverse("work_orders:order_for_customer", args=[outlet.customer.pk]),
        {
            "kind": Kind.VISIT,
            "product": outlet.phone.pk,
            "reported_fault": "No cooling",
            "address": "Century Avenue 100",
            "technician": outlet.technician.pk,
        },
    )
    order = WorkOrder.objects.get(customer=outlet.customer)
    assert response.status_code == 302 and response["Location"] == detail(order)
    assert order.kind == Kind.VISIT and order.technician == outlet.technician
    assert order.address == "Century Avenue 100"
    page = client.get(detail(order)).content.decode()
    assert "No cooling" in page and order.number in page


def test_a_product_of_another_customer_cannot_be_chosen(client, network, outlet) -> None:
    other = make_installed_product(make_customer(network.outlet_a))
    client.force_login(outlet.reception)
    response = client.post(
        reverse("work_orders:order_for_customer", args=[outlet.customer.pk]),
        {"kind": Kind.VISIT, "product": other.pk},
    )
    assert response.status_code == 200 and not WorkOrder.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_an_order_from_a_request_takes_its_customer_product_and_description(
    client, network, outlet
) -> None:
    request = make_service_request(
        customer=outlet.customer,
        unit=network.outlet_a,
        product=outlet.phone,
        description="The screen flickers",
    )
    client.force_login(outlet.reception)
    page = client.get(reverse("work_orders:order_from_request", args=[request.pk])).content
    assert "The screen flickers" in page.decode() and request.number in page.decode()

    client.post(
        reverse("work_orders:order_from_request", args=[request.pk]),
        {"kind": Kind.REPAIR, "product": outlet.phone.pk, "reported_fault": "Flickers"},
    )
    order = WorkOrder.objects.get()
    assert order.service_request == request and order.customer == outlet.customer


def test_no_order_from_a_closed_request(client, network, outlet) -> None:
    request = make_service_request(customer=outlet.customer, unit=network.outlet_a)
    type(request).objects.filter(pk=request.pk).update(is_open=False, status="closed")
    client.force_login(outlet.reception)
    response = client.get(reverse("work_orders:order_from_request", args=[request.pk]), follow=True)
    assert "only from an open request" in response.content.decode()
    assert not WorkOrder.objects.exists()


# --- Intake at the counter --------------------------------------------------------------------


def intake_data(**fields):  # type: ignore[no-untyped-def]
    data = {
        "serial": "35 209900 176148 1",
        "accessories": "Charger, case",
        "condition": "Scratch on the back",
        "reported_fault": "Does not charge",
        "signer_name": "王丽",
        "signature": SIGNATURE_DATA_URL,
        "photos": [photo("front.png"), photo("back.png")],
    }
    data.update(fields)
    return data


def test_reception_takes_in_a_known_phone_with_photos_and_the_signed_receipt(
    client, network, outlet
) -> None:
    client.force_login(outlet.reception)
    response = client.post(reverse("work_orders:intake", args=[outlet.customer.pk]), intake_data())
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(order)
    assert order.product == outlet.phone and order.kind == Kind.REPAIR
    assert order.accessories == "Charger, case" and order.custody == Custody.OUTLET
    assert order.photos.count() == 2
    signature = order.signatures.get()
    assert signature.kind == SignatureKind.INTAKE and signature.signer_name == "王丽"

    page = client.get(detail(order)).content.decode()
    assert "taken in as" in page and "Intake receipt" in page
    assert reverse("work_orders:signature_image", args=[signature.pk]) in page


def test_an_unknown_phone_is_registered_on_the_spot(client, network, outlet) -> None:
    model = make_product_model(code="P40")
    client.force_login(outlet.reception)
    client.post(
        reverse("work_orders:intake", args=[outlet.customer.pk]),
        intake_data(serial="860000000000001", model="p40"),
    )
    order = WorkOrder.objects.get()
    assert order.product.model == model and order.product.serial == "860000000000001"
    assert order.product.customer == outlet.customer


def test_an_intake_without_a_signature_keeps_nothing(client, network, outlet) -> None:
    make_product_model(code="P40")
    client.force_login(outlet.reception)
    response = client.post(
        reverse("work_orders:intake", args=[outlet.customer.pk]),
        intake_data(serial="860000000000001", model="P40", signature=""),
    )
    assert response.status_code == 200
    assert "Please sign in the box." in response.content.decode()
    assert not WorkOrder.objects.exists()
    assert not InstalledProduct.objects.filter(serial="860000000000001").exists()


def test_a_forged_signature_is_refused_after_everything_else_and_nothing_is_kept(
    client, network, outlet
) -> None:
    client.force_login(outlet.reception)
    response = client.post(
        reverse("work_orders:intake", args=[outlet.customer.pk]),
        intake_data(signature="data:image/png;base64,bm90IGEgcG5n"),
    )
    assert "The signature could not be read" in response.content.decode()
    assert not WorkOrder.objects.exists() and not Photo.objects.exists()


def test_an_unknown_serial_without_a_model_asks_for_the_model(client, network, outlet) -> None:
    client.force_login(outlet.reception)
    response = client.post(
        reverse("work_orders:intake", args=[outlet.customer.pk]),
        intake_data(serial="000111"),
    )
    assert "give the model code" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_at_intake(client, network, outlet) -> None:
    client.force_login(outlet.reception)
    response = client.post(
        reverse("work_orders:intake", args=[outlet.customer.pk]),
        intake_data(photos=[SimpleUploadedFile("notes.txt", b"hi", content_type="text/plain")]),
    )
    assert "Only images can be added as photos." in response.content.decode()
    assert not WorkOrder.objects.exists()


# --- The order page ---------------------------------------------------------------------------


def test_the_order_page_takes_the_same_queries_however_much_it_holds(
    client, network, outlet
) -> None:
    client.force_login(outlet.head)
    warehouse, part = stocked_warehouse(network.outlet_a, quantity="20")
    order = make_repair_in_diagnosis(
        network.outlet_a, customer=outlet.customer, product=outlet.phone
    )
    services.part_issue(order=order, part=part, quantity=Decimal("1"), user=outlet.technician)
    services.labour_add(order=order, description="Screen", amount=Decimal("40"), user=None)
    few = query_count(client, detail(order))
    for _ in range(4):
        services.part_issue(order=order, part=part, quantity=Decimal("1"), user=outlet.technician)
        services.labour_add(order=order, description="More", amount=Decimal("5"), user=None)
        services.photo_add(order=order, stage="diagnosis", upload=photo(), user=None)
    assert query_count(client, detail(order)) == few


def test_the_order_page_shows_where_the_device_is_and_its_warranty(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a, customer=outlet.customer, product=outlet.phone)
    client.force_login(outlet.technician)
    page = client.get(detail(order)).content.decode()
    assert "The device is at the service unit, held by 浦东网点." in page
    assert order.get_warranty_display() in page


def test_every_label_of_the_order_page_points_at_its_own_field(client, network, outlet) -> None:
    """Many forms on one page share field names (note, kind, quantity, amount): each field
    has an id of its own, so tapping "Note" above the hand-back does not focus the status
    form's note (the browser journey found four "id_note" and two "id_kind")."""
    _warehouse, part = stocked_warehouse(network.outlet_a, quantity="3")
    order = make_repair_in_diagnosis(
        network.outlet_a, customer=outlet.customer, product=outlet.phone
    )
    services.part_issue(order=order, part=part, quantity=Decimal("1"), user=outlet.technician)
    client.force_login(outlet.head)
    page = client.get(detail(order)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    for form in ("status", "custody", "swap", "part_issue", "part_return", "labour", "quote"):
        assert f'id="action-{form}"' in page  # the forms that share field names are all there
    assert 'for="id_status_note"' in page and 'id="id_status_note"' in page


def test_a_foreign_order_is_not_found(client, network, outlet) -> None:
    order = make_work_order(network.outlet_b)
    client.force_login(outlet.technician)
    assert client.get(detail(order)).status_code == 404


def test_the_technician_diagnoses_with_codes(client, network, outlet) -> None:
    from aftersales.catalog.models import FaultCode

    code = FaultCode.objects.create(code="F01", name="No power")
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    client.post(
        url("order_diagnosis", order), {"diagnosis": "Battery swollen", "fault_codes": [code.pk]}
    )
    order.refresh_from_db()
    assert order.diagnosis == "Battery swollen" and list(order.fault_codes.all()) == [code]


def test_status_steps_are_offered_and_a_forbidden_one_is_refused(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a)
    client.force_login(outlet.technician)
    page = client.get(detail(order)).content.decode()
    assert 'value="diagnosis"' in page and 'value="completed"' not in page
    response = client.post(url("order_status", order), {"status": Status.READY})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    client.post(url("order_status", order), {"status": Status.DIAGNOSIS})
    order.refresh_from_db()
    assert order.status == Status.DIAGNOSIS


def test_cancelling_without_a_reason_is_refused_in_place(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(
        url("order_status", order), {"status": Status.CANCELLED}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Say why the work order is cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_the_unit_head_reassigns_with_a_reason(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a, technician=outlet.technician)
    other = make_user("technician", network.outlet_a)
    client.force_login(outlet.head)
    response = client.post(url("order_assign", order), {"technician": other.pk})
    assert "Say why the work order is reassigned." in response.content.decode()
    client.post(url("order_assign", order), {"technician": other.pk, "reason": "Holiday"})
    order.refresh_from_db()
    assert order.technician == other


def test_a_technician_cannot_assign(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a)
    client.force_login(outlet.technician)
    assert 'id="action-assign"' not in client.get(detail(order)).content.decode()
    assert client.post(url("order_assign", order), {}).status_code == 403


# --- Quote ------------------------------------------------------------------------------------


def test_the_quote_link_is_shown_once_and_the_counter_answer_only_once(
    client, network, outlet
) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(url("quote_send", order), {"amount": "350.00", "note": "Screen"})
    page = client.get(response["Location"]).content.decode()
    assert 'id="customer-link-url"' in page and "/work-orders/link/" in page
    assert 'id="customer-link-url"' not in client.get(detail(order)).content.decode()

    client.post(url("quote_answer", order), {"answer": "approve"})
    order.refresh_from_db()
    assert order.status == Status.IN_REPAIR and order.customer_price == Decimal("350.00")

    again = client.post(url("quote_answer", order), {"answer": "decline"})
    assert again.status_code == 200
    assert "The customer has already answered this quote." in again.content.decode()
    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.APPROVED


def test_a_negative_quote_is_refused(client, network, outlet) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(url("quote_send", order), {"amount": "-1"})
    assert response.status_code == 200 and "greater than or equal to 0" in response.content.decode()
    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.NONE


# --- Parts, labour --------------------------------------------------------------------------


def test_a_part_is_taken_from_the_units_warehouse_and_returned(client, network, outlet) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a, quantity="3", cost="12.00")
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    page = client.get(detail(order)).content.decode()
    assert warehouse.code in page  # the unit's warehouse is the default

    client.post(url("part_issue", order), {"part": part.part_number.lower(), "quantity": "2"})
    line = PartLine.objects.get()
    assert line.warehouse == warehouse and balance_of(warehouse, part) == Decimal("1")
    order.refresh_from_db()
    assert order.parts_cost == Decimal("24.00")

    client.post(url("part_return", order), {"line": line.pk, "quantity": "1"})
    assert balance_of(warehouse, part) == Decimal("2")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "greater than zero"), ("0", "greater than zero"), ("9", "in stock at")],
)
def test_a_bad_quantity_is_refused_on_the_page(client, network, outlet, quantity, message) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a, quantity="3")
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(
        url("part_issue", order), {"part": part.part_number, "quantity": quantity}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="action-part_issue"' in page and message in page
    assert not PartLine.objects.exists() and balance_of(warehouse, part) == Decimal("3")


def test_a_part_that_does_not_fit_is_refused(client, network, outlet) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a)
    part.compatible_models.add(make_product_model(code="OTHER"))
    order = make_repair_in_diagnosis(
        network.outlet_a, customer=outlet.customer, product=outlet.phone
    )
    client.force_login(outlet.technician)
    response = client.post(url("part_issue", order), {"part": part.part_number, "quantity": "1"})
    assert "does not fit the model" in response.content.decode()
    assert not PartLine.objects.exists()


def test_labour_is_recorded(client, network, outlet) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    client.post(url("labour_add", order), {"description": "Replace screen", "amount": "80"})
    order.refresh_from_db()
    assert order.labour_cost == Decimal("80.00")
    assert "Replace screen" in client.get(detail(order)).content.decode()


# --- Custody, swap, completion ----------------------------------------------------------------


def test_a_device_at_the_factory_cannot_be_handed_back(client, network, outlet) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    services.work_order_transition(order=order, to_status=Status.READY, user=None)
    client.force_login(outlet.technician)
    client.post(
        url("custody_record", order), {"kind": CustodyKind.SENT_TO_FACTORY, "reference": "SF123"}
    )
    order.refresh_from_db()
    assert order.custody == Custody.TO_FACTORY
    page = client.get(detail(order)).content.decode()
    assert "Sent to the factory" in page and "SF123" in page

    response = client.post(url("order_complete", order), {})
    assert "The device is not back yet" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.READY

    for step in (CustodyKind.AT_FACTORY, CustodyKind.BACK_FROM_FACTORY):
        client.post(url("custody_record", order), {"kind": step})
    client.post(url("order_complete", order), {})
    order.refresh_from_db()
    assert order.status == Status.COMPLETED and order.custody == Custody.CUSTOMER


def test_a_hand_off_needs_the_receiving_unit(client, network, outlet) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(url("custody_record", order), {"kind": CustodyKind.HANDOFF_SENT})
    assert "Choose the unit the device goes to." in response.content.decode()
    client.post(
        url("custody_record", order),
        {"kind": CustodyKind.HANDOFF_SENT, "to_unit": network.outlet_b.pk},
    )
    order.refresh_from_db()
    assert order.custody == Custody.IN_TRANSIT and order.custody_unit == network.outlet_b


def test_the_device_is_swapped_for_a_new_serial(client, network, outlet) -> None:
    order = make_repair_in_diagnosis(
        network.outlet_a, customer=outlet.customer, product=outlet.phone
    )
    client.force_login(outlet.technician)
    client.post(url("device_swap", order), {"new_serial": "999000111"})
    outlet.phone.refresh_from_db()
    assert outlet.phone.serial == "999000111"


def test_field_work_is_completed_only_with_the_signed_service_record(
    client, network, outlet
) -> None:
    order = make_field_order(network.outlet_a)
    services.mark_scheduled(order, None)
    services.mark_on_site(order, None)
    client.force_login(outlet.technician)
    response = client.post(url("order_complete", order), {})
    assert "has not signed the service record sheet yet" in response.content.decode()

    client.post(
        url("sign", order),
        {
            "kind": SignatureKind.SERVICE_RECORD,
            "signer_name": "李强",
            "signature": SIGNATURE_DATA_URL,
        },
    )
    client.post(url("order_complete", order), {})
    order.refresh_from_db()
    assert order.status == Status.COMPLETED


def test_an_empty_signature_is_refused_and_nothing_is_signed(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a)
    client.force_login(outlet.technician)
    response = client.post(
        url("sign", order), {"kind": SignatureKind.INTAKE, "signer_name": "王丽", "signature": ""}
    )
    assert response.status_code == 200 and "Please sign in the box." in response.content.decode()
    assert not Signature.objects.exists()


def test_photos_are_added_and_served_only_to_those_who_see_the_order(
    client, network, outlet
) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    client.force_login(outlet.technician)
    client.post(url("photo_add", order), {"stage": "diagnosis", "files": [photo(), photo("b.png")]})
    first = order.photos.first()
    response = client.get(reverse("work_orders:photo", args=[first.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"

    client.force_login(make_user("technician", network.outlet_b))
    assert client.get(reverse("work_orders:photo", args=[first.pk])).status_code == 404


# --- Printed documents ------------------------------------------------------------------------


def test_the_intake_receipt_prints_in_the_customers_language_with_the_signature(
    client, network, outlet
) -> None:
    Customer.objects.filter(pk=outlet.customer.pk).update(language="ru")
    outlet.customer.refresh_from_db()
    order = make_work_order(network.outlet_a, customer=outlet.customer, product=outlet.phone)
    services.signature_record(
        order=order,
        kind=SignatureKind.INTAKE,
        signer_name="王丽",
        image_data_url=SIGNATURE_DATA_URL,
        user=outlet.reception,
    )
    client.force_login(outlet.reception)
    page = client.get(url("print_intake", order)).content.decode()
    assert '<html lang="ru">' in page
    assert SIGNATURE_DATA_URL in page and "王丽" in page and order.number in page
    assert "print.css" in page and "navbar" not in page
    # The employee's own pages stay in the employee's language.
    assert '<html lang="en">' in client.get(detail(order)).content.decode()


def test_the_service_record_prints_with_the_parts_used(client, network, outlet) -> None:
    warehouse, part = stocked_warehouse(network.outlet_a)
    order = make_field_order(network.outlet_a)
    services.part_issue(order=order, part=part, quantity=Decimal("1"), user=outlet.technician)
    client.force_login(outlet.technician)
    page = client.get(url("print_service_record", order)).content.decode()
    assert part.part_number in page and "Service record sheet" in page


# --- The customer card --------------------------------------------------------------------------


def test_the_customer_card_lists_the_orders_and_offers_a_new_one(client, network, outlet) -> None:
    order = make_work_order(network.outlet_a, customer=outlet.customer, product=outlet.phone)
    client.force_login(outlet.reception)
    page = client.get(reverse("customers:customer_detail", args=[outlet.customer.pk])).content
    page = page.decode()
    assert order.number in page
    assert reverse("work_orders:order_for_customer", args=[outlet.customer.pk]) in page
    assert reverse("work_orders:intake", args=[outlet.customer.pk]) in page


# --- The customer's link page -------------------------------------------------------------------


def link(token: str) -> str:
    return reverse("work_orders:customer_link", args=[token])


def test_link_the_customer_approves_the_quote_without_signing_in(client, network) -> None:
    order, token = make_quoted_repair(network.outlet_a, amount="350.00")
    page = client.get(link(token))
    assert page.status_code == 200 and "350.00" in page.content.decode()
    assert page["Cache-Control"] == "no-store"

    done = client.post(link(token), {"answer": "approve"})
    assert done.status_code == 200 and "You approved the quote." in done.content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_REPAIR and order.quote_status == QuoteStatus.APPROVED

    again = client.post(link(token), {"answer": "decline"})
    assert again.status_code == 410 and "already been used" in again.content.decode()
    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.APPROVED


def test_link_an_expired_or_unknown_link_changes_nothing(client, network) -> None:
    order, token = make_quoted_repair(network.outlet_a)
    CustomerLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(link(token)).status_code == 410
    response = client.post(link(token), {"answer": "approve"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.AWAITING_APPROVAL
    assert client.get(link("not-a-real-token")).status_code == 404
    assert client.post(link("x" * 150), {"answer": "approve"}).status_code == 404


def test_link_answered_at_the_counter_first_is_used(client, network) -> None:
    order, token = make_quoted_repair(network.outlet_a)
    services.quote_answer(order=order, approve=False, user=None)
    assert client.get(link(token)).status_code == 410


def test_link_the_customer_signs_the_service_record_and_rates(client, network) -> None:
    order = make_field_order(network.outlet_a)
    token = services.signature_link_create(order=order, user=None)
    form = client.get(link(token)).content.decode()
    assert "data-signature-pad" in form and "signature-pad.js" in form

    empty = client.post(link(token), {"signer_name": "李强", "signature": "", "rating": "5"})
    assert empty.status_code == 200 and "Please sign in the box." in empty.content.decode()
    assert CustomerLink.objects.get().used_at is None

    done = client.post(
        link(token),
        {"signer_name": "李强", "signature": SIGNATURE_DATA_URL, "rating": "5", "comment": "Fast"},
    )
    assert done.status_code == 200 and "Your signature has been recorded." in done.content.decode()
    signature = order.signatures.get()
    assert signature.through_link and signature.signer_name == "李强"
    order.refresh_from_db()
    assert order.rating == 5
    assert client.get(link(token)).status_code == 410


def test_link_the_page_is_in_the_customers_language(client, network) -> None:
    customer = make_customer(network.outlet_a, language="ru")
    order, token = make_quoted_repair(network.outlet_a, customer=customer, product=None)
    assert '<html lang="ru">' in client.get(link(token)).content.decode()


def test_link_shows_nothing_of_other_orders(client, network) -> None:
    mine, token = make_quoted_repair(network.outlet_a)
    other = make_work_order(
        network.outlet_a,
        customer=mine.customer,
        product=None,
        reported_fault="SECRET-OTHER-FAULT",
    )
    stranger, _token = make_quoted_repair(network.outlet_b)
    page = client.get(link(token)).content.decode()
    assert mine.number in page
    for text in (other.number, stranger.number, stranger.customer.name, "SECRET-OTHER-FAULT"):
        assert text not in page
    # Nor the order's costs or the staff: only what the customer is asked to answer.
    assert "Parts cost" not in page and "navbar" not in page
    # A token of one purpose does not open the other.
    with pytest.raises(ValidationError, match="not valid"):
        services.sign_by_link(token=token, signer_name="x", image_data_url=SIGNATURE_DATA_URL)
