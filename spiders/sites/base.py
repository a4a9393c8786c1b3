"""The generic site profile: reads any news site with Pantau's general rules.

Subclasses override a hook (``article_links``, ``next_page``, ``read``) for a site whose markup
defeats the general rules; the ``selectors`` from the sources file cover the common cases
without code.
"""

from __future__ import annotations

from datetime import datetime

from spiders import discovery
from spiders.dates import find_date
from spiders.encoding import decode_html
from spiders.extract import ArticlePage, read_article
from spiders.urls import Scope


class Site:
    hosts: tuple[str, ...] = ()

    def __init__(self, selectors: dict[str, str]):
        self.selectors = selectors

    def article_links(self, doc, scope: Scope, now: datetime) -> list[discovery.Lead]:
        return discovery.listing_leads(doc, scope, now=now, link_selector=self.selectors.get("article_links"))

    def next_page(self, doc, url: str, scope: Scope) -> str | None:
        return discovery.next_page(doc, url, scope, selector=self.selectors.get("next_page"))

    def read_response(self, body: bytes, content_type: str | None, url: str,
                      now: datetime) -> tuple[ArticlePage, str]:
        """Decode and read a fetched page (runs in an extraction worker): (page, encoding)."""
        html, encoding = decode_html(body, content_type)
        return self.read(html, url, now), encoding

    def read(self, html: str, url: str, now: datetime) -> ArticlePage:
        page = read_article(html, url, now=now)
        if self.selectors:
            self._apply_selectors(page, html, url, now)
        return page

    def _apply_selectors(self, page: ArticlePage, html: str, url: str, now: datetime) -> None:
        doc = discovery.parse_html(html, url)
        if doc is None:
            return

        def text_of(key: str) -> str | None:
            selector = self.selectors.get(key)
            if not selector:
                return None
            found = doc.cssselect(selector)
            if not found:
                return None
            if key == "body":
                return "\n\n".join(" ".join(el.text_content().split()) for el in found if el.text_content().strip())
            return " ".join(found[0].text_content().split()) or found[0].get("datetime") or found[0].get("content")

        if title := text_of("title"):
            page.title = title
        if author := text_of("author"):
            page.author = author
        if body := text_of("body"):
            page.text = body
            # The admin's selectors say what an article looks like on this site.
            page.is_article = page.is_article or bool(page.title)
        selector = self.selectors.get("published_at")
        if selector:
            for el in doc.cssselect(selector):
                value = el.get("datetime") or el.get("content") or el.text_content()
                date = find_date(" ".join(value.split()), now=now)
                if date:
                    page.published_at = date
                    break
