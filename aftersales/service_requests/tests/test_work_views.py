import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from aftersales.accounts.tests.factories import make_user
from aftersales.core.menu import menu_for
from aftersales.core.testing import query_count
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests import work_views
from aftersales.service_requests.models import ServiceRequest, Status
from aftersales.service_requests.tests.factories import (
    make_request_type,
    make_service_request,
    make_sla_policy,
)

pytestmark = pytest.mark.django_db
QUEUE = reverse("service_requests:queue")
REPORT = reverse("service_requests:request_list")


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read the pages in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def agent(network):  # type: ignore[no-untyped-def]
    return make_user("hotline_agent", network.outlet_a)


def _request(customer, *, responsible=None, due=None, paused_at=None, **fields):  # type: ignore[no-untyped-def]
    """A request registered by the rules, then given the unit, responsible and due time the
    story needs (the rules and deadlines have their own tests)."""
    request = make_service_request(customer, **fields)
    ServiceRequest.objects.filter(pk=request.pk).update(
        unit=customer.unit, responsible=responsible, due_at=due, paused_at=paused_at
    )
    request.refresh_from_db()
    return request


def _numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.number for item in response.context["object_list"]]


def test_my_queue_lists_my_open_requests_soonest_due_first_the_paused_last(client, network, agent):
    now = timezone.now()
    customer = make_customer(network.outlet_a)
    later = _request(customer, responsible=agent, due=now + datetime.timedelta(hours=5))
    paused = _request(customer, responsible=agent, due=None, paused_at=now)
    late = _request(customer, responsible=agent, due=now - datetime.timedelta(hours=1))
    soon = _request(customer, responsible=agent, due=now + datetime.timedelta(hours=1))
    done = _request(customer, responsible=agent, due=now - datetime.timedelta(hours=2))
    ServiceRequest.objects.filter(pk=done.pk).update(status=Status.CLOSED, is_open=False)
    _request(customer, responsible=make_user("technician", network.outlet_a), due=now)

    client.force_login(agent)
    response = client.get(QUEUE)

    assert _numbers(response) == [late.number, soon.number, later.number, paused.number]
    page = response.content.decode()
    row = page.split(f'data-request="{late.number}"')[0].rsplit("<tr", 1)[1]
    assert "table-danger" in row
    assert "Overdue" in page.split(f'data-request="{late.number}"')[1].split("</tr>")[0]
    assert "Paused" in page.split(f'data-request="{paused.number}"')[1].split("</tr>")[0]
    tabs = {key: count for key, _label, count, _more in response.context["tabs"]}
    assert tabs == {"mine": 4, "unit": 5, "unassigned": 0, "overdue": 2}


def test_the_other_queues_my_unit_unassigned_and_overdue(client, network, agent):
    now = timezone.now()
    mine = make_customer(network.outlet_a)
    theirs = make_customer(network.outlet_b)
    colleague = make_user("technician", network.outlet_a)
    nobodys = _request(mine, responsible=None, due=now + datetime.timedelta(hours=3))
    colleagues_late = _request(mine, responsible=colleague, due=now - datetime.timedelta(hours=3))
    foreign_late = _request(theirs, responsible=None, due=now - datetime.timedelta(hours=9))

    client.force_login(agent)
    assert _numbers(client.get(QUEUE, {"view": "unit"})) == [
        colleagues_late.number,
        nobodys.number,
    ]
    assert _numbers(client.get(QUEUE, {"view": "unassigned"})) == [nobodys.number]
    assert _numbers(client.get(QUEUE, {"view": "overdue"})) == [colleagues_late.number]
    assert foreign_late.number not in client.get(QUEUE, {"view": "overdue"}).content.decode()
    assert client.get(QUEUE, {"view": "everything"}).status_code == 404

    centre_head = make_user("unit_head", network.centre)
    client.force_login(centre_head)
    assert _numbers(client.get(QUEUE, {"view": "overdue"})) == [
        foreign_late.number,
        colleagues_late.number,
    ]


def test_due_times_read_in_the_viewers_time_zone(client, network):
    network.outlet_b.timezone = "Europe/Moscow"
    network.outlet_b.save()
    moscow_agent = make_user("hotline_agent", network.outlet_b)
    shanghai_agent = make_user("hotline_agent", network.outlet_a)
    due = datetime.datetime(2031, 5, 6, 7, 30, tzinfo=datetime.UTC)
    customer = make_customer(network.outlet_a)
    _request(customer, responsible=None, due=due)
    # The Moscow agent acts for outlet A as well (a shared hotline).
    moscow_agent.additional_units.add(network.outlet_a)

    client.force_login(shanghai_agent)
    page = client.get(QUEUE, {"view": "unassigned"}).content.decode()
    assert "2031-05-06 15:30" in page and "Asia/Shanghai" in page
    client.force_login(moscow_agent)
    page = client.get(QUEUE, {"view": "unassigned"}).content.decode()
    assert "2031-05-06 10:30" in page and "Europe/Moscow" in page


def test_the_queue_takes_the_same_queries_for_many_rows_and_pages_by_fifty(client, network, agent):
    now = timezone.now()
    customer = make_customer(network.outlet_a)
    _request(customer, responsible=agent, due=now)
    client.force_login(agent)
    unit_queue = f"{QUEUE}?view=unit"
    few = query_count(client, unit_queue)
    for hours in range(55):
        _request(
            make_customer(network.outlet_a),
            responsible=make_user("technician", network.outlet_a) if hours % 7 == 0 else agent,
            request_type=make_request_type(),
            due=now + datetime.timedelta(hours=hours),
        )
    assert query_count(client, unit_queue) == few
    response = client.get(unit_queue)
    assert len(response.context["object_list"]) == 50
    assert response.context["page_obj"].has_next()
    assert len(client.get(QUEUE, {"view": "unit", "page": 2}).context["object_list"]) == 6


