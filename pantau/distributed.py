"""Several crawl workers — processes or machines — sharing each source's crawl through Redis.

``pantau crawl --distributed redis://host:6379/0`` runs this process as one *worker* of a crawl
*job*. For each news source, the workers of a job share one request queue and one duplicate
filter in Redis (scrapy-redis' FIFO queue and ``RFPDupeFilter``), and store into one PostgreSQL:

* **Seeding.** The first worker to open a source becomes its *seeder* and runs discovery (the
  source page, robots.txt, feeds, sitemaps, the WordPress API, listing pages) alone: discovery
  keeps state in the spider, so its requests stay in the seeder's own memory. Each article URL
  discovery finds — after Pantau's own skip logic (scope, known URLs from storage, ``--since``,
  ``max_pages``) — goes through the shared duplicate filter into the shared queue. The spider
  marks which requests any worker can answer (``meta["pantau_shared"]``); articles of undated
  listing pages steer the listing walk, so they stay with the seeder too.
* **Joining.** Other workers skip discovery and answer queued article requests. When the seeder
  has gone idle it marks discovery done; a worker closes its source once discovery is done, the
  queue is empty and no worker holds a request — so every worker ends together.
* **Nothing lost.** Popping a request moves it into the worker's *claims* list in one Redis
  command (``LMOVE``, the reliable-queue pattern); the claim is dropped once the item the request
  produced has left the item pipelines, i.e. is stored (or recorded as an error). Every worker
  refreshes a heartbeat key; a worker whose heartbeat expired (killed, machine down) has its
  claims moved back to the queue by the next idle worker, and a seeder that dies before
  discovery is done is replaced by the first idle worker, which runs discovery again (the shared
  duplicate filter keeps already-queued URLs from being queued twice). A worker stopped with
  SIGTERM finishes its requests in flight and hands back what it holds. What a dead worker had
  fetched but not stored is fetched again, and storage's unique URL and content constraints keep
  it stored once.
* **Keys** live under ``<prefix>:<job>:<source>:`` (``PANTAU_REDIS_PREFIX``, default
  ``pantau``; the job defaults to the sources file's region code), so kabupaten, runs and
  sources never collide. The last worker to leave deletes its source's keys; keys of a job
  whose workers all died expire after ``PANTAU_REDIS_JOB_TTL`` seconds, and the next worker
  to join such a job requeues the dead workers' claims and discovers again.

Requests travel as tagged JSON rather than scrapy-redis' default pickle, so whoever can write
to the Redis database cannot make the workers run code. The keys, the claiming queue and the JSON
form are in :mod:`pantau.redis_queue`.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import secrets
import socket
from heapq import heappop, heappush
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.connection import get_redis
from scrapy_redis.defaults import REDIS_PARAMS
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from sqlalchemy.engine import make_url
from twisted.internet import task

from pantau.redis_queue import ClaimingQueue, JobKeys, TaggedJson
from spiders.base import SHARED_META

logger = logging.getLogger(__name__)

CLAIM = "pantau_claim"  # request meta set here: the claim the request (or its retry/redirect) settles
DEFAULT_PREFIX = "pantau"
DEFAULT_WORKER_TTL = 60.0  # seconds a worker may go silent before its claimed requests go back
DEFAULT_JOB_TTL = 24 * 3600  # seconds the keys of a job nobody works on are kept
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")

# The scheduler of each crawler, for the spider middleware that decides who seeds.
_schedulers: WeakKeyDictionary = WeakKeyDictionary()

# Leave a source's job: unregister, and if nobody is left and nothing queued, delete its keys.
# KEYS: workers, my alive key, queue, then every other key of the job; ARGV: my worker id.
_LEAVE = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
if redis.call('SCARD', KEYS[1]) == 0 and redis.call('LLEN', KEYS[3]) == 0 then
  for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
  return 1
end
return 0
"""


class DistributedSetupError(Exception):
    """``--distributed`` cannot work with this configuration; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def redacted(url: str) -> str:
    """A Redis or database URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True) if "://" in url else url


