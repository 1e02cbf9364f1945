import itertools

from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from aftersales.accounts.tests.factories import PASSWORD
from aftersales.core.testing import scoped_factory
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import make_customer
from aftersales.organisation.models import Unit
from aftersales.portal.models import PortalAccount

_numbers = itertools.count(1)


def make_portal_account(customer: Customer | None = None, **fields) -> PortalAccount:  # type: ignore[no-untyped-def]
    """A verified account of `customer` (unverified, without a customer, when `verified` is
    False), signing in with the shared test password."""
    number = next(_numbers)
    verified = fields.pop("verified", True)
    fields.setdefault("email", f"customer{number}@example.com")
    fields.setdefault("name", f"Portal customer {number}")
    fields.setdefault("language", "en")
    fields["password"] = make_password(fields.pop("password", PASSWORD))
    return PortalAccount.objects.create(
        customer=customer if verified else None,
        verified_at=timezone.now() if verified else None,
        **fields,
    )


@scoped_factory(PortalAccount)
def portal_account_in(unit: Unit) -> PortalAccount:
    return make_portal_account(make_customer(unit))


def sign_in(client: Client, account: PortalAccount, password: str = PASSWORD) -> None:
    """Sign `client` in on the portal's own sign-in page."""
    response = client.post("/portal/login/", {"email": account.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
