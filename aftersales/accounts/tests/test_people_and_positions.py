"""An administrator shapes positions and people in the application's own pages."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from aftersales.accounts.models import Position, User
from aftersales.accounts.tests.factories import PASSWORD, make_user
from aftersales.core.testing import query_count


def test_an_administrator_creates_a_position_and_a_person_who_then_sees_its_menu(client, network):
    admin = make_user("administrator", network.centre, preferred_language="en")
    client.force_login(admin)
    view_unit = Permission.objects.get(codename="view_unit")
    response = client.post(
        reverse("accounts:position_create"),
        {"code": "warranty-reviewer", "name": "保修审核员", "permissions": [view_unit.pk]},
    )
    assert response.status_code == 302
    position = Position.objects.get(code="warranty-reviewer")
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "reviewer",
            "first_name": "敏",
            "last_name": "何",
            "unit": network.outlet_a.pk,
            "position": position.pk,
            "password": PASSWORD,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.unit == network.outlet_a and reviewer.check_password(PASSWORD)

    client.logout()
    client.force_login(reviewer)
    home = client.get("/").content.decode()
    assert reverse("organisation:unit_list") in home
    assert reverse("accounts:user_list") not in home
    assert client.get(reverse("accounts:user_list")).status_code == 403


def test_a_person_cannot_be_placed_outside_the_administrators_subtree(client, network):
    admin = make_user("administrator", network.outlet_a, preferred_language="en")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "intruder", "unit": network.outlet_b.pk, "position": admin.position_id},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()


def test_people_list_is_scoped_and_its_query_count_is_flat(client, network):
    admin = make_user("administrator", network.centre)
    stranger = make_user("technician", network.hq, username="hq-only")
    client.force_login(admin)
    url = reverse("accounts:user_list")
    make_user("technician", network.outlet_a)
    few = query_count(client, url)
    for _ in range(10):
        make_user("technician", network.outlet_b)
    assert query_count(client, url) == few
    assert stranger.username not in client.get(url).content.decode()


def test_renaming_a_person_is_in_their_history(client, network):
    admin = make_user("administrator", network.hq, preferred_language="en")
    person = make_user("technician", network.outlet_a, first_name="Old")
    client.force_login(admin)
    client.post(
        reverse("accounts:user_update", args=[person.pk]),
        {
            "username": person.username,
            "first_name": "New",
            "unit": network.outlet_a.pk,
            "position": person.position_id,
            "is_active": "on",
        },
    )
    page = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert "Old → New" in page


def test_people_filtered_by_a_unit_include_the_units_below_it(client, network):
    admin = make_user("administrator", network.region)
    in_outlet = make_user("technician", network.outlet_a, username="in-outlet")
    in_region = make_user("technician", network.region, username="in-region")
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list"), {"unit": network.centre.pk}).content.decode()
    assert in_outlet.username in page and in_region.username not in page
    foreign = client.get(reverse("accounts:user_list"), {"unit": network.hq.pk})
    assert foreign.status_code == 200  # an invalid choice filters nothing out of scope
    assert "hq-" not in foreign.content.decode()
