"""Social media through a feed bridge: every entry of the feed is one post.

Facebook pages, Instagram and TikTok accounts have no open API a Diskominfo can use, but a
self-hosted feed bridge (RSS-Bridge, RSSHub) turns an account into an RSS, Atom or JSON Feed.
For such a source (``kind: feed`` with ``social: true``) the feed *is* the content: each entry's
text becomes an :class:`~spiders.items.Article` with ``source_kind`` ``social``, and its link —
a facebook.com, instagram.com or tiktok.com address — is kept as the post's URL but never
requested. Only the feed URL and its next pages (JSON Feed ``next_url``, RFC 5005
``rel="next"``, on the bridge's own host) are fetched, with the same politeness as news sites.

Reading a feed (:func:`read_feed`, :func:`html_to_text`) is kept apart from crawling it
(:class:`FeedPostSpider`). Posts already stored or seen are skipped; posts older than ``since``
go down the pipeline, which drops them and has them remembered as seen. Unreadable feeds become
:class:`~spiders.items.CrawlError` items so the run goes on and reports them.

Run it alone with ``scrapy crawl social_feed -a source=NAME [-a since=2026-11-01]``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html
import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from spiders.base import SourceSpider
from spiders.source import Source
from spiders.dates import JAKARTA, parse_date
from spiders.errors import describe_failure
from spiders.items import Article, CrawlError
from spiders.urls import canonicalize, same_site

MAX_FEED_PAGES = 10  # feed pages one crawl reads unless the source sets max_pages
# Why the spider closes when the feed's first page cannot be read: the source then counts as
# failed (pantau.state.source_status), not as partly done because robots.txt answered.
FEED_UNREADABLE = "feed_unreadable"
TITLE_CHARS = 120  # a post without a title is titled by the start of its first line

# The platform a post's link points at, by host (``www.`` and ``m.`` removed).
PLATFORMS = {
    "facebook.com": "facebook", "fb.com": "facebook", "fb.watch": "facebook",
    "instagram.com": "instagram", "tiktok.com": "tiktok", "vm.tiktok.com": "tiktok",
    "twitter.com": "x", "x.com": "x", "youtube.com": "youtube", "youtu.be": "youtube",
    "threads.net": "threads", "threads.com": "threads",
}
# Names a bridge's own URL may carry (/instagram/user/x, ?bridge=FacebookBridge), for entries
# without a link.
_PLATFORM_IN_FEED_URL = re.compile(r"(facebook|instagram|tiktok|youtube|threads|twitter)", re.IGNORECASE)

# Elements whose content is never text a reader saw: dropped with everything inside.
DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "img",
                "picture", "video", "audio", "source", "svg", "canvas", "form", "button", "head")
BLOCK_TAGS = ("p", "div", "section", "article", "blockquote", "pre", "ul", "ol", "table", "tr",
              "figure", "figcaption", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr")
LINE_TAGS = ("li", "dt", "dd", "td", "th")
_HTML_HINT = re.compile(r"<[a-zA-Z!/]|&[#a-zA-Z0-9]+;")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# feedparser's complaints that do not mean the feed is damaged
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(ValueError):
    """The body is not a feed Pantau can read; the message says what it is instead."""


@dataclass
class FeedPost:
    """One entry of a feed, as the bridge wrote it."""

    entry_id: str | None
    link: str | None  # absolute, not canonicalised
    title: str | None
    text: str  # plain text
    author: str | None
    published_at: datetime | None


@dataclass
class FeedPage:
    posts: list[FeedPost] = field(default_factory=list)
    next_url: str | None = None
    problem: str | None = None  # damage worth reporting although some posts could be read


# -- reading a feed ---------------------------------------------------------------------------

def read_feed(body: bytes, url: str, *, now: datetime | None = None) -> FeedPage:
    """The posts of an RSS 2.0/RDF, Atom or JSON Feed 1.0/1.1 document; :class:`FeedError` when
    the body is none of these. feedparser does not read JSON Feed, so that is done here."""
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return _read_json_feed(body, url, now)
    return _read_xml_feed(body, url, now)


def _read_json_feed(body: bytes, url: str, now: datetime | None) -> FeedPage:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"the feed is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("JSON, but not a JSON Feed (no 'items' list); check the bridge's output format")
    feed_author = _json_author(data)
    page = FeedPage(next_url=_absolute(data.get("next_url"), url))
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("content_html"), str):
            text = html_to_text(item["content_html"])
        else:
            text = _text(item.get("content_text")) or html_to_text(_text(item.get("summary")) or "")
        raw_date = item.get("date_published") or item.get("date_modified")
        entry_id = item.get("id")
        post = FeedPost(
            entry_id=str(entry_id) if entry_id not in (None, "") else None,
            link=_absolute(item.get("url") or item.get("external_url"), url),
            title=_text(item.get("title")), text=text,
            author=_json_author(item) or feed_author,
            published_at=parse_date(raw_date, now=now) if isinstance(raw_date, str) else None,
        )
        if post.text or post.title:
            page.posts.append(post)
    return page


def _json_author(node: dict) -> str | None:
    authors = node.get("authors")  # JSON Feed 1.1; 1.0 has one "author"
    candidates = authors if isinstance(authors, list) else [node.get("author")]
    names = [_text(a.get("name")) for a in candidates if isinstance(a, dict)]
    names = [name for name in names if name]
    return ", ".join(names) or None


def _read_xml_feed(body: bytes, url: str, now: datetime | None) -> FeedPage:
    # A stream, never bytes: feedparser opens bytes that look like a file name as a local file.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=True, resolve_relative_uris=False)
    damage = _damage(parsed)
    if not parsed.version and not parsed.entries:
        head = body[:2048].lower()
        if b"<html" in head or b"<!doctype html" in head:
            raise FeedError("not an RSS, Atom or JSON feed but a web page; check the feed bridge's URL")
        if damage is not None and (b"<rss" in head or b"<feed" in head or b"<rdf" in head or b"<?xml" in head):
            raise FeedError(f"the feed is not well-formed XML ({damage}); the bridge may be broken")
        raise FeedError("not an RSS, Atom or JSON feed")
    page = FeedPage(next_url=_next_link(parsed.feed.get("links", []), url))
    feed_author = _person(parsed.feed)
    for entry in parsed.entries:
        post = FeedPost(
            entry_id=entry.get("id") or None,
            link=_absolute(entry.get("link"), url),
            title=_entry_title(entry),
            text=html_to_text(_entry_body(entry)),
            author=_person(entry) or feed_author,
            published_at=_entry_date(entry, now),
        )
        if post.text or post.title:  # a cut-off feed leaves empty shells of entries
            page.posts.append(post)
    if damage is not None:
        if not page.posts:
            raise FeedError(f"the feed is not well-formed XML ({damage}); no post could be read")
        page.problem = (f"the feed is not well-formed XML ({damage}); read {len(page.posts)} "
                        "post(s) anyway, some may be missing")
    return page


def _damage(parsed) -> str | None:
    """What is wrong with the XML, in a few words, or None when it is sound."""
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if exc is None or isinstance(exc, _HARMLESS_BOZO):
        return None
    if hasattr(exc, "getLineNumber"):  # xml.sax.SAXParseException
        return f"line {exc.getLineNumber()}: {exc.getMessage()}"
    return str(exc) or exc.__class__.__name__


def _next_link(links: list[dict], url: str) -> str | None:
    for link in links:
        if link.get("rel") == "next" and link.get("href"):
            return _absolute(link["href"], url)
    return None


def _entry_body(entry) -> str:
    contents = entry.get("content") or []
    for content in sorted(contents, key=lambda c: "html" not in (c.get("type") or "")):
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or ""


def _entry_title(entry) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    if "html" in (entry.get("title_detail", {}).get("type") or ""):
        title = html_to_text(title)
    return " ".join(title.split()) or None


def _person(node) -> str | None:
    detail = node.get("author_detail") or {}
    name = detail.get("name") or node.get("author")
    return " ".join(name.split()) if isinstance(name, str) and name.strip() else None


def _entry_date(entry, now: datetime | None) -> datetime | None:
    # The date as written keeps the bridge's offset; feedparser's *_parsed tuples are UTC.
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            value = parse_date(raw, now=now)
            if value is not None:
                return value
            struct = entry.get(f"{key}_parsed")
            if struct is not None:
                return datetime(*struct[:6], tzinfo=timezone.utc)
    return None


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _absolute(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    absolute = urljoin(base, value.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def html_to_text(html: str) -> str:
    """Plain text of a post's HTML: tags, scripts, styles and images gone, line breaks kept.

    Nothing of the markup survives, so attributes such as ``onerror=`` cannot reach a screen.
    Text without markup is returned tidied but otherwise as written.
    """
    if not html or not html.strip():
        return ""
    if not _HTML_HINT.search(html):
        return _tidy(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]*>", " ", html))
    for element in list(root.iter(*DROPPED_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        element.drop_tree()  # keeps the text that follows the element
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*LINE_TAGS):
        element.tail = "\n" + (element.tail or "")
    for element in root.iter(*BLOCK_TAGS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def guess_platform(link: str | None, feed_url: str) -> str | None:
    """facebook, instagram, tiktok, x, youtube or threads: from the post's link, else the bridge URL."""
    host = (urlsplit(link).hostname or "").lower() if link else ""
    for prefix in ("www.", "m.", "mobile.", "web."):
        host = host.removeprefix(prefix)
    while host:
        if host in PLATFORMS:
            return PLATFORMS[host]
        host = host.partition(".")[2]  # video.tiktok.com → tiktok.com
    found = _PLATFORM_IN_FEED_URL.search(feed_url)
    if found:
        name = found.group(1).lower()
        return "x" if name == "twitter" else name
    return None


