"""Benchmark (i): Scrapy fetching only — every article URL of the sitemap, no parsing.

Run as ``python benchmarks/fetch_spider.py SITEMAP_URL RESULT_JSON``; politeness off (the site
is our own, on 127.0.0.1).
"""

import json
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.sitemap import Sitemap


class FetchOnly(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, sitemap: str, **kwargs):
        super().__init__(**kwargs)
        self.sitemap = sitemap
        self.fetched = 0
        self.first = self.last = None

    async def start(self):
        yield scrapy.Request(self.sitemap, callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(entry["loc"], callback=self.parse_sitemap)
            else:
                yield scrapy.Request(entry["loc"], callback=self.parse_page, dont_filter=True)

    def parse_page(self, response):
        now = time.perf_counter()
        self.first = self.first or now
        self.last = now
        self.fetched += 1


def main() -> None:
    sitemap, out = sys.argv[1], sys.argv[2]
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False,
    })
    crawler = process.create_crawler(FetchOnly)
    started = time.perf_counter()
    process.crawl(crawler, sitemap=sitemap)
    process.start()
    spider = crawler.spider
    elapsed = time.perf_counter() - started
    with open(out, "w") as handle:
        json.dump({"fetched": spider.fetched, "seconds": elapsed}, handle)


if __name__ == "__main__":
    main()
