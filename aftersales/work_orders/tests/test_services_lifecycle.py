"""Creating a work order, its lifecycle per kind, assignment and the warranty it is done under."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.customers.models import Address
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.work_orders import services
from aftersales.work_orders.models import (
    AUTOMATIC,
    CLOSED_STATUSES,
    TRANSITIONS,
    Custody,
    CustodyKind,
    EventKind,
    Kind,
    QuoteStatus,
    Status,
    Warranty,
    WorkOrder,
)
from aftersales.work_orders.tests.factories import make_work_order, worker

pytestmark = pytest.mark.django_db


# --- Creation --------------------------------------------------------------------------------


def test_reception_takes_a_device_in_directly(network) -> None:
    reception = worker(network.outlet_a, "outlet_reception")
    customer = make_customer(network.outlet_a)
    product = make_installed_product(customer)

    order = services.work_order_create(
        kind=Kind.REPAIR,
        customer=customer,
        product=product,
        user=reception,
        reported_fault="  Screen stays black  ",
        accessories="charger",
        condition="scratched back",
    )

    assert order.number.startswith("W") and order.unit == network.outlet_a
    assert order.status == Status.NEW and order.reported_fault == "Screen stays black"
    # The device is at the outlet from the first moment: one query says so.
    assert order.custody == Custody.OUTLET and order.custody_unit == network.outlet_a
    assert [e.kind for e in order.custody_events.all()] == [CustodyKind.RECEIVED]
    assert order.events.filter(kind=EventKind.CREATED).exists()


def test_an_order_from_a_request_is_the_request_units_work(network) -> None:
    customer = make_customer(network.outlet_b)
    request = make_service_request(customer)
    request.unit = network.outlet_b
    request.save()

    order = services.work_order_create(
        kind=Kind.VISIT, customer=customer, service_request=request, user=None
    )

    assert order.service_request == request and order.unit == network.outlet_b
    assert order.custody == Custody.CUSTOMER and not order.custody_events.exists()


def test_field_work_goes_to_the_customers_main_address(network) -> None:
    customer = make_customer(network.outlet_a)
    Address.objects.create(customer=customer, text="Side street 2")
    Address.objects.create(customer=customer, text="Main road 1", is_default=True)

    order = services.work_order_create(
        kind=Kind.INSTALLATION, customer=customer, user=worker(network.outlet_a)
    )

    assert order.address == "Main road 1"


def test_creation_refuses_what_does_not_belong_together(network) -> None:
    customer = make_customer(network.outlet_a)
    others = make_installed_product(make_customer(network.outlet_a))
    request = make_service_request(make_customer(network.outlet_a))
    user = worker(network.outlet_a)

    with pytest.raises(ValidationError) as product_error:
        services.work_order_create(kind=Kind.REPAIR, customer=customer, product=others, user=user)
    with pytest.raises(ValidationError) as request_error:
        services.work_order_create(
            kind=Kind.REPAIR, customer=customer, service_request=request, user=user
        )
    with pytest.raises(ValidationError) as kind_error:
        services.work_order_create(kind="magic", customer=customer, user=user)
    with pytest.raises(ValidationError) as unit_error:
        services.work_order_create(kind=Kind.REPAIR, customer=customer, user=None)

    assert "another customer" in str(product_error.value.message_dict["product"])
    assert "another customer" in str(request_error.value.message_dict["service_request"])
    assert "kind" in kind_error.value.message_dict
    assert "unit" in unit_error.value.message_dict
    assert not WorkOrder.objects.exists()


# --- Warranty --------------------------------------------------------------------------------


def _product(network, **dates):  # type: ignore[no-untyped-def]
    return make_installed_product(make_customer(network.outlet_a), **dates)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # The warranty's last day is still in warranty; the day after is not.
        ({"purchase_date": -365, "warranty_end": 0}, Warranty.IN_WARRANTY),
        ({"purchase_date": -365, "warranty_end": -1}, Warranty.OUT_OF_WARRANTY),
        # The extended warranty covers up to its last day included.
        (
            {"purchase_date": -800, "warranty_end": -400, "extended_warranty_end": 0},
            Warranty.EXTENDED,
        ),
        (
            {"purchase_date": -800, "warranty_end": -400, "extended_warranty_end": -1},
            Warranty.OUT_OF_WARRANTY,
        ),
        # Bought today: covered from the first day; bought tomorrow: not yet.
        ({"purchase_date": 0, "warranty_end": 365}, Warranty.IN_WARRANTY),
        ({"purchase_date": 1, "warranty_end": 365}, Warranty.OUT_OF_WARRANTY),
        ({"purchase_date": None, "warranty_end": None}, Warranty.UNKNOWN),
    ],
)
def test_the_installed_base_decides_the_warranty_on_the_day_of_intake(
    network, dates, expected
) -> None:
    today = timezone.localdate()
    fields = {
        name: (today + datetime.timedelta(days=days) if days is not None else None)
        for name, days in dates.items()
    }
    product = _product(network, **fields)

    order = make_work_order(network.outlet_a, customer=product.customer, product=product)

    assert order.warranty == expected
    assert order.warranty_checked_on == today


def test_the_warranty_is_determined_when_the_product_becomes_known(network) -> None:
    order = make_work_order(network.outlet_a, product=None)
    assert order.warranty == Warranty.UNKNOWN
    product = make_installed_product(order.customer)

    order = services.work_order_update_diagnosis(
        order=order, user=worker(network.outlet_a), product=product, diagnosis="Dead board"
    )

    assert order.warranty == Warranty.IN_WARRANTY and order.diagnosis == "Dead board"
    assert order.events.filter(kind=EventKind.WARRANTY).exists()


def test_a_product_of_another_customer_is_refused_at_diagnosis(network) -> None:
    order = make_work_order(network.outlet_a, product=None)
    stranger = make_installed_product(make_customer(network.outlet_a))

    with pytest.raises(ValidationError):
        services.work_order_update_diagnosis(
            order=order, user=worker(network.outlet_a), product=stranger
        )

    order.refresh_from_db()
    assert order.product is None


# --- Lifecycle: every step per kind ----------------------------------------------------------


def _set_status(order: WorkOrder, status: str) -> WorkOrder:
    WorkOrder.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("kind", Kind.values)
def test_every_status_change_by_hand_follows_the_kinds_lifecycle(network, kind) -> None:
    """For each pair of statuses: allowed in TRANSITIONS and not owned by a dedicated step →
    done, with an event; anything else → refused, nothing changed."""
    user = worker(network.outlet_a)
    order = make_work_order(network.outlet_a, kind)
    for from_status in Status.values:
        for to_status in Status.values:
            if to_status == from_status:
                continue
            order = _set_status(order, from_status)
            events = order.events.count()
            allowed = (
                to_status in TRANSITIONS[kind].get(from_status, frozenset())
                and to_status not in AUTOMATIC
                and from_status not in CLOSED_STATUSES
            )
            pair = (kind, from_status, to_status)
            if allowed:
                services.work_order_transition(
                    order=order, to_status=to_status, user=user, note="Customer asked"
                )
                order.refresh_from_db()
                assert order.status == to_status, pair
                assert order.events.filter(
                    kind=EventKind.STATUS, from_status=from_status, to_status=to_status
                ).exists(), pair
                # A cancelled repair hands the device back; put it back for the next pair.
                WorkOrder.objects.filter(pk=order.pk).update(
                    custody=Custody.OUTLET if kind == Kind.REPAIR else Custody.CUSTOMER
                )
            else:
                with pytest.raises(ValidationError):
                    services.work_order_transition(
                        order=order, to_status=to_status, user=user, note="Customer asked"
                    )
                order.refresh_from_db()
                assert order.status == from_status, pair
                assert order.events.count() == events, pair


def test_the_status_change_offers_only_the_plain_steps(network) -> None:
    order = _set_status(make_work_order(network.outlet_a), Status.DIAGNOSIS)

    assert set(services.manual_statuses(order)) == {
        Status.IN_REPAIR,
        Status.READY,
        Status.CANCELLED,
    }


def test_an_unknown_status_is_refused(network) -> None:
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError) as error:
        services.work_order_transition(order=order, to_status="done", user=None)

    assert "status" in error.value.message_dict


def test_cancelling_needs_a_reason_and_hands_the_device_back(network) -> None:
    user = worker(network.outlet_a)
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError) as error:
        services.work_order_transition(order=order, to_status=Status.CANCELLED, user=user)
    assert "note" in error.value.message_dict

    order = services.work_order_transition(
        order=order, to_status=Status.CANCELLED, user=user, note="Customer took it back"
    )
    assert order.status == Status.CANCELLED and order.completed_at is not None
    assert order.custody == Custody.CUSTOMER and order.custody_unit is None
    assert order.custody_events.last().kind == CustodyKind.RETURNED


def test_a_closed_order_cannot_be_changed(network) -> None:
    user = worker(network.outlet_a)
    order = services.work_order_transition(
        order=make_work_order(network.outlet_a),
        to_status=Status.CANCELLED,
        user=user,
        note="Duplicate",
    )

    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.work_order_update_diagnosis(order=order, user=user, diagnosis="late")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.work_order_assign(order=order, technician=user, user=user)


def test_while_a_quote_waits_the_order_moves_on_only_by_the_answer(network) -> None:
    from aftersales.work_orders.tests.factories import make_quoted_repair

    order, _token = make_quoted_repair(network.outlet_a)
    user = worker(network.outlet_a)

    assert services.manual_statuses(order) == [Status.CANCELLED]
    with pytest.raises(ValidationError, match="record the answer first"):
        services.work_order_transition(order=order, to_status=Status.IN_REPAIR, user=user)

    order = services.work_order_transition(
        order=order, to_status=Status.CANCELLED, user=user, note="Customer never answered"
    )
    # The customer's link dies with the order.
    assert order.quote_status == QuoteStatus.SENT
    assert not order.links.filter(used_at__isnull=True).exists()


# --- Field steps taken by the visit ----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(k for k in Kind.values if k != Kind.REPAIR))
def test_field_work_is_scheduled_then_on_site(network, kind) -> None:
    engineer = worker(network.outlet_a, "field_engineer")
    order = make_work_order(network.outlet_a, kind)

    services.mark_scheduled(order, engineer, "Tomorrow 10:00")
    services.mark_on_site(order, engineer)
    services.mark_on_site(order, engineer)  # arriving twice changes nothing

    order.refresh_from_db()
    assert order.status == Status.ON_SITE
    steps = list(order.events.filter(kind=EventKind.STATUS).values_list("to_status", flat=True))
    assert steps == [Status.SCHEDULED, Status.ON_SITE]


def test_a_repair_has_no_visit(network) -> None:
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError):
        services.mark_on_site(order, None)
    with pytest.raises(ValidationError):
        services.mark_scheduled(order, None)


# --- Assignment ------------------------------------------------------------------------------


def test_assigning_tells_the_technician_and_reassigning_needs_a_reason(network) -> None:
    head = worker(network.centre, "unit_head")
    first, second = worker(network.outlet_a), worker(network.outlet_b)
    order = make_work_order(network.outlet_a)

    order = services.work_order_assign(order=order, technician=first, user=head)
    assert order.technician == first
    assert first.notifications.filter(kind="work_order_assigned").exists()

    with pytest.raises(ValidationError) as error:
        services.work_order_assign(order=order, technician=second, user=head)
    assert "reason" in error.value.message_dict

    order = services.work_order_assign(
        order=order, technician=second, user=head, reason="Specialist"
    )
    assert order.technician == second
    assert order.events.filter(kind=EventKind.ASSIGNED).count() == 2


def test_only_active_people_of_ones_own_units_are_assigned(network) -> None:
    outlet_user = worker(network.outlet_a)
    stranger = worker(network.outlet_b)
    retired = worker(network.outlet_a)
    retired.is_active = False
    retired.save()
    order = make_work_order(network.outlet_a)

    with pytest.raises(ValidationError, match="your units"):
        services.work_order_assign(order=order, technician=stranger, user=outlet_user)
    with pytest.raises(ValidationError, match="no longer active"):
        services.work_order_assign(order=order, technician=retired, user=outlet_user)

    order.refresh_from_db()
    assert order.technician is None
