from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from aftersales.accounts.tests.factories import make_user
from aftersales.catalog.tests.factories import make_category, make_product_model
from aftersales.customers.models import Address, Contact, Customer, Email, Phone
from aftersales.customers.selectors import matching_text
from aftersales.customers.tests.factories import make_customer
from aftersales.imports.entities import render_message
from aftersales.imports.models import ImportJob
from aftersales.imports.services import (
    import_job_check,
    import_job_load,
    import_job_map,
    import_job_start,
)
from aftersales.imports.tests.factories import make_job
from aftersales.installed_base.models import InstalledProduct

CUSTOMERS = (
    "客户编号,名称,电话,邮箱,地址,联系人\n"
    "OLD-1,张伟,138 0013 8000,zhang@example.cn,北京市朝阳区建国路88号,张小伟\n"
    "OLD-2,Иванов Иван Иванович,8 (912) 345-67-89,ivanov@example.ru,г. Москва,\n"
    ",王芳有限公司,13900139000,,,\n"
)


def _counts() -> tuple[int, ...]:
    return (
        Customer.objects.count(),
        Phone.objects.count(),
        Email.objects.count(),
        Address.objects.count(),
        Contact.objects.count(),
    )


def test_the_dry_run_reports_what_would_happen_and_writes_nothing(network):
    job = make_job(network.outlet_a, CUSTOMERS)
    assert job.mapping == {
        "0": "code",
        "1": "name",
        "2": "phone",
        "3": "email",
        "4": "address",
        "5": "contact_name",
    }
    before = _counts()
    import_job_check(job=job)
    assert _counts() == before
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.to_create, job.to_update, job.error_rows) == (
        ImportJob.Status.CHECKED,
        3,
        3,
        0,
        0,
    )


def test_a_load_creates_searchable_customers_with_e164_phones(network):
    job = import_job_check(job=make_job(network.outlet_a, CUSTOMERS))
    import_job_load(job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == (ImportJob.Status.DONE, 3, 0)
    zhang = Customer.objects.get(code="OLD-1")
    assert zhang.unit == network.outlet_a
    assert list(zhang.phones.values_list("number", flat=True)) == ["+8613800138000"]
    assert list(zhang.emails.values_list("address", flat=True)) == ["zhang@example.cn"]
    assert zhang.addresses.get().is_default
    assert zhang.contacts.get().name == "张小伟"
    assert "张伟" in zhang.search_text.split() and "old" in zhang.search_text.split()
    ivanov = Customer.objects.get(code="OLD-2")
    assert ivanov.phones.get().number == "+79123456789"
    wang = Customer.objects.get(name="王芳有限公司")
    assert wang.code == f"C{wang.pk:08d}"
    assert wang.code.lower() in wang.search_text
    # The one-box search finds them by name fragment.
    assert list(matching_text(Customer.objects.all(), "иванов")) == [ivanov]
    assert list(matching_text(Customer.objects.all(), "王芳")) == [wang]
    assert list(matching_text(Customer.objects.all(), "朝阳")) == [zhang]


def test_loading_the_same_file_again_updates_and_never_duplicates(network):
    first = import_job_load(job=import_job_check(job=make_job(network.outlet_a, CUSTOMERS)))
    counts = _counts()
    second = import_job_check(job=make_job(network.outlet_a, CUSTOMERS))
    assert (second.to_create, second.to_update) == (0, 3)
    import_job_load(job=second)
    second.refresh_from_db()
    assert (first.created_count, second.created_count, second.updated_count) == (3, 0, 3)
    assert _counts() == counts


def test_a_changed_name_updates_the_card_and_its_search_text(network):
    import_job_load(job=import_job_check(job=make_job(network.outlet_a, CUSTOMERS)))
    changed = "客户编号,名称,电话\nOLD-1,张伟明,+86 138 0013 8000\n"
    import_job_load(job=import_job_check(job=make_job(network.outlet_a, changed)))
    zhang = Customer.objects.get(code="OLD-1")
    assert zhang.name == "张伟明"
    assert "伟明" in zhang.search_text.split()
    assert zhang.phones.count() == 1  # the same number typed another way is not added twice
    assert zhang.emails.count() == 1  # an empty column leaves what the card has


def test_without_a_code_the_tax_number_then_the_phone_find_the_customer(network):
    taxed = make_customer(network.outlet_a, code=None, name="ООО Ромашка", tax_number="7701234567")
    phoned = make_customer(network.outlet_a, code=None, name="李娜", phone="13700137000")
    content = "名称,税号,电话\nООО «Ромашка»,7701234567,\n李娜娜,,137 0013 7000\n"
    job = import_job_check(job=make_job(network.outlet_a, content))
    assert (job.to_create, job.to_update) == (0, 2)
    import_job_load(job=job)
    taxed.refresh_from_db()
    phoned.refresh_from_db()
    assert (taxed.name, phoned.name) == ("ООО «Ромашка»", "李娜娜")


def test_row_errors_name_the_row_and_column_in_the_readers_language(network):
    content = "Код,Наименование,Телефон\nR-1,Петров,12345\nR-2,,+7 912 345 67 89\n"
    job = import_job_check(job=make_job(network.outlet_a, content))
    assert job.error_rows == 2
    assert [(e["row"], e["column"], e["code"]) for e in job.errors] == [
        (2, "Телефон", "invalid_phone"),
        (3, "Наименование", "required"),
    ]
    with translation.override("en"):
        assert render_message(job.errors[0]["code"], job.errors[0]["params"]) == (
            "“12345” is not a valid phone number."
        )


def test_a_russian_reader_sees_russian_messages(network):
    import re

    content = "Код,Наименование,Телефон\nR-1,,\nR-2,Петров,12345\n"
    job = import_job_check(job=make_job(network.outlet_a, content))
    with translation.override("ru"):
        messages = [render_message(e["code"], e["params"]) for e in job.errors]
    # Rendered when read, in the reader's language, whoever uploaded the file.
    assert all(re.search("[а-яё]{4}", message) for message in messages), messages
    assert "12345" in messages[1]


def test_all_or_nothing_refuses_a_file_with_one_bad_row(network):
    content = CUSTOMERS + "OLD-4,Bad phone,12345\n"
    job = import_job_check(job=make_job(network.outlet_a, content))
    assert job.error_rows == 1 and not job.can_load
    before = _counts()
    with pytest.raises(ValidationError):
        import_job_start(job=job, action="load")
    with pytest.raises(ValidationError):
        import_job_load(job=job)
    assert _counts() == before


def test_row_by_row_loads_the_valid_rows_and_reports_the_others(network):
    content = CUSTOMERS + "OLD-4,Bad phone,12345\nOLD-1,张伟 again,,\n"
    job = make_job(network.outlet_a, content, mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=job))
    job.refresh_from_db()
    assert (job.created_count, job.skipped_count) == (3, 2)
    assert {(e["row"], e["code"]) for e in job.errors} == {
        (5, "invalid_phone"),
        (6, "duplicate_in_file"),
    }
    assert not Customer.objects.filter(code="OLD-4").exists()


