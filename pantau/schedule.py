"""``pantau schedule``: crawl every enabled source on its own ``every:`` interval until stopped.

Each crawl is a ``python -m pantau crawl --only NAME`` child process — Scrapy's reactor cannot
restart, and a crash or leak in one crawl must not take the scheduler down. APScheduler fires
one interval job per source:

* **never two crawls of one source**: ``max_instances=1`` inside the scheduler, and the child
  takes the source's crawl lock (``storage.locks``, keyed on the database), so a hand-started
  ``pantau crawl`` and the scheduler never overlap either — whoever comes second skips it;
* **missed runs coalesce**: after downtime each source's first turn is computed from its last
  run in the database, so a source that missed any number of turns is crawled once, soon after
  start; within a running scheduler ``coalesce=True`` does the same for late firings;
* **jitter**: up to a tenth of the interval (at most 5 minutes) is added to every turn, and the
  first turns after start are spread out, so sources do not all fire together;
* **reload without restart**: the sources file is checked every few seconds; a valid change
  adds, removes or reschedules jobs; a broken edit is logged with its file and line and the
  previous schedule (and the previous file, which the children read from a snapshot) stays;
* **clean stop** on SIGTERM/SIGINT: no new crawls start, running children get one SIGTERM (Scrapy
  then finishes the pages in flight and stores what it has) and up to ``stop_timeout`` seconds,
  after which they are killed; the scheduler exits 0.

After each crawl the child's run is settled (exit code, log file) and the source's health is
checked (``pantau.alerts``); every hour all sources are checked for silence.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from classify.files import write_atomically
from pantau.config import ConfigError, Source, SourcesFile, load_sources
from spiders.dates import JAKARTA

logger = logging.getLogger(__name__)

# Tests only: multiply every interval by this factor (0.05 makes `every: 1m` three seconds)
# instead of allowing intervals under a minute in the sources file.
TIME_SCALE_ENV = "PANTAU_SCHEDULE_TIME_SCALE"
MAX_JITTER = 300.0  # seconds
HEALTH_EVERY = 3600.0  # seconds between silence checks of every source
LOG_KEEP_DAYS = 30
OUTPUT_TAIL = 20  # lines of a failed child's output repeated in the log


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def configure_logging(log_dir: Path, level: str = "INFO") -> Path:
    """Log to stderr and to ``log_dir/schedule.log`` (rotated at 10 MB, five kept)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "schedule.log"
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    for handler in (logging.StreamHandler(sys.stderr),
                    logging.handlers.RotatingFileHandler(path, maxBytes=10_000_000, backupCount=5,
                                                         encoding="utf-8")):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # "Running job ..." every turn
    return path


