import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog import services
from aftersales.catalog.models import FaultCode, Part, PriceListItem, ProductionBatch
from aftersales.catalog.tests.factories import (
    labour_item_for,
    make_category,
    make_part,
    make_product_model,
    price_list_for,
)
from aftersales.core.testing import query_count

pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"catalog:{name}", args=args)


@pytest.fixture
def admin_web(client, network):  # type: ignore[no-untyped-def]
    client.force_login(make_user("administrator", network.hq))
    return client


@pytest.fixture
def technician_web(client, network):  # type: ignore[no-untyped-def]
    client.force_login(make_user("technician", network.outlet_a))
    return client


def test_an_administrator_adds_a_part_with_names_in_four_languages(admin_web):
    model = make_product_model()
    response = admin_web.post(
        url("part_create"),
        {
            "part_number": "WM-BELT-01",
            "name_en": "Drive belt",
            "name_zh_hans": "驱动皮带",
            "name_zh_hant": "驅動皮帶",
            "name_ru": "Приводной ремень",
            "unit_of_measure": "pcs",
            "price": "35.00",
            "compatible_models": [model.pk],
            "is_active": "on",
        },
    )
    part = Part.objects.get(part_number="WM-BELT-01")
    assert response.status_code == 302 and response["Location"] == url("part_detail", part.pk)
    assert list(part.compatible_models.all()) == [model]

    detail = admin_web.get(url("part_detail", part.pk), headers={"Accept-Language": "ru"})
    content = detail.content.decode()
    assert "驅動皮帶" in content and model.code in content
    assert "style=" not in content and "<script>" not in content


def test_a_russian_user_sees_the_russian_name_in_the_parts_list(client, network):
    make_part(part_number="WM-BELT-01", name_en="Drive belt", name_ru="Приводной ремень")
    client.force_login(make_user("technician", network.outlet_a, preferred_language="ru"))
    content = client.get(url("part_list")).content.decode()
    assert "Приводной ремень" in content
    assert "Drive belt" not in content


def test_a_technician_reads_the_catalog_but_cannot_change_it(technician_web):
    part = make_part()
    response = technician_web.get(url("part_detail", part.pk))
    assert response.status_code == 200
    assert url("part_update", part.pk) not in response.content.decode()
    assert technician_web.get(url("part_create")).status_code == 403
    assert technician_web.post(url("part_create"), {"part_number": "X"}).status_code == 403
    assert technician_web.get(url("part_list")).context.get("create_url") is None


