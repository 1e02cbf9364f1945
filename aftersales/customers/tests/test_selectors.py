from aftersales.accounts.tests.factories import make_user
from aftersales.customers import card
from aftersales.customers.models import Customer
from aftersales.customers.selectors import (
    customers_matching,
    duplicates_of,
    is_first_contact,
    matching_text,
    possible_duplicates,
    region_choices,
)
from aftersales.customers.services import customer_create, customer_merge
from aftersales.customers.tests.factories import make_customer


def test_duplicates_by_phone_email_or_tax_number_within_the_users_scope(network):
    agent = make_user("hotline_agent", network.outlet_a)
    same_phone = make_customer(network.outlet_a, phone="+86 138 0013 8000")
    same_tax = make_customer(network.outlet_a, tax_number="91310000MA1FL0000X")
    same_email = customer_create(
        user=agent, name="E", unit=network.outlet_a, emails=["wang@example.com"]
    )
    make_customer(network.outlet_b, phone="13800138000")  # a sibling outlet's: not shown

    found = duplicates_of(
        phones=["138 0013 8000"],
        emails=["WANG@example.com"],
        tax_number="91310000MA1FL0000X",
        user=agent,
    )
    assert {c.pk for c in found} == {same_phone.pk, same_tax.pk, same_email.pk}
    reasons = {c.pk: [str(r) for r in c.matched_by] for c in found}
    assert reasons[same_phone.pk] == ["same phone"]
    assert reasons[same_email.pk] == ["same e-mail"]
    assert reasons[same_tax.pk] == ["same tax number"]
    assert duplicates_of(phones=["junk"], user=agent) == []


def test_possible_duplicates_of_a_card_leave_the_card_out(network, django_assert_num_queries):
    agent = make_user("hotline_agent", network.outlet_a)
    one = make_customer(network.outlet_a, phone="13800138000")
    two = make_customer(network.outlet_a, phone="+8613800138000")
    Customer.objects.visible_to(agent)  # the user's units, read once per user
    with django_assert_num_queries(1):
        found = possible_duplicates(one, agent)
    assert [c.pk for c in found] == [two.pk]


def test_the_list_search_finds_by_words_phone_email_or_number(network):
    agent = make_user("hotline_agent", network.outlet_a)
    customer = customer_create(
        user=agent,
        name="Фёдоров Пётр",
        unit=network.outlet_a,
        contacts=[{"name": "张伟明", "emails": ["petr@example.com"]}],
        phones=["8 (912) 345-67-89"],
        addresses=[{"text": "Москва, Тверская 1"}],
    )
    make_customer(network.outlet_a, name="Someone else")
    visible = Customer.objects.visible_to(agent)
    for query in [
        "федоров",
        "Пётр",
        "伟明",
        "张",
        "тверская",
        "+7 912 345 67 89",
        "89123456789",
        "PETR@example.com",
        customer.code,
        customer.code.lower(),
    ]:
        assert list(customers_matching(visible, query)) == [customer], query
    assert not customers_matching(visible, "nobody").exists()


def test_regions_are_those_of_the_users_subtree_and_above_them(network):
    from aftersales.organisation.tests.factories import make_unit

    other = make_unit(network.hq, kind="region")
    outlet_user = make_user("hotline_agent", network.outlet_a)
    hq_user = make_user("administrator", network.hq)
    assert list(region_choices(outlet_user)) == [network.region]
    assert set(region_choices(hq_user)) == {network.region, other}


def test_first_contact_until_anything_else_happens(network):
    head = make_user("unit_head", network.outlet_a)
    customer = make_customer(network.outlet_a)
    assert is_first_contact(customer)
    assert is_first_contact(customer, head)
    customer_merge(survivor=customer, duplicate=make_customer(network.outlet_a), user=head)
    assert not is_first_contact(customer, head)
    assert not is_first_contact(customer)
    kinds = [str(event.kind) for event in card.timeline_for(customer, head)]
    assert kinds == ["Duplicate merged", "Customer created"]


def test_words_match_whole_and_the_last_one_as_it_is_being_typed(network):
    make_customer(network.outlet_a, name="Иванов Пётр Сергеевич")
    make_customer(network.outlet_a, name="张伟明")

    def names(query: str) -> list[str]:
        return [c.name for c in matching_text(Customer.objects.all(), query)]

    assert names("иванов пет") == ["Иванов Пётр Сергеевич"]
    assert names("ИВАНОВ петр") == ["Иванов Пётр Сергеевич"]
    assert names("иван петр") == []  # only the last word may be unfinished
    assert names("伟明") == ["张伟明"] and names("明伟") == []
