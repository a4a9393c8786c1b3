"""The monthly report (`pantau report`): counts of a real database filled through the storage API,
read back from the XLSX with openpyxl (values, types, charts) and from the PDF with pypdf (text,
vector drawing), plus the command line's errors."""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

import storage.browse
import storage.followup
from pantau.cli import app
from pantau.deadlines import WIB
from pantau.report import build_report, parse_month, write_report
from pantau.report.figures import MonthError, month_weeks
from pantau.report.pdf import pdf_text
from storage.db import upgrade
from storage.repo import Repository

warnings.filterwarnings("ignore", category=DeprecationWarning)

NOW = datetime(2026, 12, 15, 9, 0, tzinfo=WIB)  # Tuesday: the report is made mid-December
BREAKDOWN_SHEETS = ("Status", "Kanal", "Kategori", "Kecamatan", "OPD", "Tren mingguan", "Tindak lanjut")


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def store(repo: Repository, n: int, kind: str, when: datetime, *, category: str | None = None,
          kecamatan: str | None = None, opd: str | None = None, published: bool = True) -> int:
    complaint = category is not None
    text = f"Berita nomor {n}: warga “mengeluhkan” layanan – kapan diperbaiki…"
    classification = {"is_complaint": complaint, "complaint_score": 0.9 if complaint else 0.1,
                      "category": category, "kecamatan": kecamatan, "desa": None, "region_code": None,
                      "in_jurisdiction": True, "opd": opd, "model_version": "uji"}
    return repo.store_article({
        "source": f"sumber-{kind}", "source_kind": kind, "url": f"https://kabar.example/{kind}/{n}",
        "title": f"Aduan nomor {n}", "text": text, "published_at": when if published else None,
        "harvested_at": when + timedelta(minutes=10), "classification": classification,
        "content_hash": hashlib.sha256(text.encode()).hexdigest()}).item_id


def enter(repo: Repository, monkeypatch, item_id: int, at: datetime) -> None:
    repo.record_review(item_id, "petugas", "approve", after={})
    monkeypatch.setattr(storage.browse, "utcnow", lambda: at)
    repo.enter_into_lapor(item_id, "petugas", f"PBL-{item_id:04d}", judul="j", isi="i", kategori=None,
                          instansi=None)


def populate(repo: Repository, monkeypatch) -> dict[str, int]:
    """Nine items dated in November 2026 (WIB) and two just outside it; see each line."""
    repo.add_user("petugas", "hash-tidak-dipakai", "reviewer")
    monkeypatch.setattr(storage.followup, "utcnow", lambda: NOW)
    ids = {
        # week 1 (Sun 1 Nov): 00.30 WIB is still 31 October in UTC
        "H": store(repo, 8, "news", wib(2026, 11, 1, 0, 30), category="air_bersih", kecamatan="Tongas", opd="pdam"),
        # week 2 (2-8 Nov)
        "A": store(repo, 1, "news", wib(2026, 11, 2, 9), category="infrastruktur", kecamatan="Tiris", opd="pupr"),
        "B": store(repo, 2, "news", wib(2026, 11, 3, 9), category="infrastruktur", kecamatan="Kraksaan", opd="pupr"),
        # week 3 (9-15 Nov); I has no publication date and counts by its harvest
        "C": store(repo, 3, "x", wib(2026, 11, 9, 9), category="bansos", kecamatan="Paiton", opd="dinsos"),
        "D": store(repo, 4, "social", wib(2026, 11, 10, 9), category="bansos", kecamatan="Paiton", opd="dinsos"),
        "I": store(repo, 9, "news", wib(2026, 11, 12, 10), category="infrastruktur", kecamatan="Tiris", opd="pupr",
                   published=False),
        # week 4 (16-22 Nov)
        "E": store(repo, 5, "import", wib(2026, 11, 16, 9), category="kesehatan", kecamatan="Kraksaan", opd="dinkes"),
        "F": store(repo, 6, "news", wib(2026, 11, 17, 9)),
        # week 6 (Mon 30 Nov, on its own)
        "G": store(repo, 7, "news", wib(2026, 11, 30, 23, 30)),
        # outside the month: J is 30 November in UTC but 1 December in WIB; K is October's
        "J": store(repo, 10, "news", wib(2026, 12, 1, 0, 10), category="bencana", kecamatan="Tiris", opd="bpbd"),
        "K": store(repo, 11, "x", wib(2026, 10, 31, 23, 50), category="bencana", kecamatan="Tiris", opd="bpbd"),
    }
    # A: entered Fri 20 Nov, verified 24 Nov, replied 1 Dec -> on time (due 25 Nov and 1 Dec)
    enter(repo, monkeypatch, ids["A"], wib(2026, 11, 20, 10))
    repo.record_lapor_follow_up(ids["A"], "petugas", "verified", wib(2026, 11, 24, 10))
    repo.record_lapor_follow_up(ids["A"], "petugas", "replied", wib(2026, 12, 1, 10))
    # B: entered Fri 20 Nov, nothing noted since -> verification late (due 25 Nov)
    enter(repo, monkeypatch, ids["B"], wib(2026, 11, 20, 10))
    # H: entered Thu 10 Dec -> verification due Tue 15 Dec, still running
    enter(repo, monkeypatch, ids["H"], wib(2026, 12, 10, 10))
    repo.record_review(ids["C"], "petugas", "approve", after={})
    repo.record_review(ids["D"], "petugas", "reject", after={"reason": "other"})
    repo.record_review(ids["F"], "petugas", "reject", after={"reason": "not_complaint"})
    enter(repo, monkeypatch, ids["J"], wib(2026, 12, 2, 10))  # December's, not in this report
    return ids


