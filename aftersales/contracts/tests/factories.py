import datetime
import itertools

from aftersales.contracts.models import ContractStatus, ServiceContract, ServiceLevel
from aftersales.core.testing import scoped_factory
from aftersales.customers.tests.factories import make_customer
from aftersales.organisation.models import Unit

_numbers = itertools.count(1)


def make_contract(customer, **fields) -> ServiceContract:  # type: ignore[no-untyped-def]
    fields.setdefault("number", f"TK{next(_numbers):06d}")
    fields.setdefault("title", "Annual maintenance")
    fields.setdefault("service_level", ServiceLevel.PRIORITY)
    fields.setdefault("status", ContractStatus.ACTIVE)
    fields.setdefault("valid_from", datetime.date(2026, 1, 1))
    return ServiceContract.objects.create(customer=customer, **fields)


@scoped_factory(ServiceContract)
def contract_in(unit: Unit) -> ServiceContract:
    return make_contract(make_customer(unit))