def check_setup(db_url: str, redis_url: str, job: str) -> None:
    """Refuse what cannot work, with a message saying what to do instead."""
    if make_url(db_url).get_backend_name() != "postgresql":
        raise DistributedSetupError(
            f"--distributed needs a PostgreSQL database that every worker can reach (PANTAU_DB_URL="
            f"postgresql://...); this crawl writes to {redacted(db_url)}, and workers on several "
            "machines cannot share a SQLite file")
    if not NAME.match(job):
        raise DistributedSetupError(f"--job '{job}': use letters, digits, '.', '_' or '-' (at most 100)")
    try:
        client(redis_url).ping()
    except Exception as exc:  # the message is what the admin needs
        raise DistributedSetupError(f"cannot reach Redis at {redacted(redis_url)}: {exc}", code=1) from None


def client(redis_url: str):
    return get_redis(url=redis_url, **REDIS_PARAMS)


def crawler_settings(redis_url: str, job: str) -> dict[str, Any]:
    """The Scrapy settings that make a news source's crawler a worker of ``job``."""
    return {
        "SCHEDULER": "pantau.distributed.DistributedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # Never flush the shared queue when one worker closes: the others are still on it.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "PANTAU_REDIS_URL": redis_url,
        "PANTAU_REDIS_JOB": job,
        "SPIDER_MIDDLEWARES": {"pantau.distributed.SeedOnceMiddleware": 10},
    }


