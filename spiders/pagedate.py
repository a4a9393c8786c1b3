"""The publication and modification instants of a news page.

Two kinds of evidence: the machine values a page declares (JSON-LD on the article node, then the
page's other article or WebPage nodes, then meta tags) and the date line it shows a reader by the
headline ("Senin, 7 Desember 2026 14:05 WIB", "Diperbarui ...", a ``<time>``). The declared value
wins, except where it is only a day, is malformed, or contradicts a well-formed line shown on the
same day: templates write the day alone, the time with dashes, or WIB wall-clock time labelled
"Z", while the line a reader sees is what the newsroom typed. A line labelled "Diperbarui" or
"Updated" is the modification time, and the publication time only when nothing else is shown.
Values are read by :mod:`spiders.dates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from spiders import jsonld
from spiders.dates import DateReading, find_dates, read_date
from spiders.layout import in_noise, is_noise_box

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time", "datepublished",
    "datecreated", "pubdate", "publishdate", "publish-date", "publish_date", "content_publisheddate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created", "date", "publication_date",
)
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
                 "article:modified", "dcterms.modified", "last-modified", "parsely-updated")
_DATE_HINT = re.compile(r"date|time|tanggal|tgl|waktu|publish|posted|meta|byline", re.IGNORECASE)
_UPDATED = re.compile(r"diperbarui|diupdate|pembaruan|update[ds]?|modified|revised|aktualisiert|actualizad", re.IGNORECASE)
_PUBLISHED = re.compile(r"dipublikasikan|diterbitkan|terbit|tayang|dibuat|published|posted|veröffentlicht", re.IGNORECASE)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
# How much text around the headline may hold its date line (characters, whitespace collapsed).
AFTER_HEADLINE = 300
BEFORE_HEADLINE = 200
SAME_INSTANT = timedelta(seconds=60)


@dataclass(frozen=True)
class Shown:
    """A date shown to readers by the headline."""

    reading: DateReading
    updated: bool  # labelled "Diperbarui" / "Updated"
    line: bool  # written out in the text (not a <time> value or a date-like element)


def published_and_modified(tree, node: dict, nodes: list[dict], meta: dict[str, str], heading,
                           now: datetime | None) -> tuple[datetime | None, datetime | None]:
    """(published, modified) of the page, timezone-aware, or None where the page gives none."""
    declared = _first_reading([*_jsonld_dates(node, nodes, "datePublished", "dateCreated"),
                               *(meta.get(key) for key in PUBLISHED_META)], now)
    declared_modified = _first_reading([*_jsonld_dates(node, nodes, "dateModified"),
                                        *(meta.get(k) for k in MODIFIED_META)], now)
    shown = _shown_dates(tree, heading, now)
    shown_published = next((item for item in shown if not item.updated), None)
    shown_modified = next((item for item in shown if item.updated), None)
    published = _choose(declared, shown_published)
    if published is None and shown_modified is not None:  # "Diperbarui ..." is all the page says
        published = shown_modified.reading.value
    modified = _choose(declared_modified, shown_modified)
    return published, modified


def _choose(declared: DateReading | None, shown: Shown | None) -> datetime | None:
    """The declared value, unless a well-formed line shown on the same day says otherwise."""
    if declared is None or shown is None:
        return declared.value if declared else shown.reading.value if shown else None
    seen = shown.reading
    if not seen.has_time or seen.relative or not _same_day(declared.value, seen.value):  # "5 hours ago": rounded
        return declared.value
    if abs(declared.value - seen.value) <= SAME_INSTANT:
        return declared.value
    if not declared.has_time or not declared.exact:  # "2026-12-07", "2026-12-07T14-05-00Z"
        return seen.value
    # Two well-formed values that disagree: the line the newsroom typed, with its zone, is the one
    # a reader goes by; a <time> or an unzoned line may be another clock (an update, a foreign zone).
    return seen.value if shown.line and seen.has_zone else declared.value


def _same_day(declared: datetime, seen: datetime) -> bool:
    """The same calendar day as either value writes it (a zone mistake shifts the instant, not the figures)."""
    return declared.date() == seen.date() or declared.astimezone(seen.tzinfo).date() == seen.date()


def _first_reading(values, now) -> DateReading | None:
    parsed = (read_date(value, now=now) for value in values if isinstance(value, str) and value.strip())
    return next((value for value in parsed if value is not None), None)


def _jsonld_dates(node: dict, nodes: list[dict], *keys: str) -> list[str]:
    """The date from the article node, else from the page's other article/WebPage nodes."""
    pool = [node] + [n for n in nodes if set(jsonld.node_types(n)) & {*jsonld.ARTICLE_TYPES, *jsonld.PAGE_TYPES}]
    return [value for item in pool for key in keys if isinstance(value := item.get(key), str)]


def _shown_dates(tree, heading, now) -> list[Shown]:
    """Dates shown by the headline, best first.

    Date lines with a time and a zone right after the headline (then right before it: some
    templates put the date above), then ``<time>`` values, then lines with a time but no zone,
    then date-like elements and the first day written after the headline.
    """
    lines = _lines_by_heading(heading, now) if heading is not None else []
    timed = [item for item in lines if item.reading.has_time]
    shown = [item for item in timed if item.reading.has_zone]
    shown += _time_elements(tree, heading, now)
    shown += [item for item in timed if not item.reading.has_zone]
    if heading is not None:
        hinted = _hinted_date(heading, now)
        if hinted is not None:
            shown.append(Shown(hinted, updated=False, line=False))
        shown += [item for item in lines if not item.reading.has_time]
    return shown


