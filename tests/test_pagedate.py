"""spiders/pagedate.py (with spiders/layout.py's headline): the instant a page was published.

The pages under tests/fixtures/pagedate/ imitate what Indonesian portals do to their dates (a
section name in the <h1> and the headline in an <h2>, a meta value with only the day or with
dashes in the time, WIB wall-clock time labelled "Z", a date line above the headline, an
"Diperbarui" line, WITA and WIT lines), with text written for these tests. Each page is read as
the spider reads it, at a fixed crawl time.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from spiders.dates import CLOCK_SLACK
from spiders.extract import read_article

FIXTURES = Path(__file__).parent / "fixtures" / "pagedate"
WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
WIT = timezone(timedelta(hours=9))
# The crawl runs on Tuesday 8 December 2026 at 09:00 in Probolinggo, the morning after the stories.
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=WIB)


def read(name: str, now: datetime = NOW):
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    return read_article(html, f"https://berita.example.id/2026/12/07/{name.replace('_', '-')}", now=now)


def test_the_date_by_the_headline_is_found_when_the_h1_is_the_section_name():
    page = read("section_h1")
    assert page.published_at == datetime(2026, 12, 7, 14, 5, tzinfo=WIB)
    # the headline element is the <h2> that shows the title, so the site's name leaves the title too
    assert page.title == "Jembatan Gantung di Sumberasih Kembali Dibuka untuk Pejalan Kaki"
    assert page.is_article


def test_the_headline_is_found_without_any_heading_element():
    page = read("wita_line")
    assert page.title == "Perantau Probolinggo di Makassar Gelar Halalbihalal"
    assert page.published_at is not None


@pytest.mark.parametrize(
    ("name", "published"),
    [
        # article:published_time gives the day only, another meta tag writes the time with dashes
        ("meta_day_only", datetime(2026, 12, 7, 14, 5, tzinfo=WIB)),
        # "2026-12-07 T08:00:00Z" is malformed; the page shows its date line above the headline
        ("date_above", datetime(2026, 12, 7, 7, 41, tzinfo=WIB)),
        # a naive JSON-LD time (read as WIB) contradicts the WITA line the newsroom wrote
        ("wita_line", datetime(2026, 12, 7, 15, 5, tzinfo=WITA)),
        ("wit_line", datetime(2026, 12, 7, 16, 5, tzinfo=WIT)),
        # a meta value a year ahead is a misreading: the line shown wins
        ("far_future_meta", datetime(2026, 12, 7, 14, 5, tzinfo=WIB)),
    ],
)
def test_a_well_formed_line_shown_by_the_headline_beats_a_poor_meta_value(name, published):
    page = read(name)
    assert page.published_at == published
    assert page.published_at.utcoffset() == published.utcoffset()  # the site's own zone is kept


def test_diperbarui_is_the_modified_time_when_a_published_line_is_shown():
    page = read("updated_line")
    assert page.published_at == datetime(2026, 12, 7, 8, 30, tzinfo=WIB)
    assert page.modified_at == datetime(2026, 12, 7, 14, 5, tzinfo=WIB)


def test_an_updated_line_alone_still_dates_the_page():
    page = read("updated_only")
    assert page.published_at == datetime(2026, 12, 7, 14, 5, tzinfo=WIB)
    assert page.modified_at == datetime(2026, 12, 7, 14, 5, tzinfo=WIB)


def test_a_well_formed_meta_value_stays_against_a_line_without_zone_or_a_relative_one():
    page = read("exact_meta_unzoned_line")
    assert page.published_at == datetime(2026, 12, 7, 9, 20, tzinfo=WIB)


def test_wib_time_labelled_utc_is_not_dated_after_the_crawl():
    crawl = datetime(2026, 12, 7, 15, 0, tzinfo=WIB)  # 14:05 "Z" would be 21:05 WIB, six hours ahead
    page = read("future_meta", now=crawl)
    assert page.published_at == datetime(2026, 12, 7, 14, 5, tzinfo=WIB)
    # crawled a day later, the same value is in the past and is taken as written
    assert read("future_meta").published_at == datetime(2026, 12, 7, 14, 5, tzinfo=timezone.utc)


def test_a_relative_byline_dates_the_page_but_a_relative_word_in_a_sentence_does_not():
    assert read("relative_byline").published_at == NOW - timedelta(hours=2)
    # "kemarin sore" in the lead tells when the tree fell, not when the story was published
    assert read("relative_in_prose").published_at is None


UNDATED = {"relative_in_prose"}


@pytest.mark.parametrize("name", sorted(path.stem for path in FIXTURES.glob("*.html")))
def test_every_date_is_aware_and_not_after_the_crawl(name):
    page = read(name)
    for value in (page.published_at, page.modified_at):
        if value is not None:
            assert value.tzinfo is not None and value.utcoffset() is not None
            assert value <= NOW + CLOCK_SLACK
    assert (page.published_at is None) == (name in UNDATED)
