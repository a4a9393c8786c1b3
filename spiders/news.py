"""The generic news spider: from a site URL to the site's recent articles.

Discovery runs in two rounds. First the source page and robots.txt: the page names feeds and the
WordPress REST API, robots.txt names sitemaps. Then, for what the first round did not find, the
common sitemap and feed paths are probed. Only when neither sitemaps nor the WordPress API gave
article URLs does the spider walk the paginated listing pages, stopping at the first page that
shows only known or older articles. Every article URL is checked against the source's scope
(host and path prefix), the per-source crawl state (URLs already stored or seen) and ``--since``
before it is requested. Failures become :class:`~spiders.items.CrawlError` items, so the run
records what failed and where and goes on.

Run it alone with ``scrapy crawl news -a source=NAME [-a since=2026-11-01]``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.http import Response, TextResponse

from spiders import discovery
from spiders.dates import JAKARTA
from spiders.encoding import decode_html
from spiders.errors import describe_failure
from spiders.extract import linked_article
from spiders.items import Article, CrawlError
from spiders.sites import site_for
from spiders.politeness import MAX_CRAWL_DELAY
from spiders.urls import Scope, canonicalize, looks_like_listing
from spiders import workers
from spiders.base import SHARED_META, SourceSpider
from spiders.source import Source

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Sitemaps of a site's navigation pages rather than its articles (WordPress/Yoast/Rank Math names).
NON_ARTICLE_SITEMAP = re.compile(r"(category|tag|author|page|attachment|product|term|user|taxonom|kategori|topik)"
                                 r"[-_]?(sitemap)?\d*\.xml", re.IGNORECASE)
MAX_LISTING_PAGES = 50


def file_scope(url: str, subdomains: bool | tuple[str, ...] = False) -> Scope:
    """The scope of a source whose URL is a file (a feed, a sitemap): the folder it sits in."""
    return Scope.from_url(urljoin(url.rstrip("/"), "./"), subdomains=subdomains)


class NewsSpider(SourceSpider):
    name = "news"
    distributable = True

    def __init__(self, source: Source | str | None = None, since: datetime | str | None = None,
                 **kwargs: Any):
        super().__init__(source, since, **kwargs)
        self.listing_pages = 0
        self._pending_discovery = 0
        self._round = 0
        self._home_doc = None
        self._home_url: str | None = None
        self._index_pages: list[str] = []
        self._have = {"feed": False, "sitemap": False, "wp": False, "robots_sitemap": False}
        self._complete_leads = 0  # article URLs from sitemaps or the WordPress API
        self._home_failed = False
        self.crawl_delay: float | None = None  # from robots.txt, see spiders.politeness
        self._undated_pages: dict[str, dict] = {}  # listing page → its articles still being read

    def configure(self, settings) -> None:
        source = self.source
        self.max_pages = source.max_pages or settings.getint("PANTAU_MAX_PAGES", 1000)
        self.extract_workers = settings.getint("PANTAU_EXTRACT_WORKERS", workers.default_workers())
        # what the crawl wants done to each article in the worker that reads it (the classifier)
        self.analyser = workers.page_analyser(self.crawler)
        self.scope = self._scope_for(source)
        parts = urlsplit(source.url)
        self.scope_root = f"{parts.scheme}://{parts.netloc}{self.scope.path_prefix}/"
        self.site = site_for(source.url, source.selectors)

    @staticmethod
    def _scope_for(source: Source, *, as_file: bool = False) -> Scope:
        """Host + path prefix of the source URL (its folder for a feed or sitemap), plus the
        hosts its ``subdomains`` key allows."""
        if as_file or source.kind in ("rss", "sitemap", "feed"):
            return file_scope(source.url, source.subdomains)
        return Scope.from_url(source.url, subdomains=source.subdomains)

    # -- discovery ----------------------------------------------------------------------------

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        kind, url = self.source.kind, self.source.url
        if kind in ("rss", "feed"):
            yield self._discovery(url, self.parse_feed, "feed")
        elif kind == "sitemap":
            yield self._discovery(url, self.parse_sitemap, "sitemap")
        elif kind == "wordpress":
            api_root = urljoin(url, "wp-json/")
            yield self._discovery(discovery.wp_posts_url(api_root, page=1, since=self.since),
                                  self.parse_wp, "wp", page=1, api_root=api_root)
        else:
            self._round = 1
            yield self._discovery(url, self.parse_home, "home")
            if kind == "auto":
                robots = urljoin(url, "/robots.txt")
                yield self._discovery(robots, self.parse_robots, "robots", probe=True)

    def _discovery(self, url: str, callback, step: str, *, probe: bool = False, **meta: Any) -> scrapy.Request:
        self._pending_discovery += 1
        return scrapy.Request(url, callback=callback, errback=self.on_error, dont_filter=True,
                              meta={"pantau": step, "probe": probe, **meta})

    def parse_home(self, response: Response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if content_type and content_type.split(";")[0].strip() not in HTML_TYPES:
            # The admin gave a feed's or a sitemap's URL: read it as one, scoped to its folder.
            self.scope = self._scope_for(self.source, as_file=True)
            self.scope_root = urljoin(self.source.url.rstrip("/"), "./")
            self._pending_discovery += 1
            reader = self.parse_sitemap if discovery.parse_sitemap(self._maybe_gunzip(response)) else self.parse_feed
            yield from reader(response)
            yield from self._discovery_done()
            return
        if not self.scope.contains(response.url):
            yield self._error(self.source.url, "redirect",
                              f"the site now redirects to {response.url}, outside this source's URL; "
                              "update `url` in the sources file")
        doc = self._doc(response)
        if doc is not None:
            self._home_doc, self._home_url = doc, response.url
            links = discovery.home_links(doc, self.scope)
            self._index_pages = links.index_pages
            if self.source.kind == "auto":
                for feed in links.feeds:
                    yield self._discovery(feed, self.parse_feed, "feed", probe=True)
                if links.wp_api:
                    api = discovery.wp_posts_url(links.wp_api, page=1, since=self.since)
                    yield self._discovery(api, self.parse_wp, "wp", page=1, api_root=links.wp_api, probe=True)
        yield from self._discovery_done()

    def parse_robots(self, response: Response):
        if isinstance(response, TextResponse):
            self._read_crawl_delay(response.text)
            for sitemap in discovery.robots_sitemaps(response.text, response.url):
                self._have["robots_sitemap"] = True
                yield self._discovery(sitemap, self.parse_sitemap, "sitemap", probe=True)
        yield from self._discovery_done()

    def _read_crawl_delay(self, robots: str) -> None:
        try:
            delay = Protego.parse(robots).crawl_delay(self.settings.get("USER_AGENT") or self.name)
        except Exception:  # a malformed robots.txt must not stop the crawl
            return
        if delay and delay > 0:
            self.crawl_delay = min(float(delay), MAX_CRAWL_DELAY)
            self.logger.info("%s: robots.txt asks for %.1f s between requests", self.source.name, self.crawl_delay)

    def parse_feed(self, response: Response):
        leads = discovery.feed_leads(response.body, response.url, now=self.now)
        if leads is None:
            if not response.meta.get("probe"):
                yield self._error(response.url, "parse", "not an RSS, Atom or JSON feed")
        else:
            self._have["feed"] = True
            for lead in leads:
                yield from self._follow(lead)
        yield from self._discovery_done()

    def parse_sitemap(self, response: Response):
        content = discovery.parse_sitemap(self._maybe_gunzip(response), now=self.now)
        if content is None:
            if not response.meta.get("probe"):
                yield self._error(response.url, "parse", "not an XML sitemap")
        else:
            self._have["sitemap"] = True
            for child in content.sitemaps:
                if child.date is not None and child.date < self.since:
                    continue  # an archive sitemap not modified since the cut-off
                if NON_ARTICLE_SITEMAP.search(urlsplit(child.url).path.rsplit("/", 1)[-1]):
                    continue
                if urlsplit(child.url).hostname == urlsplit(response.url).hostname and child.url not in self.requested:
                    self.requested.add(child.url)
                    yield self._discovery(child.url, self.parse_sitemap, "sitemap", probe=True)
            # Newest first, so a max_pages cut keeps the recent articles.
            leads = sorted(content.leads, key=lambda lead: (lead.date is not None, lead.date or self.since),
                           reverse=True)
            for lead in leads:
                if self.scope.contains(lead.url) and not looks_like_listing(lead.url):
                    self._complete_leads += 1
                    yield from self._follow(lead)
        yield from self._discovery_done()

    def parse_wp(self, response: Response):
        leads = discovery.wp_leads(response.body, now=self.now)
        if leads is not None:
            self._have["wp"] = True
            fresh = 0
            for lead in leads:
                self._complete_leads += 1
                for request in self._follow(lead):
                    fresh += 1
                    yield request
            page = response.meta.get("page", 1)
            total = int(response.headers.get("X-WP-TotalPages", b"1") or 1)
            if fresh and page < total and page < MAX_LISTING_PAGES:
                api_root = response.meta["api_root"]
                following = discovery.wp_posts_url(api_root, page=page + 1, since=self.since)
                yield self._discovery(following, self.parse_wp, "wp", page=page + 1, api_root=api_root,
                                      probe=True)
        yield from self._discovery_done()

    def _discovery_done(self):
        """Called once per finished discovery request; launches the next round when idle."""
        self._pending_discovery -= 1
        if self._pending_discovery > 0 or self.source.kind not in ("auto", "html"):
            return
        if self._round == 1 and self.source.kind == "auto" and not self._home_failed:
            self._round = 2
            probes = []
            if not self._have["robots_sitemap"] and not self._have["sitemap"]:
                probes += [(urljoin(self.source.url, path), self.parse_sitemap, "sitemap")
                           for path in discovery.COMMON_SITEMAP_PATHS[:2]]
            if not self._have["feed"] and not self._have["wp"]:
                probes += [(urljoin(self.scope_root, path), self.parse_feed, "feed")
                           for path in discovery.COMMON_FEED_PATHS[:3]]
            probes = [p for p in probes if p[0] not in self.requested]
            if probes:
                for url, callback, step in probes:
                    self.requested.add(url)
                    yield self._discovery(url, callback, step, probe=True)
                return
        if self._round in (1, 2):
            self._round = 3
            if self._complete_leads == 0:
                yield from self._walk_listings()

    def _walk_listings(self):
        """Fallback when no sitemap or API lists the articles: the source page and its indexes."""
        self.logger.info("%s: no sitemap or WordPress API found, reading listing pages", self.source.name)
        if self._home_doc is not None:
            yield from self._listing(self._home_doc, self._home_url)
        for url in self._index_pages:
            if url not in self.requested:
                self.requested.add(url)
                yield self._listing_request(url)

    def _listing_request(self, url: str) -> scrapy.Request:
        self.listing_pages += 1
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, dont_filter=True,
                              meta={"pantau": "listing"})

    def parse_listing(self, response: Response):
        doc = self._doc(response)
        if doc is not None:
            yield from self._listing(doc, response.url)

    def _listing(self, doc, url: str):
        leads = self.site.article_links(doc, self.scope, self.now)
        dated = any(lead.date is not None for lead in leads)
        requests = [request for lead in leads for request in self._follow(lead, listing=None if dated else url)]
        yield from requests
        # A page of only known or older articles means the rest is older still.
        if not requests:
            self.crawler.stats.inc_value("pantau/listing_stops")
            return
        following = self.site.next_page(doc, url, self.scope)
        if not following or following in self.requested or self.listing_pages >= MAX_LISTING_PAGES:
            return
        if dated:
            self.requested.add(following)
            yield self._listing_request(following)
        else:
            # Teasers without dates: read this page's articles first, and go on only if one of
            # them is recent enough (see _listing_article_done).
            self._undated_pages[url] = {"pending": len(requests), "recent": False, "next": following}

    def _listing_article_done(self, listing: str | None, published: datetime | None):
        """One article of an undated listing page is read (or failed); maybe fetch the next page."""
        state = self._undated_pages.get(listing) if listing else None
        if state is None:
            return
        state["pending"] -= 1
        state["recent"] = state["recent"] or (published is not None and published >= self.since)
        if state["pending"] == 0:
            del self._undated_pages[listing]
            following = state["next"]
            if state["recent"] and following not in self.requested:
                self.requested.add(following)
                yield self._listing_request(following)
            else:
                self.crawler.stats.inc_value("pantau/listing_stops")

    # -- articles -----------------------------------------------------------------------------

    def _follow(self, lead: discovery.Lead, listing: str | None = None):
        """Yield a request for the lead's article unless it is out of scope, known or too old."""
        stats = self.crawler.stats
        url = lead.url
        if not self.scope.contains(url):
            stats.inc_value("pantau/skipped_offsite")
            return
        if url in self.known_urls:
            stats.inc_value("pantau/skipped_known")
            return
        if url in self.requested:
            return
        if lead.date is not None and lead.date < self.since:
            stats.inc_value("pantau/skipped_old")
            return
        if self.article_requests >= self.max_pages:
            if stats.get_value("pantau/max_pages_reached") is None:
                self.logger.warning("%s: stopped at max_pages=%d", self.source.name, self.max_pages)
            stats.set_value("pantau/max_pages_reached", self.max_pages)
            return
        self.requested.add(url)
        self.article_requests += 1
        # An article of an undated listing page steers the listing walk (_listing_article_done),
        # so only the others may be answered by another worker of a distributed crawl.
        yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                             meta={"pantau": "article", "lead_url": url, "listing": listing,
                                   "lead_date": lead.date if lead.published else None,
                                   "lead_any_date": lead.date,  # a sitemap's lastmod too
                                   SHARED_META: listing is None})

    async def parse_article(self, response: Response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if content_type and not content_type.split(";")[0].strip() in HTML_TYPES:
            yield self._error(response.url, "not_html", f"not a web page (Content-Type: {content_type})",
                              status=response.status)
            for request in self._listing_article_done(response.meta.get("listing"), None):
                yield request
            return
        try:
            page, encoding, analysis = await workers.run(
                workers.read_then_analyse, self.site.read_response, self.analyser,
                response.body, content_type or None, response.url, datetime.now(JAKARTA),  # "2 jam lalu" from now
                workers=self.extract_workers)
        except Exception as exc:  # a page that breaks the reader must not stop the crawl
            self.logger.exception("Could not read %s", response.url)
            yield self._error(response.url, "parse", f"could not read the page: {exc.__class__.__name__}: {exc}")
            for request in self._listing_article_done(response.meta.get("listing"), None):
                yield request
            return
        url = page.canonical_url or canonicalize(response.url)
        lead_url = response.meta.get("lead_url")
        published = page.published_at or response.meta.get("lead_date")
        if not page.is_article and linked_article(page, response.meta.get("lead_any_date")):
            # The site links it as an article (feed item, sitemap entry, listing teaser) and it
            # has a headline and a date: a short story is still a story.
            page.is_article, page.not_article_reason = True, None
        yield Article(
            source=self.source.name, url=url, title=page.title or "", text=page.text or "",
            published_at=published, author=page.author,
            fetched_url=lead_url if lead_url and lead_url != url else None,
            source_kind="social" if self.source.social else "news",
            harvested_at=datetime.now(JAKARTA), language=page.language,
            raw={"is_article": page.is_article, "not_article_reason": page.not_article_reason,
                 "page_type": page.page_type, "encoding": encoding,
                 "http_status": response.status, "description": page.description, "image": page.image},
            analysis=analysis,
        )
        for request in self._listing_article_done(response.meta.get("listing"), published if page.is_article else None):
            yield request

    # -- failures -----------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        step = request.meta.get("pantau")
        kind, status, message = describe_failure(failure)
        if not (request.meta.get("probe") and kind in ("http", "dns", "connection", "timeout")):
            if step == "home":
                self._home_failed = True
                message = f"{message} — the site did not answer; check the URL or try later"
            yield self._error(request.url, kind, message, status=status)
        if step == "article":
            yield from self._listing_article_done(request.meta.get("listing"), None)
        elif step != "listing":
            yield from self._discovery_done()

    def _error(self, url: str, kind: str, message: str, status: int | None = None) -> CrawlError:
        self.logger.warning("%s: %s %s: %s", self.source.name, kind, url, message)
        return CrawlError(source=self.source.name, url=url, kind=kind, message=message, status=status)

    # -- helpers ------------------------------------------------------------------------------

    def _doc(self, response: Response):
        if not isinstance(response, TextResponse):
            return None
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        html, _ = decode_html(response.body, content_type)
        return discovery.parse_html(html, response.url)

    def _maybe_gunzip(self, response: Response) -> bytes:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            from scrapy.utils.gz import gunzip

            return gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        return body