def test_a_long_queue_counts_up_to_its_limit(client, network, agent, monkeypatch):
    monkeypatch.setattr(work_views, "QUEUE_LIMIT", 3)
    customer = make_customer(network.outlet_a)
    for _ in range(5):
        _request(customer, responsible=agent, due=timezone.now())
    client.force_login(agent)
    response = client.get(QUEUE)
    assert len(response.context["object_list"]) == 3
    assert 'data-count="mine">3+<' in response.content.decode()
    assert "The 3 most urgent requests are shown" in response.content.decode()


def test_the_menu_offers_the_queue_and_the_report(network, agent):
    sections = {str(section["title"]): section for section in menu_for(agent)}
    labels = [str(entry["label"]) for entry in sections["Service requests"]["entries"]]
    assert "My queue" in labels and "Requests report" in labels
    storekeeper = make_user("storekeeper", network.outlet_a)
    assert "Service requests" not in {str(section["title"]) for section in menu_for(storekeeper)}


# --- the report ------------------------------------------------------------------------------


@pytest.fixture
def reported(network, agent):  # type: ignore[no-untyped-def]
    """Outlet A: a repair of 王丽's (agent's, overdue), an installation of Борис's (colleague's,
    registered long ago, closed); outlet B: a foreign request nobody in A may see."""
    now = timezone.now()
    repair_type = make_request_type(name="Repair")
    install_type = make_request_type(name="Installation")
    wang = make_customer(network.outlet_a, name="王丽", code="C000001")
    boris = make_customer(network.outlet_a, name="Борис Петров", code="C000002")
    colleague = make_user("technician", network.outlet_a)
    repair = _request(
        wang,
        responsible=agent,
        request_type=repair_type,
        due=now - datetime.timedelta(hours=1),
        subject="Compressor noise",
    )
    install = _request(
        boris,
        responsible=colleague,
        request_type=install_type,
        due=None,
        subject="=HYPERLINK(1)",
        now=now - datetime.timedelta(days=40),
    )
    ServiceRequest.objects.filter(pk=install.pk).update(status=Status.CLOSED, is_open=False)
    foreign = _request(
        make_customer(network.outlet_b, name="王丽 Foreign", code="C000003"),
        request_type=repair_type,
        due=now - datetime.timedelta(hours=1),
    )
    return {
        "repair": repair,
        "install": install,
        "foreign": foreign,
        "colleague": colleague,
        "repair_type": repair_type,
    }


def test_the_report_filters_by_customer_employee_status_type_overdue_period_and_unit(
    client, network, agent, reported
):
    client.force_login(agent)

    def listed(**query):  # type: ignore[no-untyped-def]
        response = client.get(REPORT, query)
        assert response.status_code == 200
        return set(_numbers(response))

    repair, install = reported["repair"].number, reported["install"].number
    assert listed() == {repair, install}  # never the foreign one
    assert listed(customer="王丽") == {repair}
    assert listed(customer="C000002") == {install}
    assert listed(customer="Foreign") == set()
    assert listed(responsible=reported["colleague"].pk) == {install}
    assert listed(status=Status.CLOSED) == {install}
    assert listed(request_type=reported["repair_type"].pk) == {repair}
    assert listed(overdue="true") == {repair}
    assert listed(overdue="false") == {install}
    today = timezone.localdate()
    assert listed(registered_from=today.isoformat()) == {repair}
    assert listed(registered_to=(today - datetime.timedelta(days=30)).isoformat()) == {install}
    assert listed(unit=network.outlet_a.pk) == {repair, install}
    assert listed(unit=network.outlet_b.pk) == {repair, install}  # not theirs to choose


def test_the_report_sorts_and_marks_the_overdue(client, agent, reported):
    client.force_login(agent)
    oldest_first = _numbers(client.get(REPORT, {"sort": "registered"}))
    assert oldest_first == [reported["install"].number, reported["repair"].number]
    by_customer = _numbers(client.get(REPORT, {"sort": "-customer"}))
    assert by_customer == [reported["repair"].number, reported["install"].number]  # 王 > Б
    page = client.get(REPORT).content.decode()
    assert "Overdue" in page.split(f'data-request="{reported["repair"].number}"')[1][:2000]


def test_the_report_exports_what_the_user_sees_as_csv_and_excel(client, agent, reported):
    client.force_login(agent)
    response = client.get(REPORT, {"export": "csv", "sort": "registered"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Number", "Registered", "Channel"]
    assert [row[0] for row in rows[1:]] == [reported["install"].number, reported["repair"].number]
    assert rows[1][5] == "'=HYPERLINK(1)"  # formulas neutralised
    assert reported["foreign"].number not in text

    filtered = client.get(REPORT, {"export": "xlsx", "overdue": "true"})
    sheet = load_workbook(io.BytesIO(b"".join(filtered.streaming_content))).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert values == ["Number", reported["repair"].number]


def test_the_report_takes_the_same_queries_for_many_rows(client, network, agent):
    customer = make_customer(network.outlet_a)
    _request(customer, responsible=agent, due=timezone.now())
    client.force_login(agent)
    few = query_count(client, REPORT)
    make_sla_policy()
    for index in range(12):
        _request(
            make_customer(network.outlet_a),
            responsible=make_user("technician", network.outlet_a),
            request_type=make_request_type(),
            due=timezone.now() + datetime.timedelta(hours=index),
        )
    assert query_count(client, REPORT) == few


def test_the_pages_need_the_permission(client, network):
    client.force_login(make_user("storekeeper", network.outlet_a))
    assert client.get(QUEUE).status_code == 403
    assert client.get(REPORT).status_code == 403
