"""The Excel export: the CSV's columns in a workbook staff can sort, filter and forward.

Streamed with openpyxl's write-only mode (rows go to a temporary file as they come, so 100,000
items do not sit in memory). The header row is frozen and carries an autofilter; columns have
widths that fit their content and long texts wrap inside a fixed row height. Dates are real
Excel dates: Excel has no time zones, so every time is written as the naive wall-clock time in
WIB (Asia/Jakarta), with a day-first number format. Booleans are real booleans (Excel shows them
as BENAR/SALAH or TRUE/FALSE in the user's language). Every text cell is written as text
(``data_type`` ``s``) after :func:`pantau.export.safety.safe_cell`, so no harvested text becomes a
formula.

With ``per_opd`` the workbook has a summary sheet (``Ringkasan``: per OPD its sheet, the count
and the counts by status) and one sheet per OPD (the Instansi Tujuan the record maps to), named
after the OPD's short name within Excel's rules (at most 31 characters, none of ``[]:*?/\\``,
unique ignoring case).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension

from pantau.export.lapor import WIB, LaporMapping, lapor_mapping
from pantau.export.records import FIELDS, SHEET_COLUMNS, STATUSES, lapor_columns
from pantau.export.safety import safe_cell

CELL_LIMIT = 32767  # Excel's maximum characters in a cell
TRUNCATED = " … [terpotong]"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_COLUMNS = ("published_at", "harvested_at", "reviewed_at")
DATE_COLUMNS = ("Tanggal Kejadian",)
WRAPPED_COLUMNS = ("title", "text", "opd", "Judul Laporan", "Isi Laporan", "Lokasi Kejadian", "Instansi Tujuan",
                   "Kategori (LAPOR!)", "Subkategori (LAPOR!)")
WIDTHS = {
    "id": 8, "source": 18, "source_kind": 11, "url": 42, "title": 48, "text": 70, "author": 18,
    "published_at": 17, "harvested_at": 17, "is_complaint": 13, "complaint_score": 10, "category": 17,
    "kecamatan": 15, "desa": 17, "region_code": 14, "in_jurisdiction": 14, "opd": 36, "model_version": 20,
    "status": 11, "duplicate_of": 12, "cluster_id": 10, "lapor_ref": 18, "reviewed_by": 14, "reviewed_at": 17,
    "Judul Laporan": 48, "Isi Laporan": 70, "Tanggal Kejadian": 16, "Lokasi Kejadian": 36,
    "Kategori (LAPOR!)": 34, "Instansi Tujuan": 44, "Lampiran": 42, "Anonim/Rahasia": 15,
    "Subkategori (LAPOR!)": 30, "needs_check": 12,
}
ROW_HEIGHT = 60  # points: four lines of wrapped text; staff widen a row to read more
SUMMARY_TITLE = "Ringkasan"
SINGLE_TITLE = "Aduan"
NO_OPD = "Tanpa OPD"
STATUS_HEADERS = {"new": "Baru", "approved": "Disetujui", "rejected": "Ditolak", "entered": "Masuk LAPOR!",
                  "duplicate": "Duplikat"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_TITLES = {"history"}  # Excel refuses a sheet called History

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")

Progress = Callable[[int], None] | None


def excel_text(value: str) -> str:
    """A string Excel accepts in a cell: no control characters, within the length limit,
    never a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > CELL_LIMIT - len(TRUNCATED) - 1:
        value = value[:CELL_LIMIT - len(TRUNCATED) - 1] + TRUNCATED
    return safe_cell(value)


