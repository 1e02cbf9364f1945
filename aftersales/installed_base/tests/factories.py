import datetime
import itertools

from aftersales.catalog.tests.factories import make_product_model
from aftersales.core.testing import scoped_factory
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.models import InstalledProduct
from aftersales.organisation.models import Unit

_numbers = itertools.count(1)


def make_installed_product(customer, **fields) -> InstalledProduct:  # type: ignore[no-untyped-def]
    fields.setdefault("model", make_product_model())
    fields.setdefault("serial", f"SN{next(_numbers):08d}")
    fields.setdefault("purchase_date", datetime.date(2026, 3, 1))
    fields.setdefault("warranty_end", datetime.date(2027, 3, 1))
    return InstalledProduct.objects.create(customer=customer, **fields)


@scoped_factory(InstalledProduct)
def installed_product_in(unit: Unit) -> InstalledProduct:
    return make_installed_product(make_customer(unit))
