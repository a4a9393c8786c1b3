"""The monthly report as an Excel workbook (openpyxl): a summary sheet, then one sheet per table
with its header frozen, widths set, numbers stored as numbers (percentages and dates formatted,
not typed as text) and a native Excel chart that references the table's cells, so staff can
restyle or copy it into their own slides.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pantau.deadlines import WIB
from pantau.report.figures import Chart, MonthlyReport, Table

HEADER_ROW = 4  # rows 1-3: title, region and period, blank
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="B7B7B7")
FORMATS = {"int": "#,##0", "percent": "0.0%", "date": "d mmm yyyy"}


def write_xlsx(report: MonthlyReport, target: str | Path | IO[bytes]) -> None:
    workbook = Workbook()
    workbook.properties.title = report.title
    workbook.properties.creator = "Pantau"
    _summary(workbook.active, report)
    for table in report.tables:
        _table_sheet(workbook.create_sheet(table.key), report, table)
    workbook.save(target)


def _cell_value(value: Any, kind: str) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: the wall-clock time in WIB
        return value.astimezone(WIB).replace(tzinfo=None)
    return value


def _heading(ws: Worksheet, report: MonthlyReport, title: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = f"{report.region} · {report.period_label}"


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    ws.title = "Ringkasan"
    ws["A1"] = report.title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = report.region
    ws["A2"].font = Font(bold=True)
    ws["A3"] = "Periode"
    ws["B3"] = report.period_label
    ws["A4"] = "Dibuat"
    ws["B4"] = _cell_value(report.generated_at, "date")
    ws["B4"].number_format = 'd mmm yyyy hh:mm "WIB"'
    ws["B4"].alignment = Alignment(horizontal="left")
    ws["A6"], ws["B6"] = "Ukuran", "Nilai"
    _style_header(ws, 6, 2)
    row = 7
    for label, value, kind in report.summary:
        ws.cell(row, 1, label)
        cell = ws.cell(row, 2, value if value is not None else None)
        cell.number_format = FORMATS.get(kind, "General")
        if value is None:
            ws.cell(row, 3, "– (tidak dapat dihitung: pembaginya nol)")
        row += 1
    row += 1
    for note in report.notes:
        ws.cell(row, 1, note).alignment = Alignment(wrap_text=False)
        row += 1
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 40
    ws.freeze_panes = "A7"


def _style_header(ws: Worksheet, row: int, count: int) -> None:
    for column in range(1, count + 1):
        cell = ws.cell(row, column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=THIN)


def _table_sheet(ws: Worksheet, report: MonthlyReport, table: Table) -> None:
    _heading(ws, report, table.title)
    for column, spec in enumerate(table.columns, 1):
        ws.cell(HEADER_ROW, column, spec.title)
        ws.column_dimensions[get_column_letter(column)].width = spec.width
    _style_header(ws, HEADER_ROW, len(table.columns))
    ws.row_dimensions[HEADER_ROW].height = 30
    row = HEADER_ROW + 1
    for values in table.rows:
        _write_row(ws, row, table, values)
        row += 1
    last_data_row = row - 1
    if table.total is not None:
        _write_row(ws, row, table, table.total)
        for column in range(1, len(table.columns) + 1):
            ws.cell(row, column).font = TOTAL_FONT
            ws.cell(row, column).border = Border(top=THIN)
        row += 1
    if not table.rows:
        ws.cell(row, 1, "Tidak ada data pada bulan ini.")
        row += 1
    for note in table.notes:
        ws.cell(row + 1, 1, note)
        row += 1
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1).coordinate
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{max(last_data_row, HEADER_ROW)}"
    if table.chart is not None:
        _add_chart(ws, table, last_data_row)


def _write_row(ws: Worksheet, row: int, table: Table, values: list[Any]) -> None:
    for column, (spec, value) in enumerate(zip(table.columns, values), 1):
        cell = ws.cell(row, column, _cell_value(value, spec.kind))
        if spec.kind in FORMATS and isinstance(value, (int, float)) or spec.kind == "date":
            cell.number_format = FORMATS[spec.kind]


def _add_chart(ws: Worksheet, table: Table, last_data_row: int) -> None:
    spec: Chart = table.chart
    first_row = HEADER_ROW + 1
    last_row = max(last_data_row, first_row)  # an empty table still gets an (empty) chart
    chart = _new_chart(spec)
    for column in spec.series:
        chart.add_data(Reference(ws, min_col=column + 1, min_row=HEADER_ROW, max_row=last_row),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=spec.categories + 1, min_row=first_row, max_row=last_row))
    for series, colour in zip(chart.series, spec.colors):
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    if spec.kind == "line":
        for series in chart.series:
            series.smooth = False  # weekly counts: straight segments, no invented curve
    chart.title = spec.title
    rows = last_row - first_row + 1
    chart.width = 18
    chart.height = max(8.0, min(0.55 * rows + 3, 24.0)) if spec.kind in ("barh", "stacked") else 9
    anchor_column = get_column_letter(len(table.columns) + 2)
    ws.add_chart(chart, f"{anchor_column}{HEADER_ROW}")


def _new_chart(spec: Chart):
    if spec.kind == "line":
        chart = LineChart()
        chart.y_axis.title = spec.y_title
        chart.x_axis.delete = chart.y_axis.delete = False
        return chart
    if spec.kind == "pie":
        chart = PieChart()
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showPercent = True
        return chart
    chart = BarChart()
    chart.type = "col" if spec.kind == "bar" else "bar"
    if spec.kind == "barh":
        chart.x_axis.scaling.orientation = "maxMin"  # largest first, top to bottom, as in the table
    if spec.kind == "stacked":
        chart.grouping, chart.overlap = "stacked", 100
        chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.title = spec.y_title
    # openpyxl >= 3.1 hides axes unless delete is set off explicitly.
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart
