import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Address, Contact, Customer, CustomerMerge, Phone, Tag
from aftersales.customers.search_text import customer_search_text
from aftersales.customers.services import customer_create, customer_merge, customer_update
from aftersales.customers.tests.factories import make_customer
from aftersales.organisation.tests.factories import make_unit


@pytest.fixture
def agent(network):
    return make_user("hotline_agent", network.outlet_a)


def _company(agent, network, **extra):
    data = {
        "user": agent,
        "name": "上海电气有限公司",
        "kind": "company",
        "unit": network.outlet_a,
        "tax_number": "91310000MA1FL0000X",
        "tags": ["VIP", "dealer"],
        "contacts": [
            {
                "name": "李雷",
                "position": "采购经理",
                "is_primary": True,
                "phones": ["138 0013 8000"],
                "emails": ["Li.Lei@Example.COM"],
            }
        ],
        "phones": [{"number": "021-6234 5678", "kind": "work"}],
        "emails": ["Office@Example.com "],
        "addresses": [
            {"text": "浦东新区世纪大道100号", "postcode": "200120", "region": network.region}
        ],
    }
    data.update(extra)
    return customer_create(**data)


def test_a_hotline_agent_registers_a_company_with_everything_on_the_card(agent, network):
    customer = _company(agent, network)

    assert customer.code == f"C{customer.pk:08d}"
    contact = customer.contacts.get()
    assert contact.name == "李雷" and contact.is_primary
    assert list(contact.phones.values_list("number", flat=True)) == ["+8613800138000"]
    assert list(contact.emails.values_list("address", flat=True)) == ["li.lei@example.com"]
    own = customer.phones.get(contact=None)
    assert (own.number, own.kind) == ("+862162345678", "work")
    assert customer.emails.get(contact=None).address == "office@example.com"
    address = customer.addresses.get()
    assert address.region == network.region and address.is_default  # the only one is the main
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "dealer"]
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.search_text == customer_search_text(
        "上海电气有限公司", customer.code, ["李雷"], ["浦东新区世纪大道100号"]
    )
    # One creation record carrying the assigned number (the tags' record follows it).
    created = customer.history.get(history_type="+")
    assert created.code == customer.code


def test_a_given_code_is_kept_and_a_second_card_reuses_existing_tags(agent, network):
    first = customer_create(
        user=agent, name="Ivan", unit=network.outlet_a, code="OLD-1", tags=["vip"]
    )
    second = customer_create(user=agent, name="Olga", unit=network.outlet_a, tags=["VIP"])
    assert first.code == "OLD-1"
    assert Tag.objects.count() == 1
    assert second.tags.get() == first.tags.get()


def test_a_malformed_phone_is_named_and_nothing_is_written(agent, network):
    with pytest.raises(ValidationError) as caught:
        _company(agent, network, phones=[{"number": "12-34"}], tags=["new-tag"])
    assert "phones" in caught.value.message_dict
    assert "not a valid phone number" in caught.value.message_dict["phones"][0]
    assert not Customer.objects.exists() and not Tag.objects.exists()
    assert not Contact.objects.exists() and not Phone.objects.exists()


def test_a_ten_thousand_character_name_gets_a_clear_error(agent, network):
    with pytest.raises(ValidationError) as caught:
        customer_create(user=agent, name="名" * 10_000, unit=network.outlet_a)
    assert "at most 300 characters" in caught.value.message_dict["name"][0]
    assert not Customer.objects.exists()


def test_the_same_number_twice_on_one_card_is_refused(agent, network):
    with pytest.raises(ValidationError) as caught:
        _company(agent, network, phones=["+86 138 0013 8000"])
    assert "listed twice" in caught.value.message_dict["phones"][0]


def test_scoping_no_foreign_unit_responsible_or_region(agent, network):
    stranger = make_user("hotline_agent", network.outlet_b)
    retired = make_user("hotline_agent", network.outlet_a, is_active=False)
    other_region = make_unit(network.hq, kind="region", name="华南大区")
    for fields, key in (
        ({"unit": network.outlet_b}, "unit"),
        ({"responsible": stranger}, "responsible"),
        ({"responsible": retired}, "responsible"),
        ({"addresses": [{"text": "广州", "region": other_region}]}, "addresses"),
    ):
        with pytest.raises(ValidationError) as caught:
            customer_create(**{"user": agent, "name": "X", "unit": network.outlet_a, **fields})
        assert key in caught.value.message_dict, fields
    assert not Customer.objects.exists()
    # Their own region (above their outlet) is fine.
    customer = customer_create(
        user=agent,
        name="X",
        unit=network.outlet_a,
        addresses=[{"text": "上海", "region": network.region}],
    )
    assert customer.addresses.get().region == network.region


