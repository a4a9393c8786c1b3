"""The publication and modification instants of a news page.

The most reliable value a page offers wins: JSON-LD (the article node, then the page's other
article or WebPage nodes), then meta tags, then what the page shows a reader near the headline
(``<time>``, date-like elements, a date line). Values are read by :mod:`spiders.dates`.
"""

from __future__ import annotations

import re
from datetime import datetime

from spiders import jsonld
from spiders.dates import find_date, parse_date
from spiders.layout import in_noise

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time", "datepublished",
    "datecreated", "pubdate", "publishdate", "publish-date", "publish_date", "content_publisheddate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created", "date", "publication_date",
)
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
                 "article:modified", "dcterms.modified", "last-modified", "parsely-updated")
_DATE_HINT = re.compile(r"date|time|tanggal|tgl|waktu|publish|posted|meta|byline", re.I)


def published_and_modified(tree, node: dict, nodes: list[dict], meta: dict[str, str], heading,
                           now: datetime | None) -> tuple[datetime | None, datetime | None]:
    """(published, modified) of the page, timezone-aware, or None where the page gives none."""
    published = _first_date([*_jsonld_dates(node, nodes, "datePublished", "dateCreated"),
                             *(meta.get(key) for key in PUBLISHED_META)], now)
    published = published or _page_date(tree, heading, now)
    modified = _first_date([*_jsonld_dates(node, nodes, "dateModified"), *(meta.get(k) for k in MODIFIED_META)], now)
    return published, modified


def _first_date(values, now) -> datetime | None:
    parsed = (parse_date(value, now=now) for value in values if isinstance(value, str) and value.strip())
    return next((value for value in parsed if value is not None), None)


def _jsonld_dates(node: dict, nodes: list[dict], *keys: str) -> list[str]:
    """The date from the article node, else from the page's other article/WebPage nodes."""
    pool = [node] + [n for n in nodes if set(jsonld.node_types(n)) & {*jsonld.ARTICLE_TYPES, *jsonld.PAGE_TYPES}]
    return [value for item in pool for key in keys if isinstance(value := item.get(key), str)]


def _page_date(tree, heading, now) -> datetime | None:
    """A date as shown to readers: <time datetime>, then date-like elements and text by the headline."""
    window = heading.xpath("following::*[position() <= 60]") if heading is not None else []
    times = [el for el in window if el.tag == "time"] + tree.xpath("//article//time")
    found = _first_date([el.get("datetime") or el.text_content() for el in times if not in_noise(el)], now)
    if found or heading is None:
        return found
    container = heading.getparent().getparent() if heading.getparent() is not None else None
    around = container.iter() if container is not None else []
    for element in [*window, *around]:
        if not isinstance(element.tag, str) or element is heading:
            continue
        if _DATE_HINT.search(f"{element.get('class', '')} {element.get('id', '')}"):
            text = element.text_content()
            if len(text) <= 200 and not in_noise(element) and (found := find_date(text, now=now)):
                return found
    following = " ".join(heading.xpath("following::text()[position() <= 30]"))
    return find_date(following[:400], now=now)
