import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from aftersales.catalog import selectors, services
from aftersales.catalog.models import FaultCode, PriceListItem, RepairCode
from aftersales.catalog.tests.factories import make_category, make_part, make_product_model

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:  # type: ignore[no-untyped-def]
    return excinfo.value.message_dict


def test_a_category_cannot_be_placed_below_itself():
    appliances = services.category_create(code="appliances", name="Appliances")
    laundry = services.category_create(code="laundry", name="Laundry", parent=appliances)
    washers = services.category_create(code="washers", name="Washers", parent=laundry)

    with pytest.raises(ValidationError) as excinfo:
        services.category_update(category=appliances, parent=washers)
    assert "parent" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        services.category_update(category=laundry, parent=laundry)

    appliances.refresh_from_db()
    assert appliances.parent is None  # nothing changed


def test_a_duplicate_code_is_a_sentence_not_a_server_error():
    services.category_create(code="tv", name="Televisions")
    with pytest.raises(ValidationError) as excinfo:
        services.category_create(code="tv", name="Other TVs")
    assert "“tv” is already used" in errors_of(excinfo)["code"][0]


def test_codes_must_use_latin_letters_digits_and_punctuation_only():
    with pytest.raises(ValidationError) as excinfo:
        services.labour_item_create(code="诊断 1", name="Diagnosis")
    assert "code" in errors_of(excinfo)


def test_a_fault_code_cannot_be_its_own_grandparent():
    washers = make_category()
    group = services.fault_code_create(code="E", name="Electrical", category=washers)
    power = services.fault_code_create(code="E1", name="Power", category=washers, parent=group)
    fuse = services.fault_code_create(code="E1.1", name="Fuse", category=washers, parent=power)

    with pytest.raises(ValidationError) as excinfo:
        services.fault_code_update(fault_code=group, parent=fuse)
    assert "cannot be its own ancestor" in errors_of(excinfo)["parent"][0]
    group.refresh_from_db()
    assert group.parent is None


def test_a_fault_codes_parent_must_be_of_the_same_category():
    washers, fridges = make_category(), make_category()
    fridge_group = services.fault_code_create(code="C", name="Cooling", category=fridges)
    general = services.fault_code_create(code="G", name="General")

    with pytest.raises(ValidationError) as excinfo:
        services.fault_code_create(code="C1", name="Leak", category=washers, parent=fridge_group)
    assert "same category" in errors_of(excinfo)["parent"][0]
    with pytest.raises(ValidationError):
        services.fault_code_create(code="C2", name="Noise", category=washers, parent=general)

    # A code with codes below it cannot change category alone.
    services.fault_code_create(code="C3", name="Compressor", category=fridges, parent=fridge_group)
    with pytest.raises(ValidationError) as excinfo:
        services.fault_code_update(fault_code=fridge_group, category=washers)
    assert "category" in errors_of(excinfo)


def test_the_same_code_may_exist_once_per_category_and_once_as_general():
    washers, fridges = make_category(), make_category()
    services.repair_code_create(code="R1", name="Board replaced", category=washers)
    services.repair_code_create(code="R1", name="Board replaced", category=fridges)
    services.repair_code_create(code="R1", name="Board replaced")

    with pytest.raises(ValidationError) as excinfo:
        services.repair_code_create(code="R1", name="Again", category=washers)
    assert "code" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        services.repair_code_create(code="R1", name="Again, general")
    assert RepairCode.objects.filter(code="R1").count() == 3


def test_codes_for_a_category_include_those_above_and_the_general_ones():
    appliances = make_category()
    laundry = make_category(parent=appliances)
    fridges = make_category(parent=appliances)
    general = FaultCode.objects.create(code="G1", name="No power")
    line = FaultCode.objects.create(code="A1", name="Door", category=appliances)
    own = FaultCode.objects.create(code="L1", name="Drum", category=laundry)
    FaultCode.objects.create(code="F1", name="Ice", category=fridges)

    found = set(selectors.codes_for_category(FaultCode.objects.all(), laundry))
    assert found == {general, line, own}
    assert set(selectors.codes_for_category(FaultCode.objects.all(), None)) == {general}


