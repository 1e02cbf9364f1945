import datetime

import pytest
from django.utils import timezone

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.tests.factories import make_service_request, make_sla_policy

pytestmark = pytest.mark.django_db


def test_an_agent_sees_what_is_due_and_what_is_overdue_on_the_home_page(client, network):
    agent = make_user("hotline_agent", network.outlet_a)
    make_sla_policy(response_minutes=30, resolution_minutes=60)
    customer = make_customer(network.outlet_a)
    make_service_request(customer, now=timezone.now() - datetime.timedelta(days=10))
    make_service_request(customer)
    client.force_login(agent)

    page = client.get("/")

    queues = {key: (count, late) for key, _label, count, late in page.context["request_queues"]}
    assert queues == {
        "mine": (2, False),
        "unit": (2, False),
        "unassigned": (0, False),
        "overdue": (1, True),
    }
    assert 'data-queue="overdue">1<' in page.content.decode()


def test_a_storekeeper_without_requests_sees_no_request_counts(client, network):
    client.force_login(make_user("storekeeper", network.outlet_a))

    assert "request_queues" not in client.get("/").context
