"""The one way into storage: the ingest sequence, callable without Scrapy.

Crawled news articles, X posts and feed-bridge posts reach it as Scrapy item pipelines (the
stages of :data:`pipelines.STAGES` are ``ITEM_PIPELINES``); hand-imported rows and tests call
:func:`ingest` (or :class:`Ingest`, one item at a time) with the same stage objects, built from
the same settings, so an item is normalised, de-duplicated, classified, linked to its case and
stored the same way whichever road it came by::

    outcomes = ingest(items, {"PANTAU_DB_URL": url, "PANTAU_REGION": "35.13"}, run_id=run_id)
    [o.status for o in outcomes]  # ["new", "duplicate", "skipped", ...]

What Scrapy adds around the stages in a crawl happens here too, with the same counters
(``pantau/new``, ``pantau/duplicates``, ``pantau/skipped/<code>``, ... in ``stats``): a dropped
item is counted by its reason and, when skipped on purpose, remembered as seen
(:func:`record_drop`, which the crawl-state extension calls for a crawl). Classification runs in
this process (the crawl's page-reader processes belong to a crawl).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterable, Mapping

from scrapy.exceptions import DropItem
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from pipelines import STAGES
from pipelines.drop_reasons import OTHER
from pipelines.normalize import Skipped
from pipelines.stage import IngestContext, Stats, as_settings
from spiders.items import Article, CrawlError
from storage.repo import Repository

logger = logging.getLogger(__name__)

SKIPPED = "pantau/skipped"  # items dropped, for any reason
SKIPPED_PREFIX = "pantau/skipped/"  # ... and per reason code (pipelines.drop_reasons)


@dataclass(frozen=True)
class Outcome:
    """What the sequence did with one item.

    ``status``: ``new`` (stored), ``near_duplicate`` (stored as a near-copy of an earlier story),
    ``duplicate`` (not stored again: the same link or text is stored; ``reason`` ``same_url`` or
    ``same_content``), ``skipped`` (dropped; ``reason`` is its code in
    :mod:`pipelines.drop_reasons`), ``error`` (a crawl error recorded, or the item could not be
    stored) or ``passed`` (not an item the stages handle).
    """

    url: str | None
    status: str
    reason: str | None = None
    item_id: int | None = None  # the stored item (for a duplicate: the one already stored)
    duplicate_of: int | None = None

    @property
    def stored(self) -> bool:
        """A row was created for the item."""
        return self.status in ("new", "near_duplicate")


def record_drop(stats, repo: Repository, item: Any, exception: BaseException) -> str:
    """Count a dropped item by its reason; one skipped on purpose (:class:`Skipped`) is
    remembered as seen under each of its URLs, so no later crawl fetches it again. Returns the
    reason code."""
    reason = getattr(exception, "reason", None) or OTHER
    stats.inc_value(SKIPPED)
    stats.inc_value(SKIPPED_PREFIX + reason)
    if isinstance(exception, Skipped):
        for url in {getattr(item, "url", None), getattr(item, "fetched_url", None)} - {None}:
            repo.mark_seen(item.source, url, reason)
    return reason


class Ingest:
    """The stages of :data:`pipelines.STAGES`, open for one run::

        with Ingest(settings, run_id=run_id) as run:
            for item in items:
                outcome = run.process(item)

    ``settings``: Scrapy settings or a dict (``PANTAU_DB_URL``, ``PANTAU_REGION``,
    ``PANTAU_CLASSIFY``, ``PANTAU_NEAR_DUPLICATE_THRESHOLD``...; what is not given has the
    stages' defaults). ``since``: items published earlier are skipped (``too_old``); ``None``
    keeps every date. ``stats`` collects the counters (a fresh :class:`Stats` by default).
    """

    def __init__(self, settings: BaseSettings | Mapping[str, Any] | None = None, *,
                 since: datetime | None = None, run_id: int | None = None, stats=None):
        settings = as_settings(settings).copy()
        settings.set("PANTAU_EXTRACT_WORKERS", 0, priority=1000)  # no page readers outside a crawl
        self.stats = stats if stats is not None else Stats()
        self.context = IngestContext(since=since, run_id=run_id)
        self.stages = [load_object(path).from_settings(settings, self.stats) for path in STAGES]
        self.db_url = settings.get("PANTAU_DB_URL")
        self.repo: Repository | None = None

    def open(self) -> "Ingest":
        self.repo = Repository(self.db_url)
        for stage in self.stages:
            stage.open()
        return self

    def close(self) -> None:
        for stage in reversed(self.stages):
            stage.close()
        if self.repo is not None:
            self.repo.engine.dispose()

    def __enter__(self) -> "Ingest":
        return self.open()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def process(self, item: Any) -> Outcome:
        """Run ``item`` through every stage, in order."""
        context = replace(self.context)
        url = getattr(item, "url", None)
        try:
            for stage in self.stages:
                item = stage.process(item, context)
        except DropItem as exc:
            level = exc.log_level or logging.WARNING  # as Scrapy logs a drop
            logger.log(getattr(logging, level) if isinstance(level, str) else level,
                       "Dropped: %(exception)s", {"exception": exc})
            return Outcome(url, "skipped", record_drop(self.stats, self.repo, item, exc))
        except Exception as exc:  # a stage failed on this item: the next one still goes in
            logger.error("Error processing %(url)s", {"url": url}, exc_info=True)
            self.stats.inc_value("pantau/errors")
            return Outcome(url, "error", f"{exc.__class__.__name__}: {exc}")
        return _outcome(item, url, context.stored)


def _outcome(item: Any, url: str | None, stored) -> Outcome:
    if isinstance(item, CrawlError):
        return Outcome(url, "error", item.kind)
    if not isinstance(item, Article):
        return Outcome(url, "passed")
    if stored is None:  # the store recorded a database error
        return Outcome(url, "error", "storage")
    if stored.created:
        status = "new" if stored.reason in ("new", "same_case") else "near_duplicate"
    else:
        status = "duplicate"
    return Outcome(url, status, stored.reason, stored.item_id, stored.duplicate_of)


def ingest(items: Iterable[Any], settings: BaseSettings | Mapping[str, Any] | None = None, *,
           since: datetime | None = None, run_id: int | None = None, stats=None) -> list[Outcome]:
    """Run every item of ``items`` through the ingest sequence; one :class:`Outcome` each, in
    order. The arguments are :class:`Ingest`'s."""
    with Ingest(settings, since=since, run_id=run_id, stats=stats) as run:
        return [run.process(item) for item in items]
