"""The search page and the navbar box, as a hotline agent uses them."""

import pytest
from django.urls import NoReverseMatch, reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.customers.tests.factories import make_customer
from aftersales.search.selectors import MAX_QUERY_LENGTH

URL = "/search/"


def _card(customer) -> str:  # type: ignore[no-untyped-def]
    try:
        return reverse("customers:customer_detail", args=[customer.pk])
    except NoReverseMatch:
        pytest.skip("the customer card (customers:customer_detail) is not there yet")


def test_one_match_opens_the_customers_card(client, network):
    wang = make_customer(network.outlet_a, phone="13800138000", name="王小明")
    card = _card(wang)
    client.force_login(make_user("hotline_agent", network.hq))
    response = client.get(URL, {"q": "+86 138-0013-8000"})
    assert response.status_code == 302
    assert response["Location"] == card


def test_several_matches_are_listed_with_why_they_matched_and_their_phones(client, network):
    make_customer(network.outlet_a, phone="13800138000", name="张伟")
    make_customer(network.outlet_a, phone="+7 912 345 67 89", name="张伟明")
    client.force_login(make_user("hotline_agent", network.hq, preferred_language="en"))
    response = client.get(URL, {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张伟明" in page and "+86 138 0013 8000" in page and "+7 912 345-67-89" in page
    assert "2 customers match." in page
    assert page.count(">name</span>") == 2


def test_nothing_found_says_so(client, network):
    client.force_login(make_user("hotline_agent", network.hq, preferred_language="en"))
    response = client.get(URL, {"q": "nobody"})
    assert response.status_code == 200
    assert "No customer matches “nobody”." in response.content.decode()


def test_the_page_never_shows_a_foreign_outlets_customer(client, network):
    make_customer(network.outlet_b, phone="+7 912 345 67 89", name="Фёдоров Пётр")
    client.force_login(make_user("outlet_reception", network.outlet_a, preferred_language="en"))
    for query in ["+79123456789", "Фёдоров"]:
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        page = response.content.decode()
        assert "No customer matches" in page and "Пётр" not in page


def test_sql_in_the_box_is_shown_back_escaped(client, network):
    client.force_login(make_user("hotline_agent", network.hq))
    response = client.get(URL, {"q": "<script>x</script>' OR 1=1 --"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_an_overlong_query_gets_a_clear_message(client, network):
    client.force_login(make_user("hotline_agent", network.hq, preferred_language="en"))
    response = client.get(URL, {"q": "9" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 400
    assert f"Type at most {MAX_QUERY_LENGTH} characters" in response.content.decode()


def test_the_navbar_has_the_box_only_for_those_who_may_search(client, network):
    client.force_login(make_user("hotline_agent", network.hq))
    assert 'action="/search/"' in client.get("/").content.decode()
    client.force_login(make_user("executive", network.hq))
    no_customers = make_user("trainer", network.hq)
    client.force_login(no_customers)
    if not no_customers.has_perm("customers.view_customer"):
        assert 'action="/search/"' not in client.get("/").content.decode()
        assert client.get(URL, {"q": "x"}).status_code == 403


def test_the_search_page_focuses_its_box(client, network):
    client.force_login(make_user("hotline_agent", network.hq))
    assert "autofocus" in client.get(URL).content.decode()


def test_a_list_of_matches_takes_a_fixed_number_of_queries(client, network):
    client.force_login(make_user("hotline_agent", network.hq))
    url = f"{URL}?q=陈静"
    for number in range(2):
        make_customer(network.outlet_a, phone=f"1380013{8000 + number}", name=f"陈静 {number}")
    few = query_count(client, url)
    for number in range(2, 14):
        make_customer(network.outlet_a, phone=f"1380013{8000 + number}", name=f"陈静 {number}")
    assert query_count(client, url) == few
    assert client.get(url).content.decode().count("+86 138") == 14
