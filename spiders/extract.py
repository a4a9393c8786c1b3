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
from spiders.layout import NOISE_TAGS, in_noise, main_heading
from spiders.pagedate import published_and_modified
from spiders.urls import canonicalize, looks_like_article, looks_like_listing, same_site

AUTHOR_META = ("author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "dc.creator")
GENERIC_AUTHORS = frozenset({"admin", "administrator", "redaksi", "tim redaksi", "redaksi web", "webmaster", "editor"})
MIN_ARTICLE_CHARS = 300
MIN_LISTING_TEASERS = 5
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
    articles = [n for n in nodes if set(jsonld.node_types(n)) & set(jsonld.ARTICLE_TYPES)]
    headlines = {jsonld.node_text(n, "headline", "name", "url") for n in articles}  # several plugins, one story
    listing = looks_like_listing(url) or len(headlines) >= 3 or (jsonld.has_listing_type(nodes) and not articles)
    listing_layout = _listing_layout(tree, heading)
    image = jsonld.node_image(node, nodes) or meta.get("og:image") or meta.get("twitter:image")
    author = _author(tree, node, nodes, meta, sites)
    canonical = _canonical(tree, meta, url)
    language = _language(tree, node, nodes, meta)
    # Last: the body extraction prunes the parsed tree in place (no second parse of the page).
    text = body_text(html, tree, url, title, now)
    # JSON-LD article types are trusted; og:type "article" (set site-wide by some templates) and
    # the date-plus-text rule also need a page that is not laid out as a list of headlines.
    weaker = (og_type or "").startswith("article") or (published is not None and len(text) >= MIN_ARTICLE_CHARS)
    is_article = not listing and (node_type in jsonld.ARTICLE_TYPES or (weaker and not listing_layout))
    reason = None
    if not is_article:
        reason = ("listing" if listing else "listing_layout" if weaker and listing_layout
                  else "empty" if not text and not title else "no_article_signal")
    return ArticlePage(
        title=title,
        text=text,
        published_at=published,
        modified_at=modified,
        author=author,
        canonical_url=canonical,
        language=language,
        is_article=is_article,
        page_type=node_type or og_type,
        image=canonicalize(image, base=url) if image and image.strip() else None,
        description=jsonld.node_text(node, "description") or _clean(meta.get("og:description") or meta.get("description")),
        not_article_reason=reason,
    )


def _parse(html: str) -> etree._Element | None:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html or "")  # lxml refuses str with an encoding declaration
    try:
        return lxml_html.fromstring(html) if html.strip() else None
    except (etree.ParserError, ValueError):
        return None


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
