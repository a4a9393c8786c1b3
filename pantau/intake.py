"""Run a manual import (``pantau import FILE``) through the ingest sequence and record it.

The rows :func:`spiders.intake.read_import` checked are stored the way crawled items are: each
platform's rows (source ``import:facebook``, ``import:whatsapp``, ...) go through
:class:`pipelines.ingest.Ingest` — the stages a crawl runs as Scrapy item pipelines, built from the
crawl's settings — so imported posts are normalised, de-duplicated against everything stored,
classified and stored, and the import is recorded as a crawl run with trigger ``import``
(``pantau runs``), with each platform's counts and skip reasons as a crawled source's. No Scrapy
crawl runs: there is nothing to fetch. The log of the run goes to ``logs/import-<run>.log``.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pantau.crawl import CrawlResult, SourceProgress, crawl_settings, run_status, settings_from_env
from pantau.state import STORED_COUNTS, counts, record_source_run, skipped_reasons
from pipelines.ingest import Ingest
from pipelines.stage import Stats
from spiders.intake import PLATFORMS, ImportPost, import_source
from storage.db import database_url, upgrade
from storage.repo import Repository

logger = logging.getLogger(__name__)


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


class ImportMonitor:
    """Keeps a :class:`~pantau.crawl.SourceProgress` per platform's source, as a crawl's monitor
    does for a crawled source, and what only an import reports: near-copies stored as repeats
    and rows the sequence dropped. ``on_change`` is called after every row."""

    def __init__(self, on_change: Callable[[SourceProgress], None] | None = None):
        self.on_change = on_change
        self.progress: dict[str, SourceProgress] = {}
        self.repeats: dict[str, int] = {}
        self.dropped: dict[str, int] = {}

    def started(self, name: str) -> None:
        self.progress[name] = SourceProgress(name, status="running", started=datetime.now(timezone.utc))
        self._changed(name)

    def row_done(self, name: str, stats) -> None:
        state = self.progress[name]
        for key, value in counts(stats).items():
            setattr(state, key, value)
        state.skipped_reasons = skipped_reasons(stats)
        state.queued = state.done = state.done + 1
        self.repeats[name] = stats.get_value("pantau/new_near_duplicates", 0)
        self.dropped[name] = stats.get_value("pantau/skipped", 0)
        self._changed(name)

    def finished(self, name: str, status: str, reason: str) -> None:
        state = self.progress.setdefault(name, SourceProgress(name))
        state.status, state.finished = status, datetime.now(timezone.utc)
        if reason != "finished":
            state.message = f"stopped: {reason}"
        self._changed(name)

    def _changed(self, name: str) -> None:
        if self.on_change is not None:
            self.on_change(self.progress[name])


def run_import(posts: list[ImportPost], *, file: str, db_url: str | None = None, region: str | None = None,
               monitor: ImportMonitor | None = None, log_dir: Path | None = None) -> ImportResult:
    """Store ``posts`` (checked rows of ``file``) through the ingest sequence; call once per
    process (it sets up the process's logging to the run's log file). Ctrl+C stops it between
    two rows: what is stored stays stored and the run is recorded as interrupted."""
    from scrapy.utils.log import configure_logging

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
    settings = crawl_settings(db_url=db_url, sources_file=None, run_id=run_id, log_file=log_file,
                              overrides=settings_from_env())
    if region:
        settings.set("PANTAU_REGION", region, priority="cmdline")
    configure_logging(settings, install_root_handler=True)
    monitor = monitor or ImportMonitor()
    file_name = Path(file).name
    result = ImportResult(run_id=run_id, status="failed", file=file, log_file=log_file)
    reason = "finished"
    try:
        for platform, source in sources.items():
            monitor.started(source.name)
            stats, started = Stats(), datetime.now(timezone.utc)
            if reason == "finished":  # not after Ctrl+C: the later platforms are not started
                reason = _ingest_rows(by_platform[platform], source.name, file_name, settings, stats,
                                      run_id, monitor)
            status = record_source_run(repo, run_id, source.name, stats, reason, started)
            monitor.finished(source.name, status, reason)
    finally:
        for platform, source in sources.items():
            result.platforms.append(PlatformOutcome(
                platform=platform, rows=len(by_platform[platform]),
                progress=monitor.progress.get(source.name) or SourceProgress(source.name),
                repeats=monitor.repeats.get(source.name, 0), not_stored=monitor.dropped.get(source.name, 0)))
        crawl = CrawlResult(run_id=run_id, status="failed", sources=[o.progress for o in result.platforms])
        result.status = run_status(crawl)
        totals = crawl.totals
        repo.finish_run(run_id, result.status, **{key: totals[key] for key in STORED_COUNTS})
        repo.engine.dispose()
    return result


def _ingest_rows(posts: list[ImportPost], name: str, file_name: str, settings, stats, run_id: int,
                 monitor: ImportMonitor) -> str:
    """One platform's rows through the sequence; ``finished``, or ``shutdown`` after Ctrl+C."""
    with Ingest(settings, run_id=run_id, stats=stats) as run:  # since=None: staff chose these posts
        try:
            for post in posts:
                run.process(post.to_article(name, file_name))
                monitor.row_done(name, stats)
        except KeyboardInterrupt:
            logger.warning("Import interrupted: the rows stored so far stay stored")
            return "shutdown"
    return "finished"
