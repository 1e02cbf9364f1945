from dataclasses import dataclass

import pytest

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.models import ProductModel
from aftersales.catalog.tests.factories import make_product_model
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import make_customer


@dataclass
class Shop:
    """Outlet A's reception with two customers, outlet B's customer, and two phone models."""

    reception: object
    alice: Customer
    bob: Customer
    foreign: Customer
    phone: ProductModel
    tablet: ProductModel


@pytest.fixture
def shop(network) -> Shop:  # type: ignore[no-untyped-def]
    return Shop(
        reception=make_user("outlet_reception", network.outlet_a),
        alice=make_customer(network.outlet_a, name="王丽"),
        bob=make_customer(network.outlet_a, name="Борис Петров"),
        foreign=make_customer(network.outlet_b, name="Foreign Ltd"),
        phone=make_product_model(code="P-40", name="Phone 40", warranty_months=12),
        tablet=make_product_model(code="T-10", name="Tablet 10", warranty_months=24),
    )


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read messages in English; the site's default language is Chinese, so pages
    and API answers are asked for in English too."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
