"""Pages a crawl fetched but did not store are counted by reason, shown, logged and not fetched again.

A real ``pantau crawl`` (Scrapy in a subprocess) of the hand-written site ``skips`` (see its
README): its feed and sitemap link two articles and five pages that must be skipped — two
listings, an empty page, a page with a headline and a date but only a line of text, and an
article published before ``--since``. A reviewer must be able to see why: the crawl summary and
``pantau runs`` say "5 halaman dilewati: daftar/indeks (2), ...", ``pantau runs --json`` carries
the numbers per reason, and the run's log names every skipped URL with its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.drop_reasons import reason_label
from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "skips" / "www"
SINCE = "2026-11-01"
ARTICLES = ("/berita/2026/11/20/saluran-irigasi-lumbang-jebol/", "/berita/2026/11/21/lampu-jalan-gading-padam/")
SKIPPED = {  # what the site's README promises: page -> reason
    "/pilihan/sepekan-di-lumbang/": "listing",
    "/pilihan/sepekan-di-sukapura/": "listing",
    "/berita/2026/11/24/segera-tayang/": "empty",
    "/berita/2026/11/23/jembatan-ranuagung-ditutup/": "no_text",
    "/berita/2026/09/15/panen-kentang-sukapura/": "too_old",
}
SUMMARY = ("5 halaman dilewati: daftar/indeks (2), kosong (1), teks terlalu pendek (1), "
           "terbit sebelum batas tanggal (1)")


@dataclass
class Crawled:
    site: FixtureSite
    first: object
    second: object
    first_requests: list[str]
    second_requests: list[str]
    runs: list[dict]  # `pantau runs --json`, newest first
    runs_table: str  # `pantau runs`
    records: list[dict]
    work: Path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    work = tmp_path_factory.mktemp("skipped")
    with FixtureSite(SITE) as site:
        write_sources_file(work / "sources.yaml", [{"name": "kabarlumbang", "url": site.url + "/", "delay": 0}])
        env = crawl_env(work)
        first = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
        first_requests = list(site.requests)
        site.clear_requests()
        second = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
        second_requests = list(site.requests)
        runs = run_pantau("runs", "--json", env=env, cwd=work)
        table = run_pantau("runs", env=env, cwd=work)
        assert runs.returncode == 0 and table.returncode == 0, runs.stderr + table.stderr
        yield Crawled(site, first, second, first_requests, second_requests, json.loads(runs.stdout),
                      table.stdout, export_records(env, work), work)


def test_only_the_articles_are_stored(crawled):
    assert crawled.first.returncode == 0, crawled.first.stderr
    assert sorted(r["url"] for r in crawled.records) == sorted(crawled.site.url + path for path in ARTICLES)
    assert {path for path in SKIPPED} <= {r.split("?")[0] for r in crawled.first_requests}, "a page was not fetched"


def test_runs_json_counts_the_skipped_pages_by_reason(crawled):
    second, first = crawled.runs[0], crawled.runs[1]
    expected = {}
    for reason in SKIPPED.values():
        expected[reason] = expected.get(reason, 0) + 1
    [source] = first["sources"]
    assert source["name"] == "kabarlumbang"
    assert (source["skipped"], source["skipped_reasons"]) == (len(SKIPPED), expected)
    assert (first["skipped"], first["skipped_reasons"]) == (len(SKIPPED), expected)
    # the keys scripts already read are still there, with the same meaning
    assert (first["status"], first["new"], source["new"], source["errors"]) == ("ok", len(ARTICLES), len(ARTICLES), 0)
    assert first["pages"] >= len(ARTICLES) + len(SKIPPED)
    # the second crawl fetches none of them again, so skips none
    assert (second["skipped"], second["sources"][0]["skipped"], second["skipped_reasons"]) == (0, 0, {})


def test_crawl_summary_and_runs_table_say_why_pages_were_skipped(crawled):
    assert f"kabarlumbang: {SUMMARY}" in crawled.first.stdout
    [header] = [line for line in crawled.first.stdout.splitlines() if "source" in line and "duplicates" in line]
    assert "skipped" in header  # a column of the summary table
    assert "halaman dilewati" not in crawled.second.stdout
    assert SUMMARY in crawled.runs_table


def test_every_skipped_page_is_logged_with_its_url_and_reason(crawled):
    run_id = crawled.runs[1]["id"]
    log = (crawled.work / "logs" / f"crawl-{run_id}.log").read_text(encoding="utf-8")
    for path, reason in SKIPPED.items():
        assert f"skipped ({reason}: {reason_label(reason)}): {crawled.site.url}{path}" in log, path
    for path in ARTICLES:
        assert f"{crawled.site.url}{path}" not in "".join(line for line in log.splitlines() if "skipped (" in line)


def test_skipped_pages_are_not_fetched_again(crawled):
    assert crawled.second.returncode == 0, crawled.second.stderr
    fetched = {r.split("?")[0] for r in crawled.second_requests}
    assert not fetched & set(SKIPPED), fetched & set(SKIPPED)
