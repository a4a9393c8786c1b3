"""Where things sit on a news page: the story's headline element and the boxes around the story.

Shared by the field readers (:mod:`spiders.extract`, :mod:`spiders.pagedate`): comments,
related-story boxes, sidebars, navigation and the site footer are "noise", and the headline is
the element that shows the page's known title (often, but not always, its ``<h1>``).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

# Class/id words of boxes around the story (matched per hyphen-separated part, "has-sidebar" excluded).
NOISE_PARTS = ("comment", "komentar", "related", "terkait", "sidebar", "footer", "populer", "popular", "trending",
               "bacajuga", "recommend", "rekomendasi", "terpopuler", "terbaru")
NOISE_TAGS = frozenset({"aside", "footer", "nav", "script", "style", "noscript"})


def url_path(href: str) -> str | None:
    try:
        return urlsplit(href.strip()).path
    except ValueError:
        return None


def in_noise(element) -> bool:
    """Inside comments, related-story boxes, sidebars, navigation or the site footer."""
    chain = [element, *element.iterancestors()]
    in_article = any(node.tag == "article" for node in chain)  # an article's own <footer> is part of it
    for node in chain:
        if node.tag in ("body", "html"):
            break
        if is_noise_box(node, in_article):
            return True
    return False


def is_noise_box(node, in_article: bool = False) -> bool:
    """The element itself is such a box (its tag, class or id say so); ``in_article``: it sits in an <article>."""
    if node.tag in NOISE_TAGS and not (node.tag == "footer" and in_article):
        return True
    names = f"{node.get('class', '')} {node.get('id', '')}"
    return bool(names.strip()) and _noise_names(names.lower(), in_article)


@functools.lru_cache(maxsize=4096)
def _noise_names(names: str, in_article: bool) -> bool:
    for token in names.split():
        if token.startswith(("has-", "with-", "no-", "is-")):
            continue
        if "bacajuga" in re.sub(r"[-_]", "", token):
            return True
        if any(part.startswith(NOISE_PARTS) and not (in_article and part == "footer") for part in re.split(r"[-_]", token)):
            return True
    return False


def main_heading(tree, titles: Iterable[str | None] = ()):
    """The story's headline element.

    The element whose text is the page's known title (``titles``, e.g. the JSON-LD headline, plus
    og:title, twitter:title and <title> read here), an <h1> first, then other headings, then any
    other element, never a link in a list or a box around the story; some templates give the
    section name the <h1> and the headline an <h2> or a styled <div>. Without a match: the <h1>
    inside <article>/<main>, else the first <h1> that is not the logo.
    """
    known = _known_titles(tree, titles)
    if known:
        matched = _heading_matching(tree, known)
        if matched is not None:
            return matched
    for heading in tree.xpath("//article//h1 | //main//h1") or tree.xpath("//h1"):
        if heading.text_content().strip() and not _home_link(heading) and not in_noise(heading):
            return heading
    return None


def _home_link(element) -> bool:
    return any(url_path(href) in ("", "/") for href in element.xpath(".//a/@href"))


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


def _known_titles(tree, titles: Iterable[str | None]) -> list[str]:
    """The page's own names for the story (given, og:title, twitter:title, <title>), not the site's."""
    raw, site_names = list(titles), set()
    for element in tree.iter("meta", "title"):
        if element.tag == "title":
            if element.getparent() is not None and element.getparent().tag == "head":
                raw.append(element.text)
            continue
        key = (element.get("property") or element.get("name") or "").lower()
        if key in ("og:title", "twitter:title"):
            raw.append(element.get("content"))
        elif key == "og:site_name":
            site_names.add(_words(element.get("content") or ""))
    known = [_words(title) for title in raw if isinstance(title, str)]
    return [title for title in dict.fromkeys(known) if len(title.split()) >= 2 and title not in site_names]


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _heading_matching(tree, known: list[str]):
    """The best element whose text covers most of a known title (or is covered by it).

    Headings first; only when no <h1> or unlinked heading matches, any element whose own text
    is the title (a styled <div> or <span>): that walk over every element is the slow one.
    """
    body = tree.find("body")
    if body is None:
        return None
    longest = 2 * max(len(title) for title in known) + 40
    headings = [element for element in body.iter(*_HEADING_TAGS)
                if len(element.text_content()) <= longest and _matches(element.text_content(), known)]
    found = _best_heading(headings)
    if found is not None and _heading_rank(found) <= 1:  # an <h1>, or a heading that is no link
        return found
    others = [element for element in body.iter()
              if isinstance(element.tag, str) and element.text and 8 <= len(element.text) <= longest
              and _matches(element.text, known)]
    return _best_heading(list(dict.fromkeys([*headings, *others])))


def _best_heading(found: list):
    """The best ranked of the matching elements (the first of equals) outside boxes and logos."""
    for element in sorted(found, key=_heading_rank):  # in document order: a stable sort keeps the first of equals
        if element.tag not in NOISE_TAGS and not in_noise(element) and not _home_link(element):
            return element
    return None


def _matches(content: str, known: list[str]) -> bool:
    words = _words(content)
    return len(words.split()) >= 2 and any(_covers(words, title) for title in known)


def _covers(words: str, title: str) -> bool:
    """Most of both texts is one run of the same words: "Judul" in "Judul - Nama Situs", or
    "Foto: Judul" beside "Judul | Nama Situs"."""
    if f" {words} " in f" {title} " or f" {title} " in f" {words} ":
        return len(min(words, title, key=len)) >= 0.5 * len(max(words, title, key=len))
    mine, theirs = words.split(), title.split()
    if len(set(mine) & set(theirs)) < max(3, 0.5 * len(theirs)):  # cheap test before the exact one
        return False
    run = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).find_longest_match().size
    return run >= 3 and run >= 0.6 * len(mine) and run >= 0.5 * len(theirs)


def _heading_rank(element) -> int:
    """An <h1> first, then other headings, then other elements; a link (a teaser in a list of
    stories, a breadcrumb) after every element that is not one."""
    if element.tag == "h1":
        return 0
    linked = element.tag == "a" or element.find(".//a") is not None or any(a.tag == "a" for a in element.iterancestors())
    return (2 if linked else 0) + (1 if element.tag in _HEADING_TAGS else 2)
