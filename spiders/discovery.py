"""Where a news site's article URLs come from: feeds, sitemaps, the WordPress API, listings.

Pure functions from a fetched body to :class:`Lead` objects (an article URL with the date the
listing gave for it, if any) and to further discovery URLs. The spider decides what to request;
this module only reads. Kept apart from :mod:`spiders.extract`, which reads article pages.
Static pages (terms, privacy, redaksi...) are never leads, whatever lists them.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from lxml import etree, html as lxml_html

from spiders.dates import find_date, parse_date
from spiders.urls import (Scope, canonicalize, is_wordpress_shortlink, looks_like_article,
                          looks_like_static_page, registrable_domain)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml")
# Paths tried under the source's prefix when a page links no feed.
COMMON_FEED_PATHS = ("feed/", "rss", "rss.xml", "feed.xml", "atom.xml", "index.xml")
# Paths tried at the host root when robots.txt names no sitemap.
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/wp-sitemap.xml", "/news-sitemap.xml")
NEXT_TEXTS = {"selanjutnya", "berikutnya", "next", "»", "›", ">", ">>", "next »", "next ›",
              "halaman berikutnya", "lanjut", "older posts", "berita sebelumnya", "lebih lama"}
INDEX_LINK_RE = re.compile(r"\b(indeks|index berita|berita terkini|terbaru|semua berita|arsip)\b", re.I)
INDEX_PATH_RE = re.compile(r"/(indeks|index|terbaru|terkini|arsip|archive)(/|$|\?|\.)", re.I)


@dataclass(frozen=True)
class Lead:
    """An article URL found during discovery, with the date the listing gave (if any)."""

    url: str
    date: datetime | None = None
    published: bool = False  # the date is the publication time, not a last-modified time


@dataclass
class HomeLinks:
    feeds: list[str]
    wp_api: str | None
    index_pages: list[str]


# -- HTML pages -------------------------------------------------------------------------------

def parse_html(text: str, base_url: str):
    """An lxml tree for ``text`` with links resolvable against ``base_url``, or None."""
    if not text or not text.strip():
        return None
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    base = doc.xpath("//base/@href")
    doc.make_links_absolute(urljoin(base_url, base[0]) if base else base_url, resolve_base_href=False)
    return doc


def home_links(doc, scope: Scope) -> HomeLinks:
    """Feeds, the WordPress REST API root and index ("Indeks") pages a home page links to."""
    feeds = []
    for link in doc.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and kind in FEED_TYPES and "comments" not in href.lower():
            feeds.append(canonicalize(href))
    api = None
    for link in doc.xpath("//link[@href]"):
        if (link.get("rel") or "").strip() == "https://api.w.org/":
            api = link.get("href")
            break
    index_pages = []
    for anchor in doc.xpath("//a[@href]"):
        href = canonicalize(anchor.get("href"))
        text = " ".join(anchor.text_content().split())
        if scope.contains(href) and (INDEX_PATH_RE.search(urlsplit(href).path + "/")
                                     or (len(text) < 40 and INDEX_LINK_RE.search(text))):
            if not looks_like_article(href) and _page_number(href) == 1 and href not in index_pages:
                index_pages.append(href)
    return HomeLinks(feeds=[f for f in dict.fromkeys(feeds) if scope.covers_host(f)],
                     wp_api=api, index_pages=index_pages[:3])


def listing_leads(doc, scope: Scope, *, now: datetime | None = None,
                  link_selector: str | None = None) -> list[Lead]:
    """Article links on a listing page, each with the date its teaser shows (if any).

    ``/?p=N`` links count only on a WordPress page, where they are posts by id; elsewhere
    (``indeks.example.id/?p=2``) they are the index's own page numbers.
    """
    if link_selector:
        anchors = [a for el in doc.cssselect(link_selector)
                   for a in ([el] if el.tag == "a" else el.xpath(".//a[@href]"))]
    else:
        anchors = doc.xpath("//body//a[@href]")
    wordpress = is_wordpress_page(doc)

    def is_article(url: str) -> bool:
        return looks_like_article(url) or (wordpress and is_wordpress_shortlink(url))

    urls: dict[str, object] = {}
    for anchor in anchors:
        href = anchor.get("href")
        if not href:
            continue
        url = canonicalize(href)
        if not scope.contains(url) or looks_like_static_page(url):
            continue
        if link_selector or is_article(url):
            urls.setdefault(url, anchor)
    leads = []
    for url, anchor in urls.items():
        date = _teaser_date(anchor, url, now, is_article)
        leads.append(Lead(url=url, date=date, published=date is not None))
    return leads


def is_wordpress_page(doc) -> bool:
    """The page comes from WordPress: its REST API link, generator tag or theme/asset paths."""
    return bool(doc.xpath(
        "boolean(//link[@rel='https://api.w.org/'] | //meta[@name='generator'][starts-with(@content, 'WordPress')]"
        " | //*[contains(@href, '/wp-content/') or contains(@src, '/wp-content/')"
        " or contains(@href, '/wp-includes/') or contains(@src, '/wp-includes/')])"))


def _teaser_date(anchor, url: str, now: datetime | None, is_article=looks_like_article) -> datetime | None:
    """The date shown next to a link: in the smallest block that holds only this article."""
    block = anchor
    for _ in range(5):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        others = {canonicalize(h) for h in parent.xpath(".//a/@href")} - {url}
        if any(is_article(o) for o in others):
            break
        block = parent
    for value in block.xpath(".//time/@datetime"):
        found = parse_date(value, now=now)
        if found:
            return found
    text = " ".join(block.text_content().split())
    return find_date(text, now=now) if text else None


def next_page(doc, current_url: str, scope: Scope, *, selector: str | None = None) -> str | None:
    """The URL of the next listing page, if the page links one."""
    candidates: list[str] = []
    if selector:
        candidates += [a.get("href") for el in doc.cssselect(selector)
                       for a in ([el] if el.tag == "a" else el.xpath(".//a[@href]")) if a.get("href")]
    candidates += doc.xpath("//link[@rel='next']/@href | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href")
    for anchor in doc.xpath("//a[@href]"):
        text = " ".join(anchor.text_content().split()).lower()
        text = text.strip(" «»‹›<>→←|") or text  # "Berikutnya »" → "berikutnya"; a bare "»" stays
        classes = (anchor.get("class") or "").lower()
        if text in NEXT_TEXTS or re.search(r"\bnext\b", classes) or (anchor.get("aria-label") or "").lower() in NEXT_TEXTS:
            candidates.append(anchor.get("href"))
    numbered = _numbered_next(doc, current_url)
    if numbered:
        candidates.append(numbered)
    current = canonicalize(current_url)
    for href in candidates:
        url = canonicalize(href)
        if url != current and scope.contains(url):
            return url
    return None


def _page_number(url: str) -> int:
    match = re.search(r"(?:[?&](?:page|paged|p|hal|halaman)=|/page/|/hal(?:aman)?/|/p/)(\d+)", url)
    return int(match.group(1)) if match else 1


def _numbered_next(doc, current_url: str) -> str | None:
    want = str(_page_number(current_url) + 1)
    for anchor in doc.xpath("//a[@href]"):
        href = anchor.get("href")
        if anchor.text_content().strip() == want and _page_number(href) == int(want):
            return href
    return None


# -- feeds ------------------------------------------------------------------------------------

def feed_leads(body: bytes, url: str, *, now: datetime | None = None) -> list[Lead] | None:
    """Entries of an RSS/Atom/RDF feed or a JSON Feed; None when the body is not a feed."""
    stripped = body.lstrip()[:1]
    if stripped == b"{":
        return _json_feed_leads(body, url, now)
    parsed = feedparser.parse(io.BytesIO(body))  # bytes, never a path feedparser would open
    if not parsed.entries and not parsed.feed.get("title") and parsed.bozo:
        return None
    if parsed.version == "" and not parsed.entries:
        return None
    outlets = {registrable_domain(urlsplit(home).hostname or "") for home in (url, parsed.feed.get("link") or "")}
    outlets = {outlet for outlet in outlets if outlet and outlet not in REDIRECT_DOMAINS}
    leads = []
    for entry in parsed.entries:
        link = _entry_url(entry, url, outlets)
        if link is None or looks_like_static_page(link):
            continue
        raw_date = entry.get("published") or entry.get("updated") or entry.get("dc_date")
        published = bool(entry.get("published"))
        leads.append(Lead(link, parse_date(raw_date, now=now) if raw_date else None, published=published))
    return leads


def _entry_url(entry, feed_url: str, outlets: set[str]) -> str | None:
    """The article URL of a feed item: its ``<link>`` (Atom: rel=alternate) before its
    ``<guid>``, but a URL on the outlet's own domain before one elsewhere (a redirect or
    click-counting service), and a redirect's embedded target when that is all there is."""
    candidates = []
    alternates = [link.get("href") for link in entry.get("links") or []
                  if link.get("rel", "alternate") == "alternate" and link.get("href")]
    for value in (entry.get("feedburner_origlink"), entry.get("link"), *alternates, entry.get("id")):
        if value and str(value).startswith(("http://", "https://", "/")):
            candidates.append(canonicalize(str(value), feed_url))
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        return None
    for candidate in candidates:
        if registrable_domain(urlsplit(candidate).hostname or "") in outlets:
            return candidate
    for candidate in candidates:
        target = redirect_target(candidate)
        if target:
            return target
    return candidates[0]


