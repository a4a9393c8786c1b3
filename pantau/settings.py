"""Scrapy settings for Pantau (``scrapy.cfg`` points here).

Polite by default: robots.txt is obeyed, AutoThrottle adapts to each site, at most two requests
run in parallel per site, and the User-Agent says who is crawling and where to complain. A
source may relax this only for sites the office owns (``delay: 0`` in the sources file).
"""

import os

from pantau.config import DEFAULT_REGION
from pipelines import item_pipelines

BOT_NAME = "pantau"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

CONTACT_URL = os.environ.get("PANTAU_CONTACT_URL", "https://github.com/pantau-aduan/pantau#crawler")
USER_AGENT = f"PantauBot/0.1 (+{CONTACT_URL}; pemantauan aduan publik Diskominfo)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page is never this big; cap memory per response
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
# The spider records 4xx/5xx responses itself, so it sees them instead of having them filtered.
HTTPERROR_ALLOW_ALL = False
# Each response yields one item or a few requests; Scrapy's default of 100 parallel item slots per
# response only adds scheduling overhead.
CONCURRENT_ITEMS = 16

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# The platform's default reactor: Scrapy's asyncio bridge costs ~1 ms per page on this workload
# and nothing in Pantau needs asyncio.
TWISTED_REACTOR = None
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("PANTAU_LOG_LEVEL", "INFO")

# Middlewares that do nothing for Pantau but cost a Deferred chain on every request or item:
# no HTTP auth, no Referer needed, spiders keep their own scope (no allowed_domains), and
# discovery bounds depth itself.
DOWNLOADER_MIDDLEWARES = {
    "spiders.politeness.CrawlDelayMiddleware": 120,  # right after RobotsTxtMiddleware
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}

# normalize → dedupe → classify → cluster → store, in the order of pipelines.STAGES (the one
# home of the sequence, which `pantau import` runs without Scrapy through pipelines.ingest)
ITEM_PIPELINES = item_pipelines()

EXTENSIONS = {
    "pantau.state.CrawlStateExtension": 10,
}

# Pantau's own settings (overridable from the command line with -s).
PANTAU_DB_URL = os.environ.get("PANTAU_DB_URL")
PANTAU_SOURCES = os.environ.get("PANTAU_SOURCES", "sources.yaml")
# How a spider given only a source name (scrapy crawl news -a source=NAME) finds its Source.
PANTAU_SOURCE_LOADER = "pantau.config.load_sources"
PANTAU_SINCE_DAYS = 30
PANTAU_MAX_PAGES = 1000  # requests per source and crawl, unless the source sets max_pages
PANTAU_NEAR_DUPLICATE_THRESHOLD = 0.5
PANTAU_REGION = DEFAULT_REGION  # the sources file's region (set by `pantau crawl`)
PANTAU_CLASSIFY = True  # the classification stage (the active or shipped model)
PANTAU_CASE_DAYS = 3  # reports of one incident: at most this many days apart (pipelines.cluster)
PANTAU_CASE_OVERLAP = 0.3  # ... and sharing this share of their problem words
# Distributed crawls (pantau crawl --distributed REDIS_URL --job NAME; see pantau.distributed):
# Redis keys live under PANTAU_REDIS_PREFIX:<job>:<source>:, a worker silent for
# PANTAU_REDIS_WORKER_TTL seconds has its claimed requests put back in the queue, and the keys of
# a job nobody works on any more expire after PANTAU_REDIS_JOB_TTL seconds.
PANTAU_REDIS_PREFIX = "pantau"
PANTAU_REDIS_WORKER_TTL = 60
PANTAU_REDIS_JOB_TTL = 24 * 3600
# Processes that read article pages (0: read them in the crawler process itself).
PANTAU_EXTRACT_WORKERS = int(os.environ.get("PANTAU_EXTRACT_WORKERS", min(4, os.cpu_count() or 1)))
