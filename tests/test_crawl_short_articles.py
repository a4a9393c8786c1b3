"""Short articles a regional site links from its feed and its listing are all stored, with clean bodies.

A real ``pantau crawl`` (Scrapy in a subprocess) of the hand-written site ``shortnews`` (see its
README): its RSS feed links three articles and its "Indeks" page two more, each two or three
paragraphs with a headline and a date line but no JSON-LD, no ``og:type`` and no date meta, each
wrapped in the site's boilerplate ("Trending:", "Baca juga:", "Editor:", "Belum ada komentar").
Read alone, none of them is long enough to be called an article; linked by the site, every one
is a story and must reach the reviewers whole: lead sentence first, last sentence kept, none of
the site's lines in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from spiders.extract import read_article
from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "shortnews" / "www"
SINCE = "2026-11-01"
WIB = timezone(timedelta(hours=7))
FEED = {  # path -> (published, lead sentence, last sentence)
    "/berita/2026/12/07/jembatan-bambu-dringu-ambrol/": (
        datetime(2026, 12, 7, 10, 15, tzinfo=WIB),
        "DRINGU - Jembatan bambu di Dusun Krajan, Desa Kedungdalem, ambrol diterjang arus sungai yang meluap.",
        "Kepala desa berjanji membangun jembatan darurat pekan ini."),
    "/berita/2026/12/06/lorong-pasar-leces-becek/": (
        datetime(2026, 12, 6, 13, 20, tzinfo=WIB),
        "LECES, WartaPesisir - Lorong Pasar Leces becek dan licin setiap kali hujan turun sejak atap los pecah.",
        "Pedagang meminta pengelola pasar menambal lantai yang berlubang sebelum ada pembeli yang terjatuh."),
    "/berita/2026/12/05/air-pdam-tongas-keruh/": (
        datetime(2026, 12, 5, 8, 40, tzinfo=WIB),
        ("TONGAS - Air PDAM yang mengalir ke rumah warga Desa Tongas Wetan keruh dan berbau lumpur tiga hari "
        "berturut-turut."),
        "Petugas PDAM mengatakan pipa induk sedang dibersihkan."),
}
LISTING_ONLY = {
    "/berita/2026/12/03/lampu-jalan-paiton-padam/": (
        datetime(2026, 12, 3, 19, 5, tzinfo=WIB),
        "PAITON - Lampu penerangan jalan di sepanjang pesisir Desa Binor padam sejak bulan lalu.",
        "Perangkat desa sudah melaporkan kerusakan itu ke kecamatan."),
    "/berita/2026/12/02/sampah-pantai-sumberasih/": (
        datetime(2026, 12, 2, 7, 50, tzinfo=WIB),
        ("SUMBERASIH - Sampah plastik kiriman menumpuk di bibir pantai Desa Pesisir setelah angin barat bertiup "
        "kencang."),
        "Warga bersama pemuda desa menjadwalkan kerja bakti membersihkan pantai pada Minggu pagi."),
}
ARTICLES = {**FEED, **LISTING_ONLY}
# Lines every page carries around the story (the site's, not the story's).
BOILERPLATE = ["Trending", "Harga Cabai Rawit", "Baca juga", "Editor", "Reporter", "Belum ada komentar", "Diskusi",
               "Kirim", "Facebook", "WhatsApp", "Copyright", "©", "Warta Pesisir", "Desember 2026", "Indeks"]


@dataclass
class Crawled:
    site: FixtureSite
    result: object
    requests: list[str]
    records: dict[str, dict]  # path -> exported record
    run: dict  # `pantau runs --json`, this crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    work = tmp_path_factory.mktemp("short")
    with FixtureSite(SITE) as site:
        # only the URL, as an admin writes it: the feed and the listing are discovered
        write_sources_file(work / "sources.yaml", [{"name": "wartapesisir", "url": site.url + "/", "delay": 0}])
        env = crawl_env(work)
        result = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
        requests = list(site.requests)
        runs = run_pantau("runs", "--json", env=env, cwd=work)
        assert runs.returncode == 0, runs.stderr
        records = {record["url"].removeprefix(site.url): record for record in export_records(env, work)}
        yield Crawled(site, result, requests, records, json.loads(runs.stdout)[0])


def test_the_pages_are_short_articles_the_reader_alone_would_not_keep():
    # What makes this crawl a test of linked short articles: no page says it is an article.
    for path in ARTICLES:
        html = (SITE / path.strip("/") / "index.html").read_text(encoding="utf-8").replace("{{BASE}}", "http://127.0.0.1")
        page = read_article(html, "http://127.0.0.1" + path, now=datetime(2026, 12, 8, 9, 0, tzinfo=WIB))
        assert (page.is_article, page.not_article_reason) == (False, "no_article_signal"), path
        assert "ld+json" not in html and "og:type" not in html and "published_time" not in html


def test_every_article_from_the_feed_and_the_listing_is_stored(crawled):
    assert crawled.result.returncode == 0, crawled.result.stderr
    assert sorted(crawled.records) == sorted(ARTICLES)
    # the last two are linked from the "Indeks" page only: the listing walk found them
    fetched = [request.split("?")[0] for request in crawled.requests]
    assert "/feed.xml" in fetched and "/indeks/" in fetched
    for path in LISTING_ONLY:
        assert fetched.index("/indeks/") < fetched.index(path), path
    assert (crawled.run["new"], crawled.run["skipped"], crawled.run["skipped_reasons"]) == (len(ARTICLES), 0, {})


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_each_body_is_the_whole_story_and_nothing_else(crawled, path):
    published, lead, last = ARTICLES[path]
    record = crawled.records[path]
    assert record["text"].startswith(lead)
    assert record["text"].endswith(last)
    for line in BOILERPLATE:
        assert line not in record["text"], line
    assert datetime.fromisoformat(record["published_at"]) == published
    assert record["title"] and "Warta Pesisir" not in record["title"]
