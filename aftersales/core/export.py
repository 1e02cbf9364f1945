"""Exporting a list page as the user sees it: `?export=csv` or `?export=xlsx`.

The rows are the list view's own `get_queryset()` (scoped to the user's subtree, filtered and
sorted by the same query string), the columns the view's `export_columns`:
`(heading, "attribute.path" | callable(row))`. Nothing else is exported, so an export can never
show more than the page would.

CSV is UTF-8 with a byte-order mark (Excel on Windows reads BOM-less CSV in the ANSI code page
and garbles Chinese and Russian) and streamed row by row. XLSX is built with openpyxl's
write-only workbook (constant memory) in a temporary file and sent from there.

Formula injection: a cell whose text begins with =, +, -, @, a tab or a carriage return may be
run as a formula by Excel / LibreOffice (=HYPERLINK(...) leaking data, DDE …). Such text is
prefixed with an apostrophe in BOTH formats. In XLSX the cell is also stored as a plain string
(never as a formula), which alone would be safe in the file as written; the apostrophe is kept
there too because a spreadsheet that re-saves the workbook as CSV, or a user who edits the
cell, would otherwise turn the text back into a live formula. Only text is neutralised:
numbers, dates and booleans are typed values that no spreadsheet evaluates (a negative
amount stays a number).

Size: an export is refused, with a message, above MAX_ROWS rows: XLSX holds at most 1,048,576
rows per sheet (one is the heading), and a bigger CSV would not open in a spreadsheet either.
The user narrows the filter instead of receiving a silently truncated file.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db import models
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from aftersales.core.views import ObjectListView

FORMATS = ("csv", "xlsx")
# Data rows an XLSX sheet can hold under its heading row (Excel's limit is 1,048,576 rows).
XLSX_MAX_ROWS = 1_048_575
MAX_ROWS = XLSX_MAX_ROWS
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 2000
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, made inert (see the module docstring)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _resolve(row: Any, source: str | Callable[[Any], Any]) -> Any:
    if callable(source):
        return source(row)
    value = row
    for name in source.split("."):
        if value is None:
            return None
        value = getattr(value, name)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if isinstance(value, models.Manager):
        return ", ".join(str(item) for item in value.all())
    return value


def _typed(value: Any) -> Any:
    """A cell value: numbers, dates and booleans typed; everything else neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the user's local time, as the page shows it.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return neutralise(str(value))


def _csv_text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _rows(view: ObjectListView, queryset: models.QuerySet[Any]) -> Iterator[list[Any]]:
    sources = [source for _heading, source in view.export_columns]
    for row in queryset.iterator(chunk_size=_CHUNK):
        yield [_typed(_resolve(row, source)) for source in sources]


def _headings(view: ObjectListView) -> list[str]:
    return [neutralise(str(heading)) for heading, _source in view.export_columns]


def file_name(view: ObjectListView, extension: str) -> str:
    """E.g. "units-2026-11-23.csv": the list's name and today's date (the user's time zone)."""
    name = str(view.model._meta.verbose_name_plural).replace(" ", "-")
    return f"{name}-{timezone.localdate().isoformat()}.{extension}"


class _Echo:
    """A file-like object csv.writer writes into, handing each line back."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(headings: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow(headings)).encode("utf-8")
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row]).encode("utf-8")


def csv_response(view: ObjectListView, queryset: models.QuerySet[Any]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_lines(_headings(view), _rows(view, queryset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=file_name(view, "csv")
    )
    return response


def xlsx_response(view: ObjectListView, queryset: models.QuerySet[Any]) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(view.model._meta.verbose_name_plural)[:31])
    bold = Font(bold=True)
    heading_cells = []
    for heading in _headings(view):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", heading))
        cell.font = bold
        heading_cells.append(cell)
    sheet.append(heading_cells)
    for row in _rows(view, queryset):
        cells = []
        for value in row:
            if isinstance(value, str):
                # Control characters are not allowed in the XML; the text is stored as a string
                # cell whatever it begins with (openpyxl would take "=…" for a formula).
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=file_name(view, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(view: ObjectListView, export_format: str) -> HttpResponse:
    """The list of `view` as a file, or back to the list with a message when it is too long."""
    queryset = view.get_queryset()
    total = queryset.count()
    if total > MAX_ROWS:
        messages.warning(
            view.request,
            _(
                "The list has %(total)s rows; an export holds at most %(limit)s. "
                "Narrow the filter and export again."
            )
            % {"total": f"{total:,}", "limit": f"{MAX_ROWS:,}"},
        )
        query = view.request.GET.copy()
        query.pop("export", None)
        return redirect(f"{view.request.path}?{query.urlencode()}")
    if export_format == "xlsx":
        return xlsx_response(view, queryset)
    return csv_response(view, queryset)
