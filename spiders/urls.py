"""URLs of news sites: one canonical spelling, the part of a site a source covers, article or not.

:func:`canonicalize` gives every spelling of a page's address the same string, so the same
story found through a feed, a sitemap and a listing page is recognised as one (tracking
parameters, fragments, default ports and parameter order do not count). :class:`Scope` says
whether a URL belongs to the section of a site a source was configured with
(``https://radar.example.id/probolinggo/``), optionally with the outlet's other (sub)domains.
:func:`looks_like_article` and :func:`looks_like_listing` are heuristics for links found on
*listing pages* only; URLs from sitemaps and feeds are trusted as articles and never pass
through them, except :func:`looks_like_static_page` (terms, privacy, about, redaksi...), which
holds for every URL whatever listed it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# Parameters that only say how a reader arrived; they never change the page.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid",
    "igsh", "_ga", "_gl", "yclid", "ref_src", "ref_url", "twclid", "ttclid", "_hsenc", "_hsmi",
    "mkt_tok", "__twitter_impression", "cmpid", "s_cid", "spm", "share_source",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
# AMP switches ("?amp", "?amp=1", "?outputType=amp") show the same story in AMP markup.
# AMP *paths* (/amp/, amp.host) are left alone: rel=canonical on the page resolves those.
AMP_FLAGS = frozenset({"amp"})
AMP_VALUED = frozenset({"outputtype", "output", "format"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROL = re.compile(r"[\t\n\r]")

# Path segments of navigation pages (WordPress and Indonesian portal conventions).
NAV_SEGMENTS = frozenset({
    "category", "categories", "kategori", "kanal", "rubrik", "tag", "tags", "topik", "topic",
    "topics", "label", "author", "authors", "penulis", "reporter", "editor", "page", "halaman",
    "search", "cari", "pencarian", "login", "masuk", "register", "daftar", "logout", "wp-admin",
    "wp-login.php", "wp-json", "feed", "rss", "atom", "indeks", "index", "arsip", "archive",
    "archives", "sitemap", "cdn-cgi", "comments", "trackback", "amp-stories",
})
# The outlet's fixed pages (terms, privacy, about, contact, newsroom, guidelines, ads, jobs), in
# Indonesian and English. A path segment is compared with "-" for "_", spaces and dots, so
# /terms_of_use/, /Tentang%20Kami and /kebijakan.privasi.html match too.
STATIC_PAGES = frozenset({
    # English
    "about", "about-us", "aboutus", "who-we-are", "contact", "contacts", "contact-us", "contactus",
    "privacy", "privacy-policy", "privacypolicy", "privacy-notice", "cookie-policy", "cookies-policy",
    "terms", "terms-of-use", "terms-of-service", "terms-and-conditions", "terms-conditions", "tos",
    "disclaimer", "career", "careers", "advertise", "advertising", "advertise-with-us", "media-kit",
    "imprint", "impressum", "legal", "copyright", "faq", "editorial-policy", "editorial-team",
    "masthead", "code-of-ethics", "code-of-conduct",
    # Indonesian
    "tentang", "tentang-kami", "profil-kami", "profil-perusahaan", "kontak", "kontak-kami", "hubungi",
    "hubungi-kami", "redaksi", "susunan-redaksi", "tim-redaksi", "dewan-redaksi", "alamat-redaksi",
    "pedoman-media-siber", "pedoman-pemberitaan-media-siber", "pedoman-siber", "pedoman-pemberitaan",
    "kebijakan-privasi", "kebijakan-privacy", "privasi", "syarat-dan-ketentuan", "syarat-ketentuan",
    "ketentuan-layanan", "ketentuan-penggunaan", "syarat-penggunaan", "kebijakan-penggunaan",
    "penafian", "sanggahan", "karir", "karier", "info-iklan", "iklan", "pasang-iklan", "tarif-iklan",
    "kerja-sama", "kerjasama", "kode-etik", "kode-etik-jurnalistik", "standar-perlindungan-wartawan",
    "standar-perlindungan-profesi-wartawan", "visi-misi", "bantuan",
})
# WordPress ?page_id=N is a Page (about, contact...), never a post.
STATIC_QUERY_KEYS = frozenset({"page_id"})
NAV_QUERY_KEYS = frozenset({"page", "paged", "s", "q", "cat", "tag", "author", "halaman", "search"})
STATIC_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "avif", "pdf", "doc", "docx",
    "xls", "xlsx", "ppt", "pptx", "zip", "rar", "css", "js", "json", "xml", "rss", "txt", "mp3",
    "mp4", "webm", "woff", "woff2", "ttf", "apk",
})
NON_WEB_SCHEMES = ("mailto:", "javascript:", "tel:", "whatsapp:", "sms:", "fb-messenger:", "data:", "intent:")
SHARE_HOSTS = frozenset({
    "facebook.com", "m.facebook.com", "twitter.com", "x.com", "wa.me", "api.whatsapp.com",
    "web.whatsapp.com", "t.me", "telegram.me", "linkedin.com", "pinterest.com", "line.me",
    "social-plugins.line.me", "instagram.com", "youtube.com", "tiktok.com", "plus.google.com",
    "reddit.com", "news.google.com",
})
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/[01]?\d/(?:[0-3]?\d/)?(?:[^/]*[a-z][^/]*|\d{5,})")
_READ_ID = re.compile(r"/read/(?:[^/]+/)*\d{4,}")
_NUMERIC_ID = re.compile(r"^(?:[a-z]{1,3}-)?\d{5,}$")  # 7654321, d-7654321 (detik), a-123456
_WORD = re.compile(r"[a-z0-9]+")


def canonicalize(url: str, base: str | None = None) -> str:
    """Return the one spelling of ``url`` used for storage and deduplication (idempotent).

    A URL that cannot be parsed (bad port, broken IPv6 host) comes back stripped but unchanged.
    """
    url = _CONTROL.sub("", url or "").strip()
    try:
        return _canonicalize(urljoin(_CONTROL.sub("", base).strip(), url) if base else url)
    except ValueError:
        return url


def _canonicalize(url: str) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_tracking(key, value)]
    query = [(key[4:] if key.startswith("amp;") else key, value) for key, value in query]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    url = canonicalize_url(url, keep_blank_values=True, keep_fragments=False)
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, _netloc(parts), parts.path or "/", parts.query, ""))


def _is_tracking(key: str, value: str) -> bool:
    name = key.lower().removeprefix("amp;")
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES) or name in AMP_FLAGS:
        return True
    return name in AMP_VALUED and value.lower() == "amp"


def _netloc(parts) -> str:
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:  # junk port: keep what was written
        return parts.netloc.lower()
    if port and DEFAULT_PORTS.get(parts.scheme) != port:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    return f"{userinfo}@{host}" if userinfo else host


def _site_host(url: str) -> str | None:
    """Host (with non-default port) of an http(s) URL, lowercased, ``www.`` removed."""
    try:
        parts = urlsplit(_CONTROL.sub("", url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.rstrip(".").removeprefix("www.")
    return f"{host}:{port}" if port and port not in DEFAULT_PORTS.values() else host


def _site_host_or_relative(url: str) -> str | None:
    """"" for a relative URL, the host for an http(s) one, None for anything unparsable."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a junk port
    except ValueError:
        return None
    if not parts.scheme:  # "/2026/11/20/slug", or protocol-relative "//host/path"
        return _site_host("http:" + url) if parts.netloc else ""
    return _site_host(url)


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on the same host (``www.`` and http/https do not count)."""
    host = _site_host(url)
    return host is not None and host == _site_host(other)


# The Public Suffix List snapshot shipped with tldextract (never fetched: crawls work offline).
# Private suffixes count, so a blog on blogspot.com is its own site, not all of Blogspot.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
_IP_HOST = re.compile(r"^[\d.]+$|:")


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The domain an outlet registered: ``news.example.co.id`` -> ``example.co.id``.

    A host under a suffix the list does not know (``kabar.test``, intranet names) keeps its last
    two labels; an IP address is itself.
    """
    host = (host or "").lower().rstrip(".")
    if not host or _IP_HOST.search(host):
        return host
    found = _SUFFIXES(host)
    if found.suffix and found.domain:
        return f"{found.domain}.{found.suffix}"
    return ".".join(host.split(".")[-2:])