def test_a_part_needs_a_name_and_remembers_the_models_it_fits():
    model_a, model_b = make_product_model(), make_product_model()
    with pytest.raises(ValidationError) as excinfo:
        services.part_create(part_number="P-100")
    assert "name_en" in errors_of(excinfo)

    part = services.part_create(
        part_number=" P-100 ", name_ru="Ремень привода", compatible_models=[model_a, model_b]
    )
    assert part.part_number == "P-100"
    assert set(part.compatible_models.all()) == {model_a, model_b}
    with translation.override("en"):
        assert part.name == "Ремень привода"  # the first name given stands in for English

    services.part_update(part=part, name_en="Drive belt", compatible_models=[model_b])
    assert set(part.compatible_models.all()) == {model_b}
    services.part_update(part=part, price=Decimal("12.50"))  # no list given: models kept
    assert set(part.compatible_models.all()) == {model_b}
    with pytest.raises(ValidationError):
        services.part_create(part_number="P-100", name_en="Copy")


def test_a_batch_code_is_unique_per_model():
    model_a, model_b = make_product_model(), make_product_model()
    services.batch_create(model=model_a, code="2026-01", produced_on=dt.date(2026, 1, 5))
    services.batch_create(model=model_b, code="2026-01")
    with pytest.raises(ValidationError) as excinfo:
        services.batch_create(model=model_a, code="2026-01")
    assert "code" in errors_of(excinfo)


def _price_list(**fields):  # type: ignore[no-untyped-def]
    fields.setdefault("code", "PL-2026")
    fields.setdefault("name", "Dealer prices 2026")
    fields.setdefault("currency", "CNY")
    fields.setdefault("valid_from", dt.date(2026, 1, 1))
    return services.price_list_create(**fields)


def test_a_price_list_ends_after_it_starts():
    with pytest.raises(ValidationError) as excinfo:
        _price_list(valid_to=dt.date(2025, 12, 31))
    assert "valid_to" in errors_of(excinfo)


def test_a_price_list_item_is_for_a_part_or_a_labour_item_never_both():
    price_list = _price_list()
    part = make_part()
    labour = services.labour_item_create(code="L-DIAG", name="Diagnosis", standard_minutes=30)

    with pytest.raises(ValidationError) as excinfo:
        services.price_list_item_create(
            price_list=price_list, part=part, labour_item=labour, price=Decimal("10")
        )
    assert set(errors_of(excinfo)) == {"part", "labour_item"}
    with pytest.raises(ValidationError):
        services.price_list_item_create(price_list=price_list, price=Decimal("10"))

    item = services.price_list_item_create(price_list=price_list, part=part, price=Decimal("8"))
    with pytest.raises(ValidationError) as excinfo:
        services.price_list_item_create(price_list=price_list, part=part, price=Decimal("9"))
    assert "already has a price" in errors_of(excinfo)["part"][0]

    services.price_list_item_update(item=item, price=Decimal("8.80"))
    assert item.history.count() == 2  # who changed a price, and when
    services.price_list_item_delete(item=item)
    assert not PriceListItem.objects.exists()


def test_the_price_of_a_part_on_a_date():
    part = make_part(price=Decimal("100"))
    old = _price_list(
        code="PL-2025", valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31)
    )
    new = _price_list(code="PL-2026", valid_from=dt.date(2026, 1, 1))
    rouble = _price_list(code="PL-RU", currency="RUB", valid_from=dt.date(2026, 1, 1))
    services.price_list_item_create(price_list=old, part=part, price=Decimal("90"))
    services.price_list_item_create(price_list=new, part=part, price=Decimal("95"))
    services.price_list_item_create(price_list=rouble, part=part, price=Decimal("1200"))

    assert selectors.price_on(part=part, on=dt.date(2025, 6, 1)) == Decimal("90")
    assert selectors.price_on(part=part, on=dt.date(2026, 6, 1), currency="CNY") == Decimal("95")
    assert selectors.price_on(part=part, on=dt.date(2026, 6, 1), price_list=rouble) == Decimal(
        "1200"
    )
    assert selectors.price_on(part=part, on=dt.date(2026, 6, 1), price_list=old) is None
    assert selectors.price_on(part=part, on=dt.date(2024, 6, 1)) is None

    services.price_list_update(price_list=new, is_active=False)
    assert selectors.price_on(part=part, on=dt.date(2026, 6, 1), currency="CNY") is None