# Registrable domains of feed-redirect and link-shortening services (feedsportal, FeedBurner's
# feedproxy.google.com, news.google.com, t.co...): a link through them is not the article's
# address, and a feed they serve does not say which outlet it belongs to.
REDIRECT_DOMAINS = frozenset({
    "feedsportal.com", "feedburner.com", "google.com", "t.co", "bit.ly", "ow.ly", "dlvr.it",
    "buff.ly", "lnkd.in", "trib.al", "fb.me", "rss.app", "feedblitz.com",
})


def redirect_target(url: str) -> str | None:
    """The article URL a redirect-service link carries in its query (``?url=https%3A...``),
    or None when the link is not through such a service or carries none."""
    parts = urlsplit(url)
    if registrable_domain(parts.hostname or "") not in REDIRECT_DOMAINS:
        return None
    for _, value in parse_qsl(parts.query):
        value = value.strip()
        if value.lower().startswith(("http%3a", "https%3a")):  # encoded twice
            value = unquote(value)
        if value.lower().startswith(("http://", "https://")) and urlsplit(value).hostname:
            return canonicalize(value)
    return None


def _json_feed_leads(body: bytes, url: str, now: datetime | None) -> list[Lead] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return None
    leads = []
    for item in data["items"]:
        if isinstance(item, dict) and (item.get("url") or item.get("external_url")):
            raw_date = item.get("date_published") or item.get("date_modified")
            leads.append(Lead(canonicalize(item.get("url") or item["external_url"], url),
                              parse_date(raw_date, now=now) if raw_date else None,
                              published=bool(item.get("date_published"))))
    return leads


