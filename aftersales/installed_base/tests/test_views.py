import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.models import ProductionBatch
from aftersales.core.testing import query_count
from aftersales.customers.models import Phone
from aftersales.installed_base.models import InstalledProduct, OwnershipChange
from aftersales.installed_base.tests.factories import make_installed_product

D = datetime.date
pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"installed_base:{name}", args=args)


@pytest.fixture
def web(client, shop):  # type: ignore[no-untyped-def]
    client.force_login(shop.reception)
    return client


def test_the_list_finds_an_imei_typed_with_dashes_and_shows_the_warranty(web, shop):
    today = timezone.localdate()
    make_installed_product(
        shop.alice,
        model=shop.phone,
        serial="352099001761481",
        purchase_date=today - datetime.timedelta(days=30),
        warranty_end=today + datetime.timedelta(days=335),
    )
    make_installed_product(shop.bob, model=shop.phone, serial="990000862471854")
    make_installed_product(shop.foreign, model=shop.phone, serial="352099001761482")
    response = web.get(url("product_list"), {"q": "35-209900-176148-1"})
    assert [p.serial for p in response.context["object_list"]] == ["352099001761481"]
    assert "In warranty" in response.content.decode()
    prefix = web.get(url("product_list"), {"q": "3520 99"})
    assert [p.serial for p in prefix.context["object_list"]] == ["352099001761481"]  # not B's


