"""The quote: sent to the customer, answered at the counter or through a one-time link."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.work_orders import services
from aftersales.work_orders.models import (
    CustomerLink,
    EventKind,
    Kind,
    QuoteStatus,
    Status,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import (
    SIGNATURE_DATA_URL,
    make_quoted_repair,
    make_repair_in_diagnosis,
    make_work_order,
    worker,
)

pytestmark = pytest.mark.django_db


def test_a_quote_sent_waits_for_the_customer_with_a_link(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    order, token = services.quote_send(
        order=order, amount=Decimal("350"), note=" New screen ", user=worker(network.outlet_a)
    )

    assert order.status == Status.AWAITING_APPROVAL
    assert order.quote_status == QuoteStatus.SENT and order.quote_amount == Decimal("350.00")
    assert order.quote_note == "New screen" and order.quote_sent_at is not None
    link = order.links.get()
    assert link.purpose == CustomerLink.Purpose.QUOTE and link.used_at is None
    # Only the token's digest is kept; the URL carries the token.
    assert token not in link.token_hash and token in services.link_url(token)
    assert services.link_for_token(token) == link


def test_a_quote_is_refused_before_diagnosis_negative_or_twice(network) -> None:
    user = worker(network.outlet_a)
    fresh = make_work_order(network.outlet_a)
    with pytest.raises(ValidationError):
        services.quote_send(order=fresh, amount=Decimal("10"), user=user)

    order = make_repair_in_diagnosis(network.outlet_a)
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.quote_send(order=order, amount=Decimal("-1"), user=user)
    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.NONE and not order.links.exists()

    services.quote_send(order=order, amount=Decimal("10"), user=user)
    with pytest.raises(ValidationError, match="already waiting"):
        services.quote_send(order=order, amount=Decimal("20"), user=user)
    assert order.links.count() == 1


def test_approved_at_the_counter_the_repair_goes_on_at_the_quoted_price(network) -> None:
    order, token = make_quoted_repair(network.outlet_a, "420.50")
    technician = worker(network.outlet_a)
    services.work_order_assign(order=order, technician=technician, user=None)
    reception = worker(network.outlet_a, "outlet_reception")

    order = services.quote_answer(order=order, approve=True, user=reception)

    assert order.status == Status.IN_REPAIR and order.quote_status == QuoteStatus.APPROVED
    assert order.customer_price == Decimal("420.50") and order.quote_decided_at is not None
    assert order.events.filter(kind=EventKind.QUOTE_APPROVED).exists()
    # The link can no longer answer; the technician hears of it.
    assert services.link_for_token(token).used_at is not None
    assert technician.notifications.filter(kind="work_order_quote").exists()


def test_declined_the_device_is_made_ready_unrepaired(network) -> None:
    order, _token = make_quoted_repair(network.outlet_a)

    order = services.quote_answer(order=order, approve=False, user=worker(network.outlet_a))

    assert order.status == Status.READY and order.quote_status == QuoteStatus.DECLINED
    assert order.customer_price == Decimal("0")


def test_field_work_goes_back_to_the_visit_after_the_answer(network) -> None:
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, Kind.MAINTENANCE)
    services.mark_scheduled(order, engineer)
    services.mark_on_site(order, engineer)

    order, _token = services.quote_send(order=order, amount=Decimal("99"), user=engineer)
    order = services.quote_answer(order=order, approve=True, user=engineer)

    assert order.status == Status.SCHEDULED and order.customer_price == Decimal("99.00")


def test_approving_twice_is_refused(network) -> None:
    order, _token = make_quoted_repair(network.outlet_a)
    user = worker(network.outlet_a)
    services.quote_answer(order=order, approve=True, user=user)

    with pytest.raises(ValidationError, match="already answered"):
        services.quote_answer(order=order, approve=True, user=user)
    with pytest.raises(ValidationError, match="already answered"):
        services.quote_answer(order=order, approve=False, user=user)

    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.APPROVED
    assert order.events.filter(kind=EventKind.QUOTE_APPROVED).count() == 1


def test_no_answer_without_a_quote(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    with pytest.raises(ValidationError, match="No quote"):
        services.quote_answer(order=order, approve=True, user=None)


def test_the_customer_approves_through_the_link_once(network) -> None:
    order, token = make_quoted_repair(network.outlet_a)

    order = services.quote_answer_by_link(token=token, approve=True)

    assert order.status == Status.IN_REPAIR and order.quote_status == QuoteStatus.APPROVED
    assert order.events.get(kind=EventKind.QUOTE_APPROVED).actor is None
    with pytest.raises(ValidationError, match="already been used"):
        services.quote_answer_by_link(token=token, approve=False)
    order.refresh_from_db()
    assert order.quote_status == QuoteStatus.APPROVED


def test_an_expired_link_is_refused_and_stays_unused(network) -> None:
    order, token = make_quoted_repair(network.outlet_a)
    CustomerLink.objects.filter(work_order=order).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(ValidationError, match="expired"):
        services.quote_answer_by_link(token=token, approve=True)

    order.refresh_from_db()
    assert order.status == Status.AWAITING_APPROVAL
    assert order.links.get().used_at is None


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_an_unknown_token_is_not_a_link(network, token) -> None:
    with pytest.raises(ValidationError, match="not valid"):
        services.quote_answer_by_link(token=token, approve=True)


def test_a_link_for_signing_does_not_answer_a_quote(network) -> None:
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, Kind.VISIT)
    sign_token = services.signature_link_create(order=order, user=engineer)

    with pytest.raises(ValidationError, match="not valid"):
        services.quote_answer_by_link(token=sign_token, approve=True)
    # …and a quote's link does not sign.
    _repair, quote_token = make_quoted_repair(network.outlet_a)
    with pytest.raises(ValidationError, match="not valid"):
        services.sign_by_link(
            token=quote_token, signer_name="Li Lei", image_data_url=SIGNATURE_DATA_URL
        )
    assert not order.signatures.exists()


def test_a_new_quote_retires_the_old_links(network) -> None:
    user = worker(network.outlet_a)
    order, old_token = make_quoted_repair(network.outlet_a)
    services.quote_answer(order=order, approve=True, user=user)
    # During the repair another fault turns up: a second quote.
    order, new_token = services.quote_send(order=order, amount=Decimal("80"), user=user)

    assert order.status == Status.AWAITING_APPROVAL
    with pytest.raises(ValidationError, match="already been used"):
        services.quote_answer_by_link(token=old_token, approve=False)
    order = services.quote_answer_by_link(token=new_token, approve=False)
    assert order.quote_status == QuoteStatus.DECLINED and order.status == Status.READY
    assert WorkOrder.objects.get(pk=order.pk).quote_amount == Decimal("80.00")


def test_a_visit_rescheduled_while_the_quote_waits_retires_its_link(network) -> None:
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, Kind.VISIT)
    services.mark_scheduled(order, engineer)
    services.mark_on_site(order, engineer)
    order, token = services.quote_send(order=order, amount=Decimal("50"), user=engineer)

    services.mark_scheduled(order, engineer, "Part to be ordered")

    with pytest.raises(ValidationError, match="already been used"):
        services.quote_answer_by_link(token=token, approve=True)
    # On the next visit a new quote can be put to the customer.
    services.mark_on_site(order, engineer)
    order, _token = services.quote_send(order=order, amount=Decimal("70"), user=engineer)
    assert order.status == Status.AWAITING_APPROVAL and order.quote_amount == Decimal("70.00")
