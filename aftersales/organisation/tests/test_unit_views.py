from django.urls import reverse

from aftersales.accounts.tests.factories import make_user
from aftersales.core.testing import query_count
from aftersales.organisation.models import Unit
from aftersales.organisation.tests.factories import make_unit


def test_unit_list_filters_sorts_and_answers_htmx_with_the_table_only(client, network, hq_admin):
    client.force_login(hq_admin)
    url = reverse("organisation:unit_list")
    page = client.get(url, {"q": "浦东"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "浦东网点" in html and "Точка «Б»" not in html
    assert "<nav" in html  # full page
    fragment = client.get(url, {"sort": "-name"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="table"') and '<nav class="navbar' not in body


def test_unit_list_query_count_does_not_grow_with_rows(client, network, hq_admin):
    client.force_login(hq_admin)
    url = reverse("organisation:unit_list")
    few = query_count(client, url)
    for _ in range(6):
        make_unit(network.centre)
    assert query_count(client, url) == few


def test_an_administrator_adds_an_outlet_below_their_centre(client, network):
    admin = make_user("administrator", network.centre)
    client.force_login(admin)
    response = client.post(
        reverse("organisation:unit_create"),
        {
            "parent": network.centre.pk,
            "name": "新网点",
            "code": "new-outlet",
            "kind": "outlet",
            "ownership": "authorised",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="new-outlet")
    assert Unit.objects.get_parent(unit) == network.centre
    detail = client.get(response["Location"])
    assert "新网点" in detail.content.decode()


def test_a_unit_cannot_be_added_outside_ones_subtree(client, network):
    admin = make_user("administrator", network.outlet_a)
    client.force_login(admin)
    response = client.post(
        reverse("organisation:unit_create"),
        {
            "parent": network.region.pk,
            "name": "X",
            "code": "x-outlet",
            "kind": "outlet",
            "ownership": "own",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert not Unit.objects.filter(code="x-outlet").exists()
    assert "is-invalid" in response.content.decode()


def test_invalid_edit_shows_errors_in_the_users_language_and_changes_nothing(client, network):
    admin = make_user("administrator", network.hq, preferred_language="ru")
    client.force_login(admin)
    response = client.post(
        reverse("organisation:unit_update", args=[network.outlet_a.pk]),
        {"name": "", "code": network.outlet_a.code, "kind": "outlet", "ownership": "own"},
    )
    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()
    network.outlet_a.refresh_from_db()
    assert network.outlet_a.name == "浦东网点"


def test_detail_page_shows_who_changed_what(client, network):
    admin = make_user("administrator", network.hq, preferred_language="en")
    client.force_login(admin)
    client.post(
        reverse("organisation:unit_update", args=[network.outlet_a.pk]),
        {
            "name": "Pudong flagship",
            "code": network.outlet_a.code,
            "kind": "outlet",
            "ownership": "own",
            "is_active": "on",
        },
    )
    page = client.get(
        reverse("organisation:unit_detail", args=[network.outlet_a.pk])
    ).content.decode()
    assert "浦东网点 → Pudong flagship" in page
    assert str(admin) in page
