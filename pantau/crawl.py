"""Run one crawl of the configured sources and record it as a crawl run.

All sources of a run are crawled in one Scrapy process, each by its own crawler, so one slow or
dead site never holds up the others. Twisted's reactor cannot restart, so call
:func:`run_crawl` once per process (the CLI does; tests run the CLI in a subprocess). Progress is
reported through Scrapy signals to a :class:`CrawlMonitor`, which the CLI renders with rich.
With ``distributed`` (a Redis URL) the process is one worker of a crawl shared by several
processes or machines: see :mod:`pantau.distributed`.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from pantau.config import Source
from pantau.state import STORED_COUNTS, counts, skipped_reasons, source_status
from storage.db import database_url, upgrade
from storage.repo import Repository

logger = logging.getLogger(__name__)


@dataclass
class SourceProgress:
    name: str
    status: str = "waiting"
    pages: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    skipped: int = 0  # pages fetched but not stored (not an article, too short, too old, ...)
    skipped_reasons: dict[str, int] = field(default_factory=dict)  # code -> pages (pipelines.drop_reasons)
    complaints: int = 0  # articles the classifier marked as complaints
    queued: int = 0  # article pages requested so far
    done: int = 0  # article pages answered so far
    started: datetime | None = None
    finished: datetime | None = None
    message: str | None = None

    @property
    def seconds(self) -> float:
        if not self.started:
            return 0.0
        return ((self.finished or datetime.now(timezone.utc)) - self.started).total_seconds()


@dataclass
class CrawlResult:
    run_id: int
    status: str  # ok | partial | failed
    sources: list[SourceProgress] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # sources not crawled: (source, why)
    log_file: Path | None = None

    @property
    def totals(self) -> dict[str, int]:
        """Sums over the sources; ``skipped`` here is pages skipped, not :attr:`skipped` sources."""
        return {key: sum(getattr(s, key) for s in self.sources)
                for key in ("pages", "new", "duplicates", "errors", "skipped", "complaints")}

    @property
    def skipped_reasons(self) -> dict[str, int]:
        """Pages skipped by every source, per reason code."""
        return dict(sum((Counter(s.skipped_reasons) for s in self.sources), Counter()))


class CrawlMonitor:
    """Follows each crawler through its signals and keeps a :class:`SourceProgress` per source.

    Scrapy keeps signal receivers as weak references, so receivers are bound methods of an
    object the caller keeps alive (never lambdas).
    """

    def __init__(self, on_change: Callable[[SourceProgress], None] | None = None):
        self.on_change = on_change
        self.progress: dict[str, SourceProgress] = {}
        self._crawlers: dict[str, object] = {}

    def attach(self, crawler, name: str) -> None:
        self.progress[name] = SourceProgress(name)
        self._crawlers[name] = crawler
        receivers = [(self.spider_opened, signals.spider_opened), (self.spider_closed, signals.spider_closed)]
        if self.on_change is not None:  # live progress costs a signal dispatch per page; only when shown
            receivers += [(self.response_received, signals.response_received),
                          (self.item_scraped, signals.item_scraped),
                          (self.item_dropped, signals.item_dropped)]
        for receiver, signal in receivers:
            crawler.signals.connect(receiver, signal=signal)

    def _update(self, spider) -> None:
        name = spider.source.name
        state = self.progress[name]
        stats = self._crawlers[name].stats
        for key, value in counts(stats).items():
            setattr(state, key, value)
        if state.skipped != sum(state.skipped_reasons.values()):  # read the breakdown only when it changed
            state.skipped_reasons = skipped_reasons(stats)
        state.queued = spider.article_requests
        if self.on_change:
            self.on_change(state)

    def spider_opened(self, spider):
        state = self.progress[spider.source.name]
        state.status, state.started = "running", datetime.now(timezone.utc)
        self._update(spider)

    def response_received(self, response, request, spider):
        if request.meta.get("pantau") == "article":
            self.progress[spider.source.name].done += 1
        self._update(spider)

    def item_scraped(self, item, response, spider):
        self._update(spider)

    def item_dropped(self, item, response, exception, spider):
        self._update(spider)

    def spider_closed(self, spider, reason):
        state = self.progress[spider.source.name]
        state.finished = datetime.now(timezone.utc)
        self._update(spider)
        state.status = source_status(counts(self._crawlers[state.name].stats), reason)
        if reason != "finished":
            state.message = f"stopped: {reason}"


# The spider for each kind of source; news sites (every other kind) use spiders.news.NewsSpider.
SPIDERS = {
    "x": "spiders.x.XSpider",  # X recent search through tweepy
    "social_feed": "spiders.social.FeedPostSpider",  # a feed bridge's entries are the posts
}


def spider_class(source: Source):
    from scrapy.utils.misc import load_object

    if source.kind == "x":
        return load_object(SPIDERS["x"])
    if source.kind == "feed" and source.social:
        return load_object(SPIDERS["social_feed"])
    return load_object("spiders.news.NewsSpider")


def skip_reason(source: Source) -> str | None:
    """Why a source cannot run now (the run goes on without it), or None."""
    if source.kind == "x" and not os.environ.get("PANTAU_X_BEARER_TOKEN"):
        return "PANTAU_X_BEARER_TOKEN is not set; set it to the office's X API bearer token to search X"
    try:
        spider_class(source)
    except (ImportError, NameError, AttributeError):
        return f"sources of kind '{source.kind}' are not supported by this version yet"
    return None


def crawl_settings(*, db_url: str, sources_file: Path | None, run_id: int | None,
                   log_file: Path | None, overrides: dict | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "pantau.settings")
    settings = Settings()
    settings.setmodule("pantau.settings", priority="project")
    settings.set("PANTAU_DB_URL", db_url, priority="cmdline")
    if sources_file is not None:
        settings.set("PANTAU_SOURCES", str(sources_file), priority="cmdline")
    if run_id is not None:
        settings.set("PANTAU_RUN_ID", run_id, priority="cmdline")
    if log_file is not None:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def _classify_while_reading(settings: Settings) -> None:
    """Have the page readers classify each article they read: the classifier stage registers its
    page analyser, which declines itself when classification is off or there is no model."""
    from pipelines.classify import PageClassifier

    settings.set("PANTAU_PAGE_ANALYSER", PageClassifier, priority="cmdline")


def settings_from_env() -> dict:
    """``PANTAU_SCRAPY_<SETTING>=value`` environment variables as Scrapy settings overrides.

    Lets operators (and tests) tune timeouts or the size cap without editing code, e.g.
    ``PANTAU_SCRAPY_DOWNLOAD_TIMEOUT=10``.
    """
    prefix = "PANTAU_SCRAPY_"
    return {key[len(prefix):]: value for key, value in os.environ.items() if key.startswith(prefix)}


def run_crawl(sources: list[Source], *, since: datetime | None = None, db_url: str | None = None,
              sources_file: Path | None = None, monitor: CrawlMonitor | None = None,
              log_dir: Path | None = None, trigger: str = "cli", region: str | None = None,
              distributed: str | None = None, job: str | None = None) -> CrawlResult:
    """Crawl ``sources`` once; returns what happened to each. Call once per process.

    ``distributed``: a Redis URL; news sources are then crawled together with every other
    worker of ``job`` (default: the region code) — raises
    :class:`pantau.distributed.DistributedSetupError` when that cannot work (SQLite, no Redis).
    """

    db_url = database_url(db_url)
    if distributed:
        from pantau.distributed import check_setup

        job = job or region or "default"
        check_setup(db_url, distributed, job)
    upgrade(db_url)
    repo = Repository(db_url)
    stale = repo.close_stale_runs()
    if stale:
        logger.warning("%d earlier crawl run(s) had been interrupted", stale)
    runnable, skipped = [], []
    for source in sources:
        why = skip_reason(source)
        if why:
            logger.warning("Skipping %s: %s", source.name, why)
            skipped.append((source.name, why))
        else:
            runnable.append(source)
    shared = {s.name for s in runnable if distributed and spider_class(s).distributable}
    locks = _lock_sources(db_url, runnable, skipped, shared)
    runnable = [source for source in runnable if source.name in locks]
    repo.sync_sources([s.as_spec() for s in sources])
    trigger = os.environ.get("PANTAU_RUN_TRIGGER") or trigger
    run_id = repo.start_run([s.name for s in runnable], since, trigger=trigger, pid=os.getpid())
    log_dir = Path(log_dir or os.environ.get("PANTAU_LOG_DIR") or "logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"crawl-{run_id}.log"
    repo.set_run_log(run_id, str(log_file.resolve()))
    monitor = monitor or CrawlMonitor()
    settings = crawl_settings(db_url=db_url, sources_file=sources_file, run_id=run_id,
                              log_file=log_file, overrides=settings_from_env())
    if region:
        settings.set("PANTAU_REGION", region, priority="cmdline")
    _classify_while_reading(settings)
    process = CrawlerProcess(settings, install_root_handler=True)
    for source in runnable:
        crawler = process.create_crawler(spider_class(source))
        if source.name in shared:
            _make_worker(crawler.settings, distributed, job)
        monitor.attach(crawler, source.name)
        process.crawl(crawler, source=source, since=since)
    try:
        if runnable:
            process.start()
    finally:
        result = CrawlResult(run_id=run_id, status="failed", skipped=skipped, log_file=log_file)
        for source in runnable:
            result.sources.append(monitor.progress[source.name])
        result.status = run_status(result)
        totals = result.totals
        repo.finish_run(run_id, result.status, exit_code=1 if result.status == "failed" else 0,
                        **{k: totals[k] for k in STORED_COUNTS})
        repo.engine.dispose()
        for lock in locks.values():
            lock.release()
    return result


def _make_worker(settings: Settings, redis_url: str, job: str) -> None:
    """Make one source's crawler a worker of the distributed ``job`` (pantau.distributed)."""
    from pantau.distributed import crawler_settings

    for key, value in crawler_settings(redis_url, job).items():
        if key == "SPIDER_MIDDLEWARES":
            for component, order in value.items():
                settings.set_in_component_priority_dict(key, component, order)
        else:
            settings.set(key, value, priority="cmdline")