class DistributedScheduler(Scheduler):
    """scrapy-redis' scheduler, made safe for several workers on one source (see module doc)."""

    def __init__(self, server, crawler, *, prefix: str, job: str, worker_ttl: float, job_ttl: int):
        super().__init__(server, persist=True, dupefilter_cls="scrapy_redis.dupefilter.RFPDupeFilter",
                         serializer=TaggedJson)
        self.crawler = crawler
        self.stats = crawler.stats
        self.prefix, self.job = prefix, job
        self.worker_ttl, self.job_ttl = worker_ttl, job_ttl
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.seeding = False
        self.discovered = False
        self._local: list[tuple[int, int, Request]] = []  # this worker's own requests, by priority
        self._order = itertools.count()
        self._claims: dict[int, bytes] = {}  # claim token -> the queued request it came from
        self._tokens = itertools.count(1)
        self._closing = False
        self._heartbeat: task.LoopingCall | None = None
        self._leave = server.register_script(_LEAVE)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        db_url = settings.get("PANTAU_DB_URL") or ""
        if db_url and make_url(db_url).get_backend_name() != "postgresql":
            raise DistributedSetupError("a distributed crawl needs PostgreSQL, not " + redacted(db_url))
        redis_url = settings.get("PANTAU_REDIS_URL") or settings.get("REDIS_URL")
        server = get_redis(url=redis_url, **REDIS_PARAMS)
        server.ping()
        scheduler = cls(server, crawler, prefix=settings.get("PANTAU_REDIS_PREFIX") or DEFAULT_PREFIX,
                        job=settings.get("PANTAU_REDIS_JOB") or "default",
                        worker_ttl=settings.getfloat("PANTAU_REDIS_WORKER_TTL", DEFAULT_WORKER_TTL),
                        job_ttl=settings.getint("PANTAU_REDIS_JOB_TTL", DEFAULT_JOB_TTL))
        for receiver, signal in ((scheduler.spider_idle, signals.spider_idle),
                                 (scheduler.item_done, signals.item_scraped),
                                 (scheduler.item_done, signals.item_dropped),
                                 (scheduler.item_done, signals.item_error)):
            crawler.signals.connect(receiver, signal=signal)
        _schedulers[crawler] = scheduler
        return scheduler

    # -- opening: join the job, seed if first ----------------------------------------------------

    def open(self, spider):
        self.spider = spider
        self.keys = JobKeys(self.prefix, self.job, spider.source.name)
        self.queue = ClaimingQueue(self.server, spider, self.keys.queue, self.keys.claims(self.worker),
                                   serializer=self.serializer)
        self.df = RFPDupeFilter(self.server, key=self.keys.dupefilter,
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self._beat()  # registered and alive before looking at the others
        self._reset_abandoned_job()
        self.discovered = bool(self.server.exists(self.keys.discovered))
        if not self.discovered:
            self.seeding = bool(self.server.set(self.keys.seeder, self.worker, nx=True, px=self._ttl_ms))
        self.stats.set_value("pantau/redis/seeder", self.seeding, spider=spider)
        logger.info("%(source)s: worker %(worker)s joins job '%(job)s' as %(role)s (%(queued)d requests queued)",
                    {"source": spider.source.name, "worker": self.worker, "job": self.job,
                     "role": "seeder" if self.seeding else "helper", "queued": len(self.queue)})
        # At most a second between beats: an idle worker also looks for new requests then
        # (the engine itself only looks every 5 s).
        self._heartbeat = task.LoopingCall(self._beat_safely)
        self._heartbeat.start(min(1.0, max(self.worker_ttl / 4, 0.1)), now=False)

    def _reset_abandoned_job(self) -> None:
        """Alone in a job whose workers all died: take back their requests and discover again."""
        others = [w for w in self._members() if w != self.worker]
        if any(self.server.exists(self.keys.alive(w)) for w in others):
            return
        self._rescue_dead_workers()
        self.server.delete(self.keys.discovered)

    # -- queueing ---------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if CLAIM in request.meta or not request.meta.get(SHARED_META):
            # Discovery, and the retries and redirects of a claimed request, stay with this worker.
            heappush(self._local, (-request.priority, next(self._order), request))
            return True
        if self.df.request_seen(request):  # shared requests always meet the shared filter
            self.df.log(request, self.spider)
            self.stats.inc_value("pantau/redis/filtered", spider=self.spider)
            return False
        self.queue.push(request)
        self.stats.inc_value("pantau/redis/shared", spider=self.spider)
        return True

    def next_request(self) -> Request | None:
        if self._local:
            return heappop(self._local)[2]
        claimed = self.queue.claim()
        if claimed is None:
            return None
        data, request = claimed
        token = next(self._tokens)
        self._claims[token] = data
        request.meta[CLAIM] = token
        self.stats.inc_value("pantau/redis/claimed", spider=self.spider)
        return request

    def has_pending_requests(self) -> bool:
        return bool(self._local) or len(self.queue) > 0

    def __len__(self) -> int:
        return len(self._local) + len(self.queue)

    # -- settling claims ----------------------------------------------------------------------

    def item_done(self, item, response, spider, **kwargs) -> None:
        """An item left the pipelines (stored, dropped or failed): its request is settled."""
        request = response.request if isinstance(response, Response) else getattr(response, "request", None)
        token = request.meta.get(CLAIM) if request is not None else None
        data = self._claims.pop(token, None) if token is not None else None
        if data is not None:
            self.queue.settle(data)

    # -- idle: finish discovery, rescue, take over, or close ----------------------------------

    def spider_idle(self, spider) -> None:
        if not self._may_close(spider):
            raise DontCloseSpider

    def _may_close(self, spider) -> bool:
        """Called while this worker is idle: settle, mark discovery done, rescue dead workers'
        requests or take discovery over as needed; True when the source's job is finished."""
        if self._claims:
            # Idle means every request this worker took is answered: these produced no item.
            for data in self._claims.values():
                self.queue.settle(data)
            self._claims.clear()
        if self.seeding and not self.discovered:
            self.server.set(self.keys.discovered, 1, ex=self.job_ttl)
            self._drop_seeder()
            logger.info("%(source)s: discovery done", {"source": spider.source.name})
        self.discovered = self.discovered or bool(self.server.exists(self.keys.discovered))
        requeued = self._rescue_dead_workers()
        if requeued or len(self.queue):
            return False
        if not self.discovered:
            if self.server.set(self.keys.seeder, self.worker, nx=True, px=self._ttl_ms):
                self._take_over_discovery(spider)
            return False  # the seeder is still discovering
        # Others still hold requests: stay, to take them back if they die.
        return not any(self.server.llen(self.keys.claims(w)) for w in self._members())

    def _take_over_discovery(self, spider) -> None:
        logger.warning("%(source)s: the seeding worker is gone before discovery was done; %(worker)s "
                       "discovers again", {"source": spider.source.name, "worker": self.worker})
        self.seeding = True
        self.stats.set_value("pantau/redis/seeder", True, spider=spider)

        async def discover():
            async for request in spider.start():
                if isinstance(request, Request):
                    self.crawler.engine.crawl(request)

        deferred_from_coro(discover())

    def _rescue_dead_workers(self) -> int:
        moved = 0
        for worker in self._members():
            if worker == self.worker or self.server.exists(self.keys.alive(worker)):
                continue
            count = self.queue.give_back(self.keys.claims(worker))
            self.server.srem(self.keys.workers, worker)
            if count:
                logger.warning("%(source)s: worker %(worker)s stopped answering; %(n)d of its requests "
                               "go back to the queue", {"source": self.spider.source.name, "worker": worker,
                                                        "n": count})
            moved += count
        if moved:
            self.stats.inc_value("pantau/redis/requeued", moved, spider=self.spider)
        return moved

    def _members(self) -> list[str]:
        return [w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(self.keys.workers)]

    # -- heartbeat ----------------------------------------------------------------------------

    @property
    def _ttl_ms(self) -> int:
        return int(self.worker_ttl * 1000)

    def _beat(self) -> None:
        keys = self.keys
        pipe = self.server.pipeline(transaction=False)
        pipe.set(keys.alive(self.worker), 1, px=self._ttl_ms)
        pipe.sadd(keys.workers, self.worker)
        for key in (keys.queue, keys.dupefilter, keys.workers, keys.discovered, keys.crawl_delay):
            pipe.expire(key, self.job_ttl)  # a job's keys outlive its workers by job_ttl at most
        pipe.get(keys.seeder)
        *_, seeder = pipe.execute()
        if self.seeding and not self.discovered:
            if seeder is not None and seeder.decode() == self.worker:
                self.server.pexpire(keys.seeder, self._ttl_ms)
            delay = getattr(self.spider, "crawl_delay", None)
            if delay:
                self.server.set(keys.crawl_delay, delay, ex=self.job_ttl)

    def _beat_safely(self) -> None:
        try:
            self._beat()
            if not self.seeding:
                delay = self.server.get(self.keys.crawl_delay)
                if delay is not None and hasattr(self.spider, "crawl_delay"):
                    self.spider.crawl_delay = float(delay)
            if not self._closing:
                self._look_again()
        except Exception as exc:  # Redis away for a moment: keep crawling, try again next beat
            logger.warning("Redis heartbeat failed: %(error)s", {"error": exc})

    def _look_again(self) -> None:
        """While the engine idles it looks at the scheduler only every 5 s; look every beat.
        Requests arrived: hand it one through the public ``engine.crawl``, which also makes it
        pull the others. The job finished: close the source now."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None or self._local or engine.downloader.active:
            return
        if len(self.queue):
            request = self.next_request()
            if request is not None:
                engine.crawl(request)
        elif engine.spider_is_idle() and self._may_close(self.spider):
            self._closing = True
            engine.close_spider(self.spider, "finished")

    # -- closing: hand back, leave, clean up ------------------------------------------------------

    def close(self, reason: str) -> None:
        if not hasattr(self, "keys"):  # never opened
            return
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        given_back = self.queue.give_back(self.keys.claims(self.worker))
        if given_back:
            logger.info("%(source)s: %(n)d unanswered requests go back to the queue",
                        {"source": self.spider.source.name, "n": given_back})
        if self.seeding and not self.discovered:
            self._drop_seeder()  # another worker takes discovery over at once
        keys = self.keys
        cleaned = self._leave(keys=[keys.workers, keys.alive(self.worker), keys.queue, keys.dupefilter,
                                    keys.seeder, keys.discovered, keys.crawl_delay], args=[self.worker])
        if cleaned:
            logger.info("%(source)s: last worker of job '%(job)s' out; its Redis keys are deleted",
                        {"source": self.spider.source.name, "job": self.job})

    def _drop_seeder(self) -> None:
        if (self.server.get(self.keys.seeder) or b"").decode() == self.worker:
            self.server.delete(self.keys.seeder)


class SeedOnceMiddleware:
    """Only the seeding worker of a source reads the spider's start requests (discovery); the
    spider's ``start()`` of every other worker is never even iterated."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        scheduler = _schedulers.get(self.crawler)
        if scheduler is not None and not scheduler.seeding:
            return
        async for item_or_request in start:
            yield item_or_request
