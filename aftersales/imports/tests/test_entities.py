from datetime import date
from decimal import Decimal

import pytest

from aftersales.customers.phones import first_reading, normalise
from aftersales.imports.entities import (
    CUSTOMERS,
    INSTALLED_BASE,
    PARTS,
    CellError,
    guess_mapping,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_row,
    phones,
)


@pytest.mark.parametrize(
    "header",
    [
        ["客户编号", "客户名称", "电话", "邮箱", "地址"],
        ["客戶編號", "客戶名稱", "手機", "郵箱", "地址"],
        ["Код клиента", "Наименование", "Телефон", "E-mail", "Адрес"],
        ["Customer number", "Name", "Phone", "Email", "Address"],
    ],
)
def test_headers_in_four_languages_guess_the_same_mapping(header):
    assert guess_mapping(CUSTOMERS, header) == {
        "0": "code",
        "1": "name",
        "2": "phone",
        "3": "email",
        "4": "address",
    }


def test_a_field_is_guessed_for_one_column_only():
    assert guess_mapping(CUSTOMERS, ["电话", "手机", "名称"]) == {"0": "phone", "2": "name"}


@pytest.mark.parametrize(
    "typed",
    [
        "138 0013 8000",
        "+86 138-0013-8000",
        "008613800138000",
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "0912345678",
        "2345 6789",
        "12345",
        "phone",
        "",
    ],
)
def test_the_first_reading_agrees_with_normalise(typed):
    try:
        expected = normalise(typed)
    except Exception:  # noqa: BLE001 - invalid: both must say so
        expected = None
    assert first_reading(typed) == expected


def test_several_phones_in_one_cell():
    assert phones("138 0013 8000; +7 912 345 67 89 / 13800138000") == [
        "+8613800138000",
        "+79123456789",
    ]
    with pytest.raises(CellError) as error:
        phones("13800138000, 123")
    assert (error.value.code, error.value.params) == ("invalid_phone", {"value": "123"})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("31.03.2026", date(2026, 3, 31)),
        ("2026/03/31", date(2026, 3, 31)),
        ("2026年3月31日", date(2026, 3, 31)),
        ("2026-03-31 00:00:00", date(2026, 3, 31)),
    ],
)
def test_dates_in_the_usual_forms(typed, expected):
    assert parse_date(typed) == expected


def test_a_date_that_is_not_one():
    with pytest.raises(CellError):
        parse_date("31/13/2026")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1234.5", "1234.50"), ("1 234,50", "1234.50"), ("1,234.50", "1234.50"), ("¥99", "99.00")],
)
def test_decimals_with_either_separator(typed, expected):
    assert parse_decimal(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yes", True),
        ("是", True),
        ("да", True),
        ("1", True),
        ("no", False),
        ("否", False),
        ("нет", False),
        ("0", False),
    ],
)
def test_booleans_in_four_languages(typed, expected):
    assert parse_boolean(typed) is expected


def test_a_row_reports_every_bad_cell_and_missing_required_field():
    mapping = {0: "code", 1: "name", 2: "phone", 3: "email"}
    row = parse_row(CUSTOMERS, mapping, 7, ["C1", "", "12345", "not-an-email"])
    assert row.number == 7
    assert [(field, code) for field, code, _ in row.errors] == [
        ("phone", "invalid_phone"),
        ("email", "invalid_email"),
        ("name", "required"),
    ]


def test_part_units_and_installed_base_required_fields():
    row = parse_row(PARTS, {0: "part_number", 1: "unit_of_measure"}, 2, ["P-1", "шт"])
    assert row.values == {"part_number": "P-1", "unit_of_measure": "pcs"}
    row = parse_row(INSTALLED_BASE, {0: "model"}, 2, ["WM-1"])
    assert {field for field, code, _ in row.errors if code == "required"} == {
        "serial",
        "customer_code",
    }