def test_a_duplicate_part_number_is_shown_on_the_form(admin_web):
    make_part(part_number="P-1")
    response = admin_web.post(
        url("part_create"),
        {"part_number": "P-1", "name_en": "Copy", "unit_of_measure": "pcs", "price": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "“P-1” is already used" in response.content.decode()
    assert Part.objects.count() == 1


def test_a_fault_code_cannot_become_its_own_grandparent_on_the_form(admin_web):
    category = make_category()
    group = FaultCode.objects.create(code="E", name="Electrical", category=category)
    child = FaultCode.objects.create(code="E1", name="Power", category=category, parent=group)
    grandchild = FaultCode.objects.create(code="E11", name="Fuse", category=category, parent=child)
    response = admin_web.post(
        url("faultcode_update", group.pk),
        {"category": category.pk, "parent": grandchild.pk, "code": "E", "name": "Electrical"},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    group.refresh_from_db()
    assert group.parent is None


def test_lists_filter_sort_and_answer_htmx_with_the_table(admin_web):
    washers = make_category(name="Washers")
    make_product_model(category=washers, code="WM-100", name="Washer 100")
    make_product_model(category=washers, code="WM-200", name="Washer 200")
    make_product_model(code="TV-1", name="Television")
    response = admin_web.get(url("model_list"), {"category": washers.pk, "sort": "-code"})
    assert [m.code for m in response.context["object_list"]] == ["WM-200", "WM-100"]
    partial = admin_web.get(url("model_list"), {"q": "tele"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="table"' in partial.content
    assert [m.code for m in partial.context["object_list"]] == ["TV-1"]


@pytest.mark.parametrize(
    "name",
    [
        "category_list",
        "model_list",
        "part_list",
        "faultcode_list",
        "repaircode_list",
        "labour_list",
        "pricelist_list",
    ],
)
def test_every_list_has_export_columns_and_a_flat_query_count(admin_web, name):
    for number in range(3):
        category = make_category()
        model = make_product_model(category=category)
        services.batch_create(model=model, code=f"B{number}")
        make_part().compatible_models.add(model)
        FaultCode.objects.create(code=f"F{number}", name="No power", category=category)
        labour_item_for(None)
        price_list_for(None)
    few = query_count(admin_web, url(name))
    for number in range(10):
        make_product_model()
        make_part()
        FaultCode.objects.create(code=f"G{number}", name="Noise")
        price_list_for(None)
    assert query_count(admin_web, url(name)) == few
    view = admin_web.get(url(name)).context["view"]
    assert view.export_columns


def test_a_models_page_lists_and_adds_production_batches(admin_web):
    model = make_product_model()
    response = admin_web.post(
        url("batch_create", model.pk), {"code": "2026-W07", "produced_on": "2026-02-12"}
    )
    assert response.status_code == 302
    batch = ProductionBatch.objects.get(model=model)
    assert batch.produced_on == dt.date(2026, 2, 12)
    page = admin_web.get(url("model_detail", model.pk)).content.decode()
    assert "2026-W07" in page and url("batch_update", batch.pk) in page

    again = admin_web.post(url("batch_create", model.pk), {"code": "2026-W07"})
    assert again.status_code == 200  # the form again, with the error
    assert "already has a batch" in again.content.decode()

    admin_web.post(url("batch_update", batch.pk), {"code": "2026-W08", "produced_on": ""})
    batch.refresh_from_db()
    assert batch.code == "2026-W08" and batch.produced_on is None


def test_a_price_list_page_adds_edits_and_removes_prices(admin_web):
    price_list = price_list_for(None)
    part, labour = make_part(), labour_item_for(None)

    both = admin_web.post(
        url("priceitem_create", price_list.pk),
        {"part": part.pk, "labour_item": labour.pk, "price": "5"},
    )
    assert both.status_code == 200 and not PriceListItem.objects.exists()

    admin_web.post(url("priceitem_create", price_list.pk), {"part": part.pk, "price": "12.50"})
    admin_web.post(
        url("priceitem_create", price_list.pk), {"labour_item": labour.pk, "price": "80"}
    )
    page = admin_web.get(url("pricelist_detail", price_list.pk))
    assert [i.price for i in page.context["part_items"]] == [Decimal("12.50")]
    assert [i.price for i in page.context["labour_items"]] == [Decimal("80.00")]

    item = PriceListItem.objects.get(part=part)
    admin_web.post(url("priceitem_update", item.pk), {"part": part.pk, "price": "13.00"})
    item.refresh_from_db()
    assert item.price == Decimal("13.00")
    edit_page = admin_web.get(url("priceitem_update", item.pk)).content.decode()
    assert "12.50" in edit_page  # the price history

    assert admin_web.get(url("priceitem_delete", item.pk)).status_code == 200
    response = admin_web.post(url("priceitem_delete", item.pk))
    assert response["Location"] == url("pricelist_detail", price_list.pk)
    assert not PriceListItem.objects.filter(pk=item.pk).exists()


def test_a_technician_cannot_touch_prices(technician_web):
    price_list = price_list_for(None)
    item = PriceListItem.objects.create(price_list=price_list, part=make_part(), price=1)
    assert technician_web.get(url("pricelist_detail", price_list.pk)).status_code == 200
    assert technician_web.post(url("priceitem_delete", item.pk)).status_code == 403
    assert (
        technician_web.post(url("priceitem_create", price_list.pk), {"price": "1"}).status_code
        == 403
    )


def test_the_catalog_menu_shows_to_everyone_who_reads_it(technician_web):
    page = technician_web.get(url("part_list")).content.decode()
    for name in ("category_list", "part_list", "faultcode_list", "pricelist_list"):
        assert url(name) in page


def test_category_and_code_pages_show_what_lies_below(admin_web):
    parent = make_category(name="Laundry")
    child = make_category(name="Front loaders", parent=parent)
    page = admin_web.get(url("category_detail", parent.pk)).content.decode()
    assert "Front loaders" in page
    assert url("category_detail", child.pk) in page
    group = FaultCode.objects.create(code="E", name="Electrical")
    FaultCode.objects.create(code="E1", name="Power supply", parent=group)
    assert "Power supply" in admin_web.get(url("faultcode_detail", group.pk)).content.decode()


def test_forms_render_for_every_directory(admin_web):
    for name in (
        "category_create",
        "model_create",
        "part_create",
        "faultcode_create",
        "repaircode_create",
        "labour_create",
        "pricelist_create",
    ):
        response = admin_web.get(url(name))
        assert response.status_code == 200, name
        assert "style=" not in response.content.decode()


def test_a_price_list_is_created_through_the_form(admin_web):
    response = admin_web.post(
        url("pricelist_create"),
        {
            "code": "DEALER-2027",
            "name": "Dealer prices 2027",
            "currency": "RUB",
            "valid_from": "2027-01-01",
            "valid_to": "2026-12-31",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "valid_to" in response.context["form"].errors
