"""One ingest path: ``pipelines.ingest`` runs the crawl's stages without Scrapy.

Items of every kind — a crawled news article, an X post, a feed-bridge post, a hand-imported row —
are made by the code that makes them in Pantau (the factories' crawled page, ``spiders.x.post_article``,
the feed spider's callback on our own JSON Feed, ``read_import`` on our own CSV) and go into a
real SQLite database with the shipped classifier. What they become must be what a crawl makes
of them: the same items run through the Scrapy item pipelines of ``ITEM_PIPELINES`` (built with
``from_crawler``, as a crawl builds them) store the same rows.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from datetime import datetime, timedelta
from types import SimpleNamespace

from scrapy.exceptions import DropItem
from scrapy.http import Request, TextResponse
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from pantau import settings as pantau_settings
from pipelines import STAGES
from pipelines.classify import PageClassifier, model_path
from pipelines.ingest import Ingest, ingest
from pipelines.stage import Stats
from spiders.intake import import_source, read_import
from spiders.x import post_article
from storage import upgrade
from storage.repo import Repository
from tests.factories import WIB, crawled_article
from tests.spiderutil import build_spider

NOW = datetime.now(WIB).replace(microsecond=0)
X_TEXT = ("PJU di depan Pasar Paiton mati sejak lima hari, malam jadi gelap gulita dan warga takut lewat. "
          "tolong dinas terkait dicek")
FEED_TEXT = ("Air PDAM di Desa Sumberkerang Kecamatan Gending tidak mengalir tiga hari, warga terpaksa "
             "menimba air sumur tetangga untuk mandi dan masak.")
# typed by hand: a zero-width space and doubled spaces, which normalising removes
IMPORT_TEXT = ("Sampah di TPS dekat alun-alun Kraksaan\u200b menumpuk  sejak sepekan dan baunya menyengat, "
               "mohon segera diangkut petugas.")
IMPORT_CLEAN = ("Sampah di TPS dekat alun-alun Kraksaan menumpuk sejak sepekan dan baunya menyengat, "
                "mohon segera diangkut petugas.")


def database(tmp_path, name: str = "pantau.db") -> str:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return url


def settings(url: str) -> dict:
    return {"PANTAU_DB_URL": url, "PANTAU_REGION": "35.13"}


def stored(url: str) -> dict[str, dict]:
    return {record["url"]: record for record in Repository(url).iter_export_records()}


def news_item(**changes):
    return crawled_article(**{"harvested_at": NOW, "published_at": NOW - timedelta(days=1), **changes})


def x_item():
    post = {"id": "1861234567890123456", "text": X_TEXT, "author_id": "42", "lang": "in",
            "created_at": (NOW - timedelta(hours=5)).astimezone().isoformat()}
    return post_article("x-probolinggo", post, {"42": {"username": "wargapaiton", "name": "Warga Paiton"}}, {})


def feed_items():
    """What the feed-bridge spider yields for our own JSON Feed of a Facebook page."""
    entry = {"name": "fb-gending", "kind": "feed", "social": True, "url": "http://127.0.0.1:9/fb-gending.json"}
    spider = build_spider(entry, since=(NOW - timedelta(days=30)).date().isoformat(), spider="social_feed")
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Info Gending", "items": [{
        "id": "post-1", "url": "https://www.facebook.com/infogending/posts/1001",
        "content_text": FEED_TEXT, "date_published": (NOW - timedelta(hours=3)).isoformat(),
        "authors": [{"name": "Info Gending"}]}]}
    url = spider.source.url
    response = TextResponse(url, body=json.dumps(feed).encode(), encoding="utf-8",
                            request=Request(url, meta={"pantau": "feed", "page": 1}))
    return [item for item in spider.parse_feed(response) if not isinstance(item, Request)]


def import_items(tmp_path, rows: list[tuple[str, str]]):
    """Rows of a CSV staff filled in, as ``pantau import`` reads them: (platform, text)."""
    path = tmp_path / "aduan.csv"
    day = (NOW - timedelta(days=2)).strftime("%d/%m/%Y %H.%M")
    lines = ["platform;isi;tanggal"] + [f"{platform};{text};{day}" for platform, text in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [post.to_article(import_source(post.platform).name, path.name) for post in read_import(path)]


def through_scrapy_pipelines(url: str, items, since: datetime | None = None) -> list[str]:
    """The items through ``ITEM_PIPELINES`` as a crawl with ``since`` runs them: each stage built
    with ``from_crawler`` from Pantau's settings, ``process_item`` in order (awaited when it is a
    coroutine), a ``DropItem`` ending the item. Returns "kept" or the drop reason of each."""
    values = {name: getattr(pantau_settings, name) for name in dir(pantau_settings)
              if name.isupper() and name != "REQUEST_FINGERPRINTER_IMPLEMENTATION"}
    values.update(PANTAU_DB_URL=url, PANTAU_EXTRACT_WORKERS=0, PANTAU_REGION="35.13")
    crawler = get_crawler(settings_dict=values)
    crawler.stats.open_spider(None)
    order = sorted(crawler.settings.getdict("ITEM_PIPELINES").items(), key=lambda pair: pair[1])
    assert [path for path, _ in order] == list(STAGES)  # the crawl runs the sequence ingest() runs
    stages = [load_object(path).from_crawler(crawler) for path, _ in order]
    spider = SimpleNamespace(since=since, run_id=None)
    for stage in stages:
        stage.open_spider(spider)
    what = []
    for item in items:
        try:
            for stage in stages:
                item = stage.process_item(item, spider)
                if inspect.iscoroutine(item):
                    item = asyncio.run(item)
            what.append("kept")
        except DropItem as exc:
            what.append(exc.reason)
    for stage in stages:
        stage.close_spider(spider)
    return what


def test_every_kind_of_item_is_normalised_classified_and_stored_as_a_crawl_stores_it(tmp_path):
    def items():  # built afresh for each run: the stages change the items they get
        return [news_item(), x_item(), *feed_items(), *import_items(tmp_path, [("Facebook", IMPORT_TEXT)])]

    assert [item.source_kind for item in items()] == ["news", "x", "social", "import"]

    plain = database(tmp_path, "plain.db")
    outcomes = ingest(items(), settings(plain))
    assert [o.status for o in outcomes] == ["new"] * 4
    records = stored(plain)
    assert [records[o.url]["source_kind"] for o in outcomes] == ["news", "x", "social", "import"]
    assert all(o.item_id == records[o.url]["id"] for o in outcomes)

    imported = records[outcomes[3].url]
    assert imported["text"] == IMPORT_CLEAN and imported["source"] == "import:facebook"
    feed = records[outcomes[2].url]
    assert feed["url"] == "https://www.facebook.com/infogending/posts/1001" and feed["text"] == FEED_TEXT
    assert records[outcomes[1].url]["url"] == "https://x.com/wargapaiton/status/1861234567890123456"

    # classified as the crawl's page reader classifies the page (same model, same region)
    reader = PageClassifier(str(model_path()), "35.13")
    for item in items():
        verdict, record = reader(item.title, item.text), records[item.url]
        assert record["model_version"] and record["is_complaint"] is True
        assert (record["category"], record["kecamatan"]) == (verdict["category"], verdict["kecamatan"])

    # and the Scrapy item pipelines store exactly the same rows
    crawled = database(tmp_path, "crawled.db")
    assert through_scrapy_pipelines(crawled, items()) == ["kept"] * 4
    fields = ("source", "source_kind", "title", "text", "author", "published_at", "status", "category",
              "kecamatan", "desa", "is_complaint", "in_jurisdiction", "opd")
    again = stored(crawled)
    assert set(again) == set(records)
    for url, record in records.items():
        assert {f: again[url][f] for f in fields} == {f: record[f] for f in fields}, url


def test_the_same_text_is_stored_once_whether_crawled_or_imported(tmp_path):
    url = database(tmp_path)
    news = news_item()
    body = news.text
    edited = body.replace("terpaksa memutar", "harus memutar").replace("untuk berangkat", "saat berangkat")
    rows = [("WhatsApp", body), ("Facebook", edited)]  # forwarded as is; lightly edited

    stats = Stats()
    with Ingest(settings(url), stats=stats) as run:
        first = run.process(news)
        forwarded, copy = (run.process(item) for item in import_items(tmp_path, rows))
        again = run.process(news_item())  # the same page crawled again

    assert first.status == "new"
    assert (forwarded.status, forwarded.reason, forwarded.item_id) == ("duplicate", "same_content", first.item_id)
    assert copy.status == "near_duplicate" and copy.duplicate_of == first.item_id
    assert (again.status, again.reason) == ("duplicate", "same_url")
    records = stored(url)
    assert [r["text"] for r in records.values()].count(body) == 1
    assert records[copy.url]["status"] == "duplicate"
    # the crawl's counters: what `pantau runs` and the import summary show
    assert (stats.get_value("pantau/new"), stats.get_value("pantau/duplicates"),
            stats.get_value("pantau/new_near_duplicates")) == (1, 3, 1)
    # a row not stored again is remembered, so the next crawl or import skips it
    assert forwarded.url in Repository(url).known_urls("import:whatsapp")


def test_drops_have_the_crawls_reasons_counters_and_seen_marks(tmp_path):
    url = database(tmp_path)
    listing = news_item(url="https://kabarlumbang.example/kanal/tiris",
                        raw={"is_article": False, "not_article_reason": "listing"})
    short = news_item(url="https://kabarlumbang.example/berita/singkat", text="Jembatan miring di Ranuagung.")
    old = news_item(url="https://kabarlumbang.example/berita/lama", published_at=NOW - timedelta(days=90))
    untitled = news_item(url="https://kabarlumbang.example/berita/tanpa-judul", title="  \u200b ")
    one_line = import_items(tmp_path, [("WA", "PJU depan balai desa Sumberanyar mati, gelap")])

    stats = Stats()
    outcomes = ingest([listing, short, old, untitled, *one_line], settings(url), since=NOW - timedelta(days=30),
                      stats=stats)
    assert [(o.status, o.reason) for o in outcomes] == [
        ("skipped", "listing"), ("skipped", "no_text"), ("skipped", "too_old"), ("skipped", "no_title"),
        ("new", "new"),  # a post is kept however short: the minimum is for news pages
    ]
    assert stats.get_value("pantau/skipped") == 4
    assert {key: value for key, value in stats.get_stats().items() if key.startswith("pantau/skipped/")} == {
        "pantau/skipped/listing": 1, "pantau/skipped/no_text": 1, "pantau/skipped/too_old": 1,
        "pantau/skipped/no_title": 1}
    # skipped on purpose: remembered as seen (with its reason), never fetched again, not stored
    assert {listing.url, short.url, old.url, untitled.url} <= Repository(url).known_urls("kabarlumbang")
    assert set(stored(url)) == {one_line[0].url}

    # the crawl drops the same items for the same reasons
    again = [news_item(url=item.url, raw=item.raw, text=item.text, published_at=item.published_at, title=item.title)
             for item in (listing, short, old, untitled)]
    assert through_scrapy_pipelines(database(tmp_path, "crawled.db"), again, NOW - timedelta(days=30)) == [
        "listing", "no_text", "too_old", "no_title"]


def test_a_failing_stage_loses_only_its_item(tmp_path, monkeypatch):
    url = database(tmp_path)
    good, bad = news_item(), news_item(url="https://kabarlumbang.example/berita/rusak", text=X_TEXT * 2)
    with Ingest(settings(url)) as run:
        cluster = next(stage for stage in run.stages if type(stage).__name__ == "ClusterPipeline")
        real = cluster.process

        def broken(item, context):
            if item.url == bad.url:
                raise RuntimeError("a bug in a stage")
            return real(item, context)

        monkeypatch.setattr(cluster, "process", broken)
        outcomes = [run.process(item) for item in (bad, good)]
    assert [o.status for o in outcomes] == ["error", "new"]
    assert "RuntimeError" in outcomes[0].reason
    assert set(stored(url)) == {good.url}
    assert run.stats.get_value("pantau/errors") == 1


def test_classification_off_stores_items_unclassified(tmp_path):
    url = database(tmp_path)
    (outcome,) = ingest([x_item()], {**settings(url), "PANTAU_CLASSIFY": False})
    assert outcome.status == "new"
    assert stored(url)[outcome.url]["model_version"] is None
