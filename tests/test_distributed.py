"""Scale-out: several ``pantau crawl --distributed`` workers sharing one crawl through the real
Redis at 127.0.0.1:6379, writing into one PostgreSQL.

The site is a generated WordPress-like outlet of 200 articles (``tests/fixtures/bench_site.py``)
served on 127.0.0.1 slowly enough that one worker alone would need several seconds, so both
workers get a share. What an operator must be able to rely on: every article fetched once and
stored once when the workers run normally, and — when one worker is killed midway — still every
article stored exactly once once the other has finished. Each test works in a job of its own
(``--job``), so its Redis keys never meet another test's; they are deleted afterwards.

"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.crawlutil import crawl_env, run_pantau, write_sources_file
from tests.fixtures.bench_site import generate_bench_site
from tests.sitesrv import FixtureSite

pytestmark = [pytest.mark.crawl, pytest.mark.postgres]

ARTICLES = 200
SINCE = "2026-11-01"
SITE_DELAY = 0.05  # seconds per response: a worker alone would need ~5 s at two requests at a time


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server at 127.0.0.1:6379 (or ``$PANTAU_TEST_REDIS_URL``); skipped without one,
    except on CI, where a missing server must not silently shrink the test run."""
    import redis

    url = os.environ.get("PANTAU_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {url}: {exc} (CI=true: these tests must run)", pytrace=False)
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    return url


@pytest.fixture
def job(redis_url):
    """A job name of this test's own; its keys are deleted afterwards whatever happened."""
    import redis

    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    server = redis.Redis.from_url(redis_url)
    stale = list(server.scan_iter(match=f"pantau:{name}:*"))
    if stale:
        server.delete(*stale)


def job_keys(redis_url: str, job: str) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(redis_url).scan_iter(match=f"pantau:{job}:*"))


@pytest.fixture(scope="module")
def bench_root(tmp_path_factory) -> Path:
    return generate_bench_site(tmp_path_factory.mktemp("bench") / "www", ARTICLES).root


@pytest.fixture
def bench(bench_root):
    with FixtureSite(bench_root, delay=SITE_DELAY) as site:
        site.article_paths = {line.split("<loc>{{BASE}}")[1].split("</loc>")[0]
                              for line in (bench_root / "post-sitemap.xml").read_text().splitlines()
                              if "<loc>" in line}
        assert len(site.article_paths) == ARTICLES
        yield site


def start_worker(env: dict, work: Path, redis_url: str, job: str) -> subprocess.Popen:
    """A worker in a process group of its own (with its page readers), its output in a file."""
    output = open(work / f"worker-{uuid.uuid4().hex[:6]}.out", "w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "pantau", "crawl", "--since", SINCE, "--quiet",
                                "--distributed", redis_url, "--job", job],
                               env=env, cwd=work, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    process.output = output
    return process


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    code = process.wait(timeout=timeout)
    process.output.seek(0)
    text = process.output.read()
    process.output.close()
    return code, text


def worker_env(work: Path, site: FixtureSite, db_url: str, **scrapy_settings) -> dict:
    write_sources_file(work / "sources.yaml", [{"name": "wartabench", "url": site.url + "/", "delay": 0,
                                                "concurrency": 2}])
    # The classifier is not what these tests are about; leaving it out keeps two workers on two
    # cores quick. Pages are read in page-reader processes, as in production: a worker stopped
    # midway has reads in flight there.
    return crawl_env(work, db_url=db_url, workers=2, PANTAU_CLASSIFY=False, **scrapy_settings)


def stored_urls(db_url: str) -> list[str]:
    from sqlalchemy import select

    from storage.models import Item
    from storage.repo import Repository

    with Repository(db_url) as repo, repo._reading() as session:
        return list(session.scalars(select(Item.url)))


def article_fetches(site: FixtureSite) -> Counter:
    return Counter(path for path in site.requests if path in site.article_paths)


def test_two_workers_fetch_and_store_every_article_once(bench, postgres_url, redis_url, job, tmp_path):
    env = worker_env(tmp_path, bench, postgres_url)
    workers = [start_worker(env, tmp_path, redis_url, job) for _ in range(2)]
    results = [finish(worker) for worker in workers]
    for code, output in results:
        assert code == 0, output[-3000:]

    fetches = article_fetches(bench)
    assert set(fetches) == bench.article_paths, "an article was never fetched"
    assert {path: n for path, n in fetches.items() if n > 1} == {}, "an article was fetched twice"
    stored = stored_urls(postgres_url)
    assert len(stored) == len(set(stored)) == ARTICLES
    assert set(stored) == {bench.url + path for path in bench.article_paths}

    from storage.repo import Repository

    with Repository(postgres_url) as repo:
        runs = repo.recent_runs(5)
    assert len(runs) == 2 and all(run["status"] == "ok" for run in runs)
    assert sorted(run["new"] for run in runs)[0] > 0, "one worker did all the work"
    assert sum(run["new"] for run in runs) == ARTICLES
    assert job_keys(redis_url, job) == [], "the last worker out leaves no keys behind"

    # Pantau's known-URL logic still applies: another distributed crawl fetches no article again
    bench.clear_requests()
    code, output = finish(start_worker(env, tmp_path, redis_url, job))
    assert code == 0, output[-3000:]
    assert article_fetches(bench) == Counter()
    assert len(stored_urls(postgres_url)) == ARTICLES