# -- sitemaps ---------------------------------------------------------------------------------

@dataclass
class SitemapContent:
    leads: list[Lead]
    sitemaps: list[Lead]  # child sitemaps of a sitemap index, with their lastmod


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    found = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            found.append(urljoin(base_url, value.strip()))
    return found


def parse_sitemap(body: bytes, *, now: datetime | None = None) -> SitemapContent | None:
    """Read a urlset or sitemapindex (Google News tags included); None if it is neither."""
    parser = etree.XMLParser(recover=True, remove_comments=True, resolve_entities=False,
                             no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        return None
    content = SitemapContent(leads=[], sitemaps=[])
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        fields: dict[str, str] = {}
        for child in entry.iter():
            if isinstance(child.tag, str) and child is not entry and child.text:
                fields.setdefault(etree.QName(child).localname, child.text.strip())
        loc = fields.get("loc")
        if not loc:
            continue
        if kind == "urlset" and looks_like_static_page(loc):
            continue
        raw_date = fields.get("publication_date") or fields.get("lastmod")
        lead = Lead(canonicalize(loc), parse_date(raw_date, now=now) if raw_date else None,
                    published="publication_date" in fields)
        (content.sitemaps if kind == "sitemapindex" else content.leads).append(lead)
    return content


# -- WordPress REST API -----------------------------------------------------------------------

def wp_posts_url(api_root: str, *, page: int, since: datetime | None, per_page: int = 50) -> str:
    """The posts endpoint of a WordPress REST API root (``/wp-json/`` or ``?rest_route=/``)."""
    params = {"per_page": per_page, "page": page, "orderby": "date", "order": "desc",
              "_fields": "link,date,date_gmt,modified_gmt"}
    if since is not None:
        params["after"] = since.isoformat()
    parts = urlsplit(api_root)
    if "rest_route=" in parts.query:
        query = urlencode({"rest_route": "/wp/v2/posts", **params})
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    root = api_root if api_root.endswith("/") else api_root + "/"
    return urljoin(root, "wp/v2/posts") + "?" + urlencode(params)


def wp_leads(body: bytes, *, now: datetime | None = None) -> list[Lead] | None:
    try:
        posts = json.loads(body)
    except ValueError:
        return None
    if not isinstance(posts, list):
        return None
    leads = []
    for post in posts:
        if not isinstance(post, dict) or not post.get("link"):
            continue
        raw_date = post.get("date_gmt")
        date = parse_date(raw_date + "+00:00", now=now) if raw_date else None
        if date is None and post.get("date"):
            date = parse_date(post["date"], now=now)
        leads.append(Lead(canonicalize(post["link"]), date, published=date is not None))
    return leads