def test_an_all_or_nothing_load_rolls_back_when_the_data_changed_since_the_check(network):
    import_job_load(job=import_job_check(job=make_job(network.outlet_a, CUSTOMERS)))
    content = "客户编号,名称\nOLD-1,张伟\nOLD-9,新客户\n"
    job = import_job_check(job=make_job(network.outlet_a, content))
    assert job.can_load
    Customer.objects.filter(code="OLD-1").update(unit=network.outlet_b)  # moved away meanwhile
    before = _counts()
    import_job_load(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert [e["code"] for e in job.errors] == ["foreign_customer"]
    assert _counts() == before


def test_a_customer_number_of_another_outlet_is_an_error_not_a_move(network):
    make_customer(network.outlet_b, code="B-1", name="Sibling's customer")
    job = import_job_check(job=make_job(network.outlet_a, "客户编号,名称\nB-1,Mine now\n"))
    assert [(e["field"], e["code"]) for e in job.errors] == [("code", "foreign_customer")]


def test_one_cannot_import_into_a_unit_outside_ones_subtree(network):
    admin = make_user("administrator", network.outlet_a)
    with pytest.raises(ValidationError) as error:
        make_job(network.outlet_b, user=admin)
    assert "unit" in error.value.message_dict


def test_a_technician_may_not_import_customers(network):
    with pytest.raises(ValidationError) as error:
        make_job(network.outlet_a, user=make_user("technician", network.outlet_a))
    assert "entity" in error.value.message_dict


@override_settings(IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(network):
    with pytest.raises(ValidationError) as error:
        make_job(network.outlet_a, "名称\n" + "张伟\n" * 400)
    assert "1000" not in str(error.value) and "file" in error.value.message_dict


def test_the_mapping_must_name_the_required_fields_once(network):
    job = make_job(network.outlet_a, CUSTOMERS)
    with pytest.raises(ValidationError):
        import_job_map(job=job, mapping={"0": "code", "2": "phone"})
    with pytest.raises(ValidationError):
        import_job_map(job=job, mapping={"0": "name", "1": "name"})
    import_job_map(job=job, mapping={"1": "name", "2": "phone"})
    import_job_check(job=job)
    assert job.to_create == 3  # the code column ignored: keyed by phone


def test_big_files_run_as_background_jobs(network, settings):
    # Both through the fixture: an override_settings decorator under the fixture's own
    # override would be restored in the wrong order and leak into later tests.
    settings.IMPORT_INLINE_MAX_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    job = make_job(network.outlet_a, CUSTOMERS)
    import_job_start(job=job, action="check")
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.to_create) == (ImportJob.Status.CHECKED, 3, 3)
    import_job_start(job=job, action="load")
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 3)