def test_the_list_filters_by_model_category_warranty_customer_and_unit(web, shop, network):
    phone = make_installed_product(
        shop.alice, model=shop.phone, purchase_date=D(2020, 1, 1), warranty_end=D(2021, 1, 1)
    )
    tablet = make_installed_product(
        shop.bob, model=shop.tablet, purchase_date=None, warranty_end=None
    )

    def listed(**query):  # type: ignore[no-untyped-def]
        return list(web.get(url("product_list"), query).context["object_list"])

    assert listed(model=shop.phone.pk) == [phone]
    assert listed(category=shop.tablet.category_id) == [tablet]
    assert listed(warranty="expired") == [phone]
    assert listed(warranty="unknown") == [tablet]
    assert listed(customer=shop.bob.pk) == [tablet]
    assert set(listed(unit=network.outlet_a.pk)) == {phone, tablet}
    assert [p.serial for p in listed(sort="serial")] == sorted([phone.serial, tablet.serial])
    partial = web.get(url("product_list"), headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="table"' in partial.content


def test_the_list_takes_a_fixed_number_of_queries(web, shop):
    make_installed_product(shop.alice)
    few = query_count(web, url("product_list"))
    for _ in range(5):
        make_installed_product(shop.bob, batch=None)
    assert query_count(web, url("product_list")) == few


def test_the_detail_page_shows_owner_warranty_and_ownership_history(web, shop):
    batch = ProductionBatch.objects.create(model=shop.phone, code="2025-W07")
    product = make_installed_product(
        shop.alice,
        model=shop.phone,
        batch=batch,
        dealer="国美电器",
        purchase_date=D(2024, 1, 10),
        warranty_end=D(2025, 1, 10),
        extended_warranty_end=D(2099, 1, 10),
    )
    OwnershipChange.objects.create(
        product=product, previous_owner=shop.bob, new_owner=shop.alice, changed_on=D(2024, 5, 1)
    )
    response = web.get(url("product_detail", product.pk))
    content = response.content.decode()
    assert response.context["warranty"].state == "extended"
    for text in ("王丽", "Борис Петров", "国美电器", "2025-W07", "2025-01-10", "Extended warranty"):
        assert text in content, text
    assert "style=" not in content and "<script>" not in content


def test_the_warranty_on_a_date_answers_in_a_fragment(web, shop):
    product = make_installed_product(
        shop.alice, purchase_date=D(2026, 3, 1), warranty_end=D(2027, 3, 1)
    )
    inside = web.get(
        url("product_warranty", product.pk), {"on": "2027-03-01"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in inside.content
    assert inside.context["checked"].is_in_warranty
    after = web.get(url("product_warranty", product.pk), {"on": "2027-03-02"})
    assert after.context["checked"].state == "expired"
    silly = web.get(url("product_warranty", product.pk), {"on": "2027-02-30"})
    assert silly.status_code == 200 and silly.context["checked"] is None


def test_reception_registers_a_product_from_the_customer_card(web, shop):
    form = web.get(url("product_register", shop.alice.pk))
    assert form.status_code == 200 and "王丽" in form.content.decode()
    response = web.post(
        url("product_register", shop.alice.pk),
        {"model": shop.phone.pk, "serial": "35 209900 176148 1", "purchase_date": "2026-01-31"},
    )
    product = InstalledProduct.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("product_detail", product.pk)
    assert (product.customer, product.serial, product.warranty_end) == (
        shop.alice,
        "352099001761481",
        D(2027, 1, 31),
    )


def test_a_duplicate_serial_comes_back_on_the_form(web, shop):
    make_installed_product(shop.foreign, model=shop.phone, serial="SN1")
    response = web.post(
        url("product_register", shop.alice.pk),
        {"model": shop.phone.pk, "serial": "sn-1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["serial"] == [
        "This model already has a product with serial SN1."
    ]
    assert InstalledProduct.objects.count() == 1


def test_no_product_for_a_customer_of_another_outlet(web, shop):
    assert web.get(url("product_register", shop.foreign.pk)).status_code == 404
    response = web.post(
        url("product_register", shop.foreign.pk), {"model": shop.phone.pk, "serial": "X"}
    )
    assert response.status_code == 404
    assert not InstalledProduct.objects.exists()


def test_a_foreign_product_is_404_everywhere(web, shop):
    product = make_installed_product(shop.foreign)
    for name in ("product_detail", "product_update", "product_warranty", "product_transfer"):
        assert web.get(url(name, product.pk)).status_code == 404, name


def test_a_technician_reads_but_does_not_register(client, shop, network):
    client.force_login(make_user("technician", network.outlet_a))
    product = make_installed_product(shop.alice)
    assert client.get(url("product_detail", product.pk)).status_code == 200
    assert client.get(url("product_register", shop.alice.pk)).status_code == 403
    assert client.get(url("product_transfer", product.pk)).status_code == 403


def test_editing_a_purchase_date_recomputes_the_warranty(web, shop):
    product = make_installed_product(shop.alice, model=shop.phone, purchase_date=D(2026, 1, 1))
    response = web.post(
        url("product_update", product.pk),
        {"model": shop.phone.pk, "serial": product.serial, "purchase_date": "2025-08-31"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.warranty_end == D(2026, 8, 31)


def test_a_product_changes_hands_after_a_search_for_the_new_owner(web, shop):
    product = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    Phone.objects.create(customer=shop.bob, number="+79123456789")
    found = web.get(
        url("product_transfer", product.pk),
        {"find": "8 (912) 345-67-89"},
        headers={"HX-Request": "true"},
    )
    assert found.status_code == 200 and b"<html" not in found.content
    assert found.context["candidates"] == [shop.bob]
    by_name = web.get(url("product_transfer", product.pk), {"find": "Foreign"})
    assert by_name.context["candidates"] == []  # outlet B's customer is not offered
    response = web.post(
        url("product_transfer", product.pk),
        {"new_owner": shop.bob.pk, "changed_on": "2026-02-01", "note": "Sold on"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.customer == shop.bob
    assert OwnershipChange.objects.get().previous_owner == shop.alice


def test_a_transfer_to_a_foreign_customer_is_refused(web, shop):
    product = make_installed_product(shop.alice, purchase_date=D(2026, 1, 1))
    response = web.post(
        url("product_transfer", product.pk),
        {"new_owner": shop.foreign.pk, "changed_on": "2026-02-01"},
    )
    assert response.status_code == 200 and "new_owner" in response.context["form"].errors
    response = web.post(
        url("product_transfer", product.pk), {"new_owner": shop.bob.pk, "changed_on": "2025-12-31"}
    )
    assert "changed_on" in response.context["form"].errors
    assert response.context["candidates"] == [shop.bob]  # the choice stays on offer
    product.refresh_from_db()
    assert product.customer == shop.alice and not OwnershipChange.objects.exists()


def test_the_menu_offers_the_installed_products(web):
    response = web.get(url("product_list"))
    assert url("product_list") in response.content.decode()
