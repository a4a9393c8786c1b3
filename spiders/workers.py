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
from typing import Any, Callable

from scrapy.utils.defer import maybe_deferred_to_future
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


def read_then_analyse(read: Callable[..., Any], analyser: str | None, analyser_args: tuple, *args: Any):
    """``read(*args)`` (an article page and its encoding), then — in the same worker — the
    analyser the crawl configured (``PANTAU_PAGE_ANALYSER``, a dotted path called with the page's
    title and text and ``analyser_args``), so a page crosses between processes once.

    An analyser failure never loses the page: it comes back as ``{"error": ...}``.
    """
    page, encoding = read(*args)
    analysis = None
    if analyser and getattr(page, "is_article", False):
        try:
            from scrapy.utils.misc import load_object

            analysis = load_object(analyser)(page.title, page.text, *analyser_args)
        except Exception as exc:
            analysis = {"error": f"{exc.__class__.__name__}: {exc}"}
    return page, encoding, analysis
