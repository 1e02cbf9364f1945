import pytest
from django.core.management import call_command

from aftersales.accounts.models import User
from aftersales.demo.stock import seed_stock
from aftersales.organisation.models import Unit
from aftersales.stock import selectors
from aftersales.stock.models import StockBalance, Transfer, Warehouse

pytestmark = pytest.mark.django_db


def test_the_demo_has_stocked_warehouses_and_a_transfer_and_seeding_twice_adds_nothing():
    call_command("seed_demo", "--quiet-logins")
    assert Warehouse.objects.count() == Unit.objects.filter(kind__in=["centre", "outlet"]).count()
    assert StockBalance.objects.filter(quantity__gt=0).exists()
    assert Transfer.objects.filter(status="in_transit").count() == 1
    assert selectors.ledger_agrees() == []
    assert seed_stock(User.objects.get(username="admin")) == 0
