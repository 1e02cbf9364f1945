from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.services import api_token_create
from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import make_customer
from aftersales.telephony import services
from aftersales.telephony.models import PhoneLine
from aftersales.telephony.tests.factories import make_phone_line

HOTLINE = "4008-123-456"
WANG_LI = "+8613800138000"
IVAN = "+79123456789"


@dataclass
class Hotline:
    """Outlet A's hotline with two agents, a customer of outlet A (王丽) and one of outlet B
    (Ivan), and the phone exchange's API client."""

    line: PhoneLine
    agent: object
    second_agent: object
    wang_li: Customer
    ivan: Customer
    exchange: APIClient

    def call(self, call_id: str, caller: str = WANG_LI, called: str = HOTLINE):  # type: ignore[no-untyped-def]
        return self.exchange.post(
            "/api/v1/telephony/calls",
            {"call_id": call_id, "caller": caller, "called": called},
            format="json",
        )


@pytest.fixture
def hotline(network) -> Hotline:  # type: ignore[no-untyped-def]
    exchange_user = make_user("administrator", network.hq, username="exchange")
    _token, key = api_token_create(user=exchange_user, name="phone exchange")
    exchange = APIClient()
    exchange.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Hotline(
        line=make_phone_line(network.outlet_a, HOTLINE, name="Hotline"),
        agent=make_user("hotline_agent", network.outlet_a, first_name="Mei", last_name="Zhang"),
        second_agent=make_user("hotline_agent", network.outlet_a, first_name="Lei", last_name="Li"),
        wang_li=make_customer(network.outlet_a, phone=WANG_LI, name="王丽"),
        ivan=make_customer(network.outlet_b, phone=IVAN, name="Ivan Petrov"),
        exchange=exchange,
    )


@pytest.fixture
def on_duty():  # type: ignore[no-untyped-def]
    """Put agents on duty: on_duty(agent, …)."""

    def put(*agents):  # type: ignore[no-untyped-def]
        for agent in agents:
            services.agent_duty_set(user=agent, on_duty=True)

    return put


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """These stories read messages in English; the site's default language is Chinese."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
