"""Read a news page: headline, publication date, author, body text, and whether it is an article.

One function, :func:`read_article`, works on any news site without per-site rules. Fields come
from the most reliable source a page offers, in order: JSON-LD (:mod:`spiders.jsonld`), then
meta tags (Open Graph, Dublin Core, Parse.ly, itemprop), then what the page shows a reader —
Indonesian bylines ("Penulis: …", "Reporter: …") and date lines near the headline
(:mod:`spiders.dates`). The body is trafilatura's main-text extraction with Indonesian
boilerplate ("Baca Juga", "Berita Terkait", share bars, "Scroll untuk melanjutkan") removed.
Pure functions on strings: no network, no crawler state.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from spiders import jsonld
from spiders.body import body_text
from spiders.layout import NOISE_TAGS, in_noise, main_heading, url_path
from spiders.pagedate import published_and_modified
from spiders.urls import (canonicalize, is_wordpress_shortlink, looks_like_article, looks_like_listing,
                          looks_like_static_page, same_site)

AUTHOR_META = ("author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator")
GENERIC_AUTHORS = frozenset({"admin", "administrator", "redaksi", "tim redaksi", "redaksi web", "webmaster", "editor"})
MIN_ARTICLE_CHARS = 300
MIN_LISTING_TEASERS = 5
# An undated page with no declared type is an article when a headline tops this much body text.
MIN_UNDATED_ARTICLE_CHARS = 1000
# Why read_article says a page is not an article, as counted in the crawl summary and `pantau runs`.
NOT_ARTICLE_REASONS = {
    "listing": "a listing or index page (its address or its JSON-LD says so)",
    "listing_layout": "laid out as a list of headlines",
    "static_page": "a static page of the site (terms, privacy, about, contact, redaksi)",
    "no_article_signal": "no article type, no publication date, or too little text",
    "empty": "empty or unreadable page",
}

_SEP = r"(?:\s+[-–—:~]\s+|\s*[|·•»]\s*)"
_BYLINE_LABEL = (r"(?<![\w])(?P<label>ditulis oleh|penulis|reporter|pewarta|wartawan|kontributor|jurnalis"
                 r"|oleh|editor|redaktur|penyunting|author|by)\b")
_BYLINE = re.compile(_BYLINE_LABEL + r"\s*(?P<colon>[:：])?\s*(?P<value>[^|•·:\n]+)", re.I)
_HAS_BYLINE_LABEL = re.compile(_BYLINE_LABEL, re.I)
_BYLINE_CUT = re.compile(  # where a name in a byline ends: a separator, the next label, a date
    r"\s*(?:[,;/(]|\s[-–—]\s|\b(?:editor|redaktur|penyunting|reporter|penulis|pewarta|foto|fotografer|sumber"
    r"|diperbarui|dipublikasikan|update|senin|selasa|rabu|kamis|jum'?at|sabtu|minggu)\b|\d).*$", re.I)
_EDITOR_LABELS = frozenset({"editor", "redaktur", "penyunting"})


@dataclass
class ArticlePage:
    title: str | None
    text: str
    published_at: datetime | None  # timezone-aware
    modified_at: datetime | None = None
    author: str | None = None
    canonical_url: str | None = None  # absolute, canonicalized; None when missing or untrustworthy
    language: str | None = None  # primary subtag, e.g. "id"
    is_article: bool = False
    page_type: str | None = None  # JSON-LD type (NewsArticle, ...) or og:type
    image: str | None = None
    description: str | None = None
    # Why the page is not an article (None when it is): see NOT_ARTICLE_REASONS.
    not_article_reason: str | None = None


def read_article(html: str, url: str, *, now: datetime | None = None) -> ArticlePage:
    """Extract the fields of the page at ``url``; ``now`` anchors relative dates ("2 jam yang lalu")."""
    tree = _parse(html)
    if tree is None:
        return ArticlePage(title=None, text="", published_at=None, not_article_reason="empty")
    nodes = jsonld.jsonld_objects(tree)
    node, node_type = jsonld.article_node(nodes)
    node = node or {}
    meta = _meta(tree)
    heading = main_heading(tree)
    sites = _site_names(meta, nodes, url)
    title = _title(tree, node, meta, heading, sites, url)
    published, modified = published_and_modified(tree, node, nodes, meta, heading, now)
    og_type = (meta.get("og:type") or "").strip().lower() or None
    image = jsonld.node_image(node, nodes) or meta.get("og:image") or meta.get("twitter:image")
    author = _author(tree, node, nodes, meta, sites)
    canonical = _canonical(tree, meta, url)
    language = _language(tree, node, nodes, meta)
    declared = _declared_type(tree, node_type)
    listing_layout = _listing_layout(tree, heading)
    # Last: the body extraction prunes the parsed tree in place (no second parse of the page).
    text = body_text(html, tree, url, title, now)
    reason = _not_article_reason(url, nodes, declared, og_type, listing_layout, heading, title, published, text)
    return ArticlePage(
        title=title,
        text=text,
        published_at=published,
        modified_at=modified,
        author=author,
        canonical_url=canonical,
        language=language,
        is_article=reason is None,
        page_type=node_type or declared or og_type,
        image=canonicalize(image, base=url) if image and image.strip() else None,
        description=jsonld.node_text(node, "description") or _clean(meta.get("og:description") or meta.get("description")),
        not_article_reason=reason,
    )


def _declared_type(tree, node_type: str | None) -> str | None:
    """The article type the page declares: its JSON-LD node's, else a microdata ``itemtype``'s."""
    if jsonld.is_article_type(node_type):
        return node_type
    for value in tree.xpath("//*[@itemtype]/@itemtype")[:20]:
        for item in value.split():
            name = re.split(r"[/#:]", item.rstrip("/"))[-1]
            if jsonld.is_article_type(name):
                return name
    return None


def _not_article_reason(url: str, nodes: list[dict], declared: str | None, og_type: str | None, listing_layout: bool,
                        heading, title: str | None, published: datetime | None, text: str) -> str | None:
    """Why the page is not an article, or None when it is one.

    Signals, strongest first: an article type the page declares (JSON-LD or microdata) wins over
    every guess from the URL or the layout, unless the page describes several stories (a list);
    og:type "article" (set site-wide by some templates) needs a page not laid out as a list of
    headlines; with no signal at all, a dated page with article-length text is an article, and so
    is an undated one with a headline and a long text. URL shapes ("/index", "/archive", "?page=")
    only decide for pages that declare nothing.
    """
    if not text and not title:
        return "empty"
    if (url_path(url) or "/").strip("/") == "" and not is_wordpress_shortlink(url):
        return "listing"  # a site's front page (a WordPress post read as /?p=N is not)
    articles = [n for n in nodes if any(jsonld.is_article_type(t) for t in jsonld.node_types(n))]
    headlines = {jsonld.node_text(n, "headline", "name", "url") for n in articles}  # several plugins, one story
    if len(headlines) >= 3:
        return "listing"
    if looks_like_static_page(url):
        return "static_page"  # whatever type a theme declares for it
    if declared:
        return None
    if jsonld.has_listing_type(nodes) and not articles:
        return "listing"
    if (og_type or "").startswith("article"):
        if listing_layout:
            return "listing_layout"
        return None if published is not None or not looks_like_listing(url) else "listing"
    if looks_like_listing(url):
        return "listing"
    if listing_layout:
        return "listing_layout"
    if published is not None and len(text) >= MIN_ARTICLE_CHARS:
        return None
    if heading is not None and title and len(text) >= MIN_UNDATED_ARTICLE_CHARS:
        return None  # undated, but a headline over a long story
    return "no_article_signal"


def linked_article(page: "ArticlePage", lead_date: datetime | None = None) -> bool:
    """Whether a page the site itself links as an article (a feed item, a sitemap entry, a
    listing teaser) is one: it is, whatever its length, when it has a headline, some text and a
    date (its own or the link's), unless it is a listing, an index or a static page."""
    if page.is_article:
        return True
    return (page.not_article_reason == "no_article_signal" and bool(page.title) and bool(page.text.strip())
            and (page.published_at or lead_date) is not None)


def _parse(html: str) -> etree._Element | None:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html or "")  # lxml refuses str with an encoding declaration
    try:
        tree = lxml_html.fromstring(html) if html.strip() else None
    except (etree.ParserError, ValueError):
        return None
    if tree is not None:
        # Comments and processing instructions are not content; trafilatura cannot handle them
        # in a tree it is given (it renames nodes), and their tails are text that must stay.
        etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    return tree


