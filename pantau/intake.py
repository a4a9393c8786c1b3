"""Run a manual import (``pantau import FILE``) through the crawl machinery and record it.

The rows :func:`spiders.intake.read_import` checked are stored the way crawled items are: one
:class:`~spiders.intake.ImportSpider` per platform (source ``import:facebook``,
``import:whatsapp``, ...) in one Scrapy process with the crawl's settings and pipelines, so
imported posts are normalised, de-duplicated against everything stored, classified and stored,
and the import is recorded as a crawl run with trigger ``import`` (``pantau runs``). As with
:func:`pantau.crawl.run_crawl`, call :func:`run_import` once per process.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from scrapy.crawler import CrawlerProcess

from pantau.crawl import CrawlMonitor, CrawlResult, SourceProgress, crawl_settings, run_status, settings_from_env
from pantau.state import STORED_COUNTS
from spiders.intake import PLATFORMS, ImportPost, ImportSpider, import_source
from storage.db import database_url, upgrade
from storage.repo import Repository

logger = logging.getLogger(__name__)

# Below this many rows the classifier runs in the crawler itself: starting worker processes
# (each loading the model) costs more than it saves.
IN_PROCESS_ROWS = 1000


@dataclass
class PlatformOutcome:
    """What happened to one platform's rows."""

    platform: str
    rows: int
    progress: SourceProgress
    repeats: int = 0  # stored, but as a near-copy of a stored story (status duplicate)
    not_stored: int = 0  # dropped by the pipeline (e.g. text too short)

    @property
    def already_present(self) -> int:
        """Not stored again: the same link or the same text is stored already."""
        return self.progress.duplicates - self.repeats

    def count(self, key: str) -> int:
        """rows, new, already_present, repeats, not_stored, duplicates, complaints or errors."""
        return getattr(self, key) if hasattr(self, key) else getattr(self.progress, key)


@dataclass
class ImportResult:
    run_id: int
    status: str  # ok | partial | failed, as for a crawl
    file: str
    platforms: list[PlatformOutcome] = field(default_factory=list)
    log_file: Path | None = None

    def total(self, key: str) -> int:
        return sum(outcome.count(key) for outcome in self.platforms)


class ImportMonitor(CrawlMonitor):
    """A :class:`CrawlMonitor` that also keeps what only an import reports: near-copies stored
    as repeats and rows the pipeline dropped."""

    def __init__(self, on_change: Callable[[SourceProgress], None] | None = None):
        super().__init__(on_change)
        self.repeats: dict[str, int] = {}
        self.dropped: dict[str, int] = {}

    def spider_closed(self, spider, reason):
        super().spider_closed(spider, reason)
        stats = self._crawlers[spider.source.name].stats
        self.repeats[spider.source.name] = stats.get_value("pantau/new_near_duplicates", 0)
        self.dropped[spider.source.name] = stats.get_value("item_dropped_count", 0)


def run_import(posts: list[ImportPost], *, file: str, db_url: str | None = None, region: str | None = None,
               monitor: ImportMonitor | None = None, log_dir: Path | None = None) -> ImportResult:
    """Store ``posts`` (checked rows of ``file``) through the pipelines; call once per process."""
    db_url = database_url(db_url)
    upgrade(db_url)
    repo = Repository(db_url)
    if repo.close_stale_runs():
        logger.warning("Earlier crawl run(s) had been interrupted")
    by_platform: dict[str, list[ImportPost]] = defaultdict(list)
    for post in posts:
        by_platform[post.platform].append(post)
    sources = {platform: import_source(platform) for platform in PLATFORMS if platform in by_platform}
    repo.sync_sources([source.as_spec() for source in sources.values()])
    run_id = repo.start_run([source.name for source in sources.values()], None, trigger="import", pid=os.getpid())
    log_dir = Path(log_dir or os.environ.get("PANTAU_LOG_DIR") or "logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"import-{run_id}.log"
    overrides = {"PANTAU_EXTRACT_WORKERS": 0} if len(posts) < IN_PROCESS_ROWS else {}
    settings = crawl_settings(db_url=db_url, sources_file=None, run_id=run_id, log_file=log_file,
                              overrides={**overrides, **settings_from_env()})
    if region:
        settings.set("PANTAU_REGION", region, priority="cmdline")
    monitor = monitor or ImportMonitor()
    process = CrawlerProcess(settings, install_root_handler=True)
    file_name = Path(file).name
    for platform, source in sources.items():
        crawler = process.create_crawler(ImportSpider)
        monitor.attach(crawler, source.name)
        process.crawl(crawler, source=source, posts=by_platform[platform], file_name=file_name)
    try:
        process.start()
    finally:
        result = ImportResult(run_id=run_id, status="failed", file=file, log_file=log_file)
        for platform, source in sources.items():
            result.platforms.append(PlatformOutcome(
                platform=platform, rows=len(by_platform[platform]), progress=monitor.progress[source.name],
                repeats=monitor.repeats.get(source.name, 0), not_stored=monitor.dropped.get(source.name, 0)))
        crawl = CrawlResult(run_id=run_id, status="failed", sources=[o.progress for o in result.platforms])
        result.status = run_status(crawl)
        totals = crawl.totals
        repo.finish_run(run_id, result.status, **{key: totals[key] for key in STORED_COUNTS})
        repo.engine.dispose()
    return result
