"""A site the general rules cannot read is fixed with `selectors` in the sources file, not code.

The site below is an old Joomla-style portal: article links are `index.php?option=...&id=N`
(no slug, no date in the path), the headline is an `<h2>` and the date is a bare `dd/mm/yyyy`.
The news spider and the normalize pipeline run in-process against the site on 127.0.0.1
(tests/spiderutil.py): what they keep is what a crawl stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitesrv import FixtureSite
from tests.spiderutil import crawl_site

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


def crawl(site, selectors: dict | None):
    entry = {"name": "pesisir", "url": site.url + "/", "delay": 0}
    if selectors:
        entry["selectors"] = selectors
    run = crawl_site(entry, since="2026-10-01")
    assert run.errors == []
    return run


def test_general_rules_find_nothing_on_this_site(joomla):
    run = crawl(joomla, None)
    assert run.articles == [] and run.skipped == {}
    # it did read the site: the links were taken for listing pages, not articles
    assert {joomla.url + stored_url(i) for i, _, _, _ in ARTICLES} <= set(run.fetched)


def test_selectors_make_the_site_readable(joomla):
    got = crawl(joomla, {"article_links": ".daftar-berita a", "title": "h2.judul",
                         "published_at": ".tgl", "body": ".isi p"}).by_url()
    assert sorted(got) == sorted(joomla.url + stored_url(i) for i, _, _, _ in ARTICLES)
    for article_id, title, date, lead in ARTICLES:
        item = got[joomla.url + stored_url(article_id)]
        day, month_year_time = date.split("/", 1)
        assert item.title == title
        published = item.published_at.isoformat()
        assert published.startswith(f"2026-11-{day}T") and published.endswith("+07:00")
        assert item.text.startswith(lead)
        assert "Hak cipta" not in item.text