def wib(value: datetime) -> datetime:
    """The naive wall-clock time in WIB (Excel stores no offset)."""
    return value.astimezone(WIB).replace(tzinfo=None) if value.tzinfo else value


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique (ignoring case) Excel sheet name for ``name``; adds it to ``taken``."""
    base = _SHEET_FORBIDDEN.sub(" ", " ".join(name.split())).strip().strip("'").strip() or "OPD"
    base = base[:31].rstrip()
    title, number = base, 1
    while title.lower() in taken or title.lower() in _RESERVED_TITLES:
        number += 1
        suffix = f" ({number})"
        title = base[:31 - len(suffix)].rstrip() + suffix
    taken.add(title.lower())
    return title


@dataclass
class _Sheet:
    ws: Any
    instansi: str
    rows: int = 0
    statuses: Counter = field(default_factory=Counter)


class XlsxWriter:
    """Writes records to a workbook at ``path``: one sheet, or one per OPD plus a summary."""

    def __init__(self, path: str | Path, *, per_opd: bool = False, mapping: LaporMapping | None = None,
                 notes: Iterable[tuple[str, str]] = ()):
        self.path = Path(path)
        self.per_opd = per_opd
        self.mapping = mapping or lapor_mapping()
        self.notes = list(notes)
        self.book = Workbook(write_only=True)
        self._taken: set[str] = set()
        self._sheets: dict[str, _Sheet] = {}
        self._summary = self.book.create_sheet(sheet_title(SUMMARY_TITLE, self._taken)) if per_opd else None
        self._columns = SHEET_COLUMNS
        self._formats = {c: DATETIME_FORMAT for c in DATETIME_COLUMNS} | {c: DATE_FORMAT for c in DATE_COLUMNS}
        self._wrapped = set(WRAPPED_COLUMNS)

    # -- sheets -----------------------------------------------------------------------------

    def _new_sheet(self, title: str, instansi: str) -> _Sheet:
        ws = self.book.create_sheet(sheet_title(title, self._taken))
        _prepare(ws, [WIDTHS.get(c, 14) for c in self._columns])
        ws.append([_header(ws, c) for c in self._columns])
        return _Sheet(ws, instansi)

    def _sheet_for(self, record: dict[str, Any]) -> _Sheet:
        if not self.per_opd:
            key, title, instansi = "", SINGLE_TITLE, ""
        else:
            opd = self.mapping.opd(record.get("opd"))
            label = " ".join((record.get("opd") or "").split())
            if opd is not None:
                key, title, instansi = opd.id, opd.short, opd.name
            elif label:
                key, title, instansi = "label:" + label.lower(), label, label
            else:
                key, title, instansi = "", NO_OPD, ""
        sheet = self._sheets.get(key)
        if sheet is None:
            sheet = self._sheets[key] = self._new_sheet(title, instansi)
        return sheet

    # -- rows -------------------------------------------------------------------------------

    def _cells(self, ws, record: dict[str, Any]) -> list[Any]:
        values = {**{key: record.get(key) for key in FIELDS}, **lapor_columns(record, self.mapping)}
        cells = []
        for column in self._columns:
            value = values[column]
            if value is None or value == "" or isinstance(value, (bool, int, float)):
                cells.append(value if value != "" else None)  # numbers need no style; None: an empty cell
                continue
            cell = WriteOnlyCell(ws)
            if isinstance(value, datetime):
                cell.value = wib(value).date() if column in DATE_COLUMNS else wib(value)
                cell.number_format = self._formats.get(column, DATETIME_FORMAT)
                cell.alignment = _TOP
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            else:
                text = excel_text(str(value))
                cell.value = text
                cell.data_type = "s"  # text, even if it looked like a formula or a number
                cell.alignment = _WRAP if column in self._wrapped else _TOP
            cells.append(cell)
        return cells

    def add(self, record: dict[str, Any]) -> None:
        sheet = self._sheet_for(record)
        ws = sheet.ws
        row_number = sheet.rows + 2
        # A fixed height keeps a 4,000-character article from making its row fill the screen.
        ws.row_dimensions[row_number] = RowDimension(ws, index=row_number, ht=ROW_HEIGHT, customHeight=True)
        ws.append(self._cells(ws, record))
        del ws.row_dimensions[row_number]  # written; keep memory flat
        sheet.rows += 1
        sheet.statuses[record.get("status")] += 1

    # -- finishing --------------------------------------------------------------------------

    def close(self) -> None:
        if not self._sheets:  # nothing matched: still a workbook with the header row
            self._sheet_for({})
        last = get_column_letter(len(self._columns))
        for sheet in self._sheets.values():
            sheet.ws.auto_filter.ref = f"A1:{last}{sheet.rows + 1}"
        if self._summary is not None:
            self._write_summary()
            ordered = sorted((s for s in self._sheets.values()),
                             key=lambda s: (not s.instansi, s.instansi.lower(), s.ws.title.lower()))
            for position, sheet in enumerate(ordered, start=1):
                self.book.move_sheet(sheet.ws.title, position - self.book.worksheets.index(sheet.ws))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.book.save(self.path)

    def _write_summary(self) -> None:
        ws = self._summary
        headers = ["Instansi Tujuan", "Lembar", "Jumlah", *(STATUS_HEADERS[s] for s in STATUSES)]
        _prepare(ws, [60, 32, 10, *([13] * len(STATUSES))])
        ws.append([_header(ws, h) for h in headers])
        sheets = sorted(self._sheets.values(), key=lambda s: (not s.instansi, s.instansi.lower(), s.ws.title.lower()))
        for sheet in sheets:
            ws.append([_text(ws, sheet.instansi or NO_OPD), _text(ws, sheet.ws.title), sheet.rows,
                       *(sheet.statuses.get(s, 0) for s in STATUSES)])
        total = [_text(ws, "Jumlah seluruhnya", bold=True), None, sum(s.rows for s in sheets),
                 *(sum(s.statuses.get(st, 0) for s in sheets) for st in STATUSES)]
        ws.append(total)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(sheets) + 1}"
        if self.notes:
            ws.append([])
            for label, value in self.notes:
                ws.append([_text(ws, label, bold=True), _text(ws, value)])


def _prepare(ws, widths: list[float]) -> None:
    """Freeze the header row and set column widths: both must precede the first row."""
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _header(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
    return cell


def _text(ws, text: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=excel_text(text))
    cell.data_type = "s"
    if bold:
        cell.font = _HEADER_FONT
    return cell


def write_xlsx(records: Iterable[dict[str, Any]], path: str | Path, *, per_opd: bool = False,
               notes: Iterable[tuple[str, str]] = (), progress: Progress = None) -> int:
    """Write prepared records to an XLSX file; returns how many."""
    writer = XlsxWriter(path, per_opd=per_opd, notes=notes)
    count = 0
    for record in records:
        writer.add(record)
        count += 1
        if progress:
            progress(count)
    writer.close()
    return count
