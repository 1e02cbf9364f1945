import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook

from aftersales.accounts.tests.factories import make_user
from aftersales.customers.models import Customer
from aftersales.imports.entities import render_message
from aftersales.imports.models import ImportJob
from aftersales.imports.tests.factories import make_job, upload

GOOD = "客户编号,名称,电话\nV-1,张伟,13800138000\nV-2,Иванов Иван,+7 912 345-67-89\n"
BAD = "客户编号,名称,电话\nV-1,张伟,13800138000\nV-2,Иванов Иван,12345\n"


@pytest.fixture
def admin(client, network):
    user = make_user("administrator", network.outlet_a)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def _upload(client, network, content, **fields):
    data = {
        "entity": "customers",
        "unit": network.outlet_a.pk,
        "encoding": "",
        "mode": ImportJob.Mode.ALL_OR_NOTHING,
        "file": upload(content, fields.pop("name", "customers.csv")),
        **fields,
    }
    return client.post(reverse("imports:import_create"), data)


def _check(client, job):
    data = {f"column_{index}": name for index, name in job.mapping.items()}
    return client.post(reverse("imports:import_mapping", args=[job.pk]), data)


def test_an_administrator_uploads_sees_the_bad_row_fixes_it_and_loads(client, network, admin):
    response = _upload(client, network, BAD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:import_mapping", args=[job.pk])
    page = client.get(response["Location"])
    assert "13800138000" in page.content.decode()  # the preview of the first rows
    response = _check(client, job)
    assert response["Location"] == reverse("imports:import_detail", args=[job.pk])
    client.cookies["django_language"] = "ru"
    report = client.get(response["Location"]).content.decode()
    with translation.override("ru"):
        message = render_message("invalid_phone", {"value": "12345"})
    assert 'id="import-errors"' in report and escape(message) in report
    client.cookies["django_language"] = "en"
    assert Customer.objects.count() == 0
    refused = client.post(reverse("imports:import_load", args=[job.pk]))
    assert refused.status_code == 302 and Customer.objects.count() == 0

    _upload(client, network, GOOD)
    fixed = ImportJob.objects.latest("pk")
    _check(client, fixed)
    client.post(reverse("imports:import_load", args=[fixed.pk]))
    fixed.refresh_from_db()
    assert (fixed.status, fixed.created_count) == (ImportJob.Status.DONE, 2)
    assert Customer.objects.count() == 2

    _upload(client, network, GOOD)
    again = ImportJob.objects.latest("pk")
    _check(client, again)
    client.post(reverse("imports:import_load", args=[again.pk]))
    again.refresh_from_db()
    assert (again.created_count, again.updated_count) == (0, 2)
    assert Customer.objects.count() == 2


def test_the_errors_download_as_csv_in_the_readers_language(client, network, admin):
    _upload(client, network, BAD)
    job = ImportJob.objects.get()
    _check(client, job)
    response = client.get(reverse("imports:import_errors", args=[job.pk]))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("3,电话,") and "“12345”" in lines[1]


def test_an_xlsx_with_chinese_headers_is_mapped_by_guess(client, network, admin):
    book = Workbook()
    sheet = book.active
    sheet.append(["客戶編號", "名稱", "手機", "地址"])
    sheet.append(["X-1", "陳大文", 912345678, "臺北市信義路五段7號"])
    data = io.BytesIO()
    book.save(data)
    response = _upload(client, network, data.getvalue(), name="客戶.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.mapping == {"0": "code", "1": "name", "2": "phone", "3": "address"}
    _check(client, job)
    job.refresh_from_db()
    assert (job.to_create, job.error_rows) == (1, 0)


def test_a_picture_renamed_csv_is_refused_and_nothing_is_stored(client, network, admin):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    response = _upload(client, network, png, name="customers.csv")
    assert response.status_code == 200
    assert "PNG" in response.content.decode()
    assert not ImportJob.objects.exists()


@override_settings(IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_while_it_arrives(client, network, admin):
    response = _upload(client, network, "名称\n" + "张伟\n" * 1000)
    assert response.status_code == 200
    assert "MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_one_cannot_upload_into_a_sibling_outlet(client, network, admin):
    response = _upload(client, network, GOOD, unit=network.outlet_b.pk)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_another_outlets_import_is_404(client, network, admin):
    foreign = make_job(network.outlet_b)
    for name in ("import_detail", "import_mapping", "import_progress", "import_errors"):
        assert client.get(reverse(f"imports:{name}", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("imports:import_load", args=[foreign.pk])).status_code == 404


def test_a_technician_cannot_open_imports(client, network):
    client.force_login(make_user("technician", network.outlet_a))
    assert client.get(reverse("imports:import_list")).status_code == 403
    assert client.get(reverse("imports:import_create")).status_code == 403


def test_progress_polls_while_running_and_reloads_when_done(client, network, admin):
    job = make_job(network.outlet_a, GOOD, user=admin)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.LOADING, total_rows=10, processed_rows=5
    )
    url = reverse("imports:import_progress", args=[job.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Refresh" not in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_the_list_shows_only_the_users_imports_in_flat_queries(client, network, admin):
    from aftersales.core.testing import query_count

    make_job(network.outlet_a)
    make_job(network.outlet_b, name="foreign.csv")
    url = reverse("imports:import_list")
    one = query_count(client, url)
    for _ in range(3):
        make_job(network.outlet_a)
    assert query_count(client, url) == one
    page = client.get(url).content.decode()
    assert page.count("customers.csv") == 4
    assert "foreign.csv" not in page


def test_a_template_has_the_header_row_in_the_users_language(client, network, admin):
    client.cookies["django_language"] = "ru"
    response = client.get(reverse("imports:import_template") + "?entity=customers")
    assert response.status_code == 200
    from django.utils.translation import gettext

    with translation.override("ru"):
        expected = f"{gettext('Customer number')},{gettext('Name')},"
    assert response.content.decode("utf-8-sig").startswith(expected)
