import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.tests.factories import make_user
from aftersales.notifications import views
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify

pytestmark = pytest.mark.django_db
LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")
READ = reverse("notifications:mark_read")


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read the pages in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def agent(network):  # type: ignore[no-untyped-def]
    return make_user("hotline_agent", network.outlet_a, email="")


def _tell(user, title: str, url: str = "/requests/queue/") -> Notification:  # type: ignore[no-untyped-def]
    (notification,) = notify([user], kind="test", title=lambda: title, url=url, email=False)
    return notification


def _bell(page: str) -> str:
    return page.split('id="notification-bell"')[1].split("</a>")[0]


def test_the_bell_shows_my_unread_count_on_every_page(client, network, agent):
    _tell(agent, "Request R00000001 is assigned to you")
    _tell(agent, "Request R00000002 is assigned to you")
    Notification.objects.filter(title__endswith="2 is assigned to you").update(
        read_at=timezone.now()
    )
    _tell(make_user("technician", network.outlet_a), "Someone else's")
    client.force_login(agent)
    bell = _bell(client.get("/").content.decode())
    assert 'data-unread="1"' in bell
    assert 'hx-trigger="every 30s"' in bell and f"{BELL}?polls=1" in bell


def test_the_bell_costs_one_query_and_stops_counting_at_99(agent, rf):
    for number in range(101):
        _tell(agent, f"Notice {number}")
    with CaptureQueriesContext(connection) as queries:
        context = views.bell_context(agent)
    assert len(queries) == 1
    assert context["unread_label"] == "99+"


def test_the_bell_polls_for_half_the_idle_limit_then_stops(client, agent):
    client.force_login(agent)
    fragment = client.get(BELL, {"polls": 3}, headers={"HX-Request": "true"}).content.decode()
    assert f"{BELL}?polls=4" in fragment and "<html" not in fragment
    last = client.get(BELL, {"polls": views.MAX_POLLS - 1}).content.decode()
    assert "hx-trigger" not in last and 'id="notification-bell"' in last
    assert "hx-trigger" not in client.get(BELL, {"polls": "x"}).content.decode()


def test_a_signed_out_poll_stops_polling_and_a_page_goes_to_the_login(client):
    assert client.get(BELL, headers={"HX-Request": "true"}).status_code == 286
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_only_my_notifications_the_unread_marked(client, network, agent):
    unread = _tell(agent, "Request R00000001 is overdue")
    read = _tell(agent, "Request R00000002: Done")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    _tell(make_user("technician", network.outlet_a), "Someone else's")
    client.force_login(agent)
    response = client.get(LIST)
    assert [n.pk for n in response.context["notifications"]] == [read.pk, unread.pk]
    page = response.content.decode()
    assert "Someone else's" not in page and 'id="mark-all-read"' in page
    assert [n.pk for n in client.get(LIST, {"unread": "1"}).context["notifications"]] == [unread.pk]


def test_opening_a_notification_follows_its_link_and_marks_it_read(client, network, agent):
    notification = _tell(agent, "Request R00000001 is assigned to you", url="/requests/1/")
    client.force_login(agent)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/requests/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_elsewhere_is_not_followed_and_another_users_notification_is_not_found(
    client, network, agent
):
    outward = _tell(agent, "Phishing?", url="//evil.example/")
    client.force_login(agent)
    response = client.get(reverse("notifications:open", args=[outward.pk]))
    assert response["Location"] == LIST
    theirs = _tell(make_user("technician", network.outlet_a), "Not mine")
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(READ, {"id": theirs.pk}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_one_and_then_all_read(client, agent):
    first = _tell(agent, "First")
    second = _tell(agent, "Second")
    third = _tell(agent, "Third")
    client.force_login(agent)
    response = client.post(READ, {"id": first.pk, "next": f"{LIST}?unread=1"})
    assert response["Location"] == f"{LIST}?unread=1"
    assert set(Notification.objects.unread().values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    client.post(READ)
    assert not Notification.objects.unread().exists()
    assert "data-unread" not in _bell(client.get(LIST).content.decode())
    assert client.get(READ).status_code == 405
