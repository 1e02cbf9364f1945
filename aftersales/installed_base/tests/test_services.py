import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.catalog.models import ProductionBatch
from aftersales.installed_base import services
from aftersales.installed_base.models import InstalledProduct, OwnershipChange
from aftersales.installed_base.tests.factories import make_installed_product

D = datetime.date
pytestmark = pytest.mark.django_db


def register(shop, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("customer", shop.alice)
    fields.setdefault("model", shop.phone)
    fields.setdefault("serial", "35-209900-176148-1")
    fields.setdefault("purchase_date", D(2026, 1, 31))
    return services.product_register(user=shop.reception, **fields)


def update(product, user, **changes):  # type: ignore[no-untyped-def]
    fields = {
        name: getattr(product, name)
        for name in (
            "model",
            "serial",
            "purchase_date",
            "dealer",
            "warranty_months",
            "extended_warranty_end",
            "batch",
            "notes",
        )
    }
    return services.product_update(product=product, user=user, **{**fields, **changes})


def test_reception_registers_a_phone_and_its_warranty_end_is_computed(shop):
    product = register(shop, dealer="苏宁易购", notes="Bought as a gift")
    assert product.serial == "352099001761481"
    assert product.warranty_end == D(2027, 1, 31)  # the model's 12 months
    assert product.customer == shop.alice
    assert product.history.count() == 1


def test_the_sale_months_override_the_model_and_the_month_end_is_respected(shop):
    product = register(shop, warranty_months=1)
    assert product.warranty_end == D(2026, 2, 28)
    leap = register(shop, serial="LEAP-1", purchase_date=D(2024, 1, 31), warranty_months=1)
    assert leap.warranty_end == D(2024, 2, 29)


def test_a_serial_is_unique_per_model_whatever_way_it_is_typed(shop):
    register(shop)
    with pytest.raises(ValidationError) as error:
        register(shop, customer=shop.bob, serial="352099 001761 481")
    assert error.value.message_dict == {
        "serial": ["This model already has a product with serial 352099001761481."]
    }
    assert InstalledProduct.objects.count() == 1
    # The same number on another model is another product.
    register(shop, model=shop.tablet, serial="352099001761481")
    assert InstalledProduct.objects.count() == 2


def test_a_purchase_in_the_future_is_refused_and_nothing_is_written(shop):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        register(shop, purchase_date=tomorrow)
    assert set(error.value.message_dict) == {"purchase_date"}
    assert not InstalledProduct.objects.exists()


def test_an_extended_warranty_ending_before_the_warranty_is_refused(shop):
    with pytest.raises(ValidationError) as error:
        register(shop, extended_warranty_end=D(2026, 12, 31))
    assert set(error.value.message_dict) == {"extended_warranty_end"}
    with pytest.raises(ValidationError):
        register(shop, purchase_date=None, extended_warranty_end=D(2030, 1, 1))
    assert not InstalledProduct.objects.exists()
    product = register(shop, extended_warranty_end=D(2027, 1, 31))
    assert product.extended_warranty_end == D(2027, 1, 31)


def test_a_batch_must_be_of_the_model(shop):
    batch = ProductionBatch.objects.create(model=shop.tablet, code="2026-W10")
    with pytest.raises(ValidationError) as error:
        register(shop, batch=batch)
    assert set(error.value.message_dict) == {"batch"}
    assert register(shop, model=shop.tablet, batch=batch).batch == batch


def test_blank_or_silly_input_is_refused(shop):
    with pytest.raises(ValidationError) as error:
        register(shop, serial=" - / ")
    assert set(error.value.message_dict) == {"serial"}
    with pytest.raises(ValidationError) as error:
        register(shop, warranty_months=241)
    assert set(error.value.message_dict) == {"warranty_months"}
    with pytest.raises(ValidationError) as error:
        register(shop, serial="ß" * 64)  # upper-cased it would not fit the column
    assert set(error.value.message_dict) == {"serial"}


def test_a_product_cannot_be_registered_for_a_customer_of_another_outlet(shop):
    with pytest.raises(ValidationError) as error:
        register(shop, customer=shop.foreign)
    assert set(error.value.message_dict) == {"customer"}
    assert not InstalledProduct.objects.exists()


def test_changing_the_purchase_date_recomputes_the_warranty_end(shop):
    product = register(shop)
    product = update(product, shop.reception, purchase_date=D(2025, 8, 31), warranty_months=6)
    assert product.warranty_end == D(2026, 2, 28)
    assert product.history.count() == 2


def test_an_edit_of_the_notes_keeps_a_warranty_end_the_model_no_longer_gives(shop):
    product = register(shop)
    shop.phone.warranty_months = 24
    shop.phone.save()
    product = update(product, shop.reception, notes="Screen scratched at intake")
    assert product.warranty_end == D(2027, 1, 31)


def test_an_update_keeps_the_rules(shop):
    register(shop, serial="A-1")
    product = register(shop, serial="A-2")
    with pytest.raises(ValidationError) as error:
        update(product, shop.reception, serial="a1")
    assert set(error.value.message_dict) == {"serial"}
    with pytest.raises(ValidationError):
        update(product, shop.reception, purchase_date=timezone.localdate() + datetime.timedelta(1))
    product.refresh_from_db()
    assert product.serial == "A2" and product.purchase_date == D(2026, 1, 31)


def test_a_product_changes_hands_and_keeps_its_history(shop):
    product = register(shop)
    change = services.product_transfer(
        product=product,
        new_owner=shop.bob,
        changed_on=D(2026, 3, 1),
        note="Sold to a neighbour",
        user=shop.reception,
    )
    product.refresh_from_db()
    assert product.customer == shop.bob
    assert (change.previous_owner, change.new_owner, change.changed_by) == (
        shop.alice,
        shop.bob,
        shop.reception,
    )
    services.product_transfer(
        product=product,
        new_owner=shop.alice,
        changed_on=D(2026, 4, 1),
        note="",
        user=shop.reception,
    )
    owners = list(product.ownership_changes.values_list("previous_owner", "new_owner"))
    assert owners == [(shop.bob.pk, shop.alice.pk), (shop.alice.pk, shop.bob.pk)]
    assert product.history.count() == 3


@pytest.mark.parametrize(
    ("owner", "day", "field"),
    [
        ("alice", D(2026, 3, 1), "new_owner"),  # the owner already
        ("foreign", D(2026, 3, 1), "new_owner"),  # not a customer of the user's units
        ("bob", D(2026, 1, 30), "changed_on"),  # before the purchase
        ("bob", None, "changed_on"),  # in the future
    ],
)
def test_impossible_transfers_are_refused_and_change_nothing(shop, owner, day, field):
    product = register(shop)
    day = day or timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.product_transfer(
            product=product,
            new_owner=getattr(shop, owner),
            changed_on=day,
            note="",
            user=shop.reception,
        )
    assert set(error.value.message_dict) == {field}
    product.refresh_from_db()
    assert product.customer == shop.alice
    assert not OwnershipChange.objects.exists()


def test_a_transfer_cannot_be_dated_before_the_previous_one(shop):
    product = make_installed_product(shop.alice)
    services.product_transfer(
        product=product, new_owner=shop.bob, changed_on=D(2026, 5, 1), note="", user=shop.reception
    )
    with pytest.raises(ValidationError) as error:
        services.product_transfer(
            product=product,
            new_owner=shop.alice,
            changed_on=D(2026, 4, 1),
            note="",
            user=shop.reception,
        )
    assert set(error.value.message_dict) == {"changed_on"}
