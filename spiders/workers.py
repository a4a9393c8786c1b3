"""Read article pages in worker processes, so extraction uses every core.

Extraction (lxml parsing and trafilatura) is CPU-bound Python and would otherwise run on the
crawler's single reactor thread, between downloads. A process pool lets the crawler keep
downloading and storing while other cores read pages. One pool serves every crawler in the
process; ``PANTAU_EXTRACT_WORKERS=0`` reads pages in-process instead (simpler to debug).

Workers start with ``forkserver`` where available (never plain ``fork``: forking a process that
runs a reactor and thread pools can copy a held lock), else ``spawn``. Each worker watches the
crawl process that started it and exits when that process is gone, so a crawl killed outright
(SIGKILL, out of memory) leaves no page readers behind.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Protocol

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet import defer, reactor

logger = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
_workers: int | None = None


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _watch_owner(owner: int, every: float = 1.0) -> None:
    """In a worker: exit as soon as the crawl process ``owner`` no longer exists."""

    def watch() -> None:
        while True:
            time.sleep(every)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # exists, owned by someone else: not ours any more
                os._exit(0)

    threading.Thread(target=watch, name="pantau-owner-watch", daemon=True).start()


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _workers
    if _pool is None or _workers != workers:
        shutdown()
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                                    initializer=_watch_owner, initargs=(os.getpid(),))
        _workers = workers
    return _pool


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


atexit.register(shutdown)


def submit(function: Callable[..., Any], *args: Any, workers: int) -> None:
    """Start ``function(*args)`` in a worker and forget it (warming a worker up); errors are logged."""
    try:
        future = _get_pool(workers).submit(function, *args)
    except BrokenProcessPool:
        return
    future.add_done_callback(lambda done: done.exception() and logger.warning(
        "A background task in the workers failed: %s", done.exception()))


async def run(function: Callable[..., Any], *args: Any, workers: int) -> Any:
    """``function(*args)`` in a worker process (or inline when ``workers`` is 0).

    Works with any Twisted reactor: the pool's future fires a Deferred on the reactor thread.
    """
    if workers <= 0:
        return function(*args)
    try:
        future = _get_pool(workers).submit(function, *args)
    except BrokenProcessPool:
        logger.warning("Extraction workers died; starting new ones")
        shutdown()
        future = _get_pool(workers).submit(function, *args)
    result: defer.Deferred = defer.Deferred()

    def fire(done) -> None:  # on the reactor thread
        error = done.exception()
        if error is not None:
            result.errback(error)
        else:
            result.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return await maybe_deferred_to_future(result)


class PageAnalyser(Protocol):
    """What a crawl may run on each article page right where it was read (the Scrapy setting
    ``PANTAU_PAGE_ANALYSER``: a class with ``from_crawler``, or its import path).

    It is sent to the worker with every page, so it must be small and picklable. ``key`` names
    the analyser, its version and whatever it was built with: a later stage takes an analysis
    over only when the key is the one it would produce itself (see pipelines.classify)."""

    key: str

    def __call__(self, title: str | None, text: str | None) -> Any: ...


def page_analyser(crawler) -> PageAnalyser | None:
    """The crawl's page analyser, built with ``from_crawler``; None when the setting is unset or
    the analyser declines (``NotConfigured``, e.g. classification is off or there is no model)."""
    component = crawler.settings.get("PANTAU_PAGE_ANALYSER")
    if not component:
        return None
    try:
        return build_from_crawler(load_object(component), crawler)
    except NotConfigured as exc:
        logger.info("No page analyser in the readers: %(why)s", {"why": exc})
        return None


def read_then_analyse(read: Callable[..., Any], analyser: PageAnalyser | None, *args: Any):
    """``read(*args)`` (an article page and its encoding), then — in the same worker — the
    crawl's page analyser on the article's title and text, so a page crosses between processes
    once. The analysis travels on the item as ``{"by": analyser.key, "result": ...}``.

    An analyser failure never loses the page: it comes back as ``{"by": ..., "error": ...}``.
    """
    page, encoding = read(*args)
    analysis = None
    if analyser is not None and getattr(page, "is_article", False):
        try:
            analysis = {"by": analyser.key, "result": analyser(page.title, page.text)}
        except Exception as exc:
            analysis = {"by": analyser.key, "error": f"{exc.__class__.__name__}: {exc}"}
    return page, encoding, analysis
