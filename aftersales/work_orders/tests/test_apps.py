"""What the app adds to other pages: the menu entries and the request page's action."""

import pytest
from django.urls import reverse

from aftersales.core.menu import menu_for
from aftersales.customers.tests.factories import make_customer
from aftersales.service_requests.actions import actions_for
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_service_request
from aftersales.work_orders.tests.factories import worker

pytestmark = pytest.mark.django_db


def _entries(user) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry["url"] for section in menu_for(user) for entry in section["entries"]]


def test_work_orders_are_in_the_menu_of_those_who_see_them(network) -> None:
    assert reverse("work_orders:order_list") in _entries(worker(network.outlet_a))
    assert reverse("work_orders:order_create") in _entries(worker(network.outlet_a))
    assert reverse("work_orders:order_create") not in _entries(
        worker(network.outlet_a, "executive")
    )
    assert reverse("work_orders:order_list") not in _entries(worker(network.outlet_a, "trainer"))


def test_an_open_request_offers_a_work_order(network) -> None:
    request = make_service_request(make_customer(network.outlet_a))
    reception = worker(network.outlet_a, "outlet_reception")
    url = reverse("work_orders:order_from_request", args=[request.pk])

    assert url in [action.url for action in actions_for(request, reception)]
    assert url not in [a.url for a in actions_for(request, worker(network.outlet_a, "trainer"))]

    ServiceRequest.objects.filter(pk=request.pk).update(is_open=False)
    request.refresh_from_db()
    assert url not in [action.url for action in actions_for(request, reception)]
