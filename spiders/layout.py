"""Where things sit on a news page: the story's headline element and the boxes around the story.

Shared by the field readers (:mod:`spiders.extract`, :mod:`spiders.pagedate`): comments,
related-story boxes, sidebars, navigation and the site footer are "noise", and the headline is
the page's ``<h1>`` that is not the logo or part of such a box.
"""

from __future__ import annotations

import re
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
        if node.tag in NOISE_TAGS and not (node.tag == "footer" and in_article):
            return True
        for token in f"{node.get('class', '')} {node.get('id', '')}".lower().split():
            if token.startswith(("has-", "with-", "no-", "is-")):
                continue
            if "bacajuga" in re.sub(r"[-_]", "", token):
                return True
            if any(part.startswith(NOISE_PARTS) and not (in_article and part == "footer") for part in re.split(r"[-_]", token)):
                return True
    return False


def main_heading(tree):
    """The story's <h1>: one inside <article>/<main> first, else the first one that is not the logo."""
    for heading in tree.xpath("//article//h1 | //main//h1") or tree.xpath("//h1"):
        home_link = any(url_path(href) in ("", "/") for href in heading.xpath(".//a/@href"))
        if heading.text_content().strip() and not home_link and not in_noise(heading):
            return heading
    return None