# --- Other entities ------------------------------------------------------------------------------


def test_contacts_are_keyed_by_customer_and_name(network):
    customer = make_customer(network.outlet_a, code="K-1", name="Acme")
    content = (
        "客户编号,联系人,职务,手机\nK-1,陈大文,经理,0912345678\nK-1,Ли Мин,,\nK-404,Nobody,,\n"
    )
    job = make_job(network.outlet_a, content, entity="contacts", mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=job))
    job.refresh_from_db()
    assert (job.created_count, job.skipped_count) == (2, 1)
    assert job.errors[0]["code"] == "unknown_customer"
    chen = customer.contacts.get(name="陈大文")
    assert chen.position == "经理"
    assert chen.phones.get().number == "+886912345678"
    customer.refresh_from_db()
    assert "大文" in customer.search_text.split()
    again = make_job(network.outlet_a, content, entity="contacts", mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=again))
    again.refresh_from_db()
    assert (again.created_count, again.updated_count) == (0, 2)
    assert customer.contacts.count() == 2


def test_product_models_and_parts(network):
    make_category(code="washers")
    content = "型号,名称,类别,保修期\nWM-100,洗衣机,washers,24\nWM-200,,washers,\nWM 300,x,y,1\n"
    job = make_job(network.outlet_a, content, entity="product_models", mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=job))
    job.refresh_from_db()
    assert job.created_count == 1
    assert {e["code"] for e in job.errors} == {"name_required", "invalid_code"}
    parts = 'Артикул,Наименование,Цена,Ед. изм.\nP-1,Насос,"1 234,50",шт\nP-2,Ремень,99,компл\n'
    job = import_job_check(job=make_job(network.outlet_a, parts, entity="parts"))
    import_job_load(job=job)
    from aftersales.catalog.models import Part

    pump = Part.objects.get(part_number="P-1")
    assert (pump.name_ru, str(pump.price), pump.unit_of_measure) == ("Насос", "1234.50", "pcs")


def test_installed_base_checks_dates_models_and_owners(network):
    make_product_model(code="WM-100", warranty_months=24)
    make_customer(network.outlet_a, code="K-1")
    future = (timezone.localdate() + timedelta(days=30)).strftime("%d.%m.%Y")
    content = (
        "型号,序列号,客户编号,购买日期,保修截止\n"
        "WM-100,sn-0001 a,K-1,31.01.2025,\n"
        "WM-999,SN2,K-1,,\n"
        f"WM-100,SN3,K-1,{future},\n"
        "WM-100,SN4,K-1,2025/03/01,2025-01-01\n"
    )
    job = make_job(network.outlet_a, content, entity="installed_base", mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=job))
    job.refresh_from_db()
    assert [e["code"] for e in job.errors] == [
        "unknown_model",
        "purchase_in_future",
        "warranty_before_purchase",
    ]
    product = InstalledProduct.objects.get()
    assert (product.serial, product.purchase_date, product.warranty_end) == (
        "SN0001A",
        date(2025, 1, 31),
        date(2027, 1, 31),
    )


def test_big_files_are_parsed_in_worker_processes_with_the_same_outcome(network, monkeypatch):
    from aftersales.imports import services

    monkeypatch.setattr(services, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    content = CUSTOMERS + "OLD-4,Bad phone,12345\n"
    job = make_job(network.outlet_a, content, mode=ImportJob.Mode.PER_ROW)
    import_job_load(job=import_job_check(job=job))
    job.refresh_from_db()
    assert (job.created_count, job.skipped_count) == (3, 1)
    assert job.errors[0]["row"] == 5
