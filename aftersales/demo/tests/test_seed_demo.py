import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.catalog.models import Part, ProductModel
from aftersales.customers.models import Customer, Phone
from aftersales.installed_base.models import InstalledProduct, OwnershipChange
from aftersales.installed_base.selectors import warranty_status

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_catalog_customers_and_their_products_and_seeding_twice_adds_nothing():
    call_command("seed_demo", "--quiet-logins")
    counts = (
        ProductModel.objects.count(),
        Part.objects.count(),
        Customer.objects.count(),
        Phone.objects.count(),
        InstalledProduct.objects.count(),
        OwnershipChange.objects.count(),
    )
    assert counts[0] == 6 and counts[1] == 10
    assert counts[2] >= 40 and counts[3] >= 40
    assert counts[4] >= 60 and counts[5] == 2
    # Phones typed in local formats are stored in E.164, Chinese and Russian.
    numbers = set(Phone.objects.values_list("number", flat=True))
    assert "+8613800138000" in numbers and "+79131234567" in numbers
    # Every outlet serves customers; the products show every warranty state but "before purchase".
    assert Customer.objects.values("unit").distinct().count() == 6
    today = timezone.localdate()
    states = {warranty_status(p, today).state for p in InstalledProduct.objects.all()}
    assert states == {"in_warranty", "extended", "expired", "unknown"}
    # A Russian part name for a Russian storekeeper.
    assert Part.objects.get(part_number="PH-BAT-06").name_ru == "Аккумулятор"

    call_command("seed_demo", "--quiet-logins")
    assert counts == (
        ProductModel.objects.count(),
        Part.objects.count(),
        Customer.objects.count(),
        Phone.objects.count(),
        InstalledProduct.objects.count(),
        OwnershipChange.objects.count(),
    )
