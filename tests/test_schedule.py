"""``pantau schedule`` (pantau/schedule.py) and the crawl lock (storage/locks.py).

The end-to-end test runs the real scheduler as a process, with real ``pantau crawl`` children
against fixture sites on 127.0.0.1, intervals shrunk by ``PANTAU_SCHEDULE_TIME_SCALE`` (``every:
1m`` becomes 3 s): runs happen, one source's runs never overlap, a dead site is announced once to
a fake Telegram chat, a source added to sources.yaml is crawled without a restart (a broken edit
in between is reported with its line and changes nothing), and SIGTERM in the middle of a crawl
stops everything with exit code 0, keeping every item stored so far. The other tests drive the
scheduler's pieces directly: missed turns coalesce, reloads add/remove/reschedule jobs.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pantau.schedule import CrawlScheduler, prune_crawl_logs
from storage.db import upgrade
from storage.locks import SourceLock
from storage.repo import Repository
from tests.crawlutil import closed_port, crawl_env, export_records, run_pantau, write_sources_file
from tests.fakealerts import FakeTelegram
from tests.plugins.sites import open_site

SCALE = 0.05  # every: 1m → 3 s
SINCE = "2026-10-01"  # the fixture sites' articles are from October and November 2026


def since_days() -> int:
    """``--since-days`` reaching back to :data:`SINCE` from today."""
    return (datetime.now(timezone.utc).date() - datetime.fromisoformat(SINCE).date()).days + 1


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    detail = log.read_text(encoding="utf-8")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def items_of(db: Path, source: str) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute("SELECT count(*) FROM items JOIN sources ON sources.id = items.source_id "
                                  "WHERE sources.name = ?", (source,)).fetchone()[0]


def assert_no_overlap(runs: list[dict]) -> None:
    spans = sorted((r["run_started_at"], r["run_finished_at"], r["run_id"]) for r in runs)
    for (_, end, run), (start, _, following) in zip(spans, spans[1:]):
        assert end is not None and end <= start, f"runs {run} and {following} of one source overlap"


@pytest.mark.crawl
def test_scheduler_crawls_on_interval_reloads_alerts_and_stops_cleanly_on_sigterm(tmp_path):
    work = tmp_path
    db = work / "pantau.db"
    dead = f"http://127.0.0.1:{closed_port()}/"
    with open_site("wpsite") as wpsite, open_site("portal") as portal, FakeTelegram() as telegram:
        kabar = {"name": "kabarbromo", "url": wpsite.url + "/", "every": "5m", "delay": 0}
        mati = {"name": "situsmati", "url": dead, "every": "1m"}
        pantura = {"name": "suarapantura", "url": portal.url + "/", "every": "1m", "delay": 0, "concurrency": 1}
        sources = write_sources_file(work / "sources.yaml", [kabar, mati])
        env = {**crawl_env(work), **telegram.env(), "PANTAU_SCHEDULE_TIME_SCALE": str(SCALE),
               "PANTAU_EXTRACT_WORKERS": "0", "PANTAU_SCRAPY_PANTAU_CLASSIFY": "0",
               "PANTAU_SCRAPY_DOWNLOAD_TIMEOUT": "5", "PANTAU_SCRAPY_RETRY_TIMES": "0",
               # one request at a time, so a stop leaves the rest of a crawl unfetched (Scrapy lets
               # requests already handed to the downloader finish)
               "PANTAU_SCRAPY_CONCURRENT_REQUESTS": "1"}
        log = work / "schedule.err"
        with open(log, "w", encoding="utf-8") as stderr:
            scheduler = subprocess.Popen([sys.executable, "-m", "pantau", "schedule", "--reload-every", "0.3",
                                          "--stop-timeout", "30", "--since-days", str(since_days())],
                                         env=env, cwd=work, stdout=stderr, stderr=stderr)
        try:
            repo_box: list[Repository] = []

            def runs(name: str) -> list[dict]:
                if not repo_box:
                    if not db.exists():
                        return []
                    repo_box.append(Repository(f"sqlite:///{db}"))
                return repo_box[0].runs_of_source(name)

            def finished(name: str) -> list[dict]:
                return [r for r in runs(name) if r["run_finished_at"] is not None]

            # the dead site fails three turns in a row: exactly one message to the staff chat
            wait_for(lambda: telegram.messages, 45, "the alert about situsmati", scheduler, log)
            assert len(finished("kabarbromo")) >= 1

            # a broken edit is reported with file and line and changes nothing
            sources.write_text(sources.read_text(encoding="utf-8") + "  - name: rusak\n    urll: x\n", encoding="utf-8")
            wait_for(lambda: "keeping the previous schedule" in log.read_text(encoding="utf-8"), 10,
                     "the broken edit to be reported", scheduler, log)
            assert "sources.yaml:" in log.read_text(encoding="utf-8").split("keeping the previous")[0].splitlines()[-1]

            # a source added to the file is crawled without a restart; stop in the middle of it
            portal.delay = 0.25
            write_sources_file(sources, [kabar, mati, pantura])
            wait_for(lambda: db.exists() and items_of(db, "suarapantura") >= 2, 40,
                     "the added source to be crawled", scheduler, log)
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(timeout=45) == 0
        finally:
            if scheduler.poll() is None:
                scheduler.kill()
            portal.delay = 0.0
        output = log.read_text(encoding="utf-8")
        assert "Source suarapantura added: every 1m" in output and "Scheduler stopped" in output
        assert len(telegram.messages) == 1 and "situsmati" in telegram.messages[0]["text"]
        assert telegram.token not in output

        repo = repo_box[0]
        kabarbromo, situsmati, suarapantura = runs("kabarbromo"), runs("situsmati"), runs("suarapantura")
        for history in (kabarbromo, situsmati, suarapantura):
            assert_no_overlap(history)
            assert {r["trigger"] for r in history} == {"schedule"}
            assert all(r["exit_code"] is not None for r in history)
        assert len(situsmati) >= 3 and {r["status"] for r in situsmati} <= {"failed", "interrupted"}
        assert kabarbromo[-1]["status"] == "ok" and kabarbromo[-1]["exit_code"] == 0
        assert Path(kabarbromo[-1]["log_file"]).is_file()
        assert repo.problem_sources()[0]["name"] == "situsmati"

        # SIGTERM let the crawl in progress finish what it had: every stored item is counted
        stopped = suarapantura[0]
        assert stopped["status"] == "interrupted", suarapantura
        stored = items_of(db, "suarapantura")  # new stories and repeats of one (stored as duplicates)
        assert stored == sum(r["new"] + r["duplicates"] for r in suarapantura) >= 2
        expected = portal.expected["sources"]["suarapantura"]["articles"]
        assert stored < len(expected), "the stop must land in the middle of the crawl"
        # ... and the next crawl fetches the rest: nothing lost, nothing twice
        again = run_pantau("crawl", "--only", "suarapantura", "--quiet", "--since", SINCE, env=env, cwd=work,
                           timeout=120)
        assert again.returncode == 0, again.stderr
        records = [r for r in export_records(env, work) if r["source"] == "suarapantura"]
        assert sorted(r["url"] for r in records) == sorted(portal.url + a["url_path"] for a in expected)
        repo.close()


@pytest.mark.crawl
def test_a_crawl_of_a_source_another_process_is_crawling_is_skipped(tmp_path, wpsite):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "kabarbromo", "url": wpsite.url + "/", "delay": 0}])
    env = crawl_env(tmp_path)
    upgrade(env["PANTAU_DB_URL"])
    wpsite.clear_requests()
    with SourceLock(env["PANTAU_DB_URL"], "kabarbromo") as lock:
        assert lock.acquire()
        busy = run_pantau("crawl", "--only", "kabarbromo", "--quiet", env=env, cwd=tmp_path)
    assert busy.returncode == 1
    assert "another crawl of this source is running" in " ".join(busy.stderr.split())
    assert wpsite.requests == []


def test_source_lock_is_exclusive_across_processes_and_released_when_the_holder_dies(db_url):
    holder_code = ("import sys, time; from storage.locks import SourceLock; "
                   "lock = SourceLock(sys.argv[1], 'kabarbromo'); print(lock.acquire(), flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", holder_code, db_url], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "True"
        mine = SourceLock(db_url, "kabarbromo")
        assert mine.is_busy() and not mine.acquire()
        assert SourceLock(db_url, "wartadesa").acquire()  # other sources are free
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10
        while not mine.acquire():
            assert time.monotonic() < deadline, "the dead holder's lock was not released"
            time.sleep(0.1)
        mine.release()
    finally:
        holder.kill()


def _scheduler(tmp_path, entries: list[dict], db_url: str | None = None) -> CrawlScheduler:
    sources = write_sources_file(tmp_path / "sources.yaml", entries)
    db_url = db_url or f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(db_url)
    scheduler = CrawlScheduler(sources, db_url=db_url, log_dir=tmp_path / "logs", time_scale=1.0)
    scheduler.config = scheduler._load()
    scheduler._write_snapshot()
    for source in scheduler._enabled(scheduler.config):
        scheduler._add_job(source, first=True)
    scheduler.scheduler.start(paused=True)  # jobs get their defaults, none fires
    return scheduler


def _next_run(scheduler: CrawlScheduler, name: str) -> datetime:
    return scheduler.scheduler.get_job(name).next_run_time


def test_missed_turns_after_downtime_coalesce_into_one_crawl_soon_after_start(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(db_url)
    with Repository(db_url) as repo:
        for name, ago in (("lama", timedelta(days=2)), ("baru", timedelta(minutes=10))):
            run_id = repo.start_run([name], None, trigger="schedule")
            repo.finish_run(run_id, "ok", pages=1, new=0, duplicates=0, errors=0)
            with repo._writing() as session:  # backdate the run: the scheduler was down meanwhile
                from sqlalchemy import update

                from storage.models import CrawlRun

                session.execute(update(CrawlRun).where(CrawlRun.id == run_id)
                                .values(started_at=datetime.now(timezone.utc) - ago))
    now = datetime.now(timezone.utc)
    scheduler = _scheduler(tmp_path, [{"name": "lama", "url": "https://lama.example/", "every": "1h"},
                                      {"name": "baru", "url": "https://baru.example/", "every": "1h"},
                                      {"name": "belum", "url": "https://belum.example/", "every": "30m"}], db_url)
    # two days of missed hourly turns: one crawl, within the jitter (≤ 5 min) of the start
    assert now <= _next_run(scheduler, "lama") <= now + timedelta(minutes=5, seconds=5)
    # crawled ten minutes ago: its next turn is an interval after that one, not now
    due = now - timedelta(minutes=10) + timedelta(hours=1)
    assert due - timedelta(seconds=5) <= _next_run(scheduler, "baru") <= due + timedelta(minutes=5, seconds=5)
    assert now <= _next_run(scheduler, "belum") <= now + timedelta(minutes=3, seconds=5)
    job = scheduler.scheduler.get_job("lama")
    assert job.max_instances == 1 and job.coalesce is True and job.misfire_grace_time is None
    assert job.trigger.interval == timedelta(hours=1) and job.trigger.jitter == 300
    scheduler.scheduler.shutdown()
    scheduler.close()


def test_sources_file_changes_add_remove_and_reschedule_jobs_and_a_broken_edit_keeps_the_schedule(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    first = {"name": "kabarbromo", "url": "https://kabarbromo.example/", "every": "30m"}
    second = {"name": "wartadesa", "url": "https://wartadesa.example/", "every": "1h"}
    scheduler = _scheduler(tmp_path, [first, second])
    jobs = lambda: {job.id: job.trigger.interval for job in scheduler.scheduler.get_jobs()}  # noqa: E731
    assert jobs() == {"kabarbromo": timedelta(minutes=30), "wartadesa": timedelta(hours=1)}
    assert scheduler.reload() is False  # unchanged file

    sources = scheduler.sources_file
    sources.write_text("region: '35.13'\nsources:\n  - name: kabarbromo\n    url: https://kabarbromo.example/\n"
                       "    evrey: 5m\n", encoding="utf-8")
    assert scheduler.reload() is False
    assert "sources.yaml:5: source 'kabarbromo': key 'evrey'" in caplog.text
    assert "keeping the previous schedule" in caplog.text
    assert jobs() == {"kabarbromo": timedelta(minutes=30), "wartadesa": timedelta(hours=1)}
    assert "wartadesa" in scheduler.snapshot.read_text(encoding="utf-8")  # children keep the last good file

    third = {"name": "radar", "url": "https://radar.example/", "every": "2h"}
    write_sources_file(sources, [{**first, "every": "15m"}, {**second, "enabled": False}, third])
    assert scheduler.reload() is True
    assert jobs() == {"kabarbromo": timedelta(minutes=15), "radar": timedelta(hours=2)}
    assert "radar" in scheduler.snapshot.read_text(encoding="utf-8")
    assert "Source wartadesa removed or disabled" in caplog.text and "Source radar added: every 2h" in caplog.text
    scheduler.scheduler.shutdown()
    scheduler.close()


def test_old_crawl_logs_are_pruned(tmp_path):
    old, fresh, other = tmp_path / "crawl-1.log", tmp_path / "crawl-2.log", tmp_path / "schedule.log"
    for path in (old, fresh, other):
        path.write_text("x", encoding="utf-8")
    import os

    ancient = time.time() - 40 * 86400
    os.utime(old, (ancient, ancient))
    os.utime(other, (ancient, ancient))
    assert prune_crawl_logs(tmp_path, 30) == 1
    assert not old.exists() and fresh.exists() and other.exists()
