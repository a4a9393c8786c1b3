"""Why the normalize pipeline skips an item, and how the reasons read for staff.

``pipelines/normalize.py`` drops what is not to be stored with a reason code of
``pipelines/drop_reasons.py``; the crawl summary, ``pantau runs`` and the dashboard show those
codes with their Indonesian labels (the crawl itself: tests/test_crawl_skipped.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem

from pipelines.drop_reasons import (
    DROP_REASONS,
    ordered_reasons,
    reason_label,
    skipped_text,
)
from pipelines.normalize import (
    MIN_TEXT_CHARS,
    NormalizePipeline,
    NotAnArticle,
    OldArticle,
    Skipped,
)
from spiders.extract import NOT_ARTICLE_REASONS, read_article
from spiders.items import Article
from tests.factories import crawled_article

WIB = timezone(timedelta(hours=7))
SINCE = datetime(2026, 11, 1, tzinfo=WIB)


def skip_reason(item: Article, since: datetime | None = SINCE) -> str | None:
    try:
        NormalizePipeline().process_item(item, SimpleNamespace(since=since))
    except Skipped as exc:
        assert isinstance(exc, DropItem)  # Scrapy drops it and sends item_dropped
        assert exc.url == item.url and item.url in str(exc) and exc.reason in str(exc)
        return exc.reason
    return None


def test_an_article_passes():
    assert skip_reason(crawled_article()) is None


@pytest.mark.parametrize("reason", sorted(NOT_ARTICLE_REASONS))
def test_a_page_the_reader_rejects_is_skipped_with_the_readers_reason(reason):
    item = crawled_article(raw={"is_article": False, "not_article_reason": reason})
    assert skip_reason(item) == reason


def test_a_page_rejected_without_a_reason_counts_as_not_an_article():
    assert skip_reason(crawled_article(raw={"is_article": False})) == "no_article_signal"


@pytest.mark.parametrize("changes, reason", [
    ({"title": "  \u200b "}, "no_title"),
    ({"text": "Berita selengkapnya menyusul."}, "no_text"),
    ({"text": ""}, "no_text"),
    ({"published_at": datetime(2026, 10, 31, 23, 0, tzinfo=WIB)}, "too_old"),
])
def test_an_article_page_without_what_an_item_needs_says_what_is_missing(changes, reason):
    assert skip_reason(crawled_article(**changes)) == reason


def test_the_text_minimum_is_the_boundary_and_posts_need_only_some_text():
    assert skip_reason(crawled_article(text="a" * MIN_TEXT_CHARS)) is None
    assert skip_reason(crawled_article(text="a" * (MIN_TEXT_CHARS - 1))) == "no_text"
    assert skip_reason(crawled_article(text="jalan ambles di Tiris, tolong", source_kind="x", raw={})) is None


def test_no_since_means_nothing_is_too_old_and_an_undated_article_is_kept():
    old = crawled_article(published_at=datetime(2020, 1, 1, tzinfo=WIB))
    assert skip_reason(old, since=None) is None
    assert skip_reason(crawled_article(published_at=None)) is None


def test_the_drop_classes_carry_their_reason():
    assert OldArticle("https://x.example/a").reason == "too_old"
    assert NotAnArticle("listing", "https://x.example/indeks").reason == "listing"
    assert "daftar/indeks" in str(NotAnArticle("listing", "https://x.example/indeks"))


def test_what_the_reader_says_of_real_page_shapes_is_a_labelled_reason():
    listing = ("<html><head><title>Indeks Berita</title></head><body><h1>Indeks</h1><ul>"
               + "".join(f'<li><a href="/berita/{n}">Warga Tongas mengeluh jalan rusak bagian {n}</a></li>'
                         for n in range(12)) + "</ul></body></html>")
    for html, url in ((listing, "https://kabarlumbang.example/indeks/"), ("<html><body></body></html>",
                                                                        "https://kabarlumbang.example/kosong")):
        page = read_article(html, url)
        assert not page.is_article and page.not_article_reason in DROP_REASONS


def test_every_reason_the_reader_gives_has_an_indonesian_label():
    assert set(NOT_ARTICLE_REASONS) <= set(DROP_REASONS)
    assert {"no_title", "no_text", "too_old"} <= set(DROP_REASONS)
    labels = list(DROP_REASONS.values())
    assert len(set(labels)) == len(labels)  # two reasons never read the same
    assert reason_label("reason_added_later") == "reason_added_later"  # shown, never hidden


def test_the_breakdown_reads_most_first():
    reasons = {"too_old": 2, "listing": 10, "no_text": 2, "empty": 0}
    assert ordered_reasons(reasons) == [("listing", 10), ("no_text", 2), ("too_old", 2)]
    assert skipped_text(14, reasons) == ("14 halaman dilewati: daftar/indeks (10), teks terlalu pendek (2), "
                                         "terbit sebelum batas tanggal (2)")
    assert skipped_text(3, {}) == "3 halaman dilewati"
    assert skipped_text(0, {}) == ""
