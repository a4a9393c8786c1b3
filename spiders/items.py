"""The items spiders yield.

One item type per thing that flows down the pipeline: an :class:`Article` harvested from a
source, and a :class:`CrawlError` describing a URL that could not be harvested (recorded against
its source and run so staff can see what failed and where). Pipelines fill the fields marked
"set by pipelines"; only ``storage/`` maps them to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# What staff read for each source_kind (CONTRACT.md), in exports and the web pages.
SOURCE_KIND_LABELS = {"news": "Berita", "x": "X (Twitter)", "social": "Media sosial", "import": "Impor manual"}


@dataclass
class Article:
    source: str  # source name from the sources file
    url: str  # canonical URL (rel=canonical, tracking parameters dropped)
    title: str
    text: str
    published_at: datetime | None  # timezone-aware
    author: str | None = None
    fetched_url: str | None = None  # the URL actually requested, when it differs from `url`
    source_kind: str = "news"  # news | x | social | import (SOURCE_KIND_LABELS)
    harvested_at: datetime | None = None  # timezone-aware, set by the spider
    language: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # extra metadata worth keeping (JSON-safe)

    # set by pipelines
    content_hash: str | None = None  # sha256 of the normalised text
    minhash: bytes | None = None  # serialised MinHash signature (dedupe)
    near_duplicate_of: str | None = None  # content_hash of the first stored copy of this story
    similarity: float | None = None  # estimated Jaccard similarity to that copy
    case_of: int | None = None  # a stored item reporting the same incident (pipelines.cluster)
    classification: dict[str, Any] | None = None  # filled by the classifier stage
    # what the crawl's page analyser said in the reading worker (see spiders.workers.read_then_analyse);
    # the classifier stage takes it over or classifies itself
    analysis: dict[str, Any] | None = None


@dataclass
class CrawlError:
    source: str
    url: str
    kind: str  # http | timeout | dns | connection | redirect | robots | too_large | not_html | parse | other
    message: str
    status: int | None = None