def _split_host(site_host: str) -> tuple[str, str]:
    """``host:port`` (from :func:`_site_host`) -> (``host``, ``port`` or "")."""
    name, _, port = site_host.rpartition(":") if site_host.count(":") == 1 else (site_host, "", "")
    return name, port


@dataclass(frozen=True)
class Scope:
    """The part of a site a source covers: a host plus a path prefix with directory semantics.

    ``other_hosts`` are host suffixes covered whole (any path): ``example.id`` covers
    ``example.id`` and every ``*.example.id``. They come from a source's ``subdomains`` key; by
    default there are none and the scope is exactly host + path prefix.
    """

    host: str
    path_prefix: str = ""  # "" for the whole site, else "/probolinggo" (no trailing slash)
    other_hosts: tuple[str, ...] = ()

    @classmethod
    def from_url(cls, url: str, *, subdomains: bool | Iterable[str] = False) -> Scope:
        """The scope of a source URL; ``subdomains=True`` adds every host of the URL's
        registrable domain, a list adds those hosts and their subdomains (host names as
        ``pantau.config`` validated them: ``news.example.id``)."""
        host = _site_host(url)
        if host is None:
            raise ValueError(f"not an http(s) URL: {url!r}")
        path = unquote(urlsplit(url.strip()).path or "/")
        last = path.rsplit("/", 1)[-1]
        if re.search(r"\.[a-z0-9]{2,5}$", last, re.IGNORECASE):  # /probolinggo/index.html
            path = path[: -len(last)]
        if subdomains is True:
            others = (registrable_domain(_split_host(host)[0]),)
        elif subdomains:
            others = tuple(dict.fromkeys(h.strip().lower().lstrip("*.") for h in subdomains if h.strip()))
        else:
            others = ()
        return cls(host=host, path_prefix=path.rstrip("/"), other_hosts=others)

    def contains(self, url: str) -> bool:
        host = _site_host(url)  # None for unparsable and non-http(s) URLs
        if host is None:
            return False
        if host != self.host:
            return self._other_host(host)
        if not self.path_prefix:
            return True
        path = unquote(urlsplit(url.strip()).path or "/")
        return path == self.path_prefix or path.startswith(self.path_prefix + "/")

    def covers_host(self, url: str) -> bool:
        """True when the URL is on the source's host or one of its other hosts (path aside)."""
        host = _site_host(url)
        return host is not None and (host == self.host or self._other_host(host))

    def _other_host(self, site_host: str) -> bool:
        if not self.other_hosts:
            return False
        name, port = _split_host(site_host)
        if port != _split_host(self.host)[1]:
            return False
        return any(name == other or name.endswith("." + other) for other in self.other_hosts)