def title_from_text(text: str) -> str:
    """The first line of ``text``, cut at a word boundary (bridges often leave titles empty)."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if len(first) <= TITLE_CHARS:
        return first
    return first[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:-") + " …"


# -- crawling a feed --------------------------------------------------------------------------

class FeedPostSpider(SourceSpider):
    name = "social_feed"

    def __init__(self, source: Source | str | None = None, since: datetime | str | None = None,
                 **kwargs: Any):
        super().__init__(source, since, **kwargs)
        self.yielded: set[str] = set()  # post URLs of this crawl (feeds shift while being paged)
        self.feed_pages = 0

    def configure(self, settings) -> None:
        if not self.source.url:
            raise ValueError(f"source '{self.source.name}' has no feed URL")
        self.max_pages = self.source.max_pages or MAX_FEED_PAGES

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        yield self._feed_request(self.source.url)

    def _feed_request(self, url: str) -> scrapy.Request:
        self.requested.add(url)
        self.feed_pages += 1
        self.crawler.stats.inc_value("pantau/feed_pages")
        return scrapy.Request(url, callback=self.parse_feed, errback=self.on_error, dont_filter=True,
                              meta={"pantau": "feed", "page": self.feed_pages})

    def parse_feed(self, response: Response):
        try:
            page = read_feed(response.body, response.url, now=self.now)
        except FeedError as exc:
            yield self._error(response.url, "parse", str(exc), status=response.status)
            if response.meta.get("page") == 1:
                raise CloseSpider(FEED_UNREADABLE) from None
            return
        if page.problem:
            yield self._error(response.url, "parse", page.problem, status=response.status)
        fresh = 0
        for post in page.posts:
            article = self._article(post, response)
            if article.url in self.known_urls:
                self.crawler.stats.inc_value("pantau/skipped_known")
                continue
            if article.url in self.yielded:
                continue
            self.yielded.add(article.url)
            if article.published_at is None or article.published_at >= self.since:
                fresh += 1
            yield article  # an old post too: the pipeline drops it and has it remembered as seen
        yield from self._next_page(page.next_url, fresh)

    def _next_page(self, url: str | None, fresh: int):
        # A page of only known or older posts means the following pages are older still.
        if not url or not fresh or url in self.requested:
            return
        if not same_site(url, self.source.url):
            self.logger.warning("%s: not following the next page %s, it is not on the bridge's host",
                                self.source.name, url)
            return
        if self.feed_pages >= self.max_pages:
            self.logger.warning("%s: stopped at max_pages=%d", self.source.name, self.max_pages)
            self.crawler.stats.set_value("pantau/max_pages_reached", self.max_pages)
            return
        yield self._feed_request(url)

    def _article(self, post: FeedPost, response: Response) -> Article:
        text = post.text or post.title or ""
        return Article(
            source=self.source.name, url=self._post_url(post), title=post.title or title_from_text(text),
            text=text, published_at=post.published_at, author=post.author, source_kind="social",
            harvested_at=datetime.now(JAKARTA),
            raw={"platform": guess_platform(post.link, self.source.url), "entry_id": post.entry_id,
                 "feed_url": response.url},
        )

    def _post_url(self, post: FeedPost) -> str:
        """The post's own address; for an entry without a link, a stable one under the feed's."""
        if post.link:
            return canonicalize(post.link)
        if post.entry_id and urlsplit(post.entry_id).scheme in ("http", "https"):
            return canonicalize(post.entry_id)
        key = post.entry_id or hashlib.sha1(f"{post.title}\n{post.text}".encode("utf-8")).hexdigest()[:20]
        return f"{self.source.url}#entry={quote(key, safe='')}"

    def on_error(self, failure):
        kind, status, message = describe_failure(failure)
        first_page = failure.request.meta.get("page") == 1
        if first_page:
            message = f"{message} — the feed bridge did not deliver the feed; check the URL and the bridge"
        yield self._error(failure.request.url, kind, message, status=status)
        if first_page:
            raise CloseSpider(FEED_UNREADABLE)

    def _error(self, url: str, kind: str, message: str, status: int | None = None) -> CrawlError:
        self.logger.warning("%s: %s %s: %s", self.source.name, kind, url, message)
        return CrawlError(source=self.source.name, url=url, kind=kind, message=message, status=status)
