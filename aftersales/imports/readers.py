"""Reading an uploaded spreadsheet: CSV in the encodings old systems export, or .xlsx.

CSV encodings: UTF-8 (with or without BOM), GB18030/GBK, Big5 and Windows-1251, detected or
chosen by the user. Detection: a BOM decides; bytes that are valid UTF-8 are UTF-8; otherwise
each remaining candidate decodes a sample and the most plausible text wins. Plausibility is
measured on the characters: Big5 bytes usually decode as GBK too (into rare characters, kana
and symbols), so Han text scores by how many of its characters are among the common ones;
Windows-1251 scores by how many of its non-ASCII letters form Russian-looking words (Chinese
bytes read as cp1251 give a random mix of upper and lower case).

The first row is the header. Rows are numbered as a spreadsheet numbers them (the header is row
1), which is what the error report shows. Anything that is neither (a picture renamed .csv, a
binary blob, an .xlsx that is not a workbook) raises UnreadableFile with a translated reason."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Encodings a user may choose; "" means detect.
ENCODINGS: dict[str, object] = {
    "utf-8": _("Unicode (UTF-8)"),
    "gb18030": _("Simplified Chinese (GB18030 / GBK)"),
    "big5": _("Traditional Chinese (Big5)"),
    "cp1251": _("Cyrillic (Windows-1251)"),
}
DELIMITERS = (",", ";", "\t")
SAMPLE_BYTES = 256 * 1024
csv.field_size_limit(10 * 1024 * 1024)

_MAGIC = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"%PDF": "PDF",
    b"\xd0\xcf\x11\xe0": "XLS",
    b"\x1f\x8b": "GZIP",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7Z",
    b"PK\x03\x04": "ZIP",
}

# Frequent Han characters in names, addresses, company names and general text, simplified and
# traditional forms: a correctly decoded Chinese column hits them most of the time, a wrong
# decoding rarely.
COMMON_HAN = frozenset(
    "的一是不了人我在有他这這为為之大来來以个個中上们們到说說国國和地也子时時道出而要于於就下"
    "得可你年生自会會那后後能对對着著事其里裡所去行过過家十用发發天如然作方成者多日都三小军軍"
    "二无無同么麼经經法当當起与與好看学學进進种種将將还還分此心前面又定见見只主没沒公从從"
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮"
    "邓鄧曹彭曾肖田董袁潘蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈"
    "夏韦韋付白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴武戴莫孔"
    "向汤湯伟偉芳娜秀英敏静靜丽麗强強磊洋勇艳豔杰傑娟涛濤明超霞平刚剛桂华華建志文玲红紅春"
    "市区區省县縣路街号號楼樓室村镇鎮乡鄉道巷弄栋棟层層单單元东東西南北门門"
    "公司有限责責任股份集团團科技贸貿易电電器服务務中心商店厂廠工业業实實新城"
    "京海广廣州深圳台臺香港津重庆慶杭成都武汉漢安苏蘇沪滬粤粵浙闽閩川湖河山"
    "先女士话話手机機址客户戶名称稱编編码碼备備注註期日月型号號件价價格数數量"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+")
_PLAUSIBLE_RUSSIAN = re.compile(r"[А-ЯЁ]?[а-яё]+|[А-ЯЁ]+")


class UnreadableFile(ValidationError):
    """The upload cannot be read as a table; the message says why in the user's language."""


@dataclass
class Table:
    """A readable table: its header and a way to iterate over its data rows."""

    kind: str  # "csv" | "xlsx"
    header: list[str]
    encoding: str = ""
    delimiter: str = ""
    _source: IO[bytes] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for every non-empty data row, the header being row 1."""
        assert self._source is not None
        self._source.seek(0)
        if self.kind == "xlsx":
            yield from _xlsx_rows(self._source, skip_header=True)
            return
        text = io.TextIOWrapper(self._source, encoding=self.encoding, newline="")
        try:
            reader = csv.reader(text, delimiter=self.delimiter)
            for number, cells in enumerate(reader, start=1):
                if number == 1:
                    continue
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _("The file is not valid %(encoding)s text (near byte %(position)s)."),
                code="bad_encoding",
                params={"encoding": self.encoding, "position": exc.start},
            ) from exc
        finally:
            if not self._source.closed:
                text.detach()


def sniff_kind(head: bytes, name: str) -> str:
    """ "xlsx" or "csv" from the bytes (not the name, which may lie); UnreadableFile else."""
    lowered = name.lower()
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            if kind == "ZIP":
                return "xlsx"
            if kind == "XLS":
                raise UnreadableFile(
                    _(
                        "Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV "
                        "in Excel and upload that."
                    ),
                    code="xls",
                )
            raise UnreadableFile(
                _("This is a %(kind)s file, not a spreadsheet: upload a CSV or .xlsx file."),
                code="not_a_table",
                params={"kind": kind},
            )
    if lowered.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile(
            _("The file is named .xlsx but is not an Excel workbook."), code="bad_xlsx"
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            _("This is a binary file, not a spreadsheet: upload a CSV or .xlsx file."),
            code="binary",
        )
    return "csv"


def _decode_sample(sample: bytes, encoding: str) -> str | None:
    """The sample decoded strictly, a character cut at the end of the sample forgiven."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return None