def _segments(path: str) -> list[str]:
    """Lowercased path segments, page extensions dropped (``slug.html`` -> ``slug``)."""
    segments = [segment for segment in unquote(path).lower().split("/") if segment]
    return [re.sub(r"\.(?:html?|php|aspx?)$", "", segment) for segment in segments]


def _split(url: str):
    try:
        return urlsplit(_CONTROL.sub("", url or "").strip())
    except ValueError:
        return None


def looks_like_static_page(url: str) -> bool:
    """True for an outlet's fixed pages, which are never articles whoever links them.

    Terms of use, privacy, about, contact, redaksi, pedoman media siber, disclaimer, careers,
    advertising (:data:`STATIC_PAGES`, Indonesian and English, ``-`` or ``_`` between words) as
    any path segment, and WordPress Pages (``?page_id=12``).
    """
    parts = _split(url)
    if parts is None:
        return False
    if any(key.lower() in STATIC_QUERY_KEYS for key, _ in parse_qsl(parts.query)):
        return True
    return any(re.sub(r"[\s_.+-]+", "-", segment).strip("-") in STATIC_PAGES for segment in _segments(parts.path))


def is_wordpress_shortlink(url: str) -> bool:
    """``https://example.id/?p=123``: a WordPress post by id, or page 123 of a non-WordPress
    index; only the page that links it can tell (see ``spiders.discovery.listing_leads``)."""
    parts = _split(url)
    if parts is None or parts.path not in ("", "/", "/index.php"):
        return False
    query = parse_qsl(parts.query, keep_blank_values=True)
    return len(query) == 1 and query[0][0].lower() == "p" and query[0][1].isdigit()


