"""A site the general rules cannot read is fixed with `selectors` in the sources file, not code.

The site below is an old Joomla-style portal: article links are `index.php?option=...&id=N`
(no slug, no date in the path), the headline is an `<h2>` and the date is a bare `dd/mm/yyyy`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl

ARTICLES = [
    (12, "Warga Sumberasih Keluhkan Banjir Rob yang Tak Kunjung Surut", "23/11/2026 08:10",
     "Air laut kembali menggenangi permukiman warga di pesisir Sumberasih sejak Senin pagi."),
    (13, "Pasokan Elpiji Tiga Kilogram di Kecamatan Gending Tersendat", "24/11/2026 13:45",
     "Sejumlah pangkalan di Gending kehabisan stok elpiji bersubsidi selama tiga hari berturut-turut."),
    (14, "Lampu Jalan di Jalur Lingkar Kraksaan Padam Sepekan", "25/11/2026 19:20",
     "Pengendara mengeluhkan gelapnya jalur lingkar utara Kraksaan pada malam hari."),
]
FILLER = ("Warga berharap pemerintah kabupaten segera turun tangan dan memberi kepastian kapan masalah ini "
          "selesai, karena aktivitas sehari-hari sangat terganggu dan keluhan sudah disampaikan berulang kali.")


def link(article_id: int) -> str:
    """The link as the site writes it."""
    return f"/index.php?option=com_content&view=article&id={article_id}"


def stored_url(article_id: int) -> str:
    """The canonical form Pantau stores: query parameters sorted, so one page has one URL."""
    return f"/index.php?id={article_id}&option=com_content&view=article"


def build_site(root: Path) -> None:
    items = "".join(f'<li><a href="{link(i)}">{t}</a></li>' for i, t, _, _ in ARTICLES)
    (root / "index.html").write_text(
        f'<html><head><title>Portal Pesisir</title></head><body><div id="menu"><a href="/">Beranda</a></div>'
        f'<ul class="daftar-berita">{items}</ul><div id="bawah">Hak cipta Portal Pesisir</div></body></html>',
        encoding="utf-8")
    for article_id, title, date, lead in ARTICLES:
        body = "".join(f"<p>{text}</p>" for text in (lead, FILLER, FILLER.replace("Warga", "Para warga")))
        page = (f'<html><head><title>Portal Pesisir</title></head><body><div id="menu"><a href="/">Beranda</a></div>'
                f'<div class="konten"><h2 class="judul">{title}</h2><div class="tgl">{date}</div>'
                f'<div class="isi">{body}</div></div><div id="bawah">Hak cipta Portal Pesisir</div></body></html>')
        name = f"index__id={article_id}&option=com_content&view=article.php"
        (root / name).write_text(page, encoding="utf-8")
        (root / (name + ".headers")).write_text('{"Content-Type": "text/html; charset=utf-8"}', encoding="utf-8")
    (root / "index.php").write_text("<html><body>Beranda</body></html>", encoding="utf-8")
    (root / "index.php.headers").write_text('{"Content-Type": "text/html; charset=utf-8"}', encoding="utf-8")


@pytest.fixture(scope="module")
def joomla(tmp_path_factory):
    root = tmp_path_factory.mktemp("joomla-site")
    build_site(root)
    with FixtureSite(root) as site:
        yield site


def crawl(site, work: Path, selectors: dict | None) -> list[dict]:
    entry = {"name": "pesisir", "url": site.url + "/", "delay": 0}
    if selectors:
        entry["selectors"] = selectors
    write_sources_file(work / "sources.yaml", [entry])
    env = crawl_env(work)
    result = run_pantau("crawl", "--since", "2026-10-01", env=env, cwd=work)
    assert result.returncode == 0, result.stderr
    return export_records(env, work)


def test_general_rules_find_nothing_on_this_site(joomla, tmp_path):
    assert crawl(joomla, tmp_path, None) == []


def test_selectors_make_the_site_readable(joomla, tmp_path):
    records = crawl(joomla, tmp_path, {"article_links": ".daftar-berita a", "title": "h2.judul",
                                       "published_at": ".tgl", "body": ".isi p"})
    got = {r["url"]: r for r in records}
    assert sorted(got) == sorted(joomla.url + stored_url(i) for i, _, _, _ in ARTICLES)
    for article_id, title, date, lead in ARTICLES:
        record = got[joomla.url + stored_url(article_id)]
        day, month_year_time = date.split("/", 1)
        assert record["title"] == title
        assert record["published_at"].startswith(f"2026-11-{day}T") and record["published_at"].endswith("+07:00")
        assert record["text"].startswith(lead)
        assert "Hak cipta" not in record["text"]
