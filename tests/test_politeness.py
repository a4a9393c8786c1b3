"""Politeness a site owner would notice: robots.txt rules and its Crawl-delay are honoured."""

from __future__ import annotations

import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl
SLUGS = ["jalan-rusak-di-krucil-belum-diperbaiki", "pasar-gending-becek-saat-hujan",
         "air-pdam-keruh-di-kraksaan"]


@pytest.fixture
def slow_please(tmp_path):
    root = tmp_path / "site"
    (root / "berita").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 1\nDisallow: /cari\n\n"
                                     "Sitemap: {{BASE}}/sitemap.xml\n", encoding="utf-8")
    urls = "".join(f"<url><loc>{{{{BASE}}}}/berita/{slug}</loc><lastmod>2026-11-2{i}T08:00:00+07:00</lastmod></url>"
                   for i, slug in enumerate(SLUGS))
    (root / "sitemap.xml").write_text(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                                      f'sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    (root / "index.html").write_text("<html><body><h1>Kabar</h1></body></html>", encoding="utf-8")
    for i, slug in enumerate(SLUGS):
        title = slug.replace("-", " ").capitalize()
        (root / "berita" / f"{slug}.html").write_text(
            f'<html><head><meta property="article:published_time" content="2026-11-2{i}T08:00:00+07:00">'
            f"<title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>Warga mengeluhkan {title.lower()} kepada pemerintah desa, paragraf {n}, dan meminta "
                      f"dinas terkait segera turun ke lapangan.</p>" for n in range(4))
            + "</article></body></html>", encoding="utf-8")
    with FixtureSite(root) as site:
        yield site


def test_crawl_delay_from_robots_spaces_the_requests(slow_please, tmp_path):
    # delay 0 asks for no throttling at all: the site's own Crawl-delay must still win
    write_sources_file(tmp_path / "sources.yaml", [{"name": "kabar", "url": slow_please.url + "/", "delay": 0}])
    env = crawl_env(tmp_path)
    result = run_pantau("crawl", "--since", "2026-10-01", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(export_records(env, tmp_path)) == len(SLUGS)
    times = sorted(record.at for record in slow_please.request_log if record.path.startswith("/berita/"))
    assert len(times) == len(SLUGS)
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= 0.9, gaps
