"""What a pipeline stage is, with Scrapy and without it.

Every stage of the ingest sequence (:data:`pipelines.STAGES`) is a plain object:

- ``from_settings(settings, stats)`` builds it from Scrapy-style settings (a
  :class:`scrapy.settings.BaseSettings` or anything :func:`as_settings` accepts) and a stats
  collector (Scrapy's, or :class:`Stats`);
- ``open()`` and ``close()`` bracket a run;
- ``process(item, context)`` takes one item and returns it (changed), or raises
  :class:`scrapy.exceptions.DropItem` (:class:`pipelines.normalize.Skipped` for a deliberate
  skip) to stop it there. ``context`` is the :class:`IngestContext` of the run: its ``since``
  and ``run_id``.

:func:`pipelines.ingest.ingest` runs them in order for any iterable of items;
:class:`ScrapyStage` makes the same object a Scrapy item pipeline (``from_crawler``,
``open_spider``, ``process_item``, ``close_spider``), so a crawl and a plain call run the same
code with the same counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from scrapy.settings import BaseSettings


@dataclass
class IngestContext:
    """What one run tells every stage about itself."""

    since: datetime | None = None  # items published before this are skipped (too_old)
    run_id: int | None = None  # the crawl run errors and stored items belong to
    stored: Any = None  # set by the store stage: what it did with this item (a StoreResult)

    @classmethod
    def of(cls, spider) -> "IngestContext":
        """The context of a Scrapy spider (``None`` in tests that call a stage directly)."""
        return cls(since=getattr(spider, "since", None), run_id=getattr(spider, "run_id", None))


class Stats:
    """The part of Scrapy's stats collector the stages use, for runs without a crawler."""

    def __init__(self):
        self._values: dict[str, Any] = {}

    def get_value(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self._values[key] = value

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self._values[key] = self._values.get(key, start) + count

    def get_stats(self) -> dict[str, Any]:
        return dict(self._values)


def as_settings(settings: BaseSettings | Mapping[str, Any] | None) -> BaseSettings:
    """``settings`` as Scrapy settings (``getint``, ``getbool``...); a plain dict is wrapped."""
    if isinstance(settings, BaseSettings):
        return settings
    return BaseSettings(dict(settings or {}))


class ScrapyStage:
    """A stage as a Scrapy item pipeline: the adapter methods over the plain interface."""

    @classmethod
    def from_settings(cls, settings: BaseSettings, stats=None):
        raise NotImplementedError

    @classmethod
    def from_crawler(cls, crawler):
        return cls.from_settings(crawler.settings, crawler.stats)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def process(self, item, context: IngestContext):
        raise NotImplementedError

    def open_spider(self, spider):
        self.open()

    def close_spider(self, spider):
        self.close()

    def process_item(self, item, spider):
        return self.process(item, IngestContext.of(spider))