def _lock_sources(db_url: str, sources: list[Source], skipped: list[tuple[str, str]],
                  shared: set[str] = frozenset()) -> dict:
    """Take each source's crawl lock (storage.locks); a source another process is crawling right
    now (the scheduler, or a second `pantau crawl`) is skipped. The workers of a distributed
    crawl take their sources' locks shared (``shared``: source names). Returns name -> held lock."""
    from storage.locks import SourceLock

    locks = {}
    for source in sources:
        lock = SourceLock(db_url, source.name, shared=source.name in shared)
        if lock.acquire():
            locks[source.name] = lock
            continue
        holder = lock.holder()
        why = ("a crawl of this source that is not distributed is running" if source.name in shared
               else "another crawl of this source is running") + (f" (pid {holder})" if holder else "")
        logger.warning("Skipping %s: %s", source.name, why)
        skipped.append((source.name, why))
    return locks


def run_status(result: CrawlResult) -> str:
    """failed when every source failed (or none ran); partial when some did."""
    if not result.sources:
        return "failed"
    if all(s.status == "interrupted" for s in result.sources):
        return "interrupted"
    failed = [s for s in result.sources if s.status not in ("ok", "partial")]
    if len(failed) == len(result.sources):
        return "failed"
    if failed or any(s.status == "partial" for s in result.sources):
        return "partial"
    return "ok"


