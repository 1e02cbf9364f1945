import itertools

from aftersales.core.testing import scoped_factory
from aftersales.customers.models import Customer, Phone
from aftersales.customers.phones import normalise
from aftersales.customers.search_text import customer_search_text
from aftersales.organisation.models import Unit

_numbers = itertools.count(1)


def make_customer(unit: Unit, phone: str | None = None, **fields) -> Customer:  # type: ignore[no-untyped-def]
    """A customer served by `unit`, with a phone when one is given (typed in any format)."""
    number = next(_numbers)
    fields.setdefault("name", f"Customer {number}")
    fields.setdefault("code", f"T{number:06d}")
    fields.setdefault("search_text", customer_search_text(fields["name"], fields["code"]))
    customer = Customer.objects.create(unit=unit, **fields)
    if phone:
        Phone.objects.create(customer=customer, number=normalise(phone))
    return customer


@scoped_factory(Customer)
def customer_in(unit: Unit) -> Customer:
    return make_customer(unit)
