"""Fixtures of the calendar tests: two separate unit trees (ours and a foreign one), an
administrator in ours, and calendars on both."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from aftersales.accounts.models import Position
from aftersales.accounts.services import user_create
from aftersales.calendars.tests.factories import BusinessCalendarFactory, give_week
from aftersales.organisation.services import unit_create

PASSWORD = "calendar-test-pass-2026"


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Messages in English (the source strings) whatever LANGUAGE_CODE says; web requests get
    English from the users' preferred language."""
    with translation.override("en"):
        yield


@pytest.fixture
def tree(db):  # type: ignore[no-untyped-def]
    hq = unit_create(parent=None, name="HQ", code="t-hq", kind="hq", timezone="Asia/Shanghai")
    region = unit_create(parent=hq, name="East", code="t-east", kind="region")
    outlet = unit_create(parent=region, name="Pudong", code="t-pudong", kind="outlet")
    foreign = unit_create(
        parent=None, name="Other HQ", code="t-other", kind="hq", timezone="Europe/Moscow"
    )
    return SimpleNamespace(hq=hq, region=region, outlet=outlet, foreign=foreign)


@pytest.fixture
def calendars(tree):  # type: ignore[no-untyped-def]
    """One calendar owned by our region (editable), one by HQ above us (readable, not
    editable), one in the foreign tree (neither)."""
    return SimpleNamespace(
        own=give_week(BusinessCalendarFactory(name="East hours", owner=tree.region)),
        above=give_week(BusinessCalendarFactory(name="HQ hours", owner=tree.hq)),
        foreign=give_week(BusinessCalendarFactory(name="Foreign hours", owner=tree.foreign)),
    )


def _user(username: str, unit, position_code: str):  # type: ignore[no-untyped-def]
    return user_create(
        username=username,
        password=PASSWORD,
        unit=unit,
        position=Position.objects.get(code=position_code),
        preferred_language="en",
    )


@pytest.fixture
def administrator(tree):  # type: ignore[no-untyped-def]
    return _user("cal-admin", tree.region, "administrator")


@pytest.fixture
def technician(tree):  # type: ignore[no-untyped-def]
    return _user("cal-tech", tree.region, "technician")


@pytest.fixture
def admin_web(client, administrator):  # type: ignore[no-untyped-def]
    client.force_login(administrator)
    return client
