"""Test data, one home: a stored item's row (:func:`article`) and a crawled page's item
(:func:`crawled_article`).

``article(n, ...)`` is the dict ``storage`` stores (``Repository.store_article``, the web and
export tests' databases): a news article of Kabar Bromo numbered ``n``, published at
``published_at`` (default :data:`PUBLISHED`) and harvested five minutes later, whose content hash
is made from ``n`` and its text (so two numbers with one text are two stories, and the same
number and text is the same story). Every key can be overridden; keys the row does not have by
default (``fetched_url``, ``author``, ``raw``, ``minhash`` …) are added as given.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
PUBLISHED = datetime(2026, 11, 20, 9, 15, tzinfo=WIB)
_UNSET: Any = object()


def content_hash(n: int | str, text: str) -> str:
    return hashlib.sha256(f"{n}:{text}".encode()).hexdigest()


def article(n: int | str = 1, *, title: str | None = None, text: str | None = None,
            classification: dict | None = None, source: str = "kabarbromo", kind: str = "news",
            url: str | None = None, published_at: datetime | None = _UNSET,
            harvested_at: datetime | None = None, **extra: Any) -> dict:
    """A stored item's row; ``published_at=None`` is an undated article (harvested at
    :data:`PUBLISHED` plus five minutes unless ``harvested_at`` is given)."""
    text = text if text is not None else f"Warga Desa Sumberan {n} mengeluhkan jalan rusak yang tak kunjung diperbaiki."
    published = PUBLISHED if published_at is _UNSET else published_at
    row = {
        "source": source, "source_kind": kind,
        "url": url or f"https://{source}.example/berita/{n}",
        "title": title if title is not None else f"Jalan rusak {n}", "text": text,
        "published_at": published,
        "harvested_at": harvested_at or (published or PUBLISHED) + timedelta(minutes=5),
        "content_hash": content_hash(n, text), "classification": classification,
    }
    row.update(extra)
    return row


def crawled_article(**changes: Any):
    """The item a spider yields for a complaint page of Kabar Lumbang (``spiders.items.Article``)."""
    from spiders.items import Article

    fields = {"source": "kabarlumbang", "url": "https://kabarlumbang.example/berita/jembatan-ranuagung",
              "title": "Jembatan Bambu di Ranuagung Miring", "text": CRAWLED_BODY,
              "published_at": datetime(2026, 11, 20, 9, 0, tzinfo=WIB), "raw": {"is_article": True}}
    return Article(**{**fields, **changes})


CRAWLED_BODY = ("Warga Desa Ranuagung, Kecamatan Tiris, mengeluhkan jembatan bambu yang miring setelah banjir. "
                "Anak-anak terpaksa memutar sejauh tiga kilometer untuk berangkat ke sekolah.")
