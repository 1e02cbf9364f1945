"""Where the device is: the factory round trip, hand-off between outlets, the swap, and the
closing rules that depend on it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aftersales.installed_base.models import InstalledProduct
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.work_orders import services
from aftersales.work_orders.models import (
    Custody,
    CustodyEvent,
    CustodyKind,
    Kind,
    SignatureKind,
    Status,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import (
    SIGNATURE_DATA_URL,
    make_repair_in_diagnosis,
    make_work_order,
    stocked_warehouse,
    worker,
)

pytestmark = pytest.mark.django_db


def _step(order, kind, **fields):  # type: ignore[no-untyped-def]
    return services.custody_record(order=order, kind=kind, user=worker(order.unit), **fields)


def test_the_factory_round_trip_is_logged_step_by_step(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    journey = [
        (CustodyKind.SENT_TO_FACTORY, Custody.TO_FACTORY),
        (CustodyKind.AT_FACTORY, Custody.FACTORY),
        (CustodyKind.BACK_FROM_FACTORY_SENT, Custody.FROM_FACTORY),
        (CustodyKind.BACK_FROM_FACTORY, Custody.OUTLET),
    ]
    for kind, where in journey:
        event = _step(order, kind, reference="RMA-77")
        order.refresh_from_db()
        assert (event.custody, order.custody) == (where, where), kind
        # While away, the sending outlet is still the one answerable for the device.
        assert order.custody_unit == network.outlet_a, kind

    kinds = list(order.custody_events.values_list("kind", flat=True))
    assert kinds == [CustodyKind.RECEIVED, *(kind for kind, _where in journey)]
    assert order.custody_events.last().reference == "RMA-77"


def test_a_device_back_from_the_factory_may_skip_the_shipping_step(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    _step(order, CustodyKind.SENT_TO_FACTORY)
    _step(order, CustodyKind.AT_FACTORY)

    _step(order, CustodyKind.BACK_FROM_FACTORY)

    order.refresh_from_db()
    assert order.custody == Custody.OUTLET and order.custody_unit == network.outlet_a


def test_where_the_device_is_is_one_query(network, django_assert_num_queries) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    _step(order, CustodyKind.SENT_TO_FACTORY)

    with django_assert_num_queries(1):
        where = WorkOrder.objects.values_list("custody", "custody_unit__name").get(pk=order.pk)

    assert where == (Custody.TO_FACTORY, network.outlet_a.name)


def test_a_hand_off_moves_the_order_to_the_receiving_outlet(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    _step(order, CustodyKind.HANDOFF_SENT, to_unit=network.outlet_b, reference="SF-123")
    order.refresh_from_db()
    assert order.custody == Custody.IN_TRANSIT and order.custody_unit == network.outlet_b
    assert order.unit == network.outlet_a  # still the sender's until it arrives
    # Both ends see it on the way: the receiving outlet must find it to record its arrival.
    assert WorkOrder.objects.visible_to(worker(network.outlet_b)).filter(pk=order.pk)
    assert CustodyEvent.objects.visible_to(worker(network.outlet_b)).filter(work_order=order)
    assert WorkOrder.objects.visible_to(worker(network.outlet_a)).filter(pk=order.pk)

    event = services.custody_record(
        order=order, kind=CustodyKind.HANDOFF_RECEIVED, user=worker(network.outlet_b)
    )
    order.refresh_from_db()
    assert order.custody == Custody.OUTLET and order.custody_unit == network.outlet_b
    assert order.unit == network.outlet_b
    assert (event.from_unit, event.to_unit) == (network.outlet_b, network.outlet_b)
    # The sending outlet's people no longer see it; the receiving outlet's do.
    assert not WorkOrder.objects.visible_to(worker(network.outlet_a)).filter(pk=order.pk)
    assert WorkOrder.objects.visible_to(worker(network.outlet_b)).filter(pk=order.pk)


@pytest.mark.parametrize(
    ("setup", "kind", "fields"),
    [
        ([], CustodyKind.AT_FACTORY, {}),
        ([], CustodyKind.BACK_FROM_FACTORY, {}),
        ([], CustodyKind.HANDOFF_RECEIVED, {}),
        ([], CustodyKind.HANDOFF_SENT, {}),  # no destination
        ([CustodyKind.SENT_TO_FACTORY], CustodyKind.HANDOFF_SENT, {"to_unit": "outlet_b"}),
        ([CustodyKind.SENT_TO_FACTORY], CustodyKind.SENT_TO_FACTORY, {}),
        ([], CustodyKind.RECEIVED, {}),  # taken only at intake
        ([], CustodyKind.SWAPPED, {}),  # only by the swap
        ([], "teleported", {}),
    ],
)
def test_a_step_that_does_not_follow_is_refused(network, setup, kind, fields) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    for step in setup:
        _step(order, step)
    fields = {name: getattr(network, value) for name, value in fields.items()}
    order.refresh_from_db()
    before = (order.custody, order.custody_unit_id, order.custody_events.count())

    with pytest.raises(ValidationError):
        _step(order, kind, **fields)

    order.refresh_from_db()
    assert (order.custody, order.custody_unit_id, order.custody_events.count()) == before


def test_a_hand_off_to_the_outlet_that_holds_the_device_is_refused(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    with pytest.raises(ValidationError, match="already at this unit"):
        _step(order, CustodyKind.HANDOFF_SENT, to_unit=network.outlet_a)


def test_field_work_leaves_the_device_with_the_customer(network) -> None:
    order = make_work_order(network.outlet_a, Kind.VISIT)

    assert services.custody_steps_for(order) == []
    with pytest.raises(ValidationError):
        _step(order, CustodyKind.SENT_TO_FACTORY)


def test_the_steps_offered_follow_where_the_device_is(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)
    assert set(services.custody_steps_for(order)) == {
        CustodyKind.SENT_TO_FACTORY,
        CustodyKind.HANDOFF_SENT,
    }
    _step(order, CustodyKind.SENT_TO_FACTORY)
    order.refresh_from_db()
    assert services.custody_steps_for(order) == [CustodyKind.AT_FACTORY]


@pytest.mark.parametrize(
    "away",
    [
        [CustodyKind.SENT_TO_FACTORY],
        [CustodyKind.SENT_TO_FACTORY, CustodyKind.AT_FACTORY],
        [
            CustodyKind.SENT_TO_FACTORY,
            CustodyKind.AT_FACTORY,
            CustodyKind.BACK_FROM_FACTORY_SENT,
        ],
        [CustodyKind.HANDOFF_SENT],
    ],
)
def test_an_order_whose_device_is_away_can_be_neither_closed_nor_cancelled(network, away) -> None:
    user = worker(network.outlet_a)
    order = make_repair_in_diagnosis(network.outlet_a)
    for step in away:
        fields = {"to_unit": network.outlet_b} if step == CustodyKind.HANDOFF_SENT else {}
        _step(order, step, **fields)
    with pytest.raises(ValidationError, match="not back yet"):
        services.work_order_transition(
            order=order, to_status=Status.CANCELLED, user=user, note="Lost"
        )
    services.work_order_transition(order=order, to_status=Status.READY, user=user)
    with pytest.raises(ValidationError, match="not back yet"):
        services.work_order_complete(order=order, user=user)
    with pytest.raises(ValidationError, match="not back yet"):
        services.device_swap(order=order, new_serial="NEW-1", user=user)

    order.refresh_from_db()
    assert order.status == Status.READY and order.custody != Custody.CUSTOMER


# --- Swap ------------------------------------------------------------------------------------


def test_a_swap_gives_the_product_the_new_serial_and_logs_the_old(network) -> None:
    user = worker(network.outlet_a, "unit_head")
    order = make_repair_in_diagnosis(network.outlet_a)
    old_serial = order.product.serial
    warranty_end = order.product.warranty_end

    event = services.device_swap(order=order, new_serial=" new-777 ", user=user, note="Board gone")

    product = InstalledProduct.objects.get(pk=order.product_id)
    assert product.serial == "NEW777" and product.warranty_end == warranty_end  # normalised
    assert event.kind == CustodyKind.SWAPPED and event.reference == "NEW777"
    assert old_serial in event.note and "Board gone" in event.note
    order.refresh_from_db()
    assert order.custody == Custody.OUTLET  # the replacement waits at the outlet


def test_a_swap_is_refused_without_a_new_serial_product_or_with_a_taken_one(network) -> None:
    user = worker(network.outlet_a, "unit_head")
    order = make_repair_in_diagnosis(network.outlet_a)
    other = make_installed_product(order.customer, model=order.product.model)

    for serial, field in (("", "new_serial"), (order.product.serial, "new_serial")):
        with pytest.raises(ValidationError) as error:
            services.device_swap(order=order, new_serial=serial, user=user)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as taken:
        services.device_swap(order=order, new_serial=other.serial, user=user)
    assert "new_serial" in taken.value.message_dict

    without = make_repair_in_diagnosis(network.outlet_a, product=None)
    with pytest.raises(ValidationError, match="Record which product"):
        services.device_swap(order=without, new_serial="X-1", user=user)
    assert not CustodyEvent.objects.filter(kind=CustodyKind.SWAPPED).exists()


# --- Completion ------------------------------------------------------------------------------


def test_a_repair_is_completed_when_the_customer_collects_the_device(network) -> None:
    user = worker(network.outlet_a)
    order = make_repair_in_diagnosis(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a)
    services.part_issue(order=order, part=part, quantity=Decimal("1"), user=user)
    for status in (Status.IN_REPAIR, Status.TESTING, Status.READY):
        services.work_order_transition(order=order, to_status=status, user=user)

    order = services.work_order_complete(order=order, user=user, note="Collected")

    assert order.status == Status.COMPLETED and order.completed_at is not None
    assert order.custody == Custody.CUSTOMER and order.custody_unit is None
    assert order.custody_events.last().kind == CustodyKind.RETURNED
    assert order.parts_cost == Decimal("10.00")  # the part stays used


def test_a_repair_is_completed_only_from_ready(network) -> None:
    order = make_repair_in_diagnosis(network.outlet_a)

    with pytest.raises(ValidationError):
        services.work_order_complete(order=order, user=None)

    order.refresh_from_db()
    assert order.status == Status.DIAGNOSIS and order.custody == Custody.OUTLET


def test_field_work_is_completed_once_the_service_record_is_signed(network) -> None:
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, Kind.INSTALLATION)
    services.mark_scheduled(order, engineer)
    services.mark_on_site(order, engineer)

    with pytest.raises(ValidationError, match="not signed the service record"):
        services.work_order_complete(order=order, user=engineer)

    services.signature_record(
        order=order,
        kind=SignatureKind.SERVICE_RECORD,
        signer_name="王芳",
        image_data_url=SIGNATURE_DATA_URL,
        user=engineer,
    )
    order = services.work_order_complete(order=order, user=engineer)
    assert order.status == Status.COMPLETED and order.custody == Custody.CUSTOMER
