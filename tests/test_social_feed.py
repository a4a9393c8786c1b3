"""Social media through feed bridges: ``kind: feed`` with ``social: true`` (spiders/social.py).

A small bridge site (``tests/fixtures/social/www``: an RSS 2.0 feed of a Facebook page, a paged
Atom feed of an Instagram account, a paged JSON Feed of a TikTok account, and five broken feeds)
is crawled twice by real ``pantau crawl`` processes. What is stored must be exactly the posts of
``tests/fixtures/social/expected.json`` — plain text, aware dates, classified, ``source_kind``
social — and no request may ever leave the bridge for facebook.com, instagram.com or tiktok.com.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pantau.config import Source
from spiders.social import FeedPostSpider, FeedPost, guess_platform, html_to_text, read_feed, title_from_text
from storage.repo import Repository
from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.sitesrv import FixtureSite

pytestmark = pytest.mark.crawl
SINCE = "2026-10-01"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "social"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
SOURCES = EXPECTED["sources"]
BROKEN = EXPECTED["broken"]


@dataclass
class Crawled:
    site: FixtureSite
    first: object
    second: object
    first_requests: list[str]
    second_requests: list[str]
    records: list[dict]
    runs: list[dict]  # `pantau runs --json`, newest first
    env: dict
    work: Path

    def expand(self, text: str) -> str:
        return text.replace("{{BASE}}", self.site.url)

    def log(self, run: int) -> str:
        return (self.work / "logs" / f"crawl-{run}.log").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bridge():
    with FixtureSite(FIXTURES / "www") as site:
        yield site


@pytest.fixture(scope="module")
def crawled(bridge, tmp_path_factory) -> Crawled:
    """Every good and broken feed in one sources file, crawled twice."""
    work = tmp_path_factory.mktemp("social")
    entries = [{"name": name, "kind": "feed", "social": True, "url": bridge.url + spec["feed"], "delay": 0}
               for name, spec in {**SOURCES, **BROKEN}.items()]
    write_sources_file(work / "sources.yaml", entries)
    env = crawl_env(work)
    env["PANTAU_LOG_LEVEL"] = "DEBUG"  # the log then names every request the crawler made
    bridge.clear_requests()
    first = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
    first_requests = bridge.requests
    bridge.clear_requests()
    second = run_pantau("crawl", "--since", SINCE, env=env, cwd=work)
    second_requests = bridge.requests
    runs = run_pantau("runs", "--json", env=env, cwd=work)
    assert runs.returncode == 0, runs.stderr
    return Crawled(bridge, first, second, first_requests, second_requests, export_records(env, work),
                   json.loads(runs.stdout), env, work)


def stored(crawled: Crawled, source: str) -> dict[str, dict]:
    records = [r for r in crawled.records if r["source"] == source]
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "a post was stored twice"
    return {r["url"]: r for r in records}


# -- what is stored ---------------------------------------------------------------------------

@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_feed_format_yields_exactly_its_posts(crawled, source):
    assert crawled.first.returncode == 0, crawled.first.stderr
    records = stored(crawled, source)
    wanted = {crawled.expand(post["url"]): post for post in SOURCES[source]["posts"]}
    assert sorted(records) == sorted(wanted)
    for url, post in wanted.items():
        record = records[url]
        assert record["source_kind"] == "social", url
        assert record["status"] == "new", url
        assert record["title"] == post["title"], url
        assert record["author"] == post["author"], url
        assert record["published_at"] == post["published_at"], url  # aware, in the bridge's offset
        for sentence in post["text_contains"]:
            assert sentence in record["text"], (url, sentence)
        for junk in post["text_excludes"]:
            assert junk not in record["text"], (url, junk)


def test_posts_are_plain_text_whatever_markup_the_bridge_sent(crawled):
    for record in crawled.records:
        for junk in ("<", ">", "script", "onerror", "onmouseover", "alert(", "document.cookie", "{color"):
            assert junk not in record["text"], (record["url"], junk)
            assert junk not in record["title"], (record["url"], junk)


def test_posts_are_classified(crawled):
    posts = {crawled.expand(p["url"]): p for spec in SOURCES.values() for p in spec["posts"]}
    for record in crawled.records:
        post = posts[record["url"]]
        assert record["model_version"], record["url"]
        assert record["is_complaint"] is post["is_complaint"], (record["url"], record["complaint_score"])
        for key in ("kecamatan", "desa"):
            if key in post:
                assert record[key] == post[key], (record["url"], key)


def test_old_posts_are_not_stored_but_remembered(crawled):
    repo = Repository(crawled.env["PANTAU_DB_URL"])
    try:
        for source, spec in SOURCES.items():
            known = repo.known_urls(source)
            for url in spec["old_posts"]:
                assert url not in stored(crawled, source)
                assert url in known, "an old post is remembered as seen, so later crawls skip it"
    finally:
        repo.engine.dispose()


# -- what is requested ------------------------------------------------------------------------

def test_no_request_ever_leaves_the_bridge(crawled):
    """The posts' links (facebook.com, instagram.com, tiktok.com) are never fetched."""
    for run in (1, 2):
        requested = re.findall(r"<(?:GET|HEAD|POST) (\S+?)>", crawled.log(run))
        assert requested, "the DEBUG log names every request"
        assert [url for url in requested if not url.startswith(crawled.site.url + "/")] == []
    pages = {page for spec in SOURCES.values() for page in spec["pages"]} | {spec["feed"] for spec in BROKEN.values()}
    assert set(crawled.first_requests) <= pages | {"/robots.txt"}