@pytest.fixture
def sqlite_repo(sqlite_url):
    upgrade(sqlite_url)
    repo = Repository(sqlite_url)
    yield repo
    repo.close()


def test_month_argument_and_weeks():
    assert parse_month("2026-11") == date(2026, 11, 1)
    for bad in ("2026-13", "11-2026", "2026/11", "nov", "", "2026-1"):
        with pytest.raises(MonthError, match="YYYY-MM"):
            parse_month(bad)
    weeks = month_weeks(date(2026, 11, 1))
    assert weeks[0] == (date(2026, 11, 1), date(2026, 11, 1))      # a Sunday on its own
    assert weeks[1] == (date(2026, 11, 2), date(2026, 11, 8))
    assert weeks[-1] == (date(2026, 11, 30), date(2026, 11, 30))   # Monday 30th, clipped
    assert len(weeks) == 6 and sum((b - a).days + 1 for a, b in weeks) == 30


def test_storage_counts_and_lapor_timelines(migrated_db_url, monkeypatch):
    """On SQLite and PostgreSQL: the month's groups in WIB and the entered items' timelines."""
    repo = Repository(migrated_db_url)
    try:
        ids = populate(repo, monkeypatch)
        start, end = wib(2026, 11, 1), wib(2026, 12, 1)
        rows = repo.report_counts(start, end)
        assert sum(r["count"] for r in rows) == 9
        assert sum(r["count"] for r in rows if r["in_lapor"]) == 3
        assert {r["category"] for r in rows if r["in_lapor"]} == {"infrastruktur", "air_bersih"}
        lapor = {row["id"]: row for row in repo.report_lapor_items(start, end)}
        assert set(lapor) == {ids["A"], ids["B"], ids["H"]}
        assert lapor[ids["A"]]["verified_at"] == wib(2026, 11, 24, 10)
        assert lapor[ids["A"]]["replied_at"] == wib(2026, 12, 1, 10)
        assert lapor[ids["B"]]["verified_at"] is None and lapor[ids["B"]]["entered_at"] == wib(2026, 11, 20, 10)
        assert lapor[ids["H"]]["lapor_ref"] == f"PBL-{ids['H']:04d}" and lapor[ids["H"]]["opd"] == "pdam"
    finally:
        repo.close()


