"""A user sees the units of their own subtree and nothing else."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.tests.factories import make_user
from aftersales.organisation.models import Unit
from aftersales.organisation.services import unit_create, unit_update
from aftersales.organisation.tests.factories import make_unit


def test_an_outlet_sees_only_itself(network):
    clerk = make_user("technician", network.outlet_a)
    assert list(Unit.objects.visible_to(clerk)) == [network.outlet_a]


def test_a_region_sees_its_subtree(network, region_head):
    visible = set(Unit.objects.visible_to(region_head))
    assert visible == {network.region, network.centre, network.outlet_a, network.outlet_b}


def test_headquarters_sees_everything(network, hq_admin):
    assert Unit.objects.visible_to(hq_admin).count() == Unit.objects.count()


def test_acting_for_a_second_unit_adds_its_subtree(network):
    clerk = make_user("technician", network.outlet_a)
    clerk.additional_units.add(network.outlet_b)
    assert set(Unit.objects.visible_to(clerk)) == {network.outlet_a, network.outlet_b}


def test_a_deactivated_user_sees_nothing(network, region_head):
    region_head.is_active = False
    assert not Unit.objects.visible_to(region_head).exists()


def test_subtree_filter_is_one_query_at_any_depth(network, hq_admin):
    deep = network.outlet_a
    user = make_user("technician", network.centre)
    with CaptureQueriesContext(connection) as queries:
        units = list(Unit.objects.visible_to(user))
    assert deep in units
    # one to read the user's unit paths, one for the rows
    assert len(queries) == 2


@pytest.mark.django_db
def test_kinds_must_fit_the_tree():
    hq = make_unit(None)
    with pytest.raises(ValidationError) as error:
        unit_create(parent=hq, kind="hq", name="Second HQ", code="hq-two")
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        unit_create(parent=None, kind="outlet", name="Floating outlet", code="floating")


def test_inherited_time_zone(network):
    unit_update(unit=network.region, timezone="Asia/Urumqi")
    network.outlet_a.refresh_from_db()
    assert network.outlet_a.effective_timezone() == "Asia/Urumqi"
    assert network.hq.effective_timezone() == "Asia/Shanghai"


def test_unit_changes_are_kept_in_history(network, hq_admin):
    unit_update(unit=network.outlet_a, name="浦东旗舰店")
    latest = network.outlet_a.history.first()
    previous = latest.prev_record
    assert latest.name == "浦东旗舰店"
    assert previous.name == "浦东网点"
