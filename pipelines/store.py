"""Store items (the last pipeline stage): one transaction per item, idempotent.

An article already stored under the same canonical URL or with identical content is not stored
again; its fetched URL is remembered as seen so the next crawl does not request it. Crawl errors
are recorded against their source, URL and run. A database failure for one item is recorded and
the crawl goes on with the next.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy.exc import SQLAlchemyError

from pipelines.stage import IngestContext, ScrapyStage
from spiders.items import Article, CrawlError
from storage.repo import Repository

logger = logging.getLogger(__name__)


class RepositoryStage(ScrapyStage):
    """A pipeline stage that talks to the database: one Repository while the run lasts."""

    db_url: str | None
    repo: Repository | None = None

    def open(self):
        self.repo = Repository(self.db_url)

    def close(self):
        if self.repo is not None:
            self.repo.engine.dispose()


class StorePipeline(RepositoryStage):
    def __init__(self, db_url: str | None, stats):
        self.db_url = db_url
        self.stats = stats

    @classmethod
    def from_settings(cls, settings, stats=None):
        return cls(settings.get("PANTAU_DB_URL"), stats)

    def process(self, item, context: IngestContext):
        """Store ``item``; what the store did is left in ``context.stored`` (a StoreResult, or
        None when nothing was stored: a crawl error, a database failure)."""
        run_id = context.run_id
        if isinstance(item, CrawlError):
            self.stats.inc_value("pantau/errors")
            self._safely(self.repo.add_error, run_id, item.source, item.url, item.kind, item.message,
                         status=item.status)
            return item
        if not isinstance(item, Article):
            return item
        # a shallow copy: asdict() would deep-copy the classification's evidence for nothing
        record = {field.name: getattr(item, field.name) for field in dataclasses.fields(item)}
        try:
            result = self.repo.store_article(record, run_id=run_id)
        except SQLAlchemyError as exc:
            self.stats.inc_value("pantau/errors")
            logger.error("Could not store %(url)s: %(error)s", {"url": item.url, "error": exc})
            self._safely(self.repo.add_error, run_id, item.source, item.url, "storage",
                         f"database error: {exc.__class__.__name__}")
            return item
        context.stored = result
        if result.created and result.reason in ("new", "same_case"):
            self.stats.inc_value("pantau/new")
        else:
            self.stats.inc_value("pantau/duplicates")
            if result.created:
                self.stats.inc_value("pantau/new_near_duplicates")
        if not result.created:
            for url in {item.url, item.fetched_url} - {None}:
                self._safely(self.repo.mark_seen, item.source, url, result.reason)
        if item.published_at is not None:
            newest = self.stats.get_value("pantau/newest_published_at")
            if newest is None or item.published_at > newest:
                self.stats.set_value("pantau/newest_published_at", item.published_at)
        return item

    def _safely(self, call, *args, **kwargs) -> None:
        try:
            call(*args, **kwargs)
        except SQLAlchemyError as exc:
            logger.error("Database error in %(call)s: %(error)s", {"call": call.__name__, "error": exc})
