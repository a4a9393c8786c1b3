"""Listing pages whose teasers show no date: read a page's articles before paging further.

Many small portals list headlines only. The crawler cannot tell from such a page whether it has
reached older news, so it reads the page's articles first and goes to the next page only when
one of them is recent enough; a page of old articles ends the walk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl

PAGES = {  # listing page → [(id, slug, date text)]
    1: [(501, "jalan-desa-pakuniran-rusak-parah", "Jumat, 20 November 2026 08:00 WIB"),
        (502, "warga-leces-keluhkan-bau-sampah-tpa", "Kamis, 19 November 2026 14:30 WIB"),
        (503, "antrean-panjang-di-puskesmas-besuk", "Rabu, 18 November 2026 09:15 WIB")],
    2: [(401, "pompa-air-desa-wonomerto-mati", "Senin, 10 Agustus 2026 10:00 WIB"),
        (402, "jembatan-di-kotaanyar-retak", "Sabtu, 8 Agustus 2026 16:20 WIB"),
        (403, "lampu-jalan-tongas-padam-lagi", "Jumat, 7 Agustus 2026 19:05 WIB")],
    3: [(301, "sekolah-di-tiris-kekurangan-guru", "Selasa, 2 Juni 2026 07:30 WIB")],
}
TEXT = ("Warga setempat menyampaikan keluhan kepada pemerintah desa dan kecamatan, namun hingga kini "
        "belum ada tindak lanjut yang jelas dari dinas terkait di Kabupaten Probolinggo.")


def listing_name(page: int) -> str:
    return "index.html" if page == 1 else f"arsip__page={page}.html"


def build_site(root: Path) -> None:
    for page, articles in PAGES.items():
        links = "".join(f'<li><a href="/berita/{i}/{slug}">{slug.replace("-", " ").title()}</a></li>'
                        for i, slug, _ in articles)
        following = f'<a class="lanjut" href="/arsip?page={page + 1}">Selanjutnya</a>' if page + 1 in PAGES else ""
        (root / listing_name(page)).write_text(
            f"<html><body><h1>Kabar Pesisir</h1><ul>{links}</ul>{following}</body></html>", encoding="utf-8")
        for article_id, slug, date in articles:
            folder = root / "berita" / str(article_id)
            folder.mkdir(parents=True, exist_ok=True)
            title = slug.replace("-", " ").title()
            (folder / slug).write_text(
                f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f'<div class="tanggal">{date}</div><div class="isi"><p>{TEXT}</p><p>{TEXT} {title}.</p>'
                f"<p>Camat menyatakan akan menindaklanjuti laporan warga tentang {title.lower()} minggu ini.</p>"
                "</div></body></html>", encoding="utf-8")
            (folder / (slug + ".headers")).write_text('{"Content-Type": "text/html; charset=utf-8"}')


@pytest.fixture
def undated_portal(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    build_site(root)
    with FixtureSite(root) as site:
        yield site


def test_pagination_without_teaser_dates_stops_at_a_page_of_old_articles(undated_portal, tmp_path):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "pesisir", "url": undated_portal.url + "/", "delay": 0}])
    env = crawl_env(tmp_path)
    result = run_pantau("crawl", "--since", "2026-10-01", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stored = sorted(r["url"] for r in export_records(env, tmp_path))
    assert stored == sorted(f"{undated_portal.url}/berita/{i}/{slug}" for i, slug, _ in PAGES[1])
    requested = undated_portal.requests
    assert "/arsip?page=2" in requested  # page 1 had recent articles
    assert "/arsip?page=3" not in requested  # page 2 had only old ones
    assert not any(path.startswith("/berita/301/") for path in requested)

    undated_portal.clear_requests()
    again = run_pantau("crawl", "--since", "2026-10-01", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert not any(path.startswith("/berita/") for path in undated_portal.requests)  # old ones were remembered
    assert "/arsip?page=2" not in undated_portal.requests
