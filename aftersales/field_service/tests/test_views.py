"""The dispatch board, a job's page (contact, plan with suggestions) and the engineer's phone
card, as people use them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.core.testing import query_count
from aftersales.field_service.models import Visit, VisitStatus
from aftersales.field_service.tests.factories import make_dispatcher, make_engineer, make_visit
from aftersales.work_orders.tests.factories import SIGNATURE_DATA_URL, make_field_order

pytestmark = pytest.mark.django_db


def test_the_board_shows_engineers_visits_and_waiting_orders_in_few_queries(client, network):
    dispatcher = make_dispatcher(network.outlet_a)
    client.force_login(dispatcher)
    visit = make_visit(network.outlet_a)
    waiting = make_field_order(network.outlet_a)
    url = reverse("field_service:board") + f"?unit={network.outlet_a.pk}"
    response = client.get(url + f"&date={timezone.localdate(visit.window_start):%Y-%m-%d}")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(visit.engineer) in page and waiting.number in page
    few = query_count(client, url)
    for _ in range(5):
        make_visit(network.outlet_a)
    make_field_order(network.outlet_a)
    assert query_count(client, url) == few
    assert query_count(client, url + "&view=week") == few
    # What every page reads (session, the user with unit and position, menu, bell…) and six
    # for the board itself.
    assert few <= 15


def test_another_units_board_is_not_found(client, network):
    client.force_login(make_dispatcher(network.outlet_a))
    response = client.get(reverse("field_service:board") + f"?unit={network.outlet_b.pk}")
    assert response.status_code == 404


def test_the_dispatcher_plans_a_visit_from_the_suggestions(client, network):
    dispatcher = make_dispatcher(network.outlet_a)
    engineer = make_engineer(network.outlet_a)
    order = make_field_order(network.outlet_a)
    client.force_login(dispatcher)
    url = reverse("field_service:job_detail", args=[order.field_job.pk])
    page = client.get(url).content.decode()
    assert f'data-engineer="{engineer.pk}"' in page
    start = (timezone.localtime() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    response = client.post(
        url,
        {
            "action": "schedule",
            "engineer": engineer.pk,
            "window_start": f"{start:%Y-%m-%dT%H:%M}",
            "window_end": f"{start + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "agreed": "on",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(work_order=order)
    assert visit.engineer == engineer
    order.field_job.refresh_from_db()
    assert order.field_job.contacted_at is not None


def test_the_engineer_works_the_job_on_a_phone(client, network):
    visit = make_visit(network.outlet_a)
    engineer = visit.engineer.user
    client.force_login(engineer)
    # The visit's own day: two hours from now is tomorrow when the suite runs late at night.
    day = f"{timezone.localdate(visit.window_start):%Y-%m-%d}"
    my = client.get(reverse("field_service:my") + f"?date={day}", HTTP_USER_AGENT="iPhone; 390x844")
    page = my.content.decode()
    assert my.status_code == 200
    assert 'name="viewport" content="width=device-width' in page
    assert reverse("field_service:visit_detail", args=[visit.pk]) in page
    url = reverse("field_service:visit_detail", args=[visit.pk])
    assert 'id="arrive"' in client.get(url).content.decode()
    client.post(url, {"action": "arrive"})
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert "data-signature-pad" in page
    assert 'href="https://www.openstreetmap.org/search?query=' in page
    client.post(
        url, {"action": "labour", "description": "Replaced the pump", "minutes": 40, "amount": "80"}
    )
    response = client.post(
        url,
        {
            "action": "finish",
            "signer_name": "王芳",
            "signature": SIGNATURE_DATA_URL,
            "rating": "4",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    visit.work_order.refresh_from_db()
    assert visit.work_order.status == "completed" and visit.work_order.rating == 4
    assert visit.work_order.work_done == "Replaced the pump"


def test_a_refused_step_is_shown_not_a_server_error(client, network):
    visit = make_visit(network.outlet_a)
    client.force_login(visit.engineer.user)
    url = reverse("field_service:visit_detail", args=[visit.pk])
    response = client.post(url, {"action": "depart", "outcome": "revisit"}, follow=True)
    assert "Record the arrival before the departure" in response.content.decode()


def test_another_engineer_cannot_take_my_visits_steps(client, network):
    visit = make_visit(network.outlet_a)
    client.force_login(make_engineer(network.outlet_a).user)
    url = reverse("field_service:visit_detail", args=[visit.pk])
    assert 'id="arrive"' not in client.get(url).content.decode()
    client.post(url, {"action": "arrive"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_the_field_pages_hold_no_inline_styles_the_csp_would_refuse(client, network):
    """The site's CSP is style-src 'self': a <style> element or a style="" attribute is
    dropped by the browser (the board's visits all sat at 07:00, the phone's buttons were
    stacked). Styles come from field-service.css, the visits' places from data attributes."""
    visit = make_visit(network.outlet_a)
    day = f"{timezone.localdate(visit.window_start):%Y-%m-%d}"
    client.force_login(make_dispatcher(network.outlet_a))
    board = client.get(reverse("field_service:board") + f"?unit={network.outlet_a.pk}&date={day}")
    week = client.get(reverse("field_service:board") + f"?date={day}&view=week")
    client.force_login(visit.engineer.user)
    my = client.get(reverse("field_service:my") + f"?date={day}")
    card = client.get(reverse("field_service:visit_detail", args=[visit.pk]))
    for response in (board, week, my, card):
        page = response.content.decode()
        assert response.status_code == 200
        assert "<style" not in page and " style=" not in page
        assert "aftersales/field-service.css" in page
    assert "style-src 'self'" in board["Content-Security-Policy"]
    page = board.content.decode()
    assert 'class="board-visit' in page and "data-left=" in page and "data-width=" in page
    assert "aftersales/field-service.js" in page


def test_durations_read_in_hours_and_minutes_words_marked_for_translation():
    from aftersales.field_service.templatetags.field_service import duration

    assert duration(65) == "1 h 05 min" and duration(45) == "45 min" and duration(None) == "0 min"
