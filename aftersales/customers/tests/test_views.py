from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.customers.models import (
    Address,
    Contact,
    Customer,
    CustomerMerge,
    Email,
    Phone,
    Tag,
)
from aftersales.customers.services import customer_create
from aftersales.customers.tests.factories import make_customer


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _card_post(network, **fields):
    data = {
        "kind": "company",
        "name": "上海电气有限公司",
        "unit": str(network.outlet_a.pk),
        "is_active": "on",
        "tags": "VIP, 经销商",
        **_management("contacts", 1),
        "contacts-0-name": "李雷",
        "contacts-0-phones": "138 0013 8000",
        "contacts-0-is_primary": "on",
        **_management("phones", 1),
        "phones-0-number": "021-6234 5678",
        "phones-0-kind": "work",
        **_management("emails", 1),
        "emails-0-address": "Office@Example.com",
        **_management("addresses", 1),
        "addresses-0-text": "浦东新区世纪大道100号",
        "addresses-0-region": str(network.region.pk),
    }
    data.update(fields)
    return data


def test_an_agent_creates_a_company_card_with_formsets(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    client.force_login(agent)
    response = client.post(reverse("customers:customer_create"), _card_post(network))
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get()
    assert response["Location"] == reverse("customers:customer_detail", args=[customer.pk])
    assert customer.contacts.get().phones.get().number == "+8613800138000"
    assert customer.emails.get().address == "office@example.com"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "经销商"]
    page = client.get(response["Location"]).content.decode()
    for text in [
        "+86 138 0013 8000",
        "+86 21 6234 5678",
        "李雷",
        "浦东新区世纪大道100号",
        "华东大区",
        customer.code,
        "First contact",
    ]:
        assert text in page, text


