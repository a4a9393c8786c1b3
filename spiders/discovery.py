"""Where a news site's article URLs come from: feeds, sitemaps, the WordPress API, listings.

Pure functions from a fetched body to :class:`Lead` objects (an article URL with the date the
listing gave for it, if any) and to further discovery URLs. The spider decides what to request;
this module only reads. Kept apart from :mod:`spiders.extract`, which reads article pages.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from lxml import etree, html as lxml_html

from spiders.dates import find_date, parse_date
from spiders.urls import Scope, canonicalize, looks_like_article, same_site

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
    home = f"http://{scope.host}/"
    return HomeLinks(feeds=[f for f in dict.fromkeys(feeds) if same_site(f, home)],
                     wp_api=api, index_pages=index_pages[:3])


def listing_leads(doc, scope: Scope, *, now: datetime | None = None,
                  link_selector: str | None = None) -> list[Lead]:
    """Article links on a listing page, each with the date its teaser shows (if any)."""
    if link_selector:
        anchors = [a for el in doc.cssselect(link_selector)
                   for a in ([el] if el.tag == "a" else el.xpath(".//a[@href]"))]
    else:
        anchors = doc.xpath("//body//a[@href]")
    urls: dict[str, object] = {}
    for anchor in anchors:
        href = anchor.get("href")
        if not href:
            continue
        url = canonicalize(href)
        if not scope.contains(url):
            continue
        if link_selector or looks_like_article(url):
            urls.setdefault(url, anchor)
    leads = []
    for url, anchor in urls.items():
        date = _teaser_date(anchor, url, now)
        leads.append(Lead(url=url, date=date, published=date is not None))
    return leads


def _teaser_date(anchor, url: str, now: datetime | None) -> datetime | None:
    """The date shown next to a link: in the smallest block that holds only this article."""
    block = anchor
    for _ in range(5):
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        others = {canonicalize(h) for h in parent.xpath(".//a/@href")} - {url}
        if any(looks_like_article(o) for o in others):
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
    leads = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link or not str(link).startswith(("http://", "https://", "/")):
            continue
        raw_date = entry.get("published") or entry.get("updated") or entry.get("dc_date")
        published = bool(entry.get("published"))
        leads.append(Lead(canonicalize(link, url), parse_date(raw_date, now=now) if raw_date else None,
                          published=published))
    return leads


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

