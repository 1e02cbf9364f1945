"""Visits, step by step: planned, on the way, on site, departed (finished with the customer's
signature, or another visit needed), reassigned, cancelled, and every refusal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aftersales.field_service import services
from aftersales.field_service.models import Outcome, VisitStatus
from aftersales.field_service.tests.factories import (
    make_dispatcher,
    make_engineer,
    make_visit,
    window,
)
from aftersales.work_orders.models import Kind, Status
from aftersales.work_orders.services import work_order_transition
from aftersales.work_orders.tests.factories import (
    SIGNATURE_DATA_URL,
    make_field_order,
    make_work_order,
)

pytestmark = pytest.mark.django_db


def test_planning_a_visit_schedules_and_assigns_the_order(network):
    visit = make_visit(network.outlet_a)
    order = visit.work_order
    order.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert order.status == Status.SCHEDULED
    assert order.technician == visit.engineer.user


def test_a_visit_agreed_with_the_customer_stops_the_contact_clock(network):
    visit = make_visit(network.outlet_a, agreed=True)
    job = visit.work_order.field_job
    job.refresh_from_db()
    assert job.contacted_at is not None and job.appointment_start == visit.window_start


def test_the_engineer_arrives_and_finishes_with_the_customers_signature(network):
    visit = make_visit(network.outlet_a)
    engineer = visit.engineer.user
    services.visit_set_off(visit=visit, user=engineer)
    services.visit_arrive(visit=visit, user=engineer)
    visit.work_order.refresh_from_db()
    assert visit.work_order.status == Status.ON_SITE
    services.visit_finish(
        visit=visit,
        signer_name="王芳",
        image_data_url=SIGNATURE_DATA_URL,
        rating=5,
        comment="Quick and tidy",
        user=engineer,
    )
    visit.refresh_from_db()
    order = visit.work_order
    order.refresh_from_db()
    assert (visit.status, visit.outcome) == (VisitStatus.DONE, Outcome.FINISHED)
    assert visit.departed_at >= visit.arrived_at
    assert order.status == Status.COMPLETED and order.rating == 5
    signature = order.signatures.get()
    assert signature.signer_name == "王芳" and signature.image.name


def test_another_visit_needed_puts_the_order_back_on_the_board(network):
    visit = make_visit(network.outlet_a)
    engineer = visit.engineer.user
    services.visit_arrive(visit=visit, user=engineer)
    services.visit_depart(visit=visit, outcome=Outcome.REVISIT, user=engineer, note="Part on order")
    order = visit.work_order
    order.refresh_from_db()
    assert order.status == Status.SCHEDULED
    second = make_visit(network.outlet_a, order=order, engineer=visit.engineer)
    assert second.status == VisitStatus.PLANNED


def test_departing_finished_without_a_signature_is_refused(network):
    visit = make_visit(network.outlet_a)
    services.visit_arrive(visit=visit, user=visit.engineer.user)
    with pytest.raises(ValidationError, match="not signed"):
        services.visit_depart(visit=visit, outcome=Outcome.FINISHED, user=visit.engineer.user)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.ON_SITE


def test_arriving_twice_is_refused(network):
    visit = make_visit(network.outlet_a)
    services.visit_arrive(visit=visit, user=visit.engineer.user)
    with pytest.raises(ValidationError, match="already recorded"):
        services.visit_arrive(visit=visit, user=visit.engineer.user)


def test_departing_before_arriving_is_refused(network):
    visit = make_visit(network.outlet_a)
    with pytest.raises(ValidationError, match="arrival before the departure"):
        services.visit_depart(visit=visit, outcome=Outcome.REVISIT, user=visit.engineer.user)


def test_another_engineers_visit_is_not_mine_to_record(network):
    visit = make_visit(network.outlet_a)
    other = make_engineer(network.outlet_a)
    with pytest.raises(ValidationError, match="another engineer"):
        services.visit_arrive(visit=visit, user=other.user)


def test_scheduling_a_closed_order_is_refused(network):
    order = make_field_order(network.outlet_a)
    work_order_transition(order=order, to_status="cancelled", user=None, note="Not needed")
    with pytest.raises(ValidationError, match="no visit can be planned"):
        make_visit(network.outlet_a, order=order)


def test_a_repair_in_the_store_is_not_visited(network):
    order = make_work_order(network.outlet_a, Kind.REPAIR)
    with pytest.raises(ValidationError, match="Only field work"):
        make_visit(network.outlet_a, order=order)


def test_a_window_ending_before_it_starts_is_refused(network):
    start, _end = window()
    with pytest.raises(ValidationError, match="end after it starts"):
        make_visit(network.outlet_a, window=(start, start - dt.timedelta(hours=1)))


def test_an_inactive_engineer_cannot_be_assigned(network):
    engineer = make_engineer(network.outlet_a, is_active=False)
    with pytest.raises(ValidationError, match="not active"):
        make_visit(network.outlet_a, engineer=engineer)


def test_a_second_visit_beside_a_planned_one_is_refused(network):
    visit = make_visit(network.outlet_a)
    with pytest.raises(ValidationError, match="already has a visit"):
        make_visit(network.outlet_a, order=visit.work_order)


def test_reassignment_needs_a_reason_and_moves_the_order(network):
    visit = make_visit(network.outlet_a)
    dispatcher = make_dispatcher(network.outlet_a)
    other = make_engineer(network.outlet_a)
    with pytest.raises(ValidationError, match="Say why"):
        services.visit_reassign(visit=visit, engineer=other, reason=" ", user=dispatcher)
    services.visit_reassign(visit=visit, engineer=other, reason="Ill", user=dispatcher)
    visit.refresh_from_db()
    visit.work_order.refresh_from_db()
    assert visit.engineer == other and visit.work_order.technician == other.user


def test_a_visit_on_site_cannot_be_reassigned_or_cancelled(network):
    visit = make_visit(network.outlet_a)
    services.visit_arrive(visit=visit, user=visit.engineer.user)
    dispatcher = make_dispatcher(network.outlet_a)
    with pytest.raises(ValidationError, match="not yet on site"):
        services.visit_reassign(
            visit=visit, engineer=make_engineer(network.outlet_a), reason="x", user=dispatcher
        )
    with pytest.raises(ValidationError, match="cannot become"):
        services.visit_cancel(visit=visit, reason="x", user=dispatcher)


def test_a_cancelled_visit_frees_the_order_for_another(network):
    visit = make_visit(network.outlet_a)
    services.visit_cancel(visit=visit, reason="Customer away", user=None)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert make_visit(network.outlet_a, order=visit.work_order).status == VisitStatus.PLANNED


def test_parts_and_labour_on_site_go_through_the_work_order(network):
    from aftersales.work_orders import services as work_orders
    from aftersales.work_orders.tests.factories import stocked_warehouse

    visit = make_visit(network.outlet_a)
    warehouse, part = stocked_warehouse(network.outlet_a)
    order = visit.work_order
    work_orders.part_issue(
        order=order,
        part=part,
        quantity=Decimal("1"),
        warehouse=warehouse,
        user=visit.engineer.user,
    )
    order.refresh_from_db()
    assert order.parts_cost == Decimal("10.00")