def _clean(value: str | None) -> str | None:
    return " ".join(html_lib.unescape(value).split()) or None if value else None


def _meta(tree) -> dict[str, str]:
    """First content of every meta name/property/itemprop, keys lowercased; itemprop dates too."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    for element in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"):
        value = element.get("content") or element.get("datetime") or element.text_content()
        if value and value.strip():
            found.setdefault(element.get("itemprop").lower(), value.strip())
    return found


def _site_names(meta: dict, nodes: list[dict], url: str) -> list[str]:
    names = [meta.get("og:site_name"), meta.get("application-name"), meta.get("al:android:app_name"),
             *jsonld.site_names(nodes)]
    return [name for name in dict.fromkeys(_clean(n) for n in names) if name]


def _strip_site(title: str, names: list[str], host: str) -> str:
    for name in names:
        pattern = re.escape(name)
        for candidate in (rf"^(?P<rest>.+?){_SEP}{pattern}$", rf"^{pattern}{_SEP}(?P<rest>.+)$"):
            match = re.match(candidate, title, re.I)
            if match:
                return match["rest"].strip()
    parts = re.split(_SEP, title)
    site_key = re.sub(r"[^a-z0-9]", "", host.removeprefix("www.").split(".")[0])
    prefix = re.match(r"^(?P<site>[^\s:]{4,40})\s*:\s+(?P<rest>.{10,})$", title)  # "KabarBromo.com: Jalan …"
    if prefix and len(site_key) >= 4 and re.sub(r"[^a-z0-9]", "", prefix["site"].lower()).startswith(site_key):
        return prefix["rest"].strip()
    if len(parts) > 1 and len(site_key) >= 4:  # the domain written out: "Kabar Bromo" on kabarbromo.id
        if re.sub(r"[^a-z0-9]", "", parts[-1].lower()).startswith(site_key):
            return title[: title.rfind(parts[-1])].strip(" -–—|·•»:~")
        if re.sub(r"[^a-z0-9]", "", parts[0].lower()).startswith(site_key):
            return title[len(parts[0]):].strip(" -–—|·•»:~")
    return title


def _title(tree, node: dict, meta: dict, heading, sites: list[str], url: str) -> str | None:
    page_title = _clean(" ".join(tree.xpath("//head/title/text()")) or tree.findtext(".//title"))
    candidates = [jsonld.node_text(node, "headline", "name"), _clean(meta.get("og:title")),
                  _clean(heading.text_content()) if heading is not None else None, page_title]
    names = list(sites)
    for candidate in candidates[:3]:  # what <title> adds around the headline is the site's name
        if candidate and page_title and (page_title.startswith(candidate) or page_title.endswith(candidate)):
            extra = page_title.replace(candidate, "", 1).strip(" -–—|·•»:~")
            if extra and len(extra) < len(candidate) and extra not in names:
                names.append(extra)
    candidate = next((candidate for candidate in candidates if candidate), None)
    if candidate and candidate.endswith(("…", "...")):  # SEO plugins cut long headlines short
        stem = candidate.rstrip(".… ")
        candidate = next((other for other in candidates if other and other != candidate and other.startswith(stem)), candidate)
    return (_strip_site(candidate, names, urlsplit(url).hostname or "") or candidate) if candidate else None


def _author(tree, node: dict, nodes: list[dict], meta: dict, sites: list[str]) -> str | None:
    candidates = [jsonld.node_author(node, nodes)] if node else []
    candidates += [meta.get(key) for key in AUTHOR_META]
    candidates += [el.text_content() for el in tree.xpath("//a[contains(concat(' ', @rel, ' '), ' author ')]")]
    for element in tree.xpath("//*[@itemprop='author']"):
        inner = (element.xpath(".//*[@itemprop='name']") or [element])[0]
        candidates.append(inner.get("content") or inner.text_content())
    site_keys = {name.casefold() for name in sites}
    names = _names(candidates, site_keys)
    specific = [name for name in names if name.casefold() not in GENERIC_AUTHORS]
    if not specific:  # "Redaksi"/"admin" in the meta tags: a byline on the page says more
        names += _names(_bylines(tree), site_keys)
        specific = [name for name in names if name.casefold() not in GENERIC_AUTHORS]
    return (specific or names or [None])[0]


def _names(candidates, site_keys: set[str]) -> list[str]:
    names = []
    for candidate in candidates:
        name = _clean(re.sub(r"^\s*(?:oleh|by|penulis)\s*:?\s+", "", candidate or "", flags=re.I))
        if name and len(name) <= 80 and not name.startswith(("http://", "https://", "@")) and name.casefold() not in site_keys:
            names.append(name)
    return names


def _bylines(tree) -> list[str]:
    """Names after "Penulis:", "Reporter:", "Oleh" ...; editors only when nobody else is named."""
    writers, editors = [], []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in NOISE_TAGS:
            continue
        for text, container in ((element.text, element), (element.tail, element.getparent())):
            if not text or container is None or not _HAS_BYLINE_LABEL.search(text):
                continue
            for scope in (container, container.getparent()):  # "<span>Penulis:</span> <a>Nama</a>"
                if scope is not None and _read_byline(scope, writers, editors):
                    break
    return writers + editors


def _read_byline(container, writers: list[str], editors: list[str]) -> bool:
    line = " ".join(" ".join(container.itertext()).split())
    if len(line) > 200 or in_noise(container):
        return False
    found = False
    for match in _BYLINE.finditer(line):
        if not match["colon"] and line[: match.start("label")].strip():
            continue  # "diresmikan oleh Bupati": prose, not a byline
        value = _BYLINE_CUT.sub("", match["value"]).strip(" .-–—")
        if 2 <= len(value) <= 60 and value[0].isalpha() and len(value.split()) <= 6:
            (editors if match["label"].lower() in _EDITOR_LABELS else writers).append(value)
            found = True
    return found


def _listing_layout(tree, heading) -> bool:
    """Many headline links outside related/sidebar boxes, under no headline-like <h1>."""
    if heading is not None and len(heading.text_content().split()) > 3:
        return False
    links = {
        anchor.get("href") for anchor in tree.xpath("//h2//a[@href] | //h3//a[@href] | //h4//a[@href]")
        if looks_like_article(anchor.get("href")) and not in_noise(anchor)
    }
    return len(links) >= MIN_LISTING_TEASERS


def _canonical(tree, meta: dict, url: str) -> str | None:
    hrefs = [link.get("href") for link in tree.xpath("//link[@href]") if "canonical" in (link.get("rel") or "").lower().split()]
    for href in [*hrefs, meta.get("og:url")]:
        if not href or not href.strip():
            continue
        absolute = canonicalize(href, base=url)
        if not same_site(absolute, url):
            continue
        path, page_path = urlsplit(absolute).path.rstrip("/"), urlsplit(url).path.rstrip("/")
        if not path or (page_path.startswith(path + "/")) or (looks_like_listing(absolute) and not looks_like_listing(url)):
            continue  # homepage, a section the page sits in, or a category: a template's mistake
        return absolute
    return None


def _language(tree, node: dict, nodes: list[dict], meta: dict) -> str | None:
    for value in (jsonld.node_language(node, nodes) if node else None, tree.get("lang"), tree.get("xml:lang"),
                  meta.get("og:locale"), meta.get("content-language"), meta.get("language")):
        if value and re.match(r"^[a-zA-Z]{2,3}\b", value.strip()):
            primary = re.split(r"[-_]", value.strip())[0].lower()
            return "id" if primary in ("in", "ind") else primary
    return None


_main_heading = main_heading  # the shared peer benchmark's drop report reads this name