def test_report_figures(sqlite_repo, monkeypatch):
    populate(sqlite_repo, monkeypatch)
    report = build_report(sqlite_repo, "2026-11", now=NOW)
    summary = {label: value for label, value, _ in report.summary}
    assert (summary["Dipanen"], summary["Aduan"], summary["Disetujui"], summary["Masuk LAPOR!"],
            summary["Ditolak"]) == (9, 7, 4, 3, 2)
    assert summary["Tingkat tindak lanjut (Masuk LAPOR! / Disetujui)"] == pytest.approx(0.75)
    assert (summary["Tindak lanjut: tepat waktu"], summary["Tindak lanjut: terlambat"],
            summary["Tindak lanjut: belum jatuh tempo"]) == (1, 1, 1)
    tables = {table.key: table for table in report.tables}
    assert {row[0]: row[1] for row in tables["Status"].rows} == {
        "Menunggu tinjauan": 3, "Disetujui, belum masuk LAPOR!": 1, "Masuk LAPOR!": 3, "Ditolak": 2, "Duplikat": 0}
    channels = {row[0]: row[1:] for row in tables["Kanal"].rows}
    assert channels == {"Situs berita": [6, 4, 3, 3, 1], "Media sosial (X dan lainnya)": [2, 2, 1, 0, 1],
                        "Impor manual": [1, 1, 0, 0, 0]}
    categories = {row[0]: row[1:] for row in tables["Kategori"].rows}
    assert categories["Infrastruktur (jalan, jembatan, drainase, PJU)"] == [3, 2, 2, 0]
    assert categories["Bantuan sosial (PKH, BPNT, BLT, DTKS)"] == [2, 1, 0, 1]
    assert categories["Air bersih (PDAM, air tidak mengalir)"] == [1, 1, 1, 0]
    assert categories["Bencana (banjir, longsor, abrasi)"] == [0, 0, 0, 0]  # J and K are not November's
    assert len(categories) == 15  # every category of the taxonomy, zeros included
    assert {row[0]: row[1:] for row in tables["Kecamatan"].rows} == {
        "Tiris": [2, 1, 1, 0], "Kraksaan": [2, 1, 1, 0], "Paiton": [2, 1, 0, 1], "Tongas": [1, 1, 1, 0]}
    opds = {row[0]: row[1:] for row in tables["OPD"].rows}
    assert opds["Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo"] == [3, 2, 2, 0, 1, 1]
    assert opds["Dinas Sosial Kabupaten Probolinggo"] == [2, 1, 0, 1, 0, 0]
    assert [row[3:] for row in tables["Tren mingguan"].rows] == [
        [1, 1, 1, 1, 0], [2, 2, 2, 2, 0], [3, 3, 1, 0, 1], [2, 1, 0, 0, 1], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]]
    assert [row[1] for row in tables["Tren mingguan"].rows][:2] == ["1 November", "2–8 November"]
    follow = {row[0]: row[1:] for row in tables["Tindak lanjut"].rows}
    assert follow["Verifikasi (3 hari kerja)"] == [1, 1, 1, 3]
    assert follow["Per laporan (semua tahap)"] == [1, 1, 1, 3]
    assert not report.empty


def test_xlsx_values_types_and_native_charts(sqlite_repo, monkeypatch, tmp_path):
    populate(sqlite_repo, monkeypatch)
    path = tmp_path / "laporan.xlsx"
    write_report(sqlite_repo, "2026-11", path, "xlsx", now=NOW)
    book = load_workbook(path)
    assert book.sheetnames[0] == "Ringkasan" and set(BREAKDOWN_SHEETS) <= set(book.sheetnames)
    summary = book["Ringkasan"]
    assert summary["A1"].value == "Laporan Bulanan Pantau — November 2026"
    assert summary["A2"].value == "Kabupaten Probolinggo"
    assert summary["B4"].value == datetime(2026, 12, 15, 9, 0)  # generated at, WIB wall clock
    figures = {row[0]: row[1] for row in summary.iter_rows(min_row=7, max_col=2, values_only=True) if row[0]}
    assert figures["Dipanen"] == 9 and isinstance(figures["Dipanen"], int)
    assert figures["Masuk LAPOR!"] == 3
    assert figures["Tingkat tindak lanjut (Masuk LAPOR! / Disetujui)"] == pytest.approx(0.75)
    rate_cell = next(c for c in summary["B"] if c.value == pytest.approx(0.75))
    assert rate_cell.number_format == "0.0%"
    for name in BREAKDOWN_SHEETS:
        sheet = book[name]
        assert len(sheet._charts) == 1, name
        assert sheet.freeze_panes == "A5", name
        assert sheet.column_dimensions["A"].width >= 14
    kinds = {name: type(book[name]._charts[0]).__name__ for name in BREAKDOWN_SHEETS}
    assert kinds["Tren mingguan"] == "LineChart" and kinds["Status"] == "PieChart" and kinds["Kanal"] == "BarChart"
    channel = book["Kanal"]
    assert [c.value for c in channel[4]] == ["Kanal sumber", "Dipanen", "Aduan", "Disetujui", "Masuk LAPOR!",
                                             "Ditolak"]
    assert [c.value for c in channel[5]] == ["Situs berita", 6, 4, 3, 3, 1]
    assert [c.value for c in channel[8]] == ["Jumlah", 9, 7, 4, 3, 2]
    assert all(isinstance(c.value, int) for c in channel[5][1:])
    # The chart's series reference the table's cells.
    chart = channel._charts[0]
    assert chart.series[0].val.numRef.f == "'Kanal'!$B$5:$B$7"  # Dipanen of the three channels
    assert chart.series[0].tx.strRef.f == "'Kanal'!B4"
    detail = book["Rincian LAPOR!"]
    assert isinstance(detail["D5"].value, datetime) and detail["D5"].number_format == "d mmm yyyy"


