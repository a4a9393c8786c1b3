"""The monthly report as a PDF (fpdf2): the same summary, tables and charts as the workbook, the
charts drawn as vector graphics with fpdf2's own primitives (rectangles, lines, arcs), so the file
needs neither matplotlib nor any font from the internet.

Text is set in the PDF core font Helvetica with the Windows-1252 encoding, which covers
Indonesian and the typographic marks staff paste (“ ” ‘ ’ – — …); anything beyond it is
transliterated (é stays, ≤ becomes <=, an emoji becomes ?), so a label can never make the
report fail. Core fonts keep the file small and identical on every office PC.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from pantau.report.figures import MonthlyReport, Table, moment_label
from spiders.dates import BULAN_PENDEK

FONT = "Helvetica"
PALETTE = ((31, 78, 121), (237, 125, 49), (112, 173, 71), (165, 165, 165), (255, 192, 0), (91, 155, 213),
           (158, 72, 14))
GRID = (217, 217, 217)
HEADING = FontFace(emphasis="BOLD", fill_color=(222, 234, 246))
INK = (33, 33, 33)
_REPLACEMENTS = {"\u2212": "-", "\u2192": "->", "\u2190": "<-", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=",
                 "\u2009": " ", "\u202f": " ", "\u200b": "", "\u2011": "-", "\u2010": "-"}


def pdf_text(value: Any) -> str:
    """``value`` as text the core font can show (Windows-1252), transliterating the rest."""
    out = []
    for char in str(value):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            if char in _REPLACEMENTS:
                out.append(_REPLACEMENTS[char])
            else:
                plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
                out.append(plain or "?")
    return "".join(out)


def number(value: Any, kind: str = "int") -> str:
    """Indonesian notation: 1.234; 45,5%; 20 Nov 2026; – for nothing."""
    if value is None or value == "":
        return "–"
    if kind == "percent" and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%".replace(".", ",")
    if isinstance(value, datetime):
        return moment_label(value)
    if isinstance(value, date):
        return f"{value.day} {BULAN_PENDEK[value.month - 1]} {value.year}"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return str(value)


class ReportPDF(FPDF):
    def __init__(self, report: MonthlyReport):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.core_fonts_encoding = "windows-1252"
        self.set_auto_page_break(True, margin=16)
        self.set_margins(15, 15, 15)
        self.set_title(pdf_text(report.title))
        self.set_author("Pantau")
        self.set_creator("Pantau")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, pdf_text(f"{self.report.title} · {self.report.region}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, pdf_text(f"Halaman {self.page_no()}/{{nb}}"), align="R")
        self.set_text_color(*INK)

    def write_line(self, text: str, *, size: float = 9, bold: bool = False, height: float | None = None) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height or size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def write_pdf(report: MonthlyReport, target: str | Path | IO[bytes]) -> None:
    pdf = ReportPDF(report)
    pdf.set_text_color(*INK)
    pdf.add_page()
    _summary(pdf, report)
    for table in report.tables:
        _table(pdf, table)
    data = bytes(pdf.output())
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)


def _summary(pdf: ReportPDF, report: MonthlyReport) -> None:
    pdf.write_line(report.title, size=16, bold=True, height=9)
    pdf.write_line(report.region, size=11, bold=True, height=6)
    pdf.write_line(f"Periode: {report.period_label}", size=9)
    pdf.write_line(f"Dibuat: {moment_label(report.generated_at)}", size=9)
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=(110, 40), width=150, align="LEFT", text_align=("LEFT", "RIGHT"),
                   line_height=5.5, first_row_as_headings=True, headings_style=HEADING) as grid:
        _heading_row(pdf, grid, ["Ukuran", "Nilai"])
        for label, value, kind in report.summary:
            row = grid.row()
            row.cell(pdf_text(label))
            row.cell(pdf_text(number(value, kind)))
    pdf.ln(3)
    for note in report.notes:
        pdf.write_line(note, size=8, height=4.2)
        pdf.ln(0.8)


def _heading_row(pdf: ReportPDF, grid, titles: list[str]) -> None:
    row = grid.row()
    for title in titles:
        row.cell(pdf_text(title))


def _table(pdf: ReportPDF, table: Table) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    else:
        pdf.ln(6)
    pdf.write_line(table.title, size=12, bold=True, height=7)
    pdf.ln(1)
    widths = [max(column.width, 8) for column in table.columns]
    text_align = tuple("LEFT" if column.kind == "text" else "RIGHT" for column in table.columns)
    size = 7 if len(table.columns) > 7 else 8 if len(table.columns) > 5 else 9
    pdf.set_font(FONT, size=size)
    pdf.set_fill_color(255, 255, 255)  # a chart's colour must not leak into the cells
    rows = table.rows + ([table.total] if table.total is not None else [])
    with pdf.table(col_widths=widths, width=pdf.epw, text_align=text_align, line_height=size * 0.55,
                   first_row_as_headings=True, headings_style=HEADING) as grid:
        _heading_row(pdf, grid, [column.title for column in table.columns])
        for values in rows:
            row = grid.row()
            for column, value in zip(table.columns, values):
                row.cell(pdf_text(number(value, column.kind)))
    if not table.rows:
        pdf.write_line("Tidak ada data pada bulan ini.", size=8)
    for note in table.notes:
        pdf.ln(1)
        pdf.write_line(note, size=7.5, height=3.8)
    if table.chart is not None:
        _chart(pdf, table)


# -- charts -------------------------------------------------------------------------------------


def _chart(pdf: ReportPDF, table: Table) -> None:
    spec = table.chart
    labels = [pdf_text(row[spec.categories]) for row in table.rows]
    series = [(pdf_text(table.columns[i].title), [float(row[i] or 0) for row in table.rows]) for i in spec.series]
    horizontal = spec.kind in ("barh", "stacked")
    height = (len(labels) * max(4.5, 2.6 * (1 if spec.kind == "stacked" else len(series)) + 1.6) + 22
              if horizontal else 72)
    height = max(height, 40) + 2
    if pdf.will_page_break(height + 10):
        pdf.add_page()
    else:
        pdf.ln(4)
    x, y, width = pdf.l_margin, pdf.get_y(), pdf.epw
    pdf.set_font(FONT, "B", 9)
    pdf.text(x + 3, y + 5, pdf_text(spec.title))
    top = y + 8
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, width, height)  # the chart's frame
    drawing = {"bar": _columns, "barh": _bars, "stacked": _bars, "line": _lines, "pie": _pie}[spec.kind]
    if not labels:
        pdf.set_font(FONT, "", 8)
        pdf.text(x + 4, top + 8, "Tidak ada data untuk grafik ini.")
    else:
        colours = tuple(tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)) for c in spec.colors) or PALETTE
        drawing(pdf, labels, series, x + 3, top, width - 6, height - 11, stacked=spec.kind == "stacked",
                colours=colours)
    pdf.set_y(y + height + 2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(*INK)


def _nice_scale(peak: float) -> tuple[float, float]:
    """An axis maximum and tick step: whole numbers, 4-6 ticks."""
    if peak <= 0:
        return 4.0, 1.0
    raw = peak / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1.0, float(round(step)))
    return math.ceil(peak / step) * step, step


def _legend(pdf: ReportPDF, names: list[str], x: float, y: float, colours=PALETTE) -> None:
    pdf.set_font(FONT, "", 7)
    for index, name in enumerate(names):
        pdf.set_fill_color(*colours[index % len(colours)])
        pdf.rect(x, y - 2.2, 2.6, 2.6, style="F")
        pdf.text(x + 3.5, y, name)
        x += pdf.get_string_width(name) + 9


def _fit(pdf: ReportPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def _value_axis(pdf, x0, y0, x1, y1, top, step, *, horizontal: bool) -> None:
    """Grid lines and tick labels: along x for horizontal bars, along y otherwise."""
    pdf.set_font(FONT, "", 6.5)
    pdf.set_draw_color(*GRID)
    ticks = int(round(top / step))
    for n in range(ticks + 1):
        value = n * step
        label = number(int(value))
        if horizontal:
            gx = x0 + (x1 - x0) * value / top
            pdf.line(gx, y0, gx, y1)
            pdf.text(gx - pdf.get_string_width(label) / 2, y1 + 3, label)
        else:
            gy = y1 - (y1 - y0) * value / top
            pdf.line(x0, gy, x1, gy)
            pdf.text(x0 - pdf.get_string_width(label) - 1.2, gy + 1, label)
    pdf.set_draw_color(90, 90, 90)
    if horizontal:
        pdf.line(x0, y0, x0, y1)
    else:
        pdf.line(x0, y1, x1, y1)


def _columns(pdf, labels, series, x, y, width, height, colours=PALETTE, **_) -> None:
    """Vertical clustered bars, one group per label."""
    _legend(pdf, [name for name, _ in series], x + 12, y + 3, colours)
    x0, y0, x1, y1 = x + 12, y + 8, x + width, y + height - 8
    top, step = _nice_scale(max((v for _, values in series for v in values), default=0))
    _value_axis(pdf, x0, y0, x1, y1, top, step, horizontal=False)
    group = (x1 - x0) / len(labels)
    bar = group * 0.8 / len(series)
    pdf.set_font(FONT, "", 7)
    for i, label in enumerate(labels):
        gx = x0 + group * i + group * 0.1
        for s, (_, values) in enumerate(series):
            h = (y1 - y0) * values[i] / top
            pdf.set_fill_color(*colours[s % len(colours)])
            if h > 0:
                pdf.rect(gx + bar * s, y1 - h, bar * 0.92, h, style="F")
        text = _fit(pdf, label, group - 2)
        pdf.text(x0 + group * i + (group - pdf.get_string_width(text)) / 2, y1 + 4, text)


def _bars(pdf, labels, series, x, y, width, height, stacked: bool = False, colours=PALETTE) -> None:
    """Horizontal bars, one row per label (clustered, or stacked into one bar)."""
    _legend(pdf, [name for name, _ in series], x, y + 3, colours)
    pdf.set_font(FONT, "", 7)
    label_width = min(max(pdf.get_string_width(label) for label in labels) + 2, width * 0.38)
    x0, y0, x1, y1 = x + label_width, y + 7, x + width - 10, y + height - 6
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    peak = max(totals) if stacked else max((v for _, values in series for v in values), default=0)
    top, step = _nice_scale(peak)
    _value_axis(pdf, x0, y0, x1, y1, top, step, horizontal=True)
    row = (y1 - y0) / len(labels)
    bars = 1 if stacked else len(series)
    bar = row * 0.75 / bars
    pdf.set_font(FONT, "", 7)
    for i, label in enumerate(labels):
        ry = y0 + row * i + row * 0.125
        pdf.text(x, ry + row * 0.45, _fit(pdf, label, label_width - 2))
        offset = 0.0
        for s, (_, values) in enumerate(series):
            w = (x1 - x0) * values[i] / top
            pdf.set_fill_color(*colours[s % len(colours)])
            by = ry if stacked else ry + bar * s
            if w > 0:
                pdf.rect(x0 + offset, by, w, bar * 0.9, style="F")
            if stacked:
                offset += w
            elif values[i]:
                pdf.set_font(FONT, "", 6)
                pdf.text(x0 + w + 0.8, by + bar * 0.75, number(int(values[i])))
                pdf.set_font(FONT, "", 7)
        if stacked and totals[i]:
            pdf.text(x0 + offset + 0.8, ry + bar * 0.7, number(int(totals[i])))


def _lines(pdf, labels, series, x, y, width, height, colours=PALETTE, **_) -> None:
    """One line per series across the labels (weeks)."""
    _legend(pdf, [name for name, _ in series], x + 12, y + 3, colours)
    x0, y0, x1, y1 = x + 12, y + 8, x + width - 4, y + height - 8
    top, step = _nice_scale(max((v for _, values in series for v in values), default=0))
    _value_axis(pdf, x0, y0, x1, y1, top, step, horizontal=False)
    slot = (x1 - x0) / len(labels)
    xs = [x0 + slot * (i + 0.5) for i in range(len(labels))]
    pdf.set_font(FONT, "", 7)
    for gx, label in zip(xs, labels):
        text = _fit(pdf, label, slot - 1)
        pdf.text(gx - pdf.get_string_width(text) / 2, y1 + 4, text)
    pdf.set_line_width(0.6)
    for s, (_, values) in enumerate(series):
        colour = colours[s % len(colours)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        points = [(gx, y1 - (y1 - y0) * v / top) for gx, v in zip(xs, values)]
        if len(points) > 1:
            pdf.polyline(points)
        for px, py in points:
            pdf.rect(px - 0.8, py - 0.8, 1.6, 1.6, style="F")
    pdf.set_line_width(0.2)


def _pie(pdf, labels, series, x, y, width, height, colours=PALETTE, **_) -> None:
    """A pie of the first series, with a legend giving counts and shares."""
    values = series[0][1]
    total = sum(values)
    radius = min(height - 6, width / 2) / 2
    cx, cy = x + radius + 6, y + 3 + radius
    pdf.set_draw_color(255, 255, 255)
    if total <= 0:
        pdf.set_draw_color(*GRID)
        pdf.circle(cx, cy, radius, style="D")  # circle() takes the centre, whatever its docstring says
        pdf.set_font(FONT, "", 7)
        pdf.text(cx - 10, cy, "Tidak ada item")
    else:
        angle = 90.0
        for s, value in enumerate(values):
            if value <= 0:
                continue
            sweep = 360 * value / total
            pdf.set_fill_color(*colours[s % len(colours)])
            # fpdf2 2.8 places arcs by their bounding box's upper-left corner but circles by
            # their centre (circle() calls ellipse(x - r, y - r, ...)).
            if sweep >= 359.999:
                pdf.circle(cx, cy, radius, style="F")
            else:
                pdf.solid_arc(cx - radius, cy - radius, radius, angle - sweep, angle, style="F")
            angle -= sweep
    lx, ly = cx + radius + 10, y + 8
    pdf.set_font(FONT, "", 7.5)
    for s, (label, value) in enumerate(zip(labels, values)):
        pdf.set_fill_color(*colours[s % len(colours)])
        pdf.rect(lx, ly + 5 * s - 2.4, 2.8, 2.8, style="F")
        share = number(value / total, "percent") if total else "–"
        pdf.text(lx + 4, ly + 5 * s, f"{label}: {number(int(value))} ({share})")
