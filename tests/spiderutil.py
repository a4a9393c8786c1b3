"""Run a spider's callbacks and the normalize pipeline in this process, Scrapy's own testing style.

A crawl test that asserts what a spider finds and what the pipelines keep — which pages it asks
for, what it reads from them, what it skips and why — needs neither Scrapy's reactor nor a
``pantau crawl`` subprocess. :func:`crawl_site` builds the spider as
``scrapy.utils.test.get_crawler`` does, in the order ``Crawler.crawl`` uses (Pantau's settings,
pages read in-process: ``PANTAU_EXTRACT_WORKERS=0``), fetches every request it yields from the fixture site on 127.0.0.1
with a plain HTTP client, wraps each answer in the Response class Scrapy would choose
(``responsetypes``) with the request attached, and calls the request's callback — or its errback
with the ``HttpError`` Scrapy's HttpErrorMiddleware raises for a status outside 200–299.
Redirects are followed as RedirectMiddleware does (the callback sees the final URL). Every item
goes through ``NormalizePipeline.process_item``; what it keeps and what it skips (with the
reason) come back in :class:`SpiderRun`.

Not here, and so still tested with real crawls (``tests/crawlutil.py``): robots.txt and delays,
retries, timeouts, concurrency, storage and what earlier runs remember, the command line.
"""

from __future__ import annotations

import asyncio
import inspect
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import scrapy
from scrapy.crawler import CrawlerRunner
from scrapy.http import Headers
from scrapy.http.request import NO_CALLBACK
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.spidermiddlewares.httperror import HttpError
import yaml
from twisted.python.failure import Failure

from pantau import settings as pantau_settings
from pantau.config import parse_sources
from pipelines.normalize import NormalizePipeline, Skipped
from spiders.items import Article, CrawlError

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class SpiderRun:
    spider: Any
    articles: list[Article] = field(default_factory=list)  # kept by the normalize pipeline
    skipped: dict[str, str] = field(default_factory=dict)  # URL -> drop reason
    errors: list[CrawlError] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)  # every URL asked for, redirects included

    def by_url(self) -> dict[str, Article]:
        urls = [item.url for item in self.articles]
        assert len(urls) == len(set(urls)), "an article was kept twice"
        return {item.url: item for item in self.articles}


def _settings(**overrides: Any) -> dict[str, Any]:
    values = {name: getattr(pantau_settings, name) for name in dir(pantau_settings)
              if name.isupper() and name != "REQUEST_FINGERPRINTER_IMPLEMENTATION"}  # deprecated, warns
    values.update(PANTAU_EXTRACT_WORKERS=0, PANTAU_PAGE_ANALYSER=None, LOG_LEVEL="WARNING")
    values.update(overrides)
    return values


def build_spider(entry: dict[str, Any], *, since: str | datetime, spider: str = "news",
                 region: str = "35.13", **settings: Any):
    """The spider for one sources-file ``entry`` (a dict as in sources.yaml), without a reactor."""
    source = parse_sources(yaml.safe_dump({"region": region, "sources": [entry]})).get(entry["name"])
    spidercls = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": pantau_settings.SPIDER_MODULES})).load(spider)
    crawler = CrawlerRunner(_settings(**settings)).create_crawler(spidercls)
    # as Crawler.crawl does: the spider first (it may still set per-source settings), then the rest
    crawler.spider = crawler._create_spider(source=source, since=since)
    crawler._apply_settings()
    return crawler.spider


def _fetch(url: str, user_agent: str) -> tuple[int, dict[str, str], bytes, str]:
    """(status, headers, body, final URL) of ``url``, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Encoding": "identity"})
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, dict(answer.headers.items()), answer.read(), url
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers.items()), answer.read(), url


def _drive(result) -> list:
    """What a callback yields: a generator, an async generator (parse_article) or nothing."""
    if result is None:
        return []
    if inspect.isasyncgen(result):
        async def collect():
            return [output async for output in result]

        return asyncio.run(collect())
    return list(result)


def crawl_site(entry: dict[str, Any], *, since: str | datetime, spider: str = "news",
               max_requests: int = 500, **settings: Any) -> SpiderRun:
    """Run the spider for ``entry`` against the sites on 127.0.0.1 until it asks for nothing more."""
    instance = build_spider(entry, since=since, spider=spider, **settings)
    run = SpiderRun(instance)
    pipeline = NormalizePipeline()
    user_agent = instance.settings.get("USER_AGENT")
    queue: deque[scrapy.Request] = deque()

    def take(outputs) -> None:
        for output in outputs:
            if isinstance(output, scrapy.Request):
                queue.append(output)
            elif isinstance(output, CrawlError):
                run.errors.append(output)
            elif isinstance(output, Article):
                try:
                    run.articles.append(pipeline.process_item(output, instance))
                except Skipped as skipped:
                    run.skipped[skipped.url] = skipped.reason

    start = instance.start()
    take(_drive(start) if inspect.isasyncgen(start) else start)
    while queue:
        assert len(run.fetched) < max_requests, "the spider did not stop asking for pages"
        request = queue.popleft()
        url, meta = request.url, dict(request.meta)
        for _ in range(pantau_settings.REDIRECT_MAX_TIMES + 1):
            run.fetched.append(url)
            status, headers, body, url = _fetch(url, user_agent)
            if status not in REDIRECTS or "Location" not in headers:
                break
            meta.setdefault("redirect_urls", []).append(url)
            url = urllib.parse.urljoin(url, headers["Location"])
        final = request.replace(url=url, meta=meta)
        response_cls = responsetypes.from_args(headers=Headers(headers), url=url, body=body)
        response = response_cls(url=url, status=status, headers=headers, body=body, request=final)
        if 200 <= status < 300:
            callback = request.callback if request.callback not in (None, NO_CALLBACK) else instance.parse
            take(_drive(callback(response, **request.cb_kwargs)))
        elif request.errback is not None:
            failure = Failure(HttpError(response, "Ignoring non-200 response"))
            failure.request = final
            take(_drive(request.errback(failure)))
    return run
