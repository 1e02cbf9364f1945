"""A hotline agent types whatever the caller gives them and finds the customer."""

import pytest
from django.core.exceptions import ValidationError

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer, Email
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.models import normalise_serial
from aftersales.installed_base.tests.factories import make_installed_product
from aftersales.search.selectors import MAX_QUERY_LENGTH, MatchedBy, one_box_search


@pytest.fixture
def agent(network):  # type: ignore[no-untyped-def]
    return make_user("hotline_agent", network.hq)


@pytest.fixture
def wang(network) -> Customer:  # type: ignore[no-untyped-def]
    customer = make_customer(
        network.outlet_a,
        phone="+86 138 0013 8000",
        name="王小明",
        code="C-000123",
        tax_number="91310000MA1K3YJ12X",
    )
    Email.objects.create(customer=customer, address="xiaoming.wang@example.cn")
    return customer


@pytest.fixture
def fyodorov(network) -> Customer:  # type: ignore[no-untyped-def]
    return make_customer(network.outlet_b, phone="+7 912 345-67-89", name="Фёдоров Пётр")


def _found(user, query):  # type: ignore[no-untyped-def]
    return [(hit.customer, hit.matched_by) for hit in one_box_search(user, query)]


@pytest.mark.parametrize(
    "typed", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "0086 138 0013 8000"]
)
def test_a_chinese_mobile_is_found_however_it_is_typed(agent, wang, typed):
    assert _found(agent, typed) == [(wang, MatchedBy.PHONE)]


@pytest.mark.parametrize(
    "typed", ["8 (912) 345-67-89", "+7 912 345 67 89", "79123456789", "8-912-3456789"]
)
def test_a_russian_mobile_is_found_with_the_8_prefix_and_without(agent, fyodorov, typed):
    assert _found(agent, typed) == [(fyodorov, MatchedBy.PHONE)]


def test_an_email_in_capitals_finds_its_customer(agent, wang):
    hits = one_box_search(agent, "  XiaoMing.Wang@EXAMPLE.cn ")
    assert [(h.customer, h.matched_by, h.matched_value) for h in hits] == [
        (wang, MatchedBy.EMAIL, "xiaoming.wang@example.cn")
    ]


def test_an_imei_typed_with_dashes_finds_the_owner_and_the_product(agent, wang):
    product = make_installed_product(wang, serial=normalise_serial("35-209900-176148-1"))
    hits = one_box_search(agent, "35-209900-176148-1")
    assert len(hits) == 1
    assert (hits[0].customer, hits[0].matched_by, hits[0].product) == (
        wang,
        MatchedBy.SERIAL,
        product,
    )
    assert _found(agent, "352099 001761481") == [(wang, MatchedBy.SERIAL)]


def test_a_tax_number_is_found_with_spaces_and_in_lower_case(agent, wang):
    assert _found(agent, "91310000MA1K3YJ12X") == [(wang, MatchedBy.TAX_NUMBER)]
    assert _found(agent, "9131 0000 ma1k 3yj1 2x") == [(wang, MatchedBy.TAX_NUMBER)]


def test_a_customer_number_is_found_as_typed_or_in_lower_case(agent, wang, network):
    lower = make_customer(network.outlet_a, code="legacy-77", name="Old system customer")
    assert _found(agent, "C-000123") == [(wang, MatchedBy.CODE)]
    assert _found(agent, "c-000123") == [(wang, MatchedBy.CODE)]
    assert _found(agent, "legacy-77") == [(lower, MatchedBy.CODE)]


def test_a_chinese_name_is_found_by_a_two_character_part(agent, wang, network):
    make_customer(network.outlet_a, name="李明华")
    assert _found(agent, "小明") == [(wang, MatchedBy.NAME)]
    assert _found(agent, "王小明") == [(wang, MatchedBy.NAME)]


def test_a_russian_name_is_found_with_e_for_yo(agent, fyodorov):
    assert _found(agent, "федоров") == [(fyodorov, MatchedBy.NAME)]
    assert _found(agent, "ФЁДОРОВ пётр") == [(fyodorov, MatchedBy.NAME)]


def test_a_latin_name_is_found_by_its_beginning(agent, network):
    ivanov = make_customer(network.outlet_a, name="Ivanov Trading LLC")
    make_customer(network.outlet_a, name="Petrov Logistics")
    assert _found(agent, "ivan") == [(ivanov, MatchedBy.NAME)]
    assert _found(agent, "Ivanov trad") == [(ivanov, MatchedBy.NAME)]


def test_an_exact_key_wins_over_names_that_contain_its_digits(agent, wang, network):
    make_customer(network.outlet_a, name="13800138000 Store")
    assert _found(agent, "138 0013 8000") == [(wang, MatchedBy.PHONE)]


def test_a_customer_outside_the_agents_outlet_is_never_found(network, wang, fyodorov):
    outlet_agent = make_user("outlet_reception", network.outlet_a)
    make_installed_product(fyodorov, serial="SNFOREIGN1")
    Email.objects.create(customer=fyodorov, address="petr@example.ru")
    fyodorov.tax_number = "7701234567"
    fyodorov.save()
    for query in ["+7 912 345 67 89", "petr@example.ru", "SNFOREIGN1", "7701234567", "Фёдоров"]:
        assert one_box_search(outlet_agent, query) == [], query
    assert _found(outlet_agent, "王小明") == [(wang, MatchedBy.NAME)]


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        '"; DROP TABLE customers_customer; --',
        "王* OR name:*",
        "NEAR(a b)",
        "a & b | !c",
        "x'):* | 'y",
        "\x00\x01 nul",
        "%_%",
    ],
)
def test_sql_and_query_syntax_in_the_box_is_just_text(agent, wang, query):
    assert one_box_search(agent, query) == []
    assert Customer.objects.filter(pk=wang.pk).exists()


def test_an_overlong_query_is_refused_with_a_message(agent):
    with pytest.raises(ValidationError) as error:
        one_box_search(agent, "7" * (MAX_QUERY_LENGTH + 1))
    assert "q" in error.value.message_dict
    assert one_box_search(agent, "   ") == []


def test_many_name_matches_are_capped_at_the_limit(agent, network):
    for number in range(5):
        make_customer(network.outlet_a, name=f"张伟 {number}")
    hits = one_box_search(agent, "张伟", limit=3)
    assert len(hits) == 3
    assert [h.customer.name for h in hits] == sorted(h.customer.name for h in hits)


def test_each_key_is_one_query(agent, wang, django_assert_max_num_queries):
    make_installed_product(wang, serial="SN77")
    # The agent's scope paths are read once per request.
    one_box_search(agent, "warm up")
    with django_assert_max_num_queries(3):  # phone, serial, number/tax number
        one_box_search(agent, "13800138000")
    with django_assert_max_num_queries(1):
        one_box_search(agent, "a@b.cn")
    with django_assert_max_num_queries(1):
        one_box_search(agent, "王小明")
