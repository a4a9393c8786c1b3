"""X (Twitter) recent search: every post found by a source's ``query`` is one item.

For a ``kind: x`` source the posts come from the X API v2 recent search
(``GET /2/tweets/search/recent``) through tweepy, called in a thread so the reactor never waits
on it; waits between tries are reactor timers. Each post becomes an
:class:`~spiders.items.Article` with ``source_kind`` ``x`` and flows down the same pipelines as
news (normalize, dedupe, classify, store). ``api_base`` sends the requests to an
X-API-compatible server instead of X (tests, a proxy).

**Nothing read twice, nothing lost.** The API bills every post it returns and lists the newest
first, so the source's cursor (``source_state.cursor``) says which ids were read:

* ``since_id``: every post up to this id was read;
* ``newest_id`` / ``until_id``, while a search is unfinished: the posts from ``until_id`` up to
  ``newest_id`` were read, those between ``since_id`` and ``until_id`` not yet.

A run first finishes an unfinished search (``since_id`` < id < ``until_id``), then asks for what
is new (id > ``since_id``). After each page, once its posts have gone through the pipelines,
``until_id`` moves down to the page's oldest post (the first page of a search also sets
``newest_id``); only when the last page of a search is read does ``since_id`` move up to
``newest_id``. So a run that stops midway — an API error, a cap, a crash — leaves a cursor from
which the next run reads exactly the posts it has not read. Posts older than the 7 days recent
search reaches are out of reach for good; an unfinished part that old is given up with a warning.

**Budget.** Posts read are counted per source, run and month (``x_usage``). A page asks for no
more posts than every cap still allows — ``max_posts`` and ``max_posts_per_month`` of the source,
``PANTAU_X_MAX_POSTS_PER_RUN`` and ``PANTAU_X_MAX_POSTS_PER_MONTH`` over all X sources — and
reading stops when less than one page (10 posts, the API's minimum) is left. Unlike the news
spiders, this one saves its cursor and counts what it read itself, through the ledger
(:class:`pantau.state.SourceLedger`) the crawl-state extension hands it — never the database
directly: both must move in step with the pages it reads, which only the spider sees.

**Errors.** A 429 waits until ``x-rate-limit-reset`` (at most ``PANTAU_X_MAX_WAIT`` seconds, else
the source stops for this run) and goes on; a 5xx or a network error is retried ``RETRY_TIMES``
times with growing pauses; 401/403 (the token), 402 (no credits) and other 4xx stop the source at
once with a message saying what to do. The bearer token is read from ``PANTAU_X_BEARER_TOKEN`` here,
never put into Scrapy settings, and masked in tweepy's debug log.

Run it alone with ``scrapy crawl x -a source=NAME``.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import requests
import tweepy
from scrapy import signals
from scrapy.exceptions import CloseSpider

from spiders.base import SourceSpider
from spiders.items import CrawlError

logger = logging.getLogger(__name__)

from spiders.x_api import (  # noqa: F401  (re-exported: the names callers know from here)
    DEFAULT_CAPS, PAGE_MAX, PAGE_MIN, SEARCH_FIELDS, SEARCH_REACH, TOKEN_VARIABLE, PostCaps, SearchCursor, SearchStopped,
    MAX_RATE_LIMIT_WAITS, SEARCH_PATH, TWEEPY_HOST, XClient, _api_detail, _in_flight, _MaskToken, max_wait, post_article,
    post_caps, post_time,
)


class XSpider(SourceSpider):
    name = "x"

    def configure(self, settings) -> None:
        if self.source.kind != "x" or not self.source.query:
            raise ValueError(f"source '{self.source.name}' is not an X source with a query")
        self.api_base = (self.source.api_base or TWEEPY_HOST).rstrip("/")
        self.retries = settings.getint("RETRY_TIMES", 2)
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 30)
        self.ledger = None  # set by pantau.state.CrawlStateExtension: cursor and post counts
        self.posts_read = 0
        self.cap_reached: str | None = None
        self._stop_reason: str | None = None
        self._unsettled: set[int] = set()  # items of the current page still in the pipelines
        self._settled = None  # a Deferred fired when they are all through
        self._mask: _MaskToken | None = None
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            self.crawler.signals.connect(self._item_done, signal=signal)
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)

    async def start(self):
        try:
            async for item in self._read():
                yield item
        except SearchStopped as stop:
            yield self._stop(stop)

    async def _read(self):
        """Finish what an earlier run left unread, then read what is new (module docstring)."""
        client = self._client()
        if self.ledger is None:
            raise SearchStopped("other", "no ledger for the search cursor and post counts: enable "
                                         "pantau.state.CrawlStateExtension in EXTENSIONS")
        cursor = SearchCursor.from_dict(self.ledger.cursor())
        while True:
            resuming = cursor.unfinished
            if resuming and post_time(cursor.until_id) <= datetime.now(timezone.utc) - SEARCH_REACH:
                self.logger.warning("%(source)s: the posts before %(until)s an earlier run left unread are now "
                                    "beyond the 7 days the X API searches; they are skipped",
                                    {"source": self.source.name, "until": post_time(cursor.until_id).isoformat()})
                self._save(cursor, done=True)
                continue
            async for item in self._search(client, cursor):
                yield item
            if self.cap_reached:
                return
            self._save(cursor, done=True)
            if not resuming:
                return

    def _client(self) -> XClient:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise SearchStopped("other", f"{TOKEN_VARIABLE} is not set; set it to the office's X API bearer "
                                         "token to search X")
        try:
            self.caps, self.max_wait = post_caps(), max_wait()
        except ValueError as exc:
            raise SearchStopped("other", str(exc)) from None
        self._mask = _MaskToken(token)
        logging.getLogger("tweepy.client").addFilter(self._mask)
        return XClient(token, api_base=self.source.api_base, timeout=self.timeout)

    async def _search(self, client: XClient, cursor: SearchCursor):
        """Read one search page by page: the cursor's unfinished part, or what is new."""
        params = self._search_params(cursor)
        token = None
        while True:
            allowed, cap = self._allowance()
            if allowed < PAGE_MIN:
                self.cap_reached = cap
                self.crawler.stats.set_value("pantau/x_cap_reached", cap)
                self.logger.warning("%(source)s: stopped reading at %(cap)s (%(read)d posts read in this run); "
                                    "the next run goes on from here",
                                    {"source": self.source.name, "cap": cap, "read": self.posts_read})
                return
            page = await self._fetch(client, {**params, "max_results": min(PAGE_MAX, allowed)}, token)
            posts = page.get("data") or []
            includes = page.get("includes") or {}
            users = {str(user.get("id")): user for user in includes.get("users", [])}
            places = {str(place.get("id")): place for place in includes.get("places", [])}
            for post in posts:
                article = post_article(self.source.name, post, users, places)
                if article.url in self.known_urls:
                    self.crawler.stats.inc_value("pantau/skipped_known")
                    continue
                self._unsettled.add(id(article))
                yield article
            await self._all_through()  # the cursor moves only past posts the pipelines have handled
            cursor.page_read([int(post["id"]) for post in posts])
            self._save(cursor)
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return

    def _search_params(self, cursor: SearchCursor) -> dict[str, Any]:
        params: dict[str, Any] = dict(SEARCH_FIELDS)
        reach = datetime.now(timezone.utc) - SEARCH_REACH
        if cursor.since_id and post_time(cursor.since_id) > reach:
            params["since_id"] = str(cursor.since_id)
        else:  # the first run, or a cursor older than the search reaches
            params["start_time"] = max(self.since, reach)
        if cursor.until_id:
            params["until_id"] = str(cursor.until_id)
        return params

    def _allowance(self) -> tuple[int, str]:
        """How many posts the next page may hold, and the cap that allows the fewest."""
        others = _in_flight["posts"]
        limits = [(self.caps.per_run - self.ledger.read_in_run() - others,
                   f"PANTAU_X_MAX_POSTS_PER_RUN={self.caps.per_run}"),
                  (self.caps.per_month - self.ledger.read_this_month() - others,
                   f"PANTAU_X_MAX_POSTS_PER_MONTH={self.caps.per_month}")]
        if self.source.max_posts:
            limits.append((self.source.max_posts - self.posts_read, f"max_posts={self.source.max_posts}"))
        if self.source.max_posts_per_month:
            limits.append((self.source.max_posts_per_month - self.ledger.read_this_month(this_source=True),
                           f"max_posts_per_month={self.source.max_posts_per_month}"))
        return min(limits, key=lambda limit: limit[0])

    async def _fetch(self, client: XClient, params: dict[str, Any], token: str | None) -> dict:
        """One page of the search, waiting out rate limits and retrying server errors."""
        from twisted.internet import reactor, task, threads

        tries = {"rate_limit": 0, "failure": 0}
        while True:
            reserved = params["max_results"]
            _in_flight["posts"] += reserved
            try:
                page = await threads.deferToThread(self._request_page, client, params, token)
            except Exception as exc:
                await task.deferLater(reactor, self._pause_after(exc, tries))
                continue
            finally:
                _in_flight["posts"] -= reserved
            read = len(page.get("data") or [])
            self.posts_read += read
            self.ledger.add_reads(read)
            self.crawler.stats.inc_value("response_received_count")  # an API page is a page read
            self.crawler.stats.inc_value("pantau/x_posts_read", read)
            return page

    def _pause_after(self, exc: Exception, tries: dict[str, int]) -> int:
        """Seconds to wait before asking again, or :class:`SearchStopped` when asking again is useless."""
        if isinstance(exc, tweepy.TooManyRequests):
            tries["rate_limit"] += 1
            reset = exc.reset_time or int(time.time()) + 60
            seconds = max(0, int(reset - time.time())) + 1
            if seconds > self.max_wait or tries["rate_limit"] > MAX_RATE_LIMIT_WAITS:
                raise SearchStopped("http", f"the X API's rate limit is reached ({_api_detail(exc)}) and resets in "
                                            f"{seconds} s, longer than PANTAU_X_MAX_WAIT={self.max_wait} s; the next "
                                            "run goes on from here", status=429) from None
            self.logger.warning("%(source)s: X API rate limit reached; waiting %(seconds)d s until it resets",
                                {"source": self.source.name, "seconds": seconds})
            self.crawler.stats.inc_value("pantau/x_rate_limit_waits")
            return seconds
        if isinstance(exc, (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout)):
            tries["failure"] += 1
            status = exc.response.status_code if isinstance(exc, tweepy.HTTPException) else None
            problem = _api_detail(exc) if status else exc.__class__.__name__
            if tries["failure"] > self.retries:
                where = f"the X API failed ({problem})" if status else \
                    f"could not reach the X API at {self.api_base} ({problem})"
                retries = f"{self.retries} {'retry' if self.retries == 1 else 'retries'}"
                raise SearchStopped("http" if status else "connection",
                                    f"{where}, also after {retries}; the next run goes on from here",
                                    status=status) from None
            pause = min(2 ** (tries["failure"] - 1), 60)
            self.logger.warning("%(source)s: X API: %(problem)s; retrying in %(pause)d s",
                                {"source": self.source.name, "problem": problem, "pause": pause})
            return pause
        if isinstance(exc, tweepy.HTTPException):  # 4xx: asking again gets the same answer
            raise SearchStopped("http", self._refusal(exc), status=exc.response.status_code) from None
        if isinstance(exc, (requests.RequestException, ValueError)):  # ValueError: not JSON
            raise SearchStopped("other", f"the X API's answer could not be read ({exc.__class__.__name__}); "
                                         f"check api_base ({self.api_base})") from None
        raise exc

    def _request_page(self, client: XClient, params: dict[str, Any], token: str | None) -> dict:
        """In a thread: one request, through tweepy's paginator, from ``token`` on."""
        pages = tweepy.Paginator(client.search_recent_tweets, self.source.query, limit=1,
                                 pagination_token=token, **params)
        return next(iter(pages), None) or {}

    def _refusal(self, exc: tweepy.HTTPException) -> str:
        status, detail = exc.response.status_code, _api_detail(exc)
        if status == 401:
            return (f"the X API refused the bearer token ({detail}): {TOKEN_VARIABLE} is wrong, expired or "
                    "revoked; set it to the office's current X API bearer token")
        if status == 403:
            return (f"the X API refused access ({detail}): the app of the token in {TOKEN_VARIABLE} may not "
                    "have access to recent search; check its project in the X developer portal")
        if status == 402:
            return (f"the X API wants payment ({detail}): the account's credits are used up; add credits in "
                    "the X developer portal, the next run goes on from here")
        return f"the X API refused the search ({detail}); check the source's query"

    # -- bookkeeping --------------------------------------------------------------------------

    def _save(self, cursor: SearchCursor, done: bool = False) -> None:
        if done:
            cursor.search_done()
        self.ledger.save_cursor(cursor.as_dict())

    async def _all_through(self) -> None:
        from twisted.internet.defer import Deferred

        if self._unsettled:
            self._settled = Deferred()
            await self._settled

    def _item_done(self, item) -> None:
        self._unsettled.discard(id(item))
        if not self._unsettled and self._settled is not None:
            settled, self._settled = self._settled, None
            settled.callback(None)

    def _stop(self, stop: SearchStopped) -> CrawlError:
        """Record why reading ends; the spider closes with it once the pipelines are done."""
        self._stop_reason = stop.message
        url = f"{self.api_base}{SEARCH_PATH}?{urlencode({'query': self.source.query})}"
        self.logger.error("%(source)s: %(message)s", {"source": self.source.name, "message": stop.message})
        return CrawlError(source=self.source.name, url=url, kind=stop.kind, message=stop.message,
                          status=stop.status)

    def _idle(self, spider) -> None:
        if spider is self and self._stop_reason:
            raise CloseSpider(self._stop_reason)

    def closed(self, reason) -> None:
        if self._mask is not None:
            logging.getLogger("tweepy.client").removeFilter(self._mask)