def _lines_by_heading(heading, now) -> list[Shown]:
    """Dates written in the text just after the headline (nearest first), then just before it
    (only those with a time: a bare day above the headline is more often a menu's or a box's)."""
    after = _collapse(_texts_after(heading, AFTER_HEADLINE))[:AFTER_HEADLINE]
    found = [item for _start, item in _dates_in(after, now)]
    before = _collapse(reversed(_texts_before(heading, BEFORE_HEADLINE)))[-BEFORE_HEADLINE:]
    found += [item for _start, item in sorted(_dates_in(before, now), key=lambda pair: -pair[0])
              if item.reading.has_time]
    return found


def _dates_in(text: str, now) -> list[tuple[int, Shown]]:
    """Every date of ``text`` with where it starts, labelled by the words just before it."""
    found, previous_end = [], 0
    for start, end, reading in find_dates(text, now=now):
        label = text[max(previous_end, start - 40):start]
        if reading.relative and _in_sentence(label):  # "... tanggul jebol kemarin sore.": prose, not a date line
            continue
        updated = bool(_UPDATED.search(label)) and not _PUBLISHED.search(label[_last_match_end(_UPDATED, label):])
        found.append((start, Shown(reading, updated=updated, line=True)))
        previous_end = end
    return found


def _in_sentence(before: str) -> bool:
    """The word before a date is running prose (lowercase, not a label like "diperbarui")."""
    words = before.split()
    return bool(words) and words[-1][0].islower() and not (_UPDATED.search(words[-1]) or _PUBLISHED.search(words[-1]))


def _last_match_end(pattern: re.Pattern, text: str) -> int:
    return max((match.end() for match in pattern.finditer(text)), default=0)


def _texts_after(heading, limit: int) -> list[str]:
    """The text after the headline in document order, outside scripts and noise, about ``limit`` characters."""
    texts, size = [], 0
    for node in (heading, *heading.iterancestors()):
        if node.tag == "body" or node.getparent() is None:
            break
        if not in_noise(node.getparent()):
            texts.append(node.tail or "")
        for sibling in node.itersiblings():
            for text in [*_subtree_texts(sibling), sibling.tail or ""]:
                texts.append(text)
                size += len(text.strip())
                if size >= limit:
                    return texts
    return texts


def _texts_before(heading, limit: int) -> list[str]:
    """The text before the headline, nearest first, outside scripts and noise, about ``limit`` characters."""
    texts, size = [], 0
    for node in (heading, *heading.iterancestors()):
        parent = node.getparent()
        if node.tag == "body" or parent is None:
            break
        for sibling in node.itersiblings(preceding=True):
            for text in [sibling.tail or "", *_subtree_texts_backwards(sibling)]:
                texts.append(text)
                size += len(text.strip())
                if size >= limit:
                    return texts
        if not in_noise(parent):
            texts.append(parent.text or "")
    return texts


def _subtree_texts(element):
    """The texts of an element that sits next to the headline's chain, in document order (its tail
    is the caller's), leaving out scripts and boxes around the story."""
    if not isinstance(element.tag, str) or element.tag in _SKIPPED_TAGS or in_noise(element):
        return
    in_article = any(node.tag == "article" for node in element.iterancestors())
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if not isinstance(node.tag, str) or node.tag in _SKIPPED_TAGS or is_noise_box(node, in_article):
                walker.skip_subtree()
                continue
            yield node.text or ""
        elif node is not element:
            yield node.tail or ""


def _subtree_texts_backwards(element, in_article: bool | None = None):
    """:func:`_subtree_texts` from the end, lazily: what stands above the headline is read nearest first."""
    if in_article is None:
        if not isinstance(element.tag, str) or element.tag in _SKIPPED_TAGS or in_noise(element):
            return
        in_article = any(node.tag == "article" for node in element.iterancestors())
    elif not isinstance(element.tag, str) or element.tag in _SKIPPED_TAGS or is_noise_box(element, in_article):
        return
    for child in reversed(element):
        yield child.tail or ""
        yield from _subtree_texts_backwards(child, in_article or child.tag == "article")
    yield element.text or ""


def _collapse(texts) -> str:
    return " ".join(" ".join(texts).split())


def _time_elements(tree, heading, now) -> list[Shown]:
    """``<time>`` values after the headline, then in the <article>."""
    window = heading.xpath("following::time[position() <= 5]") if heading is not None else []
    shown = []
    for element in dict.fromkeys([*window, *tree.xpath("//article//time")]):
        if in_noise(element):
            continue
        reading = read_date(element.get("datetime") or element.text_content(), now=now)
        if reading is not None:
            label = f"{element.get('class', '')} {element.get('itemprop', '')} {_text_before(element)}"
            shown.append(Shown(reading, updated=bool(_UPDATED.search(label)), line=False))
    return shown


def _text_before(element) -> str:
    """The words written just before an element inside its parent ("Diperbarui <time>")."""
    previous = element.getprevious()
    if previous is not None:
        return (previous.tail or "")[-40:] or previous.text_content()[-40:]
    parent = element.getparent()
    return (parent.text or "")[-40:] if parent is not None else ""


def _hinted_date(heading, now) -> DateReading | None:
    """A date in an element named like one (class/id "date", "time", "byline" ...) by the headline."""
    window = heading.xpath("following::*[position() <= 60]")
    container = heading.getparent().getparent() if heading.getparent() is not None else None
    around = container.iter() if container is not None else []
    for element in [*window, *around]:
        if not isinstance(element.tag, str) or element is heading:
            continue
        if _DATE_HINT.search(f"{element.get('class', '')} {element.get('id', '')}"):
            text = element.text_content()
            if len(text) <= 200 and not in_noise(element):
                found = next((reading for _s, _e, reading in find_dates(text, now=now)), None)
                if found is not None:
                    return found
    return None
