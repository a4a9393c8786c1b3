"""What every Pantau spider shares: its source from the sources file, the crawl's ``since``,
the per-source politeness settings, and the attributes the crawl machinery reads
(``known_urls``, ``requested``, ``article_requests``; see pantau.state and pantau.crawl).

A spider gets its :class:`~spiders.source.Source` as an object (``pantau crawl``, ``pantau
import``) or by name (``scrapy crawl news -a source=NAME``); a name is looked up with the loader
the Scrapy setting ``PANTAU_SOURCE_LOADER`` registers (``pantau.settings`` names
``pantau.config.load_sources``), so spiders never import the layer that reads the sources file."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.utils.misc import load_object

from spiders.dates import JAKARTA, parse_date
from spiders.source import Source

# Request meta: True when any worker of a distributed crawl may answer the request — nothing in
# the spider that made it waits for its answer (see pantau.distributed).
SHARED_META = "pantau_shared"


class SourceSpider(scrapy.Spider):
    # Whether several workers can share a source's crawl (pantau crawl --distributed): only
    # spiders that mark their independent requests with SHARED_META.
    distributable = False

    def __init__(self, source: Source | str | None = None, since: datetime | str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if source is None:
            raise ValueError(f"the {self.name} spider needs a source: scrapy crawl {self.name} -a source=NAME")
        self._source_arg = source
        self._since_arg = since
        self.known_urls: set[str] = set()  # filled by pantau.state.CrawlStateExtension
        self.requested: set[str] = set()
        self.article_requests = 0  # read by the progress display

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure_source(crawler.settings)
        spider.configure(crawler.settings)
        return spider

    def configure(self, settings) -> None:
        """What a spider sets up beyond the shared part (called once, settings still writable)."""

    def _configure_source(self, settings) -> None:
        source = self._source_arg
        if isinstance(source, str):
            source = self._source_named(source, settings)
        self.source: Source = source
        self.now = datetime.now(JAKARTA)
        since = self._since_arg
        if isinstance(since, str):
            parsed = parse_date(since, now=self.now)
            if parsed is None:
                raise ValueError(f"since: '{since}' is not a date (use YYYY-MM-DD)")
            since = parsed
        self.since: datetime = since or self.now - timedelta(days=settings.getint("PANTAU_SINCE_DAYS", 30))
        # Politeness per source: crawler settings are still writable while the spider is built.
        if source.delay is not None:
            settings.set("DOWNLOAD_DELAY", source.delay, priority="spider")
            if source.delay == 0:
                settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
                settings.set("RANDOMIZE_DOWNLOAD_DELAY", False, priority="spider")
                settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", source.concurrency or 8, priority="spider")
        if source.concurrency:
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", source.concurrency, priority="spider")

    def _source_named(self, name: str, settings) -> Source:
        """``-a source=NAME``: the loader of ``PANTAU_SOURCE_LOADER`` reads ``PANTAU_SOURCES``
        (a callable taking the file's path and returning an object with ``get(name)``)."""
        loader = settings.get("PANTAU_SOURCE_LOADER")
        if not loader:
            raise ValueError(f"the {self.name} spider got the source name '{name}' but no "
                             "PANTAU_SOURCE_LOADER setting to look it up with")
        return load_object(loader)(settings.get("PANTAU_SOURCES")).get(name)