def looks_like_listing(url: str) -> bool:
    """True for the homepage and navigation pages (category, tag, author, search, page N...),
    and for static pages (:func:`looks_like_static_page`): neither is an article."""
    parts = _split(url)
    if parts is None:
        return False
    segments = _segments(parts.path)
    query_keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if query_keys & NAV_QUERY_KEYS - {"page", "paged", "halaman"} or looks_like_static_page(url):
        return True  # search and filter forms, static pages
    if segments in ([], ["index"]):  # the homepage; /index.php?id=5 (Joomla, custom CMS) is not
        return not query_keys - {"page", "paged", "halaman"}
    if any(segment in NAV_SEGMENTS for segment in segments):
        return True
    if query_keys & {"page", "paged", "halaman"}:  # ?page=2 of a list, or of a long article
        return not _article_path(parts.path.lower(), segments)
    return False


def looks_like_article(url: str) -> bool:
    """Heuristic: does a link found on a listing page point to a news article?

    Articles have a dated path (``/2026/11/20/slug``), a numeric id (``/read/123456``,
    ``/berita/d-7654321/slug``) or a headline slug (three or more words below a section, four or
    more at the top level, where three-word slugs are as often sections: ``/food_and_living``);
    navigation, static pages, static files, share links and other schemes do not count, nor
    does ``/?p=N`` on its own (:func:`is_wordpress_shortlink`). Sitemaps and feeds are trusted
    instead.
    """
    raw = _CONTROL.sub("", url or "").strip()
    if not raw or raw.lower().startswith(NON_WEB_SCHEMES) or raw.startswith("#") or _site_host_or_relative(raw) is None:
        return False
    parts = urlsplit(raw)
    if parts.scheme and parts.scheme.lower() not in DEFAULT_PORTS:
        return False
    host = (parts.hostname or "").removeprefix("www.")
    if host in SHARE_HOSTS or host.startswith(("share.", "sharer.")):
        return False
    path = unquote(parts.path).lower()
    if posixpath.splitext(path)[1].lstrip(".") in STATIC_EXTENSIONS or looks_like_listing(raw):
        return False
    return _article_path(path, _segments(parts.path))


def _article_path(path: str, segments: list[str]) -> bool:
    if _DATE_PATH.search(path) or _READ_ID.search(path):
        return True
    if any(_NUMERIC_ID.match(segment) for segment in segments):
        return True
    slug_words = [len(_WORD.findall(segment.replace("_", "-"))) for segment in segments]
    if slug_words and slug_words[-1] >= (3 if len(segments) > 1 else 4):
        return True
    # /probolinggo/jalan-rusak-di-kraksaan/amp or /slug/2 (multi-page article)
    return len(segments) >= 2 and slug_words[-2] >= 3 and segments[-1] in {"amp", "all", "2", "3", "4", "5"}