def wait_for_items(db_url: str, at_least: int, timeout: float = 90) -> int:
    from storage.repo import Repository

    deadline = time.monotonic() + timeout
    with Repository(db_url) as repo:
        while time.monotonic() < deadline:
            try:
                count = repo.count_items()
            except Exception:  # the schema may not exist yet
                count = 0
            if count >= at_least:
                return count
            time.sleep(0.1)
    raise AssertionError(f"fewer than {at_least} items stored after {timeout} s")


def seeder_pid(redis_url: str, job: str) -> int:
    import redis

    seeder = redis.Redis.from_url(redis_url).get(f"pantau:{job}:wartabench:seeder")
    assert seeder is not None, "no worker is seeding"
    return int(seeder.decode().split(":")[1])


@pytest.mark.parametrize("how", ["sigkill-seeder", "sigterm-helper"])
def test_a_worker_stopped_midway_loses_nothing(how, bench, postgres_url, redis_url, job, tmp_path):
    """SIGKILL (power cut, OOM killer) of the worker that discovered, or SIGTERM (systemd stop) of
    the other, when a third of the site is stored: the survivor ends with every article stored
    exactly once."""
    # A short heartbeat: the survivor takes the dead worker's requests back two seconds after
    # it stopped answering (production waits a minute).
    env = worker_env(tmp_path, bench, postgres_url, PANTAU_REDIS_WORKER_TTL=2)
    workers = [start_worker(env, tmp_path, redis_url, job) for _ in range(2)]
    try:
        stored_then = wait_for_items(postgres_url, ARTICLES // 3)
        seeder = seeder_pid(redis_url, job)
        victim = next(w for w in workers if (w.pid == seeder) == (how == "sigkill-seeder"))
        if how == "sigkill-seeder":  # the machine goes down: the worker and its page readers
            os.killpg(victim.pid, signal.SIGKILL)
        else:  # systemctl stop
            victim.send_signal(signal.SIGTERM)
        survivor = next(w for w in workers if w is not victim)
        code, output = finish(survivor)
        assert code == 0, output[-3000:]
        victim_code, victim_output = finish(victim, timeout=30)
    finally:
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGKILL)  # whatever is left of its process group
            except ProcessLookupError:
                pass
            worker.wait(timeout=10)
    assert stored_then < ARTICLES, "the stop must land midway"
    stored = stored_urls(postgres_url)
    assert len(stored) == len(set(stored)), "an article was stored twice"
    assert set(stored) == {bench.url + path for path in bench.article_paths}, "an article was lost"
    logs = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("crawl-*.log"))
    if how == "sigkill-seeder":
        assert victim_code == -signal.SIGKILL
        # the survivor took the killed worker's requests in flight back, and finished discovery
        assert "stopped answering" in logs and "go back to the queue" in logs
    else:
        assert victim_code == 0, victim_output[-3000:]  # a stopped worker hands back what it holds
    assert set(article_fetches(bench)) == bench.article_paths
    assert job_keys(redis_url, job) == []


def test_distributed_crawl_refuses_sqlite_with_a_clear_error(tmp_path, redis_url, job):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "wartabench", "url": "http://127.0.0.1:9/"}])
    result = run_pantau("crawl", "--distributed", redis_url, "--job", job, env=crawl_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and "SQLite" in result.stderr


def test_requests_travel_as_json_and_pickles_are_refused():
    from pantau.redis_queue import TaggedJson

    request = {"url": "http://x/a", "headers": {b"Accept": [b"text/html"]}, "body": b"",
               "meta": {"lead_date": datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), "listing": None}}
    assert TaggedJson.loads(TaggedJson.dumps(request)) == request
    with pytest.raises(ValueError):
        TaggedJson.loads(b'{"_class": "os.system", "url": "x"}')


def test_workers_share_a_source_lock_that_keeps_ordinary_crawls_out(postgres_url):
    """Distributed workers crawl a source together; a crawl without --distributed (or the
    scheduler's) of that source waits its turn, and vice versa."""
    from storage.locks import SourceLock

    workers = [SourceLock(postgres_url, "wartabench", shared=True) for _ in range(2)]
    ordinary = SourceLock(postgres_url, "wartabench")
    try:
        assert all(lock.acquire() for lock in workers)
        assert not ordinary.acquire()
        for lock in workers:
            lock.release()
        assert ordinary.acquire()
        assert not SourceLock(postgres_url, "wartabench", shared=True).acquire()
    finally:
        for lock in [*workers, ordinary]:
            lock.release()
