"""End-to-end crawls: real ``pantau crawl`` processes against fixture sites on 127.0.0.1.

Each scenario crawls twice into a real SQLite database and exports what was stored, asserting
what a Diskominfo admin would see: exactly these articles with these titles, times, authors and
clean body text; nothing older than ``--since``; and a second crawl that requests none of the
article pages again. The key scenarios — a full crawl, a second crawl fetching nothing, a story
syndicated across two sources — run on PostgreSQL too, as production does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawlutil import closed_port, crawl_env, export_records, run_pantau, write_sources_file
from tests.plugins.db import BACKENDS, fresh_database

pytestmark = pytest.mark.crawl
SINCE = "2026-10-01"


@dataclass
class Crawled:
    site: object
    first: object
    second: object
    first_requests: list[str]
    second_requests: list[str]
    records: list[dict]
    env: dict
    work: Path


def crawl_twice(site, tmp_path_factory, entries: list[dict], label: str, db_url: str | None = None,
                workers: int = 0, **scrapy_settings) -> Crawled:
    work = tmp_path_factory.mktemp(label)
    write_sources_file(work / "sources.yaml", entries)
    env = crawl_env(work, db_url=db_url, workers=workers, **scrapy_settings)
    site.clear_requests()
    first = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
    first_requests = list(site.requests)
    site.clear_requests()
    second = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
    second_requests = list(site.requests)
    return Crawled(site, first, second, first_requests, second_requests, export_records(env, work), env, work)


def by_url(records: list[dict]) -> dict[str, dict]:
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "an article was stored twice"
    return {r["url"]: r for r in records}


def assert_articles(crawled: Crawled, source: str) -> None:
    expected = crawled.site.expected["sources"][source]
    base = crawled.site.url
    stored = by_url([r for r in crawled.records if r["source"] == source])
    wanted = {base + a["url_path"]: a for a in expected["articles"]}
    assert sorted(stored) == sorted(wanted)
    for url, article in wanted.items():
        record = stored[url]
        assert record["title"] == article["title"], url
        assert record["published_at"] == article["published_at"], url
        if article.get("author"):
            assert record["author"] == article["author"], url
        for sentence in article["text_contains"]:
            assert sentence in record["text"], (url, sentence)
        for junk in article["text_excludes"]:
            assert junk not in record["text"], (url, junk)
        assert record["source_kind"] == "news"
        assert record["status"] in ("new", "duplicate")
    for old in expected.get("old_articles", []):
        assert base + old not in stored


def article_paths(crawled: Crawled, source: str) -> set[str]:
    expected = crawled.site.expected["sources"][source]
    return {a["url_path"] for a in expected["articles"]} | set(expected.get("old_articles", []))


def requested_paths(requests: list[str]) -> set[str]:
    return {r.split("?")[0] for r in requests}


# -- a WordPress-like site: feed, sitemaps, WordPress API, JSON-LD -----------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def wp_crawl(request, wpsite, tmp_path_factory):
    """The WordPress site crawled twice, into SQLite and into PostgreSQL; on SQLite the pages are
    read in page-reader processes, as in production (the other crawl tests read them in-process)."""
    folder = tmp_path_factory.mktemp(f"wp-{request.param}-db")
    with fresh_database(request, request.param, folder) as db_url:
        yield crawl_twice(wpsite, tmp_path_factory, [{"name": "kabarbromo", "url": wpsite.url + "/", "delay": 0}],
                          f"wp-{request.param}", db_url=db_url, workers=2 if request.param == "sqlite" else 0)


def test_wordpress_site_yields_exactly_its_recent_articles(wp_crawl):
    assert wp_crawl.first.returncode == 0, wp_crawl.first.stderr
    assert_articles(wp_crawl, "kabarbromo")


def test_wordpress_second_crawl_fetches_no_article_again(wp_crawl):
    assert wp_crawl.second.returncode == 0, wp_crawl.second.stderr
    fetched_again = requested_paths(wp_crawl.second_requests) & article_paths(wp_crawl, "kabarbromo")
    assert fetched_again == set()
    assert len(wp_crawl.records) == len(wp_crawl.site.expected["sources"]["kabarbromo"]["articles"])


def test_wordpress_old_articles_are_never_fetched(wp_crawl):
    expected = wp_crawl.site.expected["sources"]["kabarbromo"]
    assert requested_paths(wp_crawl.first_requests) & set(expected.get("old_articles", [])) == set()
    for path in expected.get("never_requested", []):
        assert path not in requested_paths(wp_crawl.first_requests)


def test_crawl_summary_and_runs_report_the_counts(wp_crawl):
    n = len(wp_crawl.site.expected["sources"]["kabarbromo"]["articles"])
    assert "kabarbromo" in wp_crawl.first.stdout
    runs = run_pantau("runs", "--json", env=wp_crawl.env, cwd=wp_crawl.work)
    assert runs.returncode == 0, runs.stderr
    recent = json.loads(runs.stdout)
    assert [r["status"] for r in recent[:2]] == ["ok", "ok"]
    latest, earlier = recent[0], recent[1]
    assert earlier["new"] == n and latest["new"] == 0
    assert earlier["sources"][0]["name"] == "kabarbromo"


# -- a portal: no feed, no sitemap, paginated listings with Indonesian date text ----------------

@pytest.fixture(scope="module")
def portal_crawl(portal, tmp_path_factory):
    return crawl_twice(portal, tmp_path_factory, [{"name": "suarapantura", "url": portal.url + "/", "delay": 0}],
                       "portal")


def test_portal_yields_articles_with_indonesian_dates(portal_crawl):
    assert portal_crawl.first.returncode == 0, portal_crawl.first.stderr
    assert_articles(portal_crawl, "suarapantura")


def test_portal_pagination_stops_at_older_articles(portal_crawl):
    expected = portal_crawl.site.expected["sources"]["suarapantura"]
    for path in expected.get("never_requested", []):
        assert path not in portal_crawl.first_requests, path


def test_portal_second_crawl_fetches_no_article_and_stops_at_first_listing(portal_crawl):
    assert portal_crawl.second.returncode == 0, portal_crawl.second.stderr
    again = requested_paths(portal_crawl.second_requests) & article_paths(portal_crawl, "suarapantura")
    assert again == set()
    assert not any("page=2" in r for r in portal_crawl.second_requests)


# -- two sources sharing one host under path prefixes ------------------------------------------

@pytest.fixture(scope="module")
def shared_crawl(shared_site, tmp_path_factory):
    sources = shared_site.expected["sources"]
    entries = [{"name": name, "url": shared_site.url + spec["url_path"], "delay": 0} for name, spec in sources.items()]
    return crawl_twice(shared_site, tmp_path_factory, entries, "shared")


def test_sources_sharing_a_host_keep_to_their_path_prefix(shared_crawl):
    assert shared_crawl.first.returncode == 0, shared_crawl.first.stderr
    for name in shared_crawl.site.expected["sources"]:
        assert_articles(shared_crawl, name)
    again = set()
    for name in shared_crawl.site.expected["sources"]:
        again |= requested_paths(shared_crawl.second_requests) & article_paths(shared_crawl, name)
    assert again == set()


# -- bad input: errors are recorded against URL and source, the run goes on ---------------------

@pytest.fixture(scope="module")
def errors_crawl(errors_site, tmp_path_factory):
    entries = [{"name": "rusak", "url": errors_site.url + "/", "delay": 0},
               {"name": "mati", "url": f"http://127.0.0.1:{closed_port()}/", "delay": 0}]
    return crawl_twice(errors_site, tmp_path_factory, entries, "errors",
                       DOWNLOAD_TIMEOUT=2, DOWNLOAD_MAXSIZE=1024 * 1024)


def test_bad_pages_are_recorded_and_good_ones_stored(errors_crawl):
    result = errors_crawl.first
    assert result.returncode == 0, result.stderr  # one source failed, the other did not
    assert_articles(errors_crawl, "rusak")
    runs = json.loads(run_pantau("runs", "--json", env=errors_crawl.env, cwd=errors_crawl.work).stdout)
    first_run = runs[-1]
    assert first_run["status"] == "partial"
    by_source = {s["name"]: s for s in first_run["sources"]}
    assert by_source["mati"]["status"] == "failed"
    assert by_source["rusak"]["errors"] >= len(errors_crawl.site.expected["sources"]["rusak"]["errors"])


def test_each_bad_url_is_recorded_with_its_kind(errors_crawl):
    from storage.repo import Repository

    repo = Repository(errors_crawl.env["PANTAU_DB_URL"])
    first_run_id = min(r["id"] for r in repo.recent_runs(10))
    recorded = {(e["url"], e["kind"]) for e in repo.errors_for_run(first_run_id)}
    base = errors_crawl.site.url
    for error in errors_crawl.site.expected["sources"]["rusak"]["errors"]:
        assert (base + error["url_path"], error["kind"]) in recorded, (error, recorded)
    assert any(source == "mati" for source in
               {e["source"] for e in repo.errors_for_run(first_run_id)})


def test_robots_disallowed_pages_are_never_fetched(errors_crawl):
    for path in errors_crawl.site.expected["sources"]["rusak"].get("never_requested", []):
        assert path not in requested_paths(errors_crawl.first_requests + errors_crawl.second_requests)


def test_errors_do_not_duplicate_on_the_second_crawl(errors_crawl):
    assert errors_crawl.second.returncode == 0, errors_crawl.second.stderr
    by_url(errors_crawl.records)
    assert len([r for r in errors_crawl.records if r["source"] == "rusak"]) == len(
        errors_crawl.site.expected["sources"]["rusak"]["articles"])


def test_every_source_failing_exits_1(tmp_path):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "mati", "url": f"http://127.0.0.1:{closed_port()}/"}])
    result = run_pantau("crawl", env=crawl_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "mati" in result.stdout + result.stderr


# -- the same story on two outlets: stored once each, linked as one cluster ---------------------

def test_syndicated_story_is_linked_to_the_first_copy(wpsite, portal, tmp_path, db_url):
    write_sources_file(tmp_path / "sources.yaml", [
        {"name": "kabarbromo", "url": wpsite.url + "/", "delay": 0},
        {"name": "suarapantura", "url": portal.url + "/", "delay": 0},
    ])
    env = crawl_env(tmp_path, db_url=db_url)
    result = run_pantau("crawl", "--since", SINCE, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = by_url(export_records(env, tmp_path))
    pairs = []
    for article in portal.expected["sources"]["suarapantura"]["articles"]:
        if article.get("near_duplicate_of"):
            source, path = article["near_duplicate_of"].split(" ")
            assert source == "kabarbromo"
            pairs.append((records[portal.url + article["url_path"]], records[wpsite.url + path]))
    assert pairs, "the fixture must contain a syndicated story"
    for one, other in pairs:
        first, copy = sorted((one, other), key=lambda r: r["id"])
        assert copy["status"] == "duplicate" and copy["duplicate_of"] == first["id"]
        assert first["status"] == "new" and first["duplicate_of"] is None
        assert copy["cluster_id"] is not None and copy["cluster_id"] == first["cluster_id"]
    linked = {r["url"] for pair in pairs for r in pair}
    others = [r for r in records.values() if r["url"] not in linked]
    assert all(r["status"] == "new" and r["cluster_id"] is None for r in others)


def test_crawler_identifies_itself_politely(wp_crawl):
    agents = {record.headers.get("User-Agent", "") for record in wp_crawl.site.request_log}
    assert agents and all(agent.startswith("PantauBot/") and "+http" in agent for agent in agents)


@pytest.mark.parametrize("path, kind", [("/feed/", "auto"), ("/feed/", "rss"), ("/sitemap_index.xml", "auto"),
                                        ("/sitemap_index.xml", "sitemap")])
def test_a_feed_or_sitemap_url_works_as_the_source_url(wpsite, tmp_path, path, kind):
    """Admins paste whatever URL they have: a feed or a sitemap is read as one, scoped to its folder."""
    write_sources_file(tmp_path / "sources.yaml", [{"name": "kabarbromo", "url": wpsite.url + path, "kind": kind,
                                                    "delay": 0}])
    env = crawl_env(tmp_path)
    result = run_pantau("crawl", "--since", SINCE, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stored = {r["url"] for r in export_records(env, tmp_path)}
    expected = {wpsite.url + a["url_path"] for a in wpsite.expected["sources"]["kabarbromo"]["articles"]}
    assert stored <= expected
    # `kind: rss` reads only the feed (its newest five); otherwise the site's sitemaps list them all
    assert len(stored) == (5 if kind == "rss" else len(expected))
