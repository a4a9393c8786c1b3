"""Normalize and validate harvested items (the first pipeline stage).

Text becomes Unicode NFC with tidy whitespace; datetimes become timezone-aware (a naive time is
taken as WIB, the local time of the sites Pantau reads). Items that are not articles, have
no title or body, or are older than the crawl's ``since`` are dropped here — spiders never drop
items — each with a reason code (:mod:`pipelines.drop_reasons`) that is logged with its URL and
counted per source; the crawl-state extension remembers them so they are not fetched again.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from scrapy.exceptions import DropItem

from pipelines.drop_reasons import NOT_ARTICLE, reason_label
from pipelines.stage import IngestContext, ScrapyStage
from spiders.dates import JAKARTA as WIB
from spiders.items import Article

MIN_TEXT_CHARS = 80
# A post (on X, from a feed bridge, or imported by staff) is its text however short ("jalan
# ambles di Tiris, tolong"), so it only needs some; the news minimum tells an article from a page
# whose body could not be found.
MIN_TEXT_CHARS_BY_KIND = {"x": 1, "social": 1, "import": 1}
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


class Skipped(DropItem):
    """A page deliberately not stored; ``reason`` is a code of ``pipelines.drop_reasons``.

    Logged at INFO (skipping an index page is routine, not a warning) as "skipped (code: label)"
    with the URL and any detail."""

    def __init__(self, reason: str, url: str, detail: str | None = None):
        self.reason, self.url = reason, url
        message = f"skipped ({reason}: {reason_label(reason)}): {url}" + (f" — {detail}" if detail else "")
        super().__init__(message, log_level="INFO")


class OldArticle(Skipped):
    """Published before the crawl's ``since``."""

    def __init__(self, url: str, detail: str | None = None):
        super().__init__("too_old", url, detail)


class NotAnArticle(Skipped):
    """A page that is not a news article (a listing, an index, an empty page) or lacks what an
    article needs (a title, enough text)."""


def clean_line(value: str | None) -> str | None:
    if value is None:
        return None
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    value = " ".join(value.split())
    return value or None


def clean_text(value: str) -> str:
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in re.split(r"\n\s*\n", value):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            paragraphs.append(block)
    return "\n\n".join(paragraphs)


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=WIB)


class NormalizePipeline(ScrapyStage):
    def __init__(self, min_text_chars: int = MIN_TEXT_CHARS):
        self.min_text_chars = min_text_chars

    @classmethod
    def from_settings(cls, settings, stats=None):
        return cls(settings.getint("PANTAU_MIN_TEXT_CHARS", MIN_TEXT_CHARS))

    def process(self, item, context: IngestContext):
        if not isinstance(item, Article):
            return item
        item.title = clean_line(item.title) or ""
        item.author = clean_line(item.author)
        item.text = clean_text(item.text or "")
        item.published_at = aware(item.published_at)
        item.harvested_at = aware(item.harvested_at) or datetime.now(timezone.utc)
        if not item.raw.get("is_article", True):
            raise NotAnArticle(item.raw.get("not_article_reason") or NOT_ARTICLE, item.url)
        if not item.title:
            raise NotAnArticle("no_title", item.url)
        min_chars = MIN_TEXT_CHARS_BY_KIND.get(item.source_kind, self.min_text_chars)
        if len(item.text) < min_chars:
            raise NotAnArticle("no_text", item.url, f"{len(item.text)} characters, fewer than {min_chars}")
        since = context.since
        if since is not None and item.published_at is not None and item.published_at < since:
            raise OldArticle(item.url, f"published {item.published_at.isoformat()}, before {since.date()}")
        return item