def x_usage_lines(repo: Repository, run_id: int) -> list[str]:
    """The X API posts a run read against the caps (the API bills every post read): one line
    over all X sources, then one per X source; no lines when the run read no X source."""
    x_sources = repo.x_usage_for_run(run_id)
    if not x_sources:
        return []
    from spiders.x_api import PAGE_MIN, post_caps
    from storage.social import usage_month

    def against(read: int, cap: int | None, name: str) -> str:
        if not cap:
            return str(read)
        return f"{read} of {cap} ({name}{', reached' if cap - read < PAGE_MIN else ''})"

    month = usage_month()
    try:
        caps = post_caps()
        run_read = against(repo.x_posts_read(run_id=run_id), caps.per_run, "PANTAU_X_MAX_POSTS_PER_RUN")
        month_read = against(repo.x_posts_read(month=month), caps.per_month, "PANTAU_X_MAX_POSTS_PER_MONTH")
        lines = [f"X API posts read: {run_read} this run, {month_read} in {month} (UTC)"]
    except ValueError as exc:
        lines = [f"X API posts read: {exc}"]
    for usage in x_sources:
        run_read = against(usage["run"], usage["max_posts"], "max_posts")
        month_read = against(usage["month"], usage["max_posts_per_month"], "max_posts_per_month")
        lines.append(f"  {usage['name']}: {run_read} this run, {month_read} in {month}")
    return lines
