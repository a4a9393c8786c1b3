"""Honour a site's robots.txt ``Crawl-delay``, which Scrapy's robots.txt support ignores.

The news spider reads the delay for its User-Agent from robots.txt (``spider.crawl_delay``,
capped at a minute); this downloader middleware then keeps the site's download slot at least
that far apart and tells AutoThrottle not to shorten it.
"""

from __future__ import annotations

MAX_CRAWL_DELAY = 60.0


class CrawlDelayMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider):
        delay = getattr(spider, "crawl_delay", None)
        if not delay:
            return None
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < delay:
            slot.delay = delay
        request.meta.setdefault("autothrottle_dont_adjust_delay", True)
        return None
