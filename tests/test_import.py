"""`pantau import FILE`: posts staff collected by hand, as the office's staff would import them.

Each import is a real ``pantau import`` process on a real SQLite file; what was stored is read back
with ``pantau export``. A post is kept however short: the 80-character minimum is for news pages.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import openpyxl
import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau

pytestmark = pytest.mark.crawl  # pantau import runs the intake spider in a real pantau process
ROAD = ("Jalan di Desa Ranuagung Kecamatan Tiris rusak parah sejak tiga bulan, banyak lubang dan motor "
        "sering jatuh. Mohon segera diperbaiki")
WATER = ("Sudah dua minggu air PDAM di Kraksaan mati total, warga harus beli air galon untuk masak dan "
         "mandi setiap hari. Tolong ditindaklanjuti")
HOSTILE = ('=HYPERLINK("http://evil.example/","klik") lampu jalan di Desa Sumberanyar Kecamatan Paiton '
           "mati sudah seminggu, jalan gelap dan rawan begal")
WASTE = ("Sampah menumpuk di pasar Kraksaan tidak diangkut selama sepekan, baunya sampai ke rumah warga "
         "sekitar pasar dan banyak lalat")
KTP = ("Pelayanan KTP elektronik di Kecamatan Dringu sangat lambat, warga sudah antre sejak pagi tapi "
       "blangko habis lagi katanya")
SHORT = "PJU depan balai desa Sumberanyar mati, gelap"  # a WhatsApp forward is often one line
FERTILISER = ("Pupuk subsidi di Desa Jabung Wetan langka, petani harus membeli pupuk non subsidi dengan "
              "harga mahal sekali musim ini")


def import_file(path, env, *args):
    result = run_pantau("import", str(path), "--quiet", *args, env=env, cwd=path.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def by_text(records):
    return {record["text"]: record for record in records}


def test_csv_with_bom_and_semicolons_imports_once_and_defuses_formulas(tmp_path):
    env = crawl_env(tmp_path)
    path = tmp_path / "aduan-fb.csv"
    lines = [
        "Platform;Tautan;Akun;Isi;Tanggal",
        f"Facebook;https://www.facebook.com/groups/123/posts/456/?fbclid=abc;Budi Santoso;{ROAD};20/11/2025 14.30",
        f"WA;;Bu Siti;{WATER};20 November 2025 09.15",
        'instagram;https://www.instagram.com/p/Cxyz/;@wargapaiton;"{}";2025-11-21'.format(HOSTILE.replace('"', '""')),
    ]
    # As Excel in an Indonesian locale saves "CSV UTF-8": a BOM, ';' between cells, CRLF lines.
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")

    first = import_file(path, env)
    assert first.returncode == 0, first.stderr
    assert "Read 3 row(s)" in first.stdout and ": 3 new, 0 already present" in first.stdout
    records = by_text(export_records(env, tmp_path))
    assert set(records) == {ROAD, WATER, HOSTILE}

    road = records[ROAD]
    assert road["source"] == "import:facebook" and road["source_kind"] == "import"
    assert road["url"] == "https://www.facebook.com/groups/123/posts/456/"  # tracking parameter dropped
    assert road["author"] == "Budi Santoso"
    assert road["published_at"] == "2025-11-20T14:30:00+07:00"
    assert road["title"].startswith("Jalan di Desa Ranuagung")
    # classified like a crawled item
    assert road["is_complaint"] is True and road["category"] == "infrastruktur"
    assert road["kecamatan"] == "Tiris" and road["model_version"]

    water = records[WATER]
    assert water["source"] == "import:whatsapp"
    assert water["url"].startswith("urn:pantau:import:")  # a forward has no link of its own
    assert water["published_at"] == "2025-11-20T09:15:00+07:00"
    assert water["is_complaint"] is True and water["category"] == "air_bersih"
    assert records[HOSTILE]["published_at"] == "2025-11-21T00:00:00+07:00"

    again = import_file(path, env)
    assert again.returncode == 0, again.stderr
    assert ": 0 new, 3 already present" in again.stdout
    assert len(export_records(env, tmp_path)) == 3

    runs = run_pantau("runs", "--json", env=env, cwd=tmp_path)
    assert [run["trigger"] for run in json.loads(runs.stdout)] == ["import", "import"]

    # The formula a user pasted is stored as text, and the CSV export never lets it run.
    out = tmp_path / "export.csv"
    exported = run_pantau("export", "--format", "csv", "--out", str(out), env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = {row["url"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    hostile = rows["https://www.instagram.com/p/Cxyz/"]
    assert hostile["text"].startswith("'=HYPERLINK(") and hostile["title"].startswith("'=")
    assert hostile["author"] == "'@wargapaiton"


def test_xlsx_with_title_row_datetime_cells_and_text_dates(tmp_path):
    env = crawl_env(tmp_path)
    path = tmp_path / "aduan.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rekap aduan media sosial, November 2025"])  # a title above the header
    sheet.append([])
    sheet.append(["PLATFORM", "Link", "Penulis", "Teks", "Waktu", "Catatan"])
    sheet.append(["IG", "https://www.instagram.com/p/abc/?igsh=xyz", "@warga.kraksaan", WASTE,
                  datetime(2025, 11, 21, 19, 5), "dari komentar"])
    sheet.append(["TikTok", None, 6281234567890, KTP, "21 November 2025 08.00"])
    book.create_sheet("lain").append(["platform", "text", "date"])  # only the first sheet counts
    book.save(path)

    result = import_file(path, env)
    assert result.returncode == 0, result.stderr
    records = by_text(export_records(env, tmp_path))
    assert set(records) == {WASTE, KTP}
    assert records[WASTE]["source"] == "import:instagram"
    assert records[WASTE]["url"] == "https://www.instagram.com/p/abc/"
    assert records[WASTE]["published_at"] == "2025-11-21T19:05:00+07:00"  # a naive Excel time is WIB
    assert records[KTP]["source"] == "import:tiktok"
    assert records[KTP]["author"] == "[TELEPON]"  # a phone number: masked in every export
    from storage.repo import Repository

    stored = {r["text"]: r for r in Repository(env["PANTAU_DB_URL"]).iter_export_records()}
    assert stored[KTP]["author"] == "6281234567890"  # stored as typed in the number cell
    assert records[KTP]["published_at"] == "2025-11-21T08:00:00+07:00"
    assert records[KTP]["category"] == "kependudukan"


def test_json_list_and_json_lines(tmp_path):
    # Classified in a worker process, as large imports are: the spider must wait for the workers.
    env = crawl_env(tmp_path, workers=1)
    listing = tmp_path / "aduan.json"
    listing.write_text(json.dumps([
        {"Platform": "facebook", "isi": KTP, "tanggal": "2025-11-22T10:00:00+07:00", "akun": "Pak RT"},
        {},  # an empty object is skipped, not an error
        {"platform": "wa", "isi": SHORT, "tanggal": "2025-11-22"},
    ]), encoding="utf-8")
    lines = tmp_path / "aduan.jsonl"
    # two comments under one post: both are kept, told apart by their text
    lines.write_text("\n".join(json.dumps(item) for item in [
        {"platform": "X (Twitter)", "url": "https://x.com/warga/status/1", "text": FERTILISER, "date": "22/11/2025"},
        {"platform": "youtube", "url": "https://www.youtube.com/watch?v=abc", "text": ROAD, "date": "23/11/2025 07.00"},
        {"platform": "youtube", "url": "https://www.youtube.com/watch?v=abc", "text": WATER,
         "date": "23/11/2025 07.30"},
    ]) + "\n\n", encoding="utf-8")

    for path in (listing, lines):
        result = import_file(path, env)
        assert result.returncode == 0, result.stderr
    assert "Read 3 row(s)" in result.stdout
    records = by_text(export_records(env, tmp_path))
    assert set(records) == {KTP, SHORT, FERTILISER, ROAD, WATER}
    assert records[SHORT]["source"] == "import:whatsapp"
    assert records[KTP]["source"] == "import:facebook" and records[KTP]["author"] == "Pak RT"
    assert records[KTP]["published_at"] == "2025-11-22T10:00:00+07:00"
    assert records[FERTILISER]["source"] == "import:x"
    assert records[FERTILISER]["url"] == "https://x.com/warga/status/1"
    comments = [records[ROAD]["url"], records[WATER]["url"]]
    assert all(url.startswith("https://www.youtube.com/watch?v=abc#teks=") for url in comments)
    assert len(set(comments)) == 2

    again = import_file(lines, env)
    assert ": 0 new, 3 already present" in again.stdout
    assert len(export_records(env, tmp_path)) == 5


def test_every_bad_row_is_listed_with_its_row_and_nothing_is_stored(tmp_path):
    env = crawl_env(tmp_path)
    path = tmp_path / "aduan.csv"
    path.write_text(
        "platform,url,author,text,date\n"
        'facebook,,Budi,,20/11/2025\n'                          # 2: no text
        f'friendster,,Ani,"{ROAD}",kemarin\n'                    # 3: unknown platform, relative date
        f'instagram,www.ig.com/p/1,Cici,"{WATER}",31/02/2025\n'  # 4: no scheme, no such day
        "\n"                                                     # 5: blank, skipped
        f'whatsapp,,Dedi,"{KTP}\nbaris kedua",\n'                # 6: no date (a cell over two lines)
        f'tiktok,,Eka,"{WASTE}",20/11/2025\n',                   # 7: fine, yet not stored either
        encoding="utf-8")
    result = import_file(path, env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert lines == [
        f"{path}:2: the text is empty",
        f"{path}:3: 'friendster' is not a platform; use one of: facebook, instagram, whatsapp, tiktok, x, "
        "youtube, lainnya (or other)",
        f"{path}:3: 'kemarin' is not a fixed date; write the day it was posted, like 20/11/2026 14.30, "
        "20 November 2026 or 2026-11-20",
        f"{path}:4: 'www.ig.com/p/1' is not a web address; write it in full (https://...) or leave the url empty",
        f"{path}:4: '31/02/2025' is not a date; write it like 20/11/2026 14.30, 20 November 2026 or 2026-11-20",
        f"{path}:6: the date is empty",
    ]
    assert "4 row(s)" in result.stderr and "nothing was imported" in result.stderr
    assert not (tmp_path / "pantau.db").exists()  # checked before the database was touched

    jsonl = tmp_path / "aduan.jsonl"
    future = f"1 Januari {datetime.now().year + 2}"
    jsonl.write_text(json.dumps({"text": ROAD, "date": "20/11/2025"}) + "\n{broken\n[1, 2]\n"
                     + json.dumps({"text": WATER, "date": future}) + "\n", encoding="utf-8")
    result = import_file(jsonl, env)
    assert result.returncode == 2
    assert f"{jsonl}:2: not valid JSON" in result.stderr
    assert f"{jsonl}:3: not an object" in result.stderr
    assert f"{jsonl}:4: '{future}' is in the future" in result.stderr
    assert f"{jsonl}:1:" not in result.stderr

    book = openpyxl.Workbook()
    book.active.append(["Rekap"])
    book.active.append(["platform", "text", "date"])
    book.active.append(["facebook", ROAD, datetime(2025, 11, 20, 8, 0)])
    book.active.append(["facebook", WATER, 12.5])  # a number where a date belongs
    xlsx = tmp_path / "aduan.xlsx"
    book.save(xlsx)
    result = import_file(xlsx, env)
    assert result.returncode == 2
    assert f"{xlsx}:4: '12.5' is not a date" in result.stderr
    assert not (tmp_path / "pantau.db").exists()


@pytest.mark.parametrize("name, content, message", [
    ("kosong.csv", b"", "the file is empty"),
    ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls file"),
    ("gambar.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50, "not a CSV, XLSX or JSON file"),
    ("rusak.xlsx", b"this is no workbook", "not a valid XLSX file"),
    ("kolom.csv", b"platform,isi\nfacebook,halo\n", "no 'date' column (also accepted: tanggal"),
    ("judul.csv", "nama,alamat\nBudi,Tiris\n".encode(), "no header row with the columns"),
    ("header.csv", b"platform,text,date\n", "no rows to import"),
    ("rusak.json", b'[{"text": 1', "not valid JSON"),
])
def test_a_file_that_cannot_be_imported_says_why(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = import_file(path, crawl_env(tmp_path))
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split()), result.stderr
    assert not (tmp_path / "pantau.db").exists()


def test_missing_file_is_a_usage_error(tmp_path):
    result = import_file(tmp_path / "tidak-ada.csv", crawl_env(tmp_path))
    assert result.returncode == 2 and "file not found" in result.stderr


def test_post_repeating_a_stored_news_story_is_a_duplicate(tmp_path):
    from pipelines.dedupe import content_hash, signature, to_bytes
    from storage.db import upgrade
    from storage.repo import Repository

    env = crawl_env(tmp_path)
    upgrade(env["PANTAU_DB_URL"])
    repo = Repository(env["PANTAU_DB_URL"])
    story = (f"{ROAD} Warga sudah berkali-kali melapor ke pemerintah desa, namun belum ada tanggapan dari "
             "dinas terkait hingga kini.")
    news = repo.store_article({
        "source": "kabarbromo", "source_kind": "news", "url": "https://kabarbromo.example/jalan-rusak-tiris",
        "title": "Jalan Rusak di Ranuagung Dikeluhkan Warga", "text": story, "author": "Redaksi",
        "published_at": datetime(2025, 11, 19, 8, 0, tzinfo=timezone.utc),
        "harvested_at": datetime.now(timezone.utc), "content_hash": content_hash(story),
        "minhash": to_bytes(signature(story)), "raw": {},
    }).item_id
    repo.close()
    edited = story.replace("berkali-kali", "sering").replace("hingga kini", "sampai sekarang")
    path = tmp_path / "aduan.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "author", "text", "date"])
        writer.writerow(["whatsapp", "Pak Kades", story, "19/11/2025 10.00"])  # the story, forwarded as is
        writer.writerow(["facebook", "Ani", edited, "19/11/2025 12.00"])  # lightly edited
        writer.writerow(["facebook", "Budi", WATER, "19/11/2025 13.00"])
    result = import_file(path, env)
    assert result.returncode == 0, result.stderr
    assert ": 1 new, 1 already present, 1 stored as duplicates of an earlier story" in result.stdout
    records = export_records(env, tmp_path)
    assert [r["text"] for r in records].count(story) == 1  # the forward was not stored again
    copy = next(r for r in records if r["text"] == edited)
    assert copy["status"] == "duplicate" and copy["duplicate_of"] == news
    assert next(r for r in records if r["text"] == WATER)["status"] == "new"
