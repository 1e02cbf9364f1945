import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.card import sections_for, timeline_for
from aftersales.installed_base import card, services
from aftersales.installed_base.tests.factories import make_installed_product

D = datetime.date
pytestmark = pytest.mark.django_db


def _section(customer, user):  # type: ignore[no-untyped-def]
    return next(
        (s.context for s in sections_for(customer, user) if s.section.key == "products"), None
    )


def test_the_card_lists_the_customers_products_with_their_warranty(shop):
    today = timezone.localdate()
    make_installed_product(
        shop.alice, purchase_date=today, warranty_end=today + datetime.timedelta(days=365)
    )
    make_installed_product(shop.alice, purchase_date=D(2020, 1, 1), warranty_end=D(2021, 1, 1))
    make_installed_product(shop.bob)
    context = _section(shop.alice, shop.reception)
    states = [warranty.state for _product, warranty in context["product_rows"]]
    assert states == ["in_warranty", "expired"]
    assert context["can_register"] is True
    assert context["register_url"].endswith(f"/products/new/for/{shop.alice.pk}/")


def test_the_card_section_is_hidden_without_the_permission_and_read_only_for_a_technician(
    shop, network
):
    assert _section(shop.alice, make_user("storekeeper", network.outlet_a)) is None
    technician = make_user("technician", network.outlet_a)
    assert _section(shop.alice, technician)["can_register"] is False


def test_the_card_section_and_the_timeline_take_a_fixed_number_of_queries(shop):
    def queries() -> int:  # type: ignore[no-untyped-def]
        user = shop.reception
        card.products_section(shop.alice, user)  # fills the per-user caches a request has
        with CaptureQueriesContext(connection) as captured:
            card.products_section(shop.alice, user)
            list(card.products_timeline(shop.alice, user))
        return len(captured)

    make_installed_product(shop.alice)
    few = queries()
    for _ in range(card.CARD_ROWS + 5):
        product = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    services.product_transfer(
        product=product, new_owner=shop.bob, changed_on=D(2026, 2, 1), note="", user=shop.reception
    )
    assert queries() == few
    assert card.products_section(shop.alice, shop.reception)["more_products"] is True


def test_the_timeline_tells_registrations_and_changes_of_owner(shop):
    kept = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    given = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    services.product_transfer(
        product=given, new_owner=shop.bob, changed_on=D(2026, 2, 1), note="", user=shop.reception
    )
    alice = [(e.kind, e.title) for e in card.products_timeline(shop.alice, shop.reception)]
    assert ("Product registered", f"{kept.model.code} · {kept.model.name} · {kept.serial}") in alice
    assert (
        "Product registered",
        f"{given.model.code} · {given.model.name} · {given.serial}",
    ) in alice
    assert (
        "Ownership changed",
        f"{given.model.code} · {given.serial} passed to Борис Петров",
    ) in alice
    bob = [(e.kind, e.title) for e in card.products_timeline(shop.bob, shop.reception)]
    assert bob == [("Ownership changed", f"{given.model.code} · {given.serial} received from 王丽")]


def test_a_foreign_user_sees_nothing_of_the_customers_products(shop, network):
    make_installed_product(shop.alice)
    outsider = make_user("outlet_reception", network.outlet_b)
    assert _section(shop.alice, outsider)["product_rows"] == []
    assert list(card.products_timeline(shop.alice, outsider)) == []


def test_the_customer_timeline_includes_the_product_events(shop):
    make_installed_product(shop.alice)
    kinds = {event.kind for event in timeline_for(shop.alice, shop.reception)}
    assert "Product registered" in kinds
