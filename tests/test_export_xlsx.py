"""``pantau export --format xlsx`` (and the filters every format shares), run as a user runs it on
a real SQLite database, the produced workbook opened with openpyxl."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from pantau.cli import app
from pantau.export.records import CONTRACT_FIELDS, LAPOR_COLUMNS, SHEET_COLUMNS
from pantau.export.xlsx import sheet_title
from tests.exportutil import DINKES, DINSOS, PUPR, jsonl, run_export, site  # noqa: F401

LAST = get_column_letter(len(SHEET_COLUMNS))


def rows_by_id(sheet) -> tuple[list[str], dict[int, dict]]:
    header = [c.value for c in sheet[1]]
    rows = {}
    for cells in sheet.iter_rows(min_row=2):
        row = dict(zip(header, cells))
        rows[row["id"].value] = row
    return header, rows


def test_xlsx_has_a_frozen_filtered_header_real_dates_and_the_lapor_columns(site, tmp_path):
    out = tmp_path / "aduan.xlsx"
    result = run_export(site, "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Wrote 6 record(s) to {out}" in result.stderr and result.stdout == ""
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Aduan"]
    sheet = book["Aduan"]
    header, rows = rows_by_id(sheet)
    # The CSV's columns, in the CSV's order: the record, the SP4N-LAPOR! form, then the extras.
    assert tuple(header) == SHEET_COLUMNS
    assert tuple(header[:len(CONTRACT_FIELDS) + len(LAPOR_COLUMNS)]) == CONTRACT_FIELDS + LAPOR_COLUMNS
    assert header[-1] == "needs_check"  # added since: at the very end
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{LAST}7"
    assert sorted(rows) == sorted(site.ids.values())
    assert all(cell.font.b for cell in sheet[1])

    # Sensible widths; long texts wrap inside a fixed row height.
    width = {name: sheet.column_dimensions[get_column_letter(i)].width for i, name in enumerate(header, start=1)}
    assert width["id"] < 10 and width["text"] >= 60 and width["Isi Laporan"] >= 60 and width["url"] >= 40
    jalan = rows[site.ids["jalan"]]
    assert jalan["text"].alignment.wrap_text and jalan["Isi Laporan"].alignment.wrap_text
    assert sheet.row_dimensions[2].height == 60

    # Real Excel dates: naive wall-clock time in WIB (09:15 WITA is 08:15 WIB), day-first format.
    published = jalan["published_at"]
    assert published.is_date and published.value == datetime(2026, 11, 20, 8, 15)
    assert published.number_format == "dd/mm/yyyy hh:mm"
    assert jalan["harvested_at"].value == datetime(2026, 11, 20, 8, 20)
    assert isinstance(jalan["reviewed_at"].value, datetime)
    assert jalan["Tanggal Kejadian"].value == datetime(2026, 11, 20) and jalan["Tanggal Kejadian"].number_format == "dd/mm/yyyy"
    undated = rows[site.ids["undated"]]
    assert undated["published_at"].value is None
    assert undated["Tanggal Kejadian"].value == datetime(2026, 11, 25)  # harvested 10:05 WIB that day

    # Booleans and numbers are typed; ids are numbers.
    assert jalan["is_complaint"].value is True and jalan["in_jurisdiction"].value is True
    assert jalan["complaint_score"].value == pytest.approx(0.91) and jalan["complaint_score"].data_type == "n"
    assert rows[site.ids["tweet"]]["is_complaint"].value is False

    # The SP4N-LAPOR! form: kategori and instansi from taxonomy.yaml / opd_routing.yaml.
    assert jalan["Judul Laporan"].value == "Jalan rusak di Desa Ranuagung, Tiris"
    assert jalan["Lokasi Kejadian"].value == "Desa/Kel. Ranuagung, Kecamatan Tiris, Kabupaten Probolinggo"
    assert jalan["Kategori (LAPOR!)"].value == "PEKERJAAN UMUM DAN PENATAAN RUANG"
    assert jalan["Instansi Tujuan"].value == PUPR
    assert jalan["Lampiran"].value == "https://kabar.example/news/jalan"
    assert jalan["Anonim/Rahasia"].value == "Anonim"
    assert jalan["Isi Laporan"].value.endswith("https://kabar.example/news/jalan")
    assert (jalan["status"].value, jalan["lapor_ref"].value) == ("entered", "PBL-2611-0042")
    assert rows[site.ids["hostile"]]["Anonim/Rahasia"].value == "Rahasia"  # a private person's post
    assert rows[site.ids["hostile"]]["Instansi Tujuan"].value == DINKES

    # The reviewer's labels win over the model's (lainnya/Diskominfo → bansos/Dinas Sosial).
    bansos = rows[site.ids["bansos"]]
    assert bansos["category"].value == "bansos" and bansos["opd"].value == "Dinas Sosial"
    assert bansos["Kategori (LAPOR!)"].value == "SOSIAL DAN KESEJAHTERAAN"
    assert bansos["Subkategori (LAPOR!)"].value == "BANTUAN SOSIAL"
    assert bansos["Instansi Tujuan"].value == DINSOS
    assert bansos["reviewed_by"].value == "rina"


def test_per_opd_sheets_with_a_summary(site, tmp_path):
    out = tmp_path / "per-opd.xlsx"
    result = run_export(site, "--format", "xlsx", "--per-opd", "--out", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Ringkasan", "Dinas Kesehatan", "Dinas PUPR", "Dinas Sosial", "PLN", "Tanpa OPD"]
    counts = {}
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "A2"
        assert tuple(c.value for c in sheet[1]) == SHEET_COLUMNS
        counts[sheet.title] = sheet.max_row - 1
        assert sheet.auto_filter.ref == f"A1:{LAST}{sheet.max_row}"
    assert counts == {"Dinas Kesehatan": 1, "Dinas PUPR": 1, "Dinas Sosial": 1, "PLN": 1, "Tanpa OPD": 2}
    _, pupr = rows_by_id(book["Dinas PUPR"])
    assert list(pupr) == [site.ids["jalan"]]
    _, none = rows_by_id(book["Tanpa OPD"])
    assert sorted(none) == sorted([site.ids["tweet"], site.ids["undated"]])

    summary = book["Ringkasan"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:H6"
    table = [tuple(c.value for c in row) for row in summary.iter_rows(min_row=1, max_row=7)]
    assert table[0] == ("Instansi Tujuan", "Lembar", "Jumlah", "Baru", "Disetujui", "Ditolak", "Masuk LAPOR!",
                        "Duplikat")
    assert table[1] == (DINKES, "Dinas Kesehatan", 1, 1, 0, 0, 0, 0)
    assert table[2] == (PUPR, "Dinas PUPR", 1, 0, 0, 0, 1, 0)
    assert table[4] == ("PT PLN (Persero)", "PLN", 1, 0, 1, 0, 0, 0)
    assert table[5] == ("Tanpa OPD", "Tanpa OPD", 2, 1, 0, 1, 0, 0)
    assert table[6] == ("Jumlah seluruhnya", None, 6, 2, 2, 1, 1, 0)
    notes = {row[0]: row[1] for row in summary.iter_rows(min_row=9, values_only=True) if row[0]}
    assert notes["Filter"] == "semua item" and notes["Data pribadi"].startswith("disamarkan")


def test_sheet_names_follow_excels_rules():
    taken = {"ringkasan"}
    long = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    first = sheet_title(long, taken)
    assert first == long[:31].rstrip() and len(first) <= 31
    second = sheet_title(long.upper(), taken)  # Excel compares sheet names without case
    assert second.endswith(" (2)") and len(second) <= 31
    assert sheet_title("UPT [Pasar]: Kraksaan/Paiton?*", taken) == "UPT  Pasar   Kraksaan Paiton"
    assert sheet_title("RINGKASAN", taken) == "RINGKASAN (2)"
    assert sheet_title("History", taken) == "History (2)"
    assert sheet_title("'''", taken) == "OPD"
    assert len(taken) == 7


def test_filters_narrow_the_rows_in_sql(site, tmp_path):
    ids = site.ids
    out = tmp_path / "disetujui.xlsx"
    result = run_export(site, "--format", "xlsx", "--status", "approved,entered", "--category", "infrastruktur",
                        "--category", "bansos", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Exporting 2 item(s)" in result.stderr
    _, rows = rows_by_id(openpyxl.load_workbook(out).active)
    assert sorted(rows) == sorted([ids["jalan"], ids["bansos"]])

    def exported(*args):
        return sorted(r["id"] for r in jsonl(run_export(site, "--format", "jsonl", *args)))

    assert exported("--kecamatan", "tiris,Paiton") == sorted([ids["jalan"], ids["hostile"]])  # any case
    # an OPD by id, short name or official name; the reviewer wrote "Dinas Sosial"
    assert exported("--opd", "dinsos") == [ids["bansos"]]
    assert exported("--opd", DINSOS, "--opd", "Dinas PUPR") == sorted([ids["jalan"], ids["bansos"]])
    assert exported("--source", "x-probolinggo") == [ids["tweet"]]
    # published 19 Nov 12:00 WIB and 20 Nov 09:15 WITA (08:15 WIB); --until includes its day
    assert exported("--since", "2026-11-19", "--until", "2026-11-20") == sorted([ids["tweet"], ids["jalan"]])
    assert exported("--category", "bansos", "--status", "new") == []


def test_csv_keeps_its_header_and_bom(site, tmp_path):
    out = tmp_path / "aduan.csv"
    assert run_export(site, "--format", "csv", "--category", "bansos", "--out", str(out)).returncode == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = next(reader)
    # new columns only at the end, in the order they came
    assert tuple(header) == CONTRACT_FIELDS + LAPOR_COLUMNS + ("Subkategori (LAPOR!)", "needs_check")
    (row,) = [dict(zip(header, values)) for values in reader]
    assert row["Tanggal Kejadian"] == "12/11/2026" and row["Instansi Tujuan"] == DINSOS
    assert row["is_complaint"] == "true" and row["Subkategori (LAPOR!)"] == "BANTUAN SOSIAL"


@pytest.mark.parametrize("args, words", [
    (["--format", "pdf"], ["--format 'pdf'", "jsonl, csv, xlsx, open311"]),
    (["--format", "xlsx"], ["--out FILE", "--out aduan.xlsx"]),
    (["--format", "csv", "--per-opd"], ["--per-opd", "--format xlsx"]),
    (["--status", "baru"], ["--status 'baru'", "approved"]),
    (["--category", "jalan"], ["--category 'jalan'", "infrastruktur"]),
    (["--category", "bansoss"], ["Did you mean 'bansos'?"]),
    (["--opd", "dinas jalan"], ["--opd 'dinas jalan'", "opd_routing.yaml", "pupr (Dinas PUPR)"]),
    (["--source", "koran-lain"], ["--source 'koran-lain'", "sources file"]),
    (["--since", "kemarin lusa dulu"], ["--since", "YYYY-MM-DD"]),
    (["--format", "open311", "--status", "new"], ["open311", "approved and entered", "--status approved"]),
])
def test_bad_options_say_what_to_type(site, args, words):
    result = CliRunner().invoke(app, ["export", "--db", site.url, *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, (word, message)
    assert result.stdout == ""


def test_an_unknown_kecamatan_warns_but_still_filters(site):
    result = CliRunner().invoke(app, ["export", "--db", site.url, "--kecamatan", "Kademangan"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Kademangan" in result.stderr and "not a kecamatan" in result.stderr
    assert result.stdout == ""


def test_an_export_gets_ordinary_file_permissions(tmp_path):
    # Written through a private temporary file, but colleagues must still be able to open it.
    from pantau.export.run import write_atomically

    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "baru.csv", lambda path: path.write_text("a\n") and 1)
    finally:
        os.umask(old)
    assert (tmp_path / "baru.csv").stat().st_mode & 0o777 == 0o644
    (tmp_path / "baru.csv").chmod(0o640)
    write_atomically(tmp_path / "baru.csv", lambda path: path.write_text("b\n") and 1)
    assert (tmp_path / "baru.csv").stat().st_mode & 0o777 == 0o640
