"""The customer's signatures (on the screen or through a link), the rating, and photos."""

import base64
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.work_orders import services
from aftersales.work_orders.models import (
    CustomerLink,
    EventKind,
    Kind,
    Photo,
    Signature,
    SignatureKind,
    Status,
)
from aftersales.work_orders.tests.factories import (
    PNG,
    SIGNATURE_DATA_URL,
    make_repair_in_diagnosis,
    make_work_order,
    worker,
)

pytestmark = pytest.mark.django_db


def _sign(order, kind=SignatureKind.INTAKE, data=SIGNATURE_DATA_URL, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("user", worker(order.unit, "outlet_reception"))
    return services.signature_record(
        order=order,
        kind=kind,
        signer_name=fields.pop("signer_name", "张伟"),
        image_data_url=data,
        **fields,
    )


def test_the_customer_signs_the_intake_receipt_on_the_screen(network) -> None:
    order = make_work_order(network.outlet_a)

    signature = _sign(order, signer_name="  张伟 ")

    assert signature.signer_name == "张伟" and not signature.through_link
    assert signature.witnessed_by is not None
    with signature.image.open("rb") as image:
        assert image.read() == PNG
    assert order.events.filter(kind=EventKind.SIGNED).exists()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "not a picture",
        "data:image/jpeg;base64," + base64.b64encode(PNG).decode(),
        "data:image/png;base64,%%%not-base64%%%",
        "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(),
        "data:image/png;base64,"
        + base64.b64encode(PNG + b"\0" * services.SIGNATURE_MAX_BYTES).decode(),
    ],
)
def test_what_is_not_a_drawn_png_is_refused(network, data) -> None:
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError) as error:
        _sign(order, data=data)

    assert "signature" in error.value.message_dict
    assert not Signature.objects.exists()


def test_a_signature_needs_a_name_and_a_known_document(network) -> None:
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError) as nameless:
        _sign(order, signer_name="  ")
    with pytest.raises(ValidationError) as unknown:
        _sign(order, kind="contract")

    assert "signer_name" in nameless.value.message_dict
    assert "kind" in unknown.value.message_dict


def test_a_document_is_signed_once(network) -> None:
    order = make_work_order(network.outlet_a)
    _sign(order)

    with pytest.raises(ValidationError, match="already signed"):
        _sign(order, signer_name="Someone else")

    assert order.signatures.count() == 1
    _sign(order, kind=SignatureKind.QUOTE)  # another document is another signature
    assert order.signatures.count() == 2


def test_after_closing_only_the_collection_may_be_signed(network) -> None:
    user = worker(network.outlet_a)
    order = make_repair_in_diagnosis(network.outlet_a)
    services.work_order_transition(order=order, to_status=Status.READY, user=user)
    services.work_order_complete(order=order, user=user)

    with pytest.raises(ValidationError, match="no longer be changed"):
        _sign(order, kind=SignatureKind.INTAKE)
    assert _sign(order, kind=SignatureKind.HANDBACK).kind == SignatureKind.HANDBACK


# --- Through a link --------------------------------------------------------------------------


def _visit_on_site(network):  # type: ignore[no-untyped-def]
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, Kind.VISIT)
    services.mark_scheduled(order, engineer)
    services.mark_on_site(order, engineer)
    return order, engineer


def test_the_customer_signs_the_service_record_and_rates_through_a_link(network) -> None:
    order, engineer = _visit_on_site(network)
    token = services.signature_link_create(order=order, user=engineer)

    signature = services.sign_by_link(
        token=token,
        signer_name="Иван Петров",
        image_data_url=SIGNATURE_DATA_URL,
        rating=5,
        comment=" Fast ",
    )

    assert signature.kind == SignatureKind.SERVICE_RECORD and signature.through_link
    assert signature.witnessed_by is None
    order.refresh_from_db()
    assert (order.rating, order.rating_comment) == (5, "Fast")
    assert services.link_for_token(token).used_at is not None
    assert services.work_order_complete(order=order, user=engineer).status == Status.COMPLETED


def test_a_used_link_signs_nothing_more(network) -> None:
    order, engineer = _visit_on_site(network)
    token = services.signature_link_create(order=order, user=engineer)
    services.sign_by_link(token=token, signer_name="A", image_data_url=SIGNATURE_DATA_URL)

    with pytest.raises(ValidationError, match="already been used"):
        services.sign_by_link(token=token, signer_name="B", image_data_url=SIGNATURE_DATA_URL)

    assert order.signatures.get().signer_name == "A"


def test_an_expired_link_signs_nothing(network) -> None:
    order, engineer = _visit_on_site(network)
    token = services.signature_link_create(order=order, user=engineer)
    CustomerLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(ValidationError, match="expired"):
        services.sign_by_link(token=token, signer_name="A", image_data_url=SIGNATURE_DATA_URL)

    assert not order.signatures.exists()


def test_a_bad_drawing_through_a_link_leaves_the_link_usable(network) -> None:
    order, engineer = _visit_on_site(network)
    token = services.signature_link_create(order=order, user=engineer)

    with pytest.raises(ValidationError):
        services.sign_by_link(token=token, signer_name="A", image_data_url="data:,")
    with pytest.raises(ValidationError):
        services.sign_by_link(
            token=token, signer_name="A", image_data_url=SIGNATURE_DATA_URL, rating=9
        )

    # Nothing half-written: no signature, no rating, and the link still works.
    order.refresh_from_db()
    assert not order.signatures.exists() and order.rating is None
    services.sign_by_link(token=token, signer_name="A", image_data_url=SIGNATURE_DATA_URL)


def test_only_field_work_has_a_service_record_link(network) -> None:
    with pytest.raises(ValidationError, match="Only field work"):
        services.signature_link_create(order=make_work_order(network.outlet_a), user=None)


# --- Rating ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None])
def test_a_rating_is_from_one_to_five(network, rating) -> None:
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.rating_record(order=order, rating=rating, user=None)

    order.refresh_from_db()
    assert order.rating is None


@pytest.mark.parametrize("rating", [1, 5])
def test_the_customer_rates_once(network, rating) -> None:
    order = make_work_order(network.outlet_a)

    order = services.rating_record(order=order, rating=rating, comment="ok", user=None)
    assert order.rating == rating
    with pytest.raises(ValidationError, match="already rated"):
        services.rating_record(order=order, rating=3, user=None)


# --- Photos ----------------------------------------------------------------------------------


def test_a_photo_is_kept_with_its_stage(network) -> None:
    order = make_work_order(network.outlet_a)

    photo = services.photo_add(
        order=order,
        stage=Photo.Stage.INTAKE,
        upload=SimpleUploadedFile("back.png", PNG, content_type="image/png"),
        user=worker(network.outlet_a),
        caption="Scratch on the back",
    )

    assert (photo.original_name, photo.content_type, photo.size) == (
        "back.png",
        "image/png",
        len(PNG),
    )


def test_only_images_of_a_known_stage_are_photos(network, settings) -> None:
    order = make_work_order(network.outlet_a)
    user = worker(network.outlet_a)

    with pytest.raises(ValidationError, match="Only images"):
        services.photo_add(
            order=order,
            stage=Photo.Stage.INTAKE,
            upload=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"),
            user=user,
        )
    with pytest.raises(ValidationError):
        services.photo_add(
            order=order,
            stage="someday",
            upload=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
            user=user,
        )
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        services.photo_add(
            order=order,
            stage=Photo.Stage.INTAKE,
            upload=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
            user=user,
        )
    assert not order.photos.exists()
