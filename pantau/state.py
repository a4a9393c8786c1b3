"""Per-source crawl state and run bookkeeping, as a Scrapy extension.

When a spider opens, the extension registers its source, hands the spider the URLs this source
already stored or saw (so a second crawl requests none of them again) and, when no run was
started by ``pantau crawl``, opens a crawl run itself (``scrapy crawl news -a source=NAME``). Every
dropped item is counted by its reason (``pantau/skipped`` and ``pantau/skipped/<code>``, codes in
:mod:`pipelines.drop_reasons`); a page skipped on purpose (too old, not an article) is remembered
as seen, with its reason (:func:`pipelines.ingest.record_drop`, as a run without Scrapy does).
When the spider closes, the run's per-source counts and the source state are written
(:func:`record_source_run`, which ``pantau import`` calls too).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from scrapy import signals

from pipelines.drop_reasons import ordered_reasons
from pipelines.ingest import SKIPPED_PREFIX, record_drop
from storage.db import upgrade
from storage.repo import Repository
from storage.social import usage_month

logger = logging.getLogger(__name__)


# the numbers a run record keeps (complaints are shown live and in the summary only)
STORED_COUNTS = ("pages", "new", "duplicates", "errors", "skipped")


def counts(stats) -> dict[str, int]:
    """The per-source numbers shown to users: pages, new, duplicates, errors, skipped (pages
    dropped, not stored), complaints."""
    return {
        "pages": stats.get_value("response_received_count", 0),
        "new": stats.get_value("pantau/new", 0),
        "duplicates": stats.get_value("pantau/duplicates", 0),
        "errors": stats.get_value("pantau/errors", 0),
        "skipped": stats.get_value("pantau/skipped", 0),
        "complaints": stats.get_value("pantau/complaints", 0),
    }


def skipped_reasons(stats) -> dict[str, int]:
    """How many pages were skipped for each reason code, most first: ``{"listing": 10, "no_text": 2}``."""
    return dict(ordered_reasons({key[len(SKIPPED_PREFIX):]: value for key, value in stats.get_stats().items()
                                 if key.startswith(SKIPPED_PREFIX)}))


class CrawlStateExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        db_url = crawler.settings.get("PANTAU_DB_URL")
        self.run_id: int | None = crawler.settings.getint("PANTAU_RUN_ID") or None
        if self.run_id is None:  # plain `scrapy crawl`: nobody ran `pantau init` for us
            upgrade(db_url)
        self.repo = Repository(db_url)
        self.owns_run = False
        self.started_at: datetime | None = None

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        return extension

    def spider_opened(self, spider):
        self.started_at = datetime.now(timezone.utc)
        source = spider.source
        self.repo.sync_sources([source.as_spec()])
        if self.run_id is None:
            self.run_id = self.repo.start_run([source.name], spider.since, trigger="scrapy", pid=os.getpid())
            self.owns_run = True
        spider.run_id = self.run_id
        spider.known_urls = self.repo.known_urls(source.name)
        spider.ledger = SourceLedger(self.repo, source.name, self.run_id)
        logger.info("%(source)s: %(known)d URLs already stored or seen", {"source": source.name,
                                                                           "known": len(spider.known_urls)})

    def item_dropped(self, item, response, exception, spider):
        record_drop(self.crawler.stats, self.repo, item, exception)  # as pipelines.ingest does

    def spider_closed(self, spider, reason):
        status = record_source_run(self.repo, self.run_id, spider.source.name, self.crawler.stats, reason,
                                   self.started_at)
        if self.owns_run:
            numbers = {key: value for key, value in counts(self.crawler.stats).items() if key in STORED_COUNTS}
            self.repo.finish_run(self.run_id, status, **numbers)
        self.repo.engine.dispose()


def record_source_run(repo: Repository, run_id: int, name: str, stats, reason: str,
                      started_at: datetime | None) -> str:
    """Write what one source did in run ``run_id`` (its counts from ``stats``, its skip reasons)
    and its state (last run, last success, newest item); ``reason`` is why it stopped
    (``finished``, ``shutdown``, ...). Returns the source's status (:func:`source_status`)."""
    numbers = {key: value for key, value in counts(stats).items() if key in STORED_COUNTS}
    status = source_status(numbers, reason)
    finished = datetime.now(timezone.utc)
    message = None if reason == "finished" else f"stopped: {reason}"
    repo.record_run_source(run_id, name, status=status, started_at=started_at, finished_at=finished,
                           message=message, skipped_reasons=skipped_reasons(stats), **numbers)
    repo.update_source_state(
        name, last_run_at=finished,
        last_success_at=finished if status in ("ok", "partial") else None,
        newest_published_at=stats.get_value("pantau/newest_published_at"),
        last_error=message if status == "failed" else None,
    )
    return status


def source_status(numbers: dict[str, int], reason: str) -> str:
    """ok: no errors; partial: some pages failed; failed: nothing usable came back;
    interrupted: stopped on purpose (SIGTERM, Ctrl+C) — what it stored stays stored, and it
    counts neither as a success nor as a failure of the source."""
    if reason == "shutdown":
        return "interrupted"
    if reason not in ("finished",) and numbers["new"] == 0:
        return "failed"
    if numbers["errors"] == 0:
        return "ok"
    if numbers["new"] + numbers["duplicates"] > 0 or numbers["pages"] > numbers["errors"]:
        return "partial"
    return "failed"


class SourceLedger:
    """What an API spider keeps between runs — where its search resumes, and how many posts it
    has read (the X API bills each one) — handed to the spider so it never touches the database
    itself (spiders do not import ``storage``)."""

    def __init__(self, repo: Repository, source_name: str, run_id: int):
        self.repo, self.source_name, self.run_id = repo, source_name, run_id

    def cursor(self) -> dict | None:
        return self.repo.source_cursor(self.source_name)

    def save_cursor(self, cursor: dict | None) -> None:
        self.repo.save_source_cursor(self.source_name, cursor)

    def add_reads(self, posts: int) -> None:
        self.repo.add_x_reads(self.run_id, self.source_name, posts)

    def read_in_run(self) -> int:
        """Posts read in this crawl run by every X source."""
        return self.repo.x_posts_read(run_id=self.run_id)

    def read_this_month(self, *, this_source: bool = False) -> int:
        """Posts read this calendar month (UTC) by every X source, or by this one."""
        return self.repo.x_posts_read(month=usage_month(),
                                      source_name=self.source_name if this_source else None)