def test_atom_and_json_feed_paging_is_followed(crawled):
    for spec in SOURCES.values():
        for page in spec["pages"]:
            assert page in crawled.first_requests


def test_second_crawl_stores_nothing_and_stops_at_the_first_known_page(crawled):
    assert crawled.second.returncode == 0, crawled.second.stderr
    assert len(crawled.records) == sum(len(spec["posts"]) for spec in SOURCES.values())
    latest, earlier = crawled.runs[0], crawled.runs[1]
    assert earlier["new"] == len(crawled.records) and latest["new"] == 0
    assert latest["duplicates"] == 0, "known posts are skipped in the spider, not stored again"
    for spec in SOURCES.values():
        assert spec["pages"][0] in crawled.second_requests
        for later_page in spec["pages"][1:]:
            assert later_page not in crawled.second_requests


# -- broken feeds -----------------------------------------------------------------------------

def test_broken_feeds_are_reported_while_the_good_ones_succeed(crawled):
    run = crawled.runs[1]
    assert run["status"] == "partial"
    statuses = {s["name"]: s["status"] for s in run["sources"]}
    assert statuses == {**{name: "ok" for name in SOURCES}, **{name: "failed" for name in BROKEN}}
    repo = Repository(crawled.env["PANTAU_DB_URL"])
    try:
        errors = repo.errors_for_run(run["id"])
    finally:
        repo.engine.dispose()
    by_source = {}
    for error in errors:
        by_source.setdefault(error["source"], []).append(error)
    assert sorted(by_source) == sorted(BROKEN)
    for name, spec in BROKEN.items():
        (error,) = by_source[name]
        assert error["url"] == crawled.site.url + spec["feed"]
        assert error["kind"] == spec["kind"]
        assert error["status"] == spec.get("status", 200)
        assert spec["message"] in error["message"], error["message"]


# -- reading feeds, in process ----------------------------------------------------------------

def test_json_feed_1_0_reads_author_external_url_and_text():
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1", "title": "t", "author": {"name": "Warga Dringu"},
        "items": [{"id": 42, "external_url": "https://www.facebook.com/warga/posts/42",
                   "content_text": "Baris pertama.\nBaris kedua.", "date_published": "2026-11-20T02:15:00Z"},
                  {"id": "kosong"}],
    }).encode()
    page = read_feed(body, "http://bridge.test/feed.json")
    (post,) = page.posts  # an entry with neither title nor text is not a post
    assert (post.entry_id, post.link, post.author) == ("42", "https://www.facebook.com/warga/posts/42", "Warga Dringu")
    assert post.text == "Baris pertama.\nBaris kedua."
    assert post.published_at.isoformat() == "2026-11-20T02:15:00+00:00"
    assert page.next_url is None


def test_html_to_text_keeps_lines_and_drops_everything_else():
    html = ('<p>Jalan <b>rusak</b> &amp; berlubang<br>di Desa Ranuagung.</p><script>alert(1)</script>'
            '<img src=x onerror="alert(2)"><style>p{color:red}</style><!-- catatan --><ul><li>satu</li><li>dua</li></ul>')
    assert html_to_text(html) == "Jalan rusak & berlubang\ndi Desa Ranuagung.\n\nsatu\ndua"
    assert html_to_text("teks biasa\ntanpa markup") == "teks biasa\ntanpa markup"


def test_platform_is_guessed_from_the_link_then_the_bridge_url():
    assert guess_platform("https://m.facebook.com/story.php?id=1", "http://b/") == "facebook"
    assert guess_platform("https://vt.tiktok.com/ZS123/", "http://b/") == "tiktok"
    assert guess_platform(None, "http://rsshub.test/instagram/user/wargakraksaan") == "instagram"
    assert guess_platform("https://example.id/x", "http://b/feed.xml") is None


def test_a_long_first_line_becomes_a_short_title():
    title = title_from_text("Warga " * 40 + "\nbaris kedua")
    assert len(title) <= 122 and title.endswith(" …") and "baris" not in title


def test_posts_without_a_link_get_a_stable_address_and_next_pages_stay_on_the_bridge():
    spider = FeedPostSpider(source=Source(name="ig", kind="feed", url="http://bridge.test/ig.xml", social=True))
    spider.source, spider.max_pages = spider._source_arg, 10
    post = FeedPost(entry_id="urn:uuid:1", link=None, title="t", text="isi", author=None, published_at=None)
    assert spider._post_url(post) == "http://bridge.test/ig.xml#entry=urn%3Auuid%3A1"
    post.entry_id = None
    assert spider._post_url(post) == spider._post_url(post)
    assert list(spider._next_page("https://elsewhere.test/ig.xml?page=2", fresh=3)) == []
