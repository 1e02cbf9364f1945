"""A hot read keeps its SQL, never its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import User
from aftersales.accounts.tests.factories import make_user
from aftersales.core import compiled
from aftersales.organisation.models import Unit
from aftersales.organisation.tests.factories import make_unit


class Builds:
    def __init__(self, build):  # type: ignore[no-untyped-def]
        self.build, self.count = build, 0

    def __call__(self, *args):  # type: ignore[no-untyped-def]
        self.count += 1
        return self.build(*args)


def test_a_kept_statement_runs_again_and_sees_the_rows_as_they_are_now(network):
    names = Builds(
        lambda: (
            Unit.objects.filter(path__startswith=network.centre.path)
            .order_by("path")
            .values_list("pk", "name")
        )
    )
    first = compiled.values_rows(("units", network.centre.pk), names)
    make_unit(network.centre, name="Outlet C")

    with CaptureQueriesContext(connection) as queries:
        second = compiled.values_rows(("units", network.centre.pk), names)

    assert names.count == 1  # built once
    assert len(queries) == 1
    assert len(first) == 3  # the centre and its two outlets
    assert second == list(names.build())
    assert [name for _pk, name in second if name not in dict(first).values()] == ["Outlet C"]


def test_a_statement_whose_columns_need_converting_is_built_every_time(network):
    plain = Builds(lambda: Unit.objects.filter(pk=network.hq.pk).values_list("pk", "path"))
    histories = Builds(lambda: network.hq.history.order_by("pk").values_list("history_date"))

    compiled.values_rows("hq", plain)
    compiled.values_rows("hq", plain)
    rows = compiled.values_rows("hq-history", histories)
    again = compiled.values_rows("hq-history", histories)

    assert plain.count == 1
    assert rows == again == list(histories.build())
    # PostgreSQL hands datetimes over as they are; SQLite's come back as text, converted.
    assert histories.count == (1 if connection.vendor == "postgresql" else 2)


def test_nothing_to_read_is_no_query(db):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        rows = compiled.values_rows(
            "none", lambda: Unit.objects.filter(pk__in=[]).values_list("pk")
        )
    assert rows == []
    assert len(queries) == 0


def _person(pk: int):  # type: ignore[no-untyped-def]
    return (
        User.objects.select_related("unit").annotate(name_length=Length("username")).filter(pk=pk)
    )


def test_a_kept_instance_read_gives_each_id_what_the_queryset_gives(network):
    people = Builds(_person)
    ann, boris = make_user(unit=network.outlet_a), make_user(unit=network.centre)

    reads = []
    for person in (ann, boris, ann):
        with CaptureQueriesContext(connection) as queries:
            read = compiled.one_instance("person", people, person.pk)
            reads.append((read.pk, read.username, read.unit.name, read.name_length))
        assert len(queries) == 1  # the unit came with the user
        assert read.date_joined == person.date_joined  # converted as the ORM converts it

    assert people.count == 1  # built once, for every id
    assert reads == [
        (p.pk, p.username, p.unit.name, p.name_length)
        for p in (_person(ann.pk).get(), _person(boris.pk).get(), _person(ann.pk).get())
    ]
    assert compiled.one_instance("person", people, ann.pk + boris.pk + 1000) is None


def test_a_read_whose_statement_does_not_carry_the_id_is_not_kept(network):
    hq = Builds(lambda pk: Unit.objects.filter(pk=network.hq.pk))

    assert compiled.one_instance("hq", hq, network.centre.pk) == network.hq
    assert compiled.one_instance("hq", hq, network.centre.pk) == network.hq
    assert hq.count == 3  # built with a stand-in id once, then with each read's id


def test_on_postgresql_a_kept_statement_read_again_is_planned_once_per_connection(network):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements to keep")
    names = Builds(
        lambda: Unit.objects.filter(path__startswith=network.centre.path).values_list("name")
    )
    key = ("prepared", network.centre.pk)

    def prepared() -> list[str]:
        # Its values written in (the `%` of the LIKE pattern kept as one): PostgreSQL plans
        # it for them.
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            pattern = f"'{network.centre.path}%'"
            return [text for (text,) in cursor.fetchall() if pattern in text]

    first = compiled.values_rows(key, names)
    assert prepared() == []  # read once: not worth preparing
    second = compiled.values_rows(key, names)
    third = compiled.values_rows(key, names)

    assert len(prepared()) == 1
    assert first == second == third == list(names.build())


def test_on_postgresql_a_kept_instance_read_is_prepared_once_for_every_id(network):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no prepared statements to keep")
    people = Builds(_person)
    ann, boris = make_user(unit=network.outlet_a), make_user(unit=network.centre)

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [text for (text,) in cursor.fetchall() if "name_length" in text]

    compiled.one_instance("person", people, ann.pk)
    assert prepared() == []  # read once on this connection: not worth preparing
    compiled.one_instance("person", people, boris.pk)
    read = compiled.one_instance("person", people, ann.pk)

    [statement] = prepared()  # one statement for both ids: the id is its parameter
    assert "$" in statement and str(boris.pk) not in statement.split("WHERE", 1)[1]
    assert (read.pk, read.unit) == (ann.pk, network.outlet_a)


def test_a_kept_insert_saves_what_bulk_create_saves_and_gives_each_row_its_id(network):
    from aftersales.notifications.models import Notification

    ann = make_user(unit=network.outlet_a)

    def note(title: str) -> Notification:
        return Notification(recipient=ann, kind="test", title=title, body="Hello, 你好")

    first, second = compiled.insert(note("first")), compiled.insert(note("second"))
    [by_orm] = Notification.objects.bulk_create([note("by the ORM")])

    assert first.pk and second.pk and first.pk != second.pk
    assert not first._state.adding and first._state.db == "default"
    unlike = {"id", "title", "created_at"}
    rows = {
        row["title"]: {k: v for k, v in row.items() if k not in unlike}
        for row in Notification.objects.filter(recipient=ann).values()
    }
    assert rows["first"] == rows["second"] == rows["by the ORM"]
    assert Notification.objects.get(pk=second.pk).title == "second"
    assert by_orm.pk not in (first.pk, second.pk)


def test_an_insert_with_an_expression_for_a_value_is_compiled_for_it(network):
    from django.db.models.functions import Now

    from aftersales.notifications.models import Notification

    ann = make_user(unit=network.outlet_a)
    plain = Notification(recipient=ann, kind="test", title="plain")
    timed = Notification(recipient=ann, kind="test", title="timed", created_at=Now())

    kept_sql, _params = compiled.insert_statement(plain, [Notification._meta.pk])
    timed_sql, _params = compiled.insert_statement(timed, [Notification._meta.pk])
    compiled.insert(timed)

    assert kept_sql != timed_sql  # the expression is written into the statement
    assert Notification.objects.get(pk=timed.pk).created_at is not None