# Non-ASCII punctuation that real Chinese and Russian text uses (full-width forms, quotes,
# dashes, the numero sign): neither evidence for nor against a decoding.
_NEUTRAL = frozenset("，。、；：？！“”‘’《》（）【】—–…«»№·　\u00a0")


def plausibility(text: str) -> float:
    """How much `text` looks like correctly decoded Chinese and/or Russian, from -1 to 1:
    common Han characters and letters of Russian-looking words count for, kana, symbols, box
    drawing and the like (what a wrong decoding produces) against; rare Han characters are
    neither (names use them, but so does Big5 misread as GBK)."""
    plausible_letters = sum(
        len(word)
        for word in _CYRILLIC_WORD.findall(text)
        if len(word) > 1 and _PLAUSIBLE_RUSSIAN.fullmatch(word)
    )
    cyrillic = 0
    score = 0
    counted = 0
    for ch in text:
        if ord(ch) < 128 or ch in _NEUTRAL:
            continue
        counted += 1
        if _HAN.match(ch):
            score += ch in COMMON_HAN
        elif "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        else:
            score -= 1
    if not counted:
        return 0.0
    score += plausible_letters - (cyrillic - plausible_letters)
    return score / counted


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decode_sample(sample, "utf-8") is not None:
        return "utf-8"
    scores: dict[str, float] = {}
    for encoding in ("gb18030", "big5", "cp1251"):
        text = _decode_sample(sample, encoding)
        if text is not None:
            scores[encoding] = plausibility(text)
    if not scores:
        raise UnreadableFile(
            _("The text encoding of the file could not be recognised: choose it in the form."),
            code="unknown_encoding",
        )
    # Ties go to the order above: GB18030 decodes almost anything, so it only wins by merit.
    return max(scores, key=lambda name: scores[name])


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        if counts[0] == 0:
            continue
        consistent = sum(1 for count in counts if count == counts[0]) / len(counts)
        score = consistent * 100 + counts[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Phone numbers and codes typed into Excel become floats: 13800138000.0 → 13800138000.
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value).strip()


def _xlsx_rows(source: IO[bytes], *, skip_header: bool) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of openpyxl on an untrusted file
        raise UnreadableFile(
            _("The file is not an Excel workbook (.xlsx) that can be read."), code="bad_xlsx"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if skip_header and number == 1:
                continue
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if cells or number == 1:
                yield number, cells
    finally:
        workbook.close()


def open_table(source: IO[bytes], *, name: str, encoding: str = "") -> Table:
    """Inspect `source` (a binary file object, seekable) and return its Table."""
    source.seek(0)
    head = source.read(SAMPLE_BYTES)
    if not head.strip():
        raise UnreadableFile(_("The file is empty."), code="empty")
    kind = sniff_kind(head, name)
    if kind == "xlsx":
        source.seek(0)
        first = next(_xlsx_rows(source, skip_header=False), None)
        if first is None:
            raise UnreadableFile(_("The first sheet of the workbook is empty."), code="empty")
        return Table(kind="xlsx", header=first[1], _source=source)
    if encoding:
        if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    else:
        encoding = detect_encoding(head)
    text = _decode_sample(head, encoding)
    if text is None:
        raise UnreadableFile(
            _("The file is not valid %(encoding)s text: choose another encoding."),
            code="bad_encoding",
            params={"encoding": encoding},
        )
    text = text.lstrip("\ufeff")
    if sum(1 for ch in text if not ch.isprintable() and ch not in "\r\n\t") > len(text) / 100:
        raise UnreadableFile(
            _("This is a binary file, not a spreadsheet: upload a CSV or .xlsx file."),
            code="binary",
        )
    delimiter = sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    if not any(cell.strip() for cell in header):
        raise UnreadableFile(_("The first row must name the columns."), code="no_header")
    return Table(
        kind="csv",
        header=[cell.strip() for cell in header],
        encoding=encoding,
        delimiter=delimiter,
        _source=source,
    )
