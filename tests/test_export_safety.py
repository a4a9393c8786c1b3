"""Exports are safe to hand out: personal data masked by default in every format (an admin may
export it unmasked, and that is audited), and no harvested text becomes a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest

from pantau.export.safety import MASKED_TYPES, _MAYBE_PII, mask_personal_data, safe_cell
from tests.exportutil import HOSTILE, NEAR_MISSES, PERSONAL, TWEET, jsonl, run_export, site  # noqa: F401

PLACEHOLDERS = ("[NIK]", "[NO. KK]", "[TELEPON]", "[EMAIL]")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def assert_masked(text: str) -> None:
    for value in PERSONAL.values():
        assert value not in text, value
    for value in (PERSONAL["nik"], PERSONAL["kk"], "081234567890", "6281234567891"):
        assert value not in _digits(text.replace("12345678901234567", "").replace("123456789012345", ""))
    for placeholder in PLACEHOLDERS:
        assert placeholder in text, placeholder
    for near_miss in NEAR_MISSES:
        assert near_miss in text, near_miss


def test_personal_data_is_masked_by_default_in_every_format(site, tmp_path):
    jalan = site.ids["jalan"]
    records = {r["id"]: r for r in jsonl(run_export(site, "--format", "jsonl"))}
    assert_masked(records[jalan]["text"])
    assert records[site.ids["bansos"]]["text"].startswith("Puluhan keluarga")  # nothing to mask: unchanged

    assert run_export(site, "--format", "csv", "--out", str(tmp_path / "a.csv")).returncode == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text("utf-8-sig")))}
    assert_masked(rows[str(jalan)]["text"])
    assert_masked(rows[str(jalan)]["Isi Laporan"])

    assert run_export(site, "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")).returncode == 0
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == jalan)
    assert_masked(row[header.index("text")])
    assert_masked(row[header.index("Isi Laporan")])

    result = run_export(site, "--format", "open311")
    assert result.returncode == 0, result.stderr
    request = next(r for r in json.loads(result.stdout) if r["service_request_id"] == str(jalan))
    assert_masked(request["description"])
    assert "personal data masked" in result.stderr


@pytest.mark.parametrize("user, words", [
    (None, ["--no-mask", "--user"]),
    ("rina", ["rina", "reviewer", "only an admin"]),
    ("vera", ["vera", "viewer"]),
    ("lama", ["lama", "deactivated"]),
    ("siapa", ["siapa", "not a Pantau user", "pantau user add"]),
])
def test_unmasked_export_is_refused_without_an_active_admin(site, tmp_path, user, words):
    out = tmp_path / "bocor.csv"
    result = run_export(site, "--format", "csv", "--no-mask", "--out", str(out), *(["--user", user] if user else []))
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert site.repo.audit_entries(action="export_unmasked") == []


def test_an_admin_may_export_unmasked_and_it_is_audited(site, tmp_path):
    out = tmp_path / "lengkap.xlsx"
    result = run_export(site, "--format", "xlsx", "--no-mask", "--user", "admin", "--status", "entered",
                        "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "NOT masked" in result.stderr
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [site.ids["jalan"]]
    text = rows[0][header.index("text")]
    for value in PERSONAL.values():
        assert value in text
    (entry,) = site.repo.audit_entries(action="export_unmasked")
    assert entry["username"] == "admin" and entry["target"] == "export:xlsx"
    assert entry["after"]["count"] == 1 and entry["after"]["complete"] is True
    assert entry["after"]["filters"] == {"--status": ["entered"]}
    assert entry["after"]["out"] == str(out)


# -- formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    '=HYPERLINK("http://evil.example","klik")', "@SUM(A1:A9)", "+1", "-2+3", "\t=1+2", "\r=1+2", "\n=1+2",
    "  =1+2", "\u00a0@SUM(1)", "\uff1d1+2", "=",
])
def test_formula_starts_are_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [
    "Jalan rusak di Tiris", "2026-11-20T09:15:00+07:00", "e-mail warga", "1+1 itu dua", "", "   ", "'=sudah aman",
    "https://kabar.example/?a=1",
])
def test_ordinary_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-2, -2.5, 0.91, True, None])
def test_numbers_and_booleans_are_not_text(value):
    assert safe_cell(value) is value


def test_csv_and_xlsx_never_carry_a_live_formula(site, tmp_path):
    hostile, tweet = str(site.ids["hostile"]), str(site.ids["tweet"])
    assert run_export(site, "--format", "csv", "--out", str(tmp_path / "a.csv")).returncode == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text("utf-8-sig")))}
    assert rows[hostile]["title"] == "'" + HOSTILE["title"]
    assert rows[hostile]["text"] == "'" + HOSTILE["text"]
    assert rows[hostile]["author"] == "'" + HOSTILE["author"]
    assert rows[hostile]["Judul Laporan"] == "'" + HOSTILE["title"]
    assert rows[hostile]["Isi Laporan"].startswith("'@SUM(1+1)")
    assert rows[tweet]["title"] == "'" + TWEET["title"]  # tab-prefixed
    assert rows[tweet]["text"] == "'" + TWEET["text"]
    assert rows[tweet]["author"] == "'@wargatongas"

    out = tmp_path / "a.xlsx"
    assert run_export(site, "--format", "xlsx", "--per-opd", "--out", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    seen = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.lstrip().startswith(("=", "+", "-", "@")), cell.value
                    seen[cell.value] = cell
    assert "'" + HOSTILE["title"] in seen and "'" + HOSTILE["author"] in seen
    assert "'" + TWEET["title"] in seen and "'" + TWEET["text"] in seen
    with zipfile.ZipFile(out) as archive:  # and no formula element anywhere in the file
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


# -- the detector -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("NIK saya 3513014107890002 mohon dibantu", "NIK saya [NIK] mohon dibantu"),
    ("KTP 3513012345670001 hilang", "KTP [NIK] hilang"),
    ("No. KK: 3513011203850001", "No. KK: [NO. KK]"),
    ("hubungi 0812-3456-7890 ya", "hubungi [TELEPON] ya"),
    ("wa +62 812 3456 7891", "wa [TELEPON]"),
    ("telp 081234567890.", "telp [TELEPON]."),
    ("kontak: Budi.Santoso@Example.co.id", "kontak: [EMAIL]"),
    ("hubungi nol delapan satu dua tiga empat lima enam tujuh delapan sembilan",
     "hubungi [TELEPON]"),
])
def test_personal_data_is_replaced_by_a_readable_placeholder(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", [
    *NEAR_MISSES, "tanggal 12/11/2026 pukul 08.30 - 12.00 WIB", "Rp 15.000.000,00", "15000000",
    "nomor 123456789012345", "kode 12345678901234567", "35.13.07.2008", "RT 003 RW 005", "tahun 2022 2023 2024",
    "@LAPOR1708 tolong", "#jalanrusak @pemkabprobolinggo", "Pak Bupati dan Camat Tiris", "NIP 198507122010011003",
    "", None,
])
def test_near_misses_stay_unmasked(text):
    assert mask_personal_data(text) == text


def test_the_cheap_gate_never_hides_personal_data():
    """Texts the gate lets through go to lokal; the ones it stops must hold nothing lokal finds.
    Checked on the whole shipped corpus, plus the kinds of writing the gate is built around."""
    import glob

    import lokal

    texts = []
    for path in glob.glob("classify/corpus/parts/*.jsonl"):
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line).get("text") or "" for line in handle if line.strip()]
    assert len(texts) > 1000
    stopped = [t for t in texts if not _MAYBE_PII.search(t)]
    assert stopped  # most news text has no long digit run or @
    assert [t for t in stopped if lokal.detect_pii(t, types=MASKED_TYPES)] == []
    for text in ("0812 3456 7890", "(0335) 841234", "+62-812-3456-7890", "NIK3513014107890002", "a@b.id",
                 "nol delapan satu dua tiga empat lima enam tujuh delapan", "3513 0141 0789 0002"):
        assert _MAYBE_PII.search(text), text


def _masked_whole(text: str) -> str:
    """What lokal masks when it reads the whole text at once (the reference for the shortcuts)."""
    import lokal

    from pantau.export.safety import PLACEHOLDERS

    parts, at = [], 0
    for match in lokal.detect_pii(text, types=MASKED_TYPES):
        parts += [text[at:match.start], PLACEHOLDERS[match.type]]
        at = match.end
    return "".join(parts) + text[at:]


def test_reading_windows_masks_what_reading_the_whole_text_masks():
    import glob
    import random

    texts = []
    for path in sorted(glob.glob("classify/corpus/parts/*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line).get("text") or "" for line in handle if line.strip()]
    pieces = [
        "NIK 3513014107890002", "No. KK: 3513011203850001", "KTP saya 3513012345670001", "hubungi 0812-3456-7890",
        "WA +62 812 3456 7891", "telp (0335) 841234", "email warga.tiris@gmail.com", "hp:0812.3456.7890",
        "nol delapan satu dua tiga empat lima enam tujuh delapan sembilan", "Rp 15.000.000", "12/11/2026",
        "tiket 123456789012345", "@pemkabprobolinggo", "NIK3513014107890002", "3513014107890002",
    ]
    rng = random.Random(6)
    sample = rng.sample(texts, 150)
    long_text = " ".join(sample[:40])  # a long article: candidates far apart and close together
    cases = [long_text, *sample[:20]]
    for text in sample:
        words = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(0, len(words)), rng.choice(pieces))
        cases.append(" ".join(words))
    for piece in pieces:
        cases += [piece, f"{piece}.", f"({piece})", f"{long_text[:500]} {piece} {long_text[500:900]}"]
    for text in cases:
        assert mask_personal_data(text) == _masked_whole(text), text[:200]
