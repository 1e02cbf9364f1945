import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from aftersales.imports.readers import UnreadableFile, open_table

CHINESE = (
    "客户编号,名称,电话,地址\n"
    "C1,张伟,13800138000,北京市朝阳区建国路88号\n"
    "C2,王芳贸易有限公司,13900139000,上海市浦东新区世纪大道100号\n"
    "C3,李娜,+86 138 0013 8001,广州市天河区体育西路\n"
)
TRADITIONAL = (
    "客戶編號,名稱,手機,地址\n"
    "C1,陳大文,0912345678,臺北市信義路五段7號\n"
    "C2,林美玲貿易有限公司,0922333444,高雄市前鎮區中山二路\n"
    "C3,黃志明,0933444555,新北市板橋區文化路一段\n"
)
RUSSIAN = (
    "Код;Наименование;Телефон;Адрес\n"
    "C1;Иванов Иван Иванович;8 912 345-67-89;г. Москва, ул. Ленина, д. 1\n"
    "C2;ООО «Ромашка»;+7 495 123-45-67;Санкт-Петербург, Невский проспект, 10\n"
)


def _read(data: bytes, name: str = "file.csv", encoding: str = ""):
    table = open_table(io.BytesIO(data), name=name, encoding=encoding)
    return table, list(table.rows())


@pytest.mark.parametrize(
    ("text", "encoding", "detected"),
    [
        (CHINESE, "utf-8", "utf-8"),
        (CHINESE, "utf-8-sig", "utf-8-sig"),
        (CHINESE, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "utf-8-sig", "utf-8-sig"),
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "utf-8", "utf-8"),
    ],
)
def test_each_encoding_is_detected_and_read(text, encoding, detected):
    table, rows = _read(text.encode(encoding))
    assert table.encoding == detected
    expected = [line.split(table.delimiter) for line in text.splitlines()]
    assert table.header == expected[0]
    assert [cells for _, cells in rows] == expected[1:]
    assert [number for number, _ in rows] == list(range(2, len(expected) + 1))


def test_big5_bytes_that_also_decode_as_gbk_are_still_read_as_big5():
    data = TRADITIONAL.encode("big5")
    assert data.decode("gb18030") != TRADITIONAL  # they decode as GB18030 too, wrongly
    table, rows = _read(data)
    assert table.encoding == "big5"
    assert rows[0][1][1] == "陳大文"


def test_a_chosen_encoding_overrides_detection():
    table, rows = _read(RUSSIAN.encode("cp1251"), encoding="cp1251")
    assert rows[0][1][1] == "Иванов Иван Иванович"
    with pytest.raises(UnreadableFile):
        _read(CHINESE.encode("gb18030"), encoding="utf-8")


@pytest.mark.parametrize(("delimiter"), [",", ";", "\t"])
def test_the_delimiter_is_sniffed(delimiter):
    text = f'名称{delimiter}电话\n"张, 伟"{delimiter}138\n王芳{delimiter}139\n'
    table, rows = _read(text.encode())
    assert table.delimiter == delimiter
    assert rows[0][1] == ["张, 伟", "138"]


def test_an_xlsx_with_chinese_headers_is_read_with_cells_as_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["客户编号", "名称", "电话", "购买日期"])
    sheet.append(["C1", "张伟", 13800138000, __import__("datetime").date(2025, 3, 31)])
    sheet.append([None, None, None, None])
    sheet.append(["C2", "王芳", "+86 139 0013 9000", None])
    data = io.BytesIO()
    book.save(data)
    table, rows = _read(data.getvalue(), name="客户.xlsx")
    assert table.kind == "xlsx"
    assert table.header == ["客户编号", "名称", "电话", "购买日期"]
    assert rows == [
        (2, ["C1", "张伟", "13800138000", "2025-03-31"]),
        (4, ["C2", "王芳", "+86 139 0013 9000"]),
    ]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "customers.csv", "not_a_table"),
        (b"%PDF-1.7\n" + bytes(range(256)), "customers.csv", "not_a_table"),
        (bytes(range(256)) * 8, "customers.csv", "binary"),
        (b"just some text, not a workbook", "customers.xlsx", "bad_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old.xls", "xls"),
        (b"", "empty.csv", "empty"),
    ],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(data, name, code):
    with pytest.raises(UnreadableFile) as error:
        _read(data, name=name)
    assert error.value.code == code
    with translation.override("en"):
        assert error.value.messages[0].endswith(".")


def test_the_reason_names_what_the_file_is():
    with pytest.raises(UnreadableFile) as error, translation.override("en"):
        _read(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert error.value.params == {"kind": "PNG"}


def test_a_zip_that_is_not_a_workbook_is_refused():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnreadableFile):
        _read(data.getvalue(), name="customers.xlsx")


def test_a_gb18030_file_with_chinese_and_russian_names_is_read_as_gb18030():
    text = (
        "客户编号,客户名称,电话\n"
        "OLD-001,张伟,138 0013 8000\n"
        "OLD-002,Иванов Иван Иванович,8 (912) 345-67-89\n"
        "OLD-003,王芳贸易有限公司,+86 139 0013 9000\n"
        "OLD-004,李娜,12345\n"
    )
    table, rows = _read(text.encode("gb18030"))
    assert table.encoding == "gb18030"
    assert [cells[1] for _, cells in rows][:2] == ["张伟", "Иванов Иван Иванович"]