def test_pdf_text_and_vector_charts(sqlite_repo, monkeypatch, tmp_path):
    populate(sqlite_repo, monkeypatch)
    path = tmp_path / "laporan.pdf"
    write_report(sqlite_repo, "2026-11", path, "pdf", now=NOW)
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Laporan Bulanan Pantau — November 2026", "Kabupaten Probolinggo", "1–30 November 2026",
                     "Dipanen", "Masuk LAPOR!", "75,0%", "Infrastruktur (jalan, jembatan, drainase, PJU)",
                     "Bantuan sosial (PKH, BPNT, BLT, DTKS)", "Situs berita", "Tren mingguan",
                     "Dinas Pekerjaan Umum dan Penataan Ruang", "Tindak lanjut", "15 Desember 2026 09.00 WIB"):
        assert expected in text, expected
    assert re.search(r"Jumlah\s+9\s+7\s+4\s+3\s+2", text)  # the channel table's total row
    # Charts are drawn, not embedded as images: filled rectangles and paths in the page content.
    streams = [page.get_contents().get_data().decode("latin-1") for page in reader.pages]
    assert not any("/Image" in str(page.get("/Resources", {}).get("/XObject", {})) for page in reader.pages)
    drawing = "\n".join(streams)
    assert len(re.findall(r"re\s+f", drawing)) > 40   # bars, legends
    assert re.search(r"\bl\s+S", drawing) or " l " in drawing  # lines of the trend chart and grid
    assert re.search(r"\bc\b", drawing)  # Bézier curves of the pie's slices


def test_an_empty_month_is_a_valid_report_of_zeros(sqlite_repo, tmp_path):
    for fmt in ("xlsx", "pdf"):
        path = tmp_path / f"kosong.{fmt}"
        report = write_report(sqlite_repo, "2026-02", path, fmt, now=NOW)
        assert report.empty and "Tidak ada item" in report.notes[0]
    book = load_workbook(tmp_path / "kosong.xlsx")
    figures = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(min_row=7, max_col=2, values_only=True) if row[0]}
    assert figures["Dipanen"] == 0 and figures["Tingkat tindak lanjut (Masuk LAPOR! / Disetujui)"] is None
    assert any("Tidak ada item" in str(row[0]) for row in book["Ringkasan"].iter_rows(values_only=True))
    assert all(len(book[name]._charts) == 1 for name in BREAKDOWN_SHEETS)
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "kosong.pdf").pages)
    assert "Laporan Bulanan Pantau — Februari 2026" in text and "Tidak ada item" in text


def test_pdf_text_survives_any_character():
    assert pdf_text("“Jalan” – rusak… — 5 €") == "“Jalan” – rusak… — 5 €"  # all in Windows-1252
    assert pdf_text("≤ 3 hari → segera 🙏 Ćirebon") == "<= 3 hari -> segera ? Cirebon"


def test_command_line(sqlite_url, monkeypatch, tmp_path):
    upgrade(sqlite_url)
    runner = CliRunner()
    out = tmp_path / "laporan.xlsx"
    done = runner.invoke(app, ["report", "--month", "2026-11", "--out", str(out), "--db", sqlite_url])
    assert done.exit_code == 0, done.output
    assert load_workbook(out)["Ringkasan"]["A1"].value == "Laporan Bulanan Pantau — November 2026"
    as_pdf = runner.invoke(app, ["report", "--month", "2026-11", "--format", "pdf", "--out",
                                 str(tmp_path / "laporan.dat"), "--db", sqlite_url])
    assert as_pdf.exit_code == 0 and (tmp_path / "laporan.dat").read_bytes().startswith(b"%PDF")
    bad = runner.invoke(app, ["report", "--month", "November", "--out", str(out), "--db", sqlite_url])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    unknown = runner.invoke(app, ["report", "--month", "2026-11", "--out", str(tmp_path / "x.docx"),
                                  "--db", sqlite_url])
    assert unknown.exit_code == 2 and "xlsx" in unknown.output and "pdf" in unknown.output
