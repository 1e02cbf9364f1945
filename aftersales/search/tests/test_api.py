"""`GET /api/v1/search/?q=`: a telephony system looks up the caller."""

from rest_framework.test import APIClient

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.tests.factories import make_customer
from aftersales.installed_base.tests.factories import make_installed_product

URL = "/api/v1/search/"


def _api(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_a_caller_is_found_by_number_with_the_reason_and_phones(network):
    wang = make_customer(network.outlet_a, phone="13800138000", name="王小明", code="C-1")
    response = _api(make_user("hotline_agent", network.hq)).get(URL, {"q": "138 0013 8000"})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "customer": wang.pk,
                "code": "C-1",
                "name": "王小明",
                "unit": network.outlet_a.pk,
                "matched_by": "phone",
                "matched_value": "+86 138 0013 8000",
                "phones": ["+86 138 0013 8000"],
                "product": None,
            }
        ]
    }


def test_a_serial_hit_names_the_product(network):
    wang = make_customer(network.outlet_a, name="王小明")
    product = make_installed_product(wang, serial="352099001761481")
    response = _api(make_user("hotline_agent", network.hq)).get(URL, {"q": "35-209900-176148-1"})
    [hit] = response.json()["results"]
    assert hit["matched_by"] == "serial"
    assert hit["product"] == {
        "id": product.pk,
        "model": product.model.code,
        "serial": "352099001761481",
    }


def test_a_foreign_outlets_customer_is_never_returned(network):
    make_customer(network.outlet_b, phone="+7 912 345 67 89", name="Фёдоров")
    api = _api(make_user("outlet_reception", network.outlet_a))
    for query in ["89123456789", "федоров"]:
        response = api.get(URL, {"q": query})
        assert response.status_code == 200 and response.json() == {"results": []}


def test_without_the_customer_permission_the_answer_is_403(network):
    user = make_user("trainer", network.hq)
    if user.has_perm("customers.view_customer"):
        user = make_user("", network.hq)
    response = _api(user).get(URL, {"q": "x"})
    assert response.status_code == 403


def test_signed_out_callers_get_401():
    assert APIClient().get(URL, {"q": "x"}).status_code == 401


def test_an_overlong_query_and_a_bad_limit_are_400(network):
    api = _api(make_user("hotline_agent", network.hq))
    response = api.get(URL, {"q": "x" * 201})
    assert response.status_code == 400 and "q" in response.json()["error"]["fields"]
    assert api.get(URL, {"q": "x", "limit": 0}).status_code == 400


def test_sql_looking_input_is_harmless(network):
    make_customer(network.outlet_a, name="Ivanov")
    api = _api(make_user("hotline_agent", network.hq))
    for query in ["' OR 1=1 --", "ivan' | 'x", "\x00"]:
        response = api.get(URL, {"q": query})
        assert response.status_code in {200, 400}, query


def test_empty_parameters_count_as_not_given(network):
    api = _api(make_user("hotline_agent", network.hq))
    response = api.get(URL, {"q": "", "limit": ""})
    assert response.status_code == 200 and response.json() == {"results": []}
    assert api.get(URL, {"q": "\ufdfa" * 150}).status_code == 200  # grows under NFKC