def prune_crawl_logs(log_dir: Path, keep_days: float, now: float | None = None) -> int:
    """Delete per-crawl logs (``crawl-<run>.log``) older than ``keep_days``; returns how many."""
    cutoff = (now or time.time()) - keep_days * 86400
    removed = 0
    for path in log_dir.glob("crawl-*.log"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    started_at: datetime
    terminated: bool = False


class CrawlScheduler:
    """The scheduler loop; :meth:`run` blocks until :meth:`stop` (or SIGTERM/SIGINT)."""

    def __init__(self, sources_file: Path, *, db_url: str, log_dir: Path, reload_every: float = 10.0,
                 stop_timeout: float = 90.0, max_parallel: int = 4, time_scale: float | None = None,
                 notifiers: list | None = None, python: str = sys.executable, since_days: float = 30):
        from storage.repo import Repository

        self.sources_file = Path(sources_file)
        self.db_url = db_url
        self.log_dir = Path(log_dir).resolve()
        self.reload_every = reload_every
        self.stop_timeout = stop_timeout
        self.time_scale = time_scale if time_scale is not None else float(os.environ.get(TIME_SCALE_ENV) or 1)
        self.python = python
        self.since_days = since_days
        self.notifiers = notifiers
        self.repo = Repository(db_url)
        self.config: SourcesFile | None = None
        self._signature: tuple | None = None
        self._stopping = threading.Event()
        self._children: dict[str, Child] = {}
        self._children_lock = threading.Lock()
        self._snapshot_dir = Path(tempfile.mkdtemp(prefix="pantau-schedule-"))
        self.snapshot = self._snapshot_dir / "sources.yaml"
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(1, max_parallel))},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            timezone=timezone.utc,
        )

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Load the sources file (a :class:`ConfigError` here is fatal), schedule, and serve
        until stopped. Returns the exit code: 0 after a clean stop."""
        self.config = self._load()
        self._write_snapshot()
        for source in self._enabled(self.config):
            self._add_job(source, first=True)
        self.scheduler.start()
        logger.info("Scheduling %(count)d source(s) from %(file)s (database %(db)s); logs in %(logs)s",
                    {"count": len(self.scheduler.get_jobs()), "file": self.sources_file,
                     "db": _safe_url(self.db_url), "logs": self.log_dir})
        next_health = 0.0
        next_prune = 0.0
        try:
            while not self._stopping.wait(self.reload_every):
                self.reload()
                now = time.monotonic()
                if now >= next_health:
                    self.check_health()
                    next_health = now + HEALTH_EVERY * min(1.0, self.time_scale)
                if now >= next_prune:
                    removed = prune_crawl_logs(self.log_dir, float(os.environ.get("PANTAU_LOG_KEEP_DAYS") or LOG_KEEP_DAYS))
                    if removed:
                        logger.info("Removed %d crawl log(s) older than the retention period", removed)
                    next_prune = now + 86400
        finally:
            self._shutdown()
        return 0

    def stop(self, signum: int | None = None, _frame=None) -> None:
        """Ask the loop to stop (safe from a signal handler)."""
        if self._stopping.is_set():
            return
        if signum is not None:
            logger.info("Received %s: stopping", signal.Signals(signum).name)
        self._stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _shutdown(self) -> None:
        self.scheduler.pause()  # nothing new starts; jobs already running finish below
        with self._children_lock:
            children = list(self._children.values())
            for child in children:
                child.terminated = True
        if children:
            logger.info("Waiting up to %(timeout)ss for %(count)d running crawl(s) to finish: %(names)s",
                        {"timeout": self.stop_timeout, "count": len(children),
                         "names": ", ".join(c.name for c in children)})
        for child in children:
            _signal(child.process, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("Crawl of %s did not stop within %ss; killing it", child.name, self.stop_timeout)
                _signal(child.process, signal.SIGKILL, group=True)
        self.scheduler.shutdown(wait=True)  # job threads settle their runs
        self.close()
        logger.info("Scheduler stopped")

    def close(self) -> None:
        """Release the database and the snapshot of the sources file."""
        self.repo.close()
        shutil.rmtree(self._snapshot_dir, ignore_errors=True)

    # -- the sources file ------------------------------------------------------------------

    def _file_signature(self) -> tuple | None:
        try:
            stat = self.sources_file.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def _load(self) -> SourcesFile:
        signature = self._file_signature()
        config = load_sources(self.sources_file)
        self._signature = signature
        return config

    def _write_snapshot(self) -> None:
        # Children read the last valid file, so a half-saved or broken edit never reaches a crawl.
        assert self.config is not None

        def copy_and_check(temporary: Path) -> None:
            shutil.copyfile(self.sources_file, temporary)
            load_sources(temporary)

        try:
            write_atomically(self.snapshot, copy_and_check)
        except ConfigError:  # changed again between our read and the copy: keep the old one
            self._signature = None

    def reload(self) -> bool:
        """Re-read the sources file if it changed; returns True when the schedule changed."""
        signature = self._file_signature()
        if signature is None:
            if self._signature is not None:
                logger.error("%s: cannot read the sources file; keeping the previous schedule", self.sources_file)
                self._signature = None
            return False
        if signature == self._signature:
            return False
        try:
            config = self._load()
        except ConfigError as exc:
            self._signature = signature  # report a broken edit once, not every few seconds
            logger.error("%s — keeping the previous schedule until the file is fixed", exc)
            return False
        old = {s.name: s for s in self._enabled(self.config)} if self.config else {}
        new = {s.name: s for s in self._enabled(config)}
        self.config = config
        self._write_snapshot()
        changed = False
        for name in old.keys() - new.keys():
            self._remove_job(name)
            logger.info("Source %s removed or disabled: no longer scheduled", name)
            changed = True
        for name in new.keys() - old.keys():
            self._add_job(new[name], first=True)
            logger.info("Source %s added: every %s", name, interval_text(new[name].every))
            changed = True
        for name in new.keys() & old.keys():
            if new[name].every != old[name].every:
                self._add_job(new[name], first=False)
                logger.info("Source %s now every %s", name, interval_text(new[name].every))
                changed = True
        if not changed:
            logger.info("%s changed; the schedule stays the same", self.sources_file)
        return changed

    @staticmethod
    def _enabled(config: SourcesFile) -> list[Source]:
        return [source for source in config.sources if source.enabled]

    # -- jobs ------------------------------------------------------------------------------

    def interval(self, source: Source) -> float:
        return max(0.1, source.every.total_seconds() * self.time_scale)

    def _add_job(self, source: Source, *, first: bool) -> None:
        interval = self.interval(source)
        jitter = min(interval / 10, MAX_JITTER)
        now = utcnow()
        start = now + timedelta(seconds=random.uniform(0, jitter) + (interval if not first else 0))
        if first:
            last = self.repo.last_run_started(source.name)
            due = last + timedelta(seconds=interval) if last else now
            if due > now:
                start = due + timedelta(seconds=random.uniform(0, jitter))
            elif last is not None:
                logger.info("Source %s missed its turn while the scheduler was not running: crawling once now",
                            source.name)
        trigger = IntervalTrigger(seconds=interval, jitter=jitter or None, start_date=start, timezone=timezone.utc)
        self.scheduler.add_job(self._crawl, trigger, args=[source.name], id=source.name, name=source.name,
                               replace_existing=True, next_run_time=start)

    def _remove_job(self, name: str) -> None:
        if self.scheduler.get_job(name) is not None:
            self.scheduler.remove_job(name)

    def _crawl(self, name: str) -> None:
        """One turn of one source (an APScheduler job, run in a worker thread)."""
        try:
            self._crawl_once(name)
        except Exception:  # a job must never take the scheduler down
            logger.exception("The turn of %s failed", name)

    def command(self, name: str) -> list[str]:
        since = (datetime.now(JAKARTA) - timedelta(days=self.since_days)).date().isoformat()
        return [self.python, "-m", "pantau", "crawl", "--only", name, "--sources", str(self.snapshot), "--quiet",
                "--since", since]

    def _crawl_once(self, name: str) -> None:
        from storage.locks import SourceLock

        # Workers of a distributed crawl share a source's lock; a turn of this scheduler joins them.
        lock = SourceLock(self.db_url, name, shared=bool(os.environ.get("PANTAU_REDIS_URL")))
        if lock.is_busy():
            holder = lock.holder()
            logger.warning("Source %(source)s: another crawl of it is still running%(pid)s; skipping this turn",
                           {"source": name, "pid": f" (pid {holder})" if holder else ""})
            return
        env = {**os.environ, "PANTAU_DB_URL": self.db_url, "PANTAU_LOG_DIR": str(self.log_dir),
               "PANTAU_RUN_TRIGGER": "schedule", "COLUMNS": "160"}
        with self._children_lock:
            if self._stopping.is_set():
                return
            started_at = utcnow()
            process = subprocess.Popen(
                self.command(name), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
                # Its own session: a Ctrl+C in the terminal reaches the scheduler only, which then
                # sends the child exactly one SIGTERM (a second one makes Scrapy stop uncleanly).
                start_new_session=True,
            )
            child = Child(name, process, started_at)
            self._children[name] = child
        logger.info("Source %(source)s: crawl started (pid %(pid)d)", {"source": name, "pid": process.pid})
        tail: deque[str] = deque(maxlen=OUTPUT_TAIL)
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                logger.debug("[%s] %s", name, line)
        code = process.wait()
        with self._children_lock:
            self._children.pop(name, None)
        run_id = self.repo.settle_process_run(process.pid, started_at, code, interrupted=child.terminated,
                                              source_names=[name])
        self._report(name, run_id, code, list(tail))
        if not child.terminated:
            self.check_health([name])

    def _report(self, name: str, run_id: int, code: int, tail: list[str]) -> None:
        run = self.repo.run_summary(run_id)
        numbers = {"source": name, "run": run_id, "status": run["status"] if run else "?", "code": code,
                   "pages": run["pages"] if run else 0, "new": run["new"] if run else 0,
                   "duplicates": run["duplicates"] if run else 0, "errors": run["errors"] if run else 0,
                   "log": (run or {}).get("log_file") or "-"}
        message = ("Source %(source)s: run #%(run)d %(status)s (exit %(code)d): %(pages)d pages, %(new)d new, "
                   "%(duplicates)d duplicates, %(errors)d errors; log %(log)s")
        if run and run["status"] in ("ok", "partial", "interrupted"):
            logger.info(message, numbers)
            return
        logger.warning(message, numbers)
        for line in tail:
            logger.warning("[%s] %s", name, line)

    def check_health(self, names: list[str] | None = None) -> list[dict]:
        from pantau.alerts import check_sources

        try:
            return check_sources(self.repo, self.notifiers, names=names)
        except Exception:
            logger.exception("Could not check the sources' health")
            return []


def _signal(process: subprocess.Popen, signum: int, group: bool = False) -> None:
    try:
        if group:
            os.killpg(process.pid, signum)  # the crawl and its page-reading workers
        else:
            process.send_signal(signum)
    except (ProcessLookupError, PermissionError):
        pass


def interval_text(every: timedelta) -> str:
    """``timedelta(hours=1)`` → ``1h``, as the sources file writes it."""
    seconds = int(every.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
