"""Stories of the configuration kept in process: read once, read again after any change, in
this transaction or another, and never after a change that was rolled back."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.calendars.selectors import schedule_for_unit
from aftersales.calendars.tests.factories import (
    BusinessCalendarFactory,
    WorkingIntervalFactory,
    give_week,
)
from aftersales.core import configuration
from aftersales.organisation.models import Unit

pytestmark = pytest.mark.django_db


class Loads:
    """A loader that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_a_value_is_loaded_once_until_the_configuration_changes():
    load = Loads()
    assert configuration.cached("answer", load) == 1
    assert configuration.cached("answer", load) == 1
    configuration.changed()
    assert configuration.cached("answer", load) == 2


def test_a_rolled_back_change_leaves_the_kept_values_valid():
    load = Loads()
    configuration.cached("answer", load)
    before = configuration.current()
    seen_inside = []

    def change_then_fail() -> None:
        with transaction.atomic():
            configuration.changed()
            seen_inside.append(configuration.current())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert seen_inside != [before]
    assert configuration.current() == before
    assert configuration.cached("answer", load) == 1


def test_outside_a_request_each_read_asks_for_the_generation_and_inside_only_the_first():
    load = Loads()
    configuration.cached("answer", load)
    with CaptureQueriesContext(connection) as outside:
        configuration.cached("answer", load)
        configuration.cached("answer", load)
    assert len(outside) == 2
    # The handlers themselves: the signals also close the database connection.
    configuration._request_started()
    try:
        with CaptureQueriesContext(connection) as inside:
            configuration.cached("answer", load)
            configuration.cached("answer", load)
        assert len(inside) == 1
        # A change made by this request is seen by its own later reads.
        configuration.changed()
        assert configuration.cached("answer", load) == 2
    finally:
        configuration._request_finished()


def test_a_unit_works_by_its_calendar_as_soon_as_the_calendar_changes(network):
    outlet = Unit.objects.get(pk=network.outlet_a.pk)
    calendar = give_week(BusinessCalendarFactory(owner=network.hq))
    network.hq.calendar = calendar
    network.hq.save()
    assert set(schedule_for_unit(outlet).weekly) == {0, 1, 2, 3, 4}
    WorkingIntervalFactory(
        calendar=calendar, weekday=5, start=datetime.time(10), end=datetime.time(14)
    )
    assert set(schedule_for_unit(outlet).weekly) == {0, 1, 2, 3, 4, 5}
    outlet.timezone = "Asia/Novosibirsk"
    outlet.save()
    assert str(schedule_for_unit(outlet).tz) == "Asia/Novosibirsk"


def test_a_change_that_sends_no_signal_is_seen_once_announced(network):
    outlet = Unit.objects.get(pk=network.outlet_a.pk)
    before = schedule_for_unit(outlet)
    Unit.objects.filter(pk=outlet.pk).update(timezone="Europe/Moscow")
    assert schedule_for_unit(outlet) == before  # kept: nobody said
    configuration.changed()
    assert str(schedule_for_unit(outlet).tz) == "Europe/Moscow"


def test_old_entries_make_room_for_new_ones(monkeypatch):
    monkeypatch.setattr(configuration, "MAX_ENTRIES", 2)
    load = Loads()
    configuration.cached("a", load)
    configuration.cached("b", load)
    configuration.cached("a", load)  # used: kept
    configuration.cached("c", load)  # "b" goes
    assert configuration.cached("a", load) == 1
    assert configuration.cached("b", load) == 4


def test_an_operator_who_edited_by_sql_announces_it_with_a_command(network):
    outlet = Unit.objects.get(pk=network.outlet_a.pk)
    schedule_for_unit(outlet)
    Unit.objects.filter(pk=outlet.pk).update(timezone="Asia/Vladivostok")
    call_command("configuration_changed", stdout=io.StringIO())
    assert str(schedule_for_unit(outlet).tz) == "Asia/Vladivostok"
