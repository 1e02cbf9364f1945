import pytest
from django.core.management import call_command

from aftersales.accounts.models import User
from aftersales.demo.work_orders import DEMO_MARK, seed_work_orders
from aftersales.stock import selectors
from aftersales.work_orders.models import Custody, QuoteStatus, Status, WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_has_repairs_in_several_states_and_seeding_twice_adds_nothing() -> None:
    call_command("seed_demo", "--quiet-logins")

    repairs = WorkOrder.objects.filter(reported_fault__startswith=DEMO_MARK)
    assert repairs.count() == 4
    assert repairs.filter(status=Status.IN_REPAIR, part_lines__isnull=False).exists()
    assert repairs.filter(custody=Custody.TO_FACTORY).exists()
    assert repairs.filter(status=Status.AWAITING_APPROVAL, quote_status=QuoteStatus.SENT).exists()
    assert repairs.filter(status=Status.COMPLETED, rating=5).exists()
    in_repair = repairs.get(status=Status.IN_REPAIR)
    assert in_repair.parts_cost == selectors.parts_cost(in_repair.number) > 0
    assert selectors.ledger_agrees() == []
    assert seed_work_orders(User.objects.get(username="admin")) == 0