def test_an_update_replaces_the_lists_and_keeps_contacts_by_id(agent, network):
    customer = _company(agent, network)
    contact = customer.contacts.get()
    customer_update(
        customer=customer,
        user=agent,
        name="上海电气集团",
        contacts=[
            {"id": contact.pk, "name": "李雷", "phones": ["+8613800138000", "139 1234 5678"]},
            {"name": "Пётр Иванов", "is_primary": True},
        ],
        phones=[],
        addresses=[{"text": "徐汇区漕溪北路1号"}],
        tags=["VIP"],
    )
    customer.refresh_from_db()
    assert customer.name == "上海电气集团"
    assert customer.contacts.filter(pk=contact.pk).exists()  # the same contact, edited
    assert set(customer.phones.values_list("number", flat=True)) == {
        "+8613800138000",
        "+8613912345678",
    }
    assert customer.emails.filter(contact=None).exists()  # e-mails were not given: kept
    assert not customer.emails.filter(contact=contact).exists()  # the contact's were replaced
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]
    tokens = customer.search_text.split()
    assert "集团" in tokens and "петр" in tokens and "漕溪" in tokens and "世纪" not in tokens


def test_a_bad_update_changes_nothing(agent, network):
    customer = _company(agent, network)
    before = Customer.objects.get(pk=customer.pk).search_text
    with pytest.raises(ValidationError) as caught:
        customer_update(
            customer=customer,
            user=agent,
            name="New name",
            contacts=[],
            phones=[{"number": "not a phone"}],
        )
    assert "phones" in caught.value.message_dict
    assert customer.name == "上海电气有限公司"  # the caller's object too
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.name == "上海电气有限公司" and stored.search_text == before
    assert customer.contacts.count() == 1 and customer.phones.count() == 2


def test_merge_moves_everything_and_keeps_the_audit_trail(network):
    head = make_user("unit_head", network.outlet_a)
    survivor = make_customer(network.outlet_a, phone="138 0013 8000", name="王芳")
    duplicate = customer_create(
        user=head,
        name="王芳 (dup)",
        unit=network.outlet_a,
        tax_number="110101199003070000",
        notes="Prefers calls after 18:00",
        tags=["VIP"],
        contacts=[{"name": "王先生", "phones": ["139 1234 5678"]}],
        phones=["+86 138-0013-8000"],  # the survivor has it already
        emails=["wang@example.com"],
        addresses=[{"text": "北京市朝阳区", "is_default": True}],
    )
    from aftersales.installed_base.models import InstalledProduct, OwnershipChange
    from aftersales.installed_base.tests.factories import make_installed_product

    product = make_installed_product(duplicate)
    change = OwnershipChange.objects.create(
        product=product,
        previous_owner=duplicate,
        new_owner=duplicate,
        changed_on=datetime.date(2026, 5, 1),
    )
    duplicate_pk = duplicate.pk

    merge = customer_merge(survivor=survivor, duplicate=duplicate, user=head)

    assert not Customer.objects.filter(pk=duplicate_pk).exists()
    survivor.refresh_from_db()
    assert list(survivor.contacts.values_list("name", flat=True)) == ["王先生"]
    assert set(survivor.phones.values_list("number", flat=True)) == {
        "+8613800138000",
        "+8613912345678",
    }
    assert survivor.emails.get().address == "wang@example.com"
    assert survivor.addresses.get().text == "北京市朝阳区"
    assert list(survivor.tags.values_list("name", flat=True)) == ["VIP"]
    assert survivor.tax_number == "110101199003070000"  # empty fields filled
    assert survivor.notes == "Prefers calls after 18:00"
    assert InstalledProduct.objects.get(pk=product.pk).customer == survivor
    change.refresh_from_db()
    assert change.previous_owner == survivor and change.new_owner == survivor
    assert "王先" in survivor.search_text.split()  # the moved contact is searchable
    # The audit trail: the merge record with the removed card, and the deletion in history.
    assert merge.merged_id == duplicate_pk and merge.merged_by == head
    assert merge.snapshot["name"] == "王芳 (dup)"
    assert merge.snapshot["phones"][0]["number"] in {"+8613800138000", "+8613912345678"}
    assert merge.snapshot["moved"]["customers.Contact.customer"]["moved"] == 1
    assert merge.snapshot["moved"]["customers.Phone.customer"] == {"moved": 1, "dropped": 1}
    assert Customer.history.filter(id=duplicate_pk, history_type="-").exists()
    assert product.history.filter(customer_id=survivor.pk).exists()


def test_merge_needs_the_permission_two_visible_cards_and_two_cards(network):
    agent = make_user("hotline_agent", network.outlet_a)
    head = make_user("unit_head", network.outlet_a)
    mine = make_customer(network.outlet_a)
    other = make_customer(network.outlet_a)
    foreign = make_customer(network.outlet_b)
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=mine, duplicate=other, user=agent)
    with pytest.raises(ValidationError) as caught:
        customer_merge(survivor=mine, duplicate=mine, user=head)
    assert "itself" in caught.value.message_dict["duplicate"][0]
    with pytest.raises(ValidationError):
        customer_merge(survivor=mine, duplicate=foreign, user=head)
    assert Customer.objects.count() == 3 and not CustomerMerge.objects.exists()


def test_merge_keeps_the_survivors_main_address(network):
    head = make_user("unit_head", network.outlet_a)
    survivor = customer_create(
        user=head, name="A", unit=network.outlet_a, addresses=[{"text": "Main street 1"}]
    )
    duplicate = customer_create(
        user=head, name="B", unit=network.outlet_a, addresses=[{"text": "Side street 2"}]
    )
    customer_merge(survivor=survivor, duplicate=duplicate, user=head)
    assert list(Address.objects.filter(is_default=True).values_list("text", flat=True)) == [
        "Main street 1"
    ]