def test_a_malformed_phone_is_shown_on_its_field_and_nothing_is_saved(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    client.force_login(agent)
    response = client.post(
        reverse("customers:customer_create"),
        _card_post(network, **{"phones-0-number": "12-34"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "not a valid phone number" in html and "is-invalid" in html
    assert html.lstrip().startswith('<form id="customer-form"')
    assert not Customer.objects.exists()


def test_possible_duplicates_warn_before_saving_and_the_agent_may_still_save(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    existing = make_customer(network.outlet_a, phone="+8613800138000", name="李雷个人")
    client.force_login(agent)
    url = reverse("customers:customer_create")
    warned = client.post(url, _card_post(network))
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "Possible duplicates" in html and "李雷个人" in html
    assert reverse("customers:customer_detail", args=[existing.pk]) in html
    assert Customer.objects.count() == 1
    saved = client.post(url, _card_post(network, save_anyway="1"))
    assert saved.status_code == 302 and Customer.objects.count() == 2


def test_a_card_cannot_be_put_in_a_foreign_unit(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    client.force_login(agent)
    response = client.post(
        reverse("customers:customer_create"),
        _card_post(network, unit=str(network.outlet_b.pk)),
    )
    assert response.status_code == 200 and not Customer.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_editing_keeps_contacts_and_changes_the_name(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    customer = customer_create(
        user=agent,
        name="Old name",
        unit=network.outlet_a,
        contacts=[{"name": "Ivan", "phones": ["+7 912 345 67 89"]}],
    )
    contact = customer.contacts.get()
    client.force_login(agent)
    url = reverse("customers:customer_update", args=[customer.pk])
    form = client.get(url).content.decode()
    assert "+7 912 345-67-89" in form and 'value="Old name"' in form
    data = {
        "kind": "person",
        "name": "New name",
        "unit": str(network.outlet_a.pk),
        "is_active": "on",
        **_management("contacts", 1, 1),
        "contacts-0-id": str(contact.pk),
        "contacts-0-name": "Ivan",
        "contacts-0-phones": "+7 912 345-67-89",
        **_management("phones", 0),
        **_management("emails", 0),
        **_management("addresses", 0),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "New name" and customer.contacts.get().pk == contact.pk
    assert "new" in customer.search_text.split()
    page = client.get(response["Location"]).content.decode()
    assert "Old name → New name" in page


def test_list_filters_search_and_answers_htmx_with_the_table(client, network):
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    wanted = make_customer(network.outlet_a, phone="13800138000", name="张伟明", kind="company")
    make_customer(network.outlet_a, name="Другой клиент")
    make_customer(network.outlet_b, name="张伟明 (B)")
    client.force_login(agent)
    url = reverse("customers:customer_list")
    html = client.get(url, {"q": "伟明"}).content.decode()
    assert "张伟明" in html and "Другой" not in html and "(B)" not in html
    assert "<nav" in html
    by_phone = client.get(url, {"q": "+86 138-0013-8000"}, headers={"HX-Request": "true"})
    body = by_phone.content.decode()
    assert body.lstrip().startswith('<div id="table"') and "张伟明" in body
    assert "Другой" not in body
    by_kind = client.get(url, {"kind": "company"}).content.decode()
    assert "张伟明" in by_kind and "Другой" not in by_kind
    by_unit = client.get(url, {"unit": network.outlet_a.pk, "sort": "-created"})
    assert by_unit.status_code == 200
    assert wanted.name in by_unit.content.decode()


def test_list_and_card_take_a_flat_number_of_queries(client, network):
    agent = make_user("hotline_agent", network.outlet_a)
    client.force_login(agent)
    customer = customer_create(
        user=agent,
        name="Flat",
        unit=network.outlet_a,
        tags=["a"],
        contacts=[{"name": "One", "phones": ["13912345670"], "emails": ["one@example.com"]}],
        phones=["13700137000"],
        emails=["a@example.com"],
        addresses=[{"text": "Street 0", "region": network.region}],
    )
    list_url = reverse("customers:customer_list")
    card_url = reverse("customers:customer_detail", args=[customer.pk])
    few_list, few_card = query_count(client, list_url), query_count(client, card_url)
    for number in range(6):
        other = make_customer(network.outlet_a, phone=f"1380013800{number}")
        other.tags.add(*Tag.objects.all())
    # More rows on the card, written without a change to the card's own history.
    for number in range(1, 5):
        contact = Contact.objects.create(customer=customer, name=f"Contact {number}")
        Phone.objects.create(customer=customer, contact=contact, number=f"+861391234567{number}")
        Email.objects.create(customer=customer, contact=contact, address=f"c{number}@example.com")
        Phone.objects.create(customer=customer, number=f"+861370013700{number}")
        Address.objects.create(customer=customer, text=f"Street {number}", region=network.region)
    assert query_count(client, list_url) == few_list
    assert query_count(client, card_url) == few_card


def test_foreign_customers_are_not_found(client, network):
    agent = make_user("hotline_agent", network.outlet_a)
    foreign = make_customer(network.outlet_b)
    client.force_login(agent)
    for name in ("customer_detail", "customer_update"):
        assert client.get(reverse(f"customers:{name}", args=[foreign.pk])).status_code == 404


def test_a_unit_head_merges_a_duplicate_from_the_card(client, network):
    head = make_user("unit_head", network.outlet_a, preferred_language="en")
    agent = make_user("hotline_agent", network.outlet_a, preferred_language="en")
    survivor = make_customer(network.outlet_a, phone="13800138000", name="王芳")
    duplicate = make_customer(network.outlet_a, phone="138 0013 8000", name="王芳 2")
    card_url = reverse("customers:customer_detail", args=[survivor.pk])
    merge_url = reverse("customers:customer_merge", args=[survivor.pk])

    client.force_login(agent)
    card = client.get(card_url).content.decode()
    assert "Possible duplicates" in card and "王芳 2" in card and merge_url not in card
    assert client.get(merge_url).status_code == 403

    client.force_login(head)
    card = client.get(card_url).content.decode()
    assert f"{merge_url}?duplicate={duplicate.pk}" in card
    confirm = client.get(merge_url, {"duplicate": duplicate.pk}).content.decode()
    assert "Merged and removed" in confirm and "王芳 2" in confirm
    by_code = client.get(merge_url, {"code": duplicate.code}).content.decode()
    assert "Merged and removed" in by_code
    refused = client.post(merge_url, {"duplicate": survivor.pk})
    assert refused.status_code == 400
    response = client.post(merge_url, {"duplicate": duplicate.pk})
    assert response.status_code == 302 and response["Location"] == card_url
    assert not Customer.objects.filter(pk=duplicate.pk).exists()
    assert CustomerMerge.objects.get().survivor == survivor
    card = client.get(card_url).content.decode()
    assert "has been merged" in card and "Duplicate merged" in card
    assert "First contact" not in card


def test_a_card_opened_from_a_call_starts_with_the_callers_number(client, network):
    client.force_login(make_user("hotline_agent", network.outlet_a))

    page = client.get("/customers/new/?phone=%2B8613800138000")

    assert page.status_code == 200
    assert page.context["formsets"]["phones"].forms[0].initial["number"] == "+8613800138000"
