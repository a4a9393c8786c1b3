"""The body text of a news article: trafilatura's main text, without Indonesian boilerplate.

Indonesian portals label their boxes in Indonesian ("samping" is the sidebar, "kaki" the
footer, "bacajuga", "terkait"), which trafilatura's English class-name rules miss, so those boxes
are pruned first; then lines such as "Baca Juga: …", "Berita Terkait", share bars, "Scroll untuk
melanjutkan" and bare byline or date lines are dropped from what trafilatura returns.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime

import trafilatura
from lxml import html as lxml_html

from spiders.dates import find_date

MIN_BODY_CHARS = 200
# Chosen on the peer suites (benchmarks/RESULTS-extract.md): precision mode first (fast, then with
# trafilatura's fallbacks when the fast pass kept under half of the text in the page's <p>s);
# balanced mode when precision kept under a quarter of it, taken when twice as long.
SHORT_CUT_RATIO = 4
FAST_CUT_RATIO = 2
BALANCED_GAIN = 2

# Boxes named in Indonesian, which trafilatura's English class-name rules miss ("samping" is the
# sidebar, "kaki" the footer); never a wrapper that holds the headline.
_BOX_NAMES = ("samping", "kaki", "komentar", "tanggapan", "bagikan", "iklan", "terkait", "bacajuga", "baca-juga",
              "baca-lainnya", "bacalainnya", "populer", "rekomendasi")
_PRUNE_XPATH = "//*[@class or @id][{}][not(.//h1)][not(.//article)]".format(" or ".join(
    f"contains(@class, '{word}') or contains(@id, '{word}')" for word in _BOX_NAMES))
_BOX_WORDS = re.compile("|".join(map(re.escape, _BOX_NAMES)))


def _boxes(tree) -> list:
    """Elements _PRUNE_XPATH selects, found four times faster by one pass in Python."""
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        names = (element.get("class") or "") + " " + (element.get("id") or "")
        if _BOX_WORDS.search(names) and not element.xpath(".//h1|.//article"):
            found.append(element)
    return found
_BOILERPLATE = re.compile(
    r"^(?:baca\s+(?:juga|lainnya|selengkapnya|pula|berita\s+lain)|(?:berita|artikel|topik|video)\s+terkait"
    r"|simak\s+(?:juga|berita|video|selengkapnya|artikel)|lihat\s+juga|klik\s+(?:di\s*)?sini"
    r"|dapatkan\s+(?:update|berita|informasi|info)|ikuti\s+(?:kami|berita|update|info|channel|saluran|terus|akun)\b.*"
    r"(?:google\s*news|whatsapp|telegram|instagram|facebook|tiktok|youtube|saluran|channel)"
    r"|(?:gabung|join)\b.*(?:whatsapp|telegram|channel|saluran|grup)|advertisement\b|iklan$"
    r"|scroll\s+(?:untuk|to|ke)\s+(?:melanjutkan|lanjut|continue|bawah)|bagikan\s*(?::|artikel|berita|ini|ke\b|$)"
    r"|share\s*(?::|this|artikel|berita|$)|tags?\s*:|topik\s*:|(?:download|unduh)\s+aplikasi"
    r"|(?:copyright|hak\s+cipta)\b(?=.{0,160}$)|(?:©|\(c\))\s*(?:\d{4}|copyright)(?=.{0,160}$)"
    # boxes' labels ("Trending: …", "Terpopuler") and comment prompts ("Belum ada komentar", "Komentar (0)")
    r"|(?:trending|terpopuler|populer|terkini|terbaru|headline|pilihan\s+editor|rekomendasi|hot\s+news)\s*(?::|$)"
    r"|(?:belum\s+ada|tidak\s+ada|tulis(?:kan)?|tinggalkan|kirim|beri(?:kan)?|lihat\s+semua|muat)\s+(?:\w+\s+)?komentar"
    r"|(?:login|masuk|daftar)\s+untuk\s+(?:ber)?komentar|komentar\s*\(?\d*\)?\s*$|\d+\s+komentar\s*$)",
    re.I,
)
# Lines that close a story on Indonesian portals: copyright, "follow us on Google News/WhatsApp",
# push-notification prompts. Anything after the first one is the site's, once most text is above it.
_END_MARKER = re.compile(
    r"all rights reserved|hak cipta dilindungi|(?:©|\(c\)|copyright)\s*(?:\d{4}|@)"
    r"|^(?:cek|ikuti|simak|baca|dapatkan|follow|gabung)\b.{0,120}(?:google\s*news|whatsapp\s*channel|saluran\s*whatsapp)"
    r"|^(?:apakah\s+)?anda\s+ingin\s+menerima\s+(?:notifikasi|perkembangan|berita|info)", re.I)
END_MARK_SHARE = 0.5
_SOCIAL_ONLY = re.compile(r"^(?:(?:facebook|twitter|x|whatsapp|telegram|line|linkedin|pinterest|e-?mail|copy link"
                          r"|salin (?:link|tautan)|share|bagikan)[\s,|/•·:]*)+$", re.I)
_LINK_LIST_LABEL = re.compile(r"^(?:baca\s+(?:juga|lainnya|pula)|(?:berita|artikel)\s+(?:terkait|lainnya)|simak\s+juga|"
                              r"lihat\s+juga)\s*:?\s*$", re.I)
_CREDIT = re.compile(r"^(?:(?:editor|redaktur|penyunting|penulis|reporter|pewarta|wartawan)\s*:|(?:oleh|by)\s+\S.{0,40}[|·•])", re.I)


def body_text(html: str, tree, url: str, title: str | None, now: datetime | None) -> str:
    """The article's paragraphs, blank-line separated. Prunes ``tree`` in place."""
    has_form = bool(tree.xpath("//form[.//p]"))
    for box in _boxes(tree):  # prunes ``tree`` in place; it is not used after this
        _drop_keeping_tail(box)
    _wrap_loose_text(tree)
    paragraph_chars = _paragraph_chars(tree)
    pristine = copy.deepcopy(tree)  # trafilatura rewrites the tree it is given; later passes copy this
    # Precision mode without trafilatura's fallback extractors first (a third of the time); with
    # them when that kept under half of the page's paragraph text or almost nothing.
    text = _filter_lines(_trafilatura(tree, url, favor_precision=True, fast=True), title, now)
    if len(text) * FAST_CUT_RATIO < paragraph_chars or len(text) < MIN_BODY_CHARS:
        text = _filter_lines(_trafilatura(copy.deepcopy(pristine), url, favor_precision=True), title, now)
    if len(text) * SHORT_CUT_RATIO < paragraph_chars:
        # Precision mode kept little of the page's running text: it may have cut the story
        # short (a subheading or a figure mid-story). Balanced mode decides when it finds much more.
        balanced = _filter_lines(_trafilatura(pristine, url), title, now)
        if len(balanced) > BALANCED_GAIN * len(text):
            text = balanced
    if len(text) < MIN_BODY_CHARS and has_form:
        tree = lxml_html.fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html))
        # ASP.NET pages wrap everything in one <form>, which trafilatura's precise mode drops
        unwrapped = copy.deepcopy(tree)
        for form in unwrapped.xpath("//form"):
            form.drop_tag()
        html = lxml_html.tostring(unwrapped, encoding="unicode")
        text = _filter_lines(_trafilatura(html, url, favor_precision=True), title, now)
    if len(text) < MIN_BODY_CHARS:
        recall = _filter_lines(_trafilatura(html, url, favor_recall=True), title, now)
        text = recall if len(recall) > len(text) else text
    return text


# Elements that hold running text in a line of their own, and inline elements that sit in one.
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol", "li",
                     "dl", "table", "blockquote", "figure", "pre", "form", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "center", "address", "details", "iframe", "script", "style", "noscript", "img", "picture",
                     "video", "audio", "object", "embed"})
_CONTAINERS = ("div", "span", "td", "section", "article", "main", "font", "center", "blockquote")
MIN_LOOSE_CHARS = 30  # letters of running text outside any paragraph that make a container a story's


def _wrap_loose_text(tree) -> None:
    """Give bare running text its own paragraphs, in place.

    Many portals write the story straight into a container, paragraphs separated by ``<br>``
    (``<div itemprop="articleBody">PROBOLINGGO - Warga … <br><br>Kepala desa …``), or put the
    lead paragraph loose before the first ``<p>``. Extractors judge paragraphs, and text outside
    any is easily lost: usually the lead, the most important one. Each run of loose text and
    inline elements between breaks and blocks becomes a ``<p>``; navigation (links with only
    separators between them) has no loose text and is left alone.
    """
    for element in list(tree.iter(*_CONTAINERS)):
        children = list(element)
        blocks = [i for i, c in enumerate(children) if isinstance(c.tag, str) and (c.tag == "br" or c.tag in _BLOCKS)]
        if not blocks:
            if element.tag == "div" and _letters(element.text_content()) >= MIN_LOOSE_CHARS and not element.xpath(".//br"):
                element.tag = "p"  # a <div> used as a paragraph
            continue
        # a lead paragraph loose before the first block, or text set off by breaks or among <p>s
        lead = (element.text or "") + "".join(_inline_text(c) for c in children[: blocks[0]])
        if not any(c.tag in ("br", "p") for c in children) and _letters(lead) < MIN_LOOSE_CHARS:
            continue
        loose = (element.text or "") + "".join(c.tail or "" for c in children)
        beside_paragraphs = any(c.tag == "p" for c in children) and any(
            _letters(_inline_text(c)) for c in children if isinstance(c.tag, str) and c.tag not in _BLOCKS and c.tag != "br")
        if _letters(loose) < MIN_LOOSE_CHARS and not beside_paragraphs:
            continue  # (an inline date or label beside <p>s is its own line, never glued to the lead)
        text, inline = element.text or "", []
        layout: list = []  # in order: ("run", text, inline) or ("block", element)
        for child in children:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is not None and (tag == "br" or tag in _BLOCKS):
                layout.append(("run", text, inline))
                tail, child.tail = child.tail or "", None
                if tag != "br":
                    layout.append(("block", child))
                text, inline = tail, []
            else:
                inline.append(child)
        layout.append(("run", text, inline))
        element.text = None
        for child in children:
            element.remove(child)
        for entry in layout:
            if entry[0] == "block":
                element.append(entry[1])
                continue
            _, lead, members = entry
            if not lead.strip() and not any((m.text_content() if isinstance(m.tag, str) else "").strip()
                                            or (m.tail or "").strip() for m in members):
                continue
            paragraph = element.makeelement("p", {})
            paragraph.text = lead
            for member in members:
                paragraph.append(member)
            element.append(paragraph)


def _paragraph_chars(tree) -> int:
    return sum(len(p.text_content()) for p in tree.iter("p"))


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _inline_text(element) -> str:
    return ((element.text_content() if isinstance(element.tag, str) else "") or "") + (element.tail or "")


def _drop_keeping_tail(element) -> None:
    """Remove ``element`` but keep the text that follows it (its tail) in the document."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _trafilatura(html, url: str, **mode: bool) -> str:
    """Body text of ``html`` (a string, or a parsed tree already pruned of Indonesian boxes)."""
    # deduplicate stays off: trafilatura's duplicate cache is process-wide, so it would blank
    # paragraphs of the third page that shares them (syndicated stories, re-fetched pages).
    return trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, include_images=False, include_links=False,
        deduplicate=False, output_format="txt", with_metadata=False,
        prune_xpath=_PRUNE_XPATH if isinstance(html, str) else None, **mode,
    ) or ""


def _filter_lines(text: str, title: str | None, now: datetime | None) -> str:
    """Drop Indonesian boilerplate lines; keep every other paragraph verbatim, blank-line separated."""
    title_key = _key(title) if title else None
    kept: list[str] = []
    end_marks: list[int] = []
    link_list = 0  # after a bare "Baca Juga" label, up to 5 headline-like lines are its links
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        if _LINK_LIST_LABEL.match(line):
            link_list = 5
            continue
        if link_list and len(line) <= 160 and not re.search(r"[.!?\"”]$", line):
            link_list -= 1
            continue
        link_list = 0
        if _BOILERPLATE.match(line) or _SOCIAL_ONLY.match(line) or _key(line) == title_key or _is_menu(line):
            continue
        if len(line) <= 100 and _CREDIT.match(line):  # "Editor: …", "Reporter: …" wherever it sits
            continue
        if _END_MARKER.search(line) and len(line) <= 240:
            end_marks.append(len(kept))  # a copyright line or a follow-us prompt: where the story may end
            continue
        kept.append(line)
    if end_marks and end_marks[0] > 0 and sum(map(len, kept[: end_marks[0]])) >= END_MARK_SHARE * sum(map(len, kept)):
        kept = kept[: end_marks[0]]  # what follows it is the site's (related teasers, footer)
    half = len(kept) // 2
    if half and len(kept) % 2 == 0 and kept[:half] == kept[half:]:
        kept = kept[:half]  # the whole story twice (an extractor reading nested article containers)
    while kept and (_is_credit(kept[-1], now) or _is_label(kept[-1])):
        kept.pop()
    while kept and _is_credit(kept[0], now):
        kept.pop(0)
    return "\n\n".join(kept)


def _is_label(line: str) -> bool:
    """A short line that is no sentence ("MustRead", "close", "Informasi pemasangan iklan"); a
    "Sumber: …" line names the story's source and stays."""
    return (len(line) <= 60 and len(line.split()) <= 8 and not re.search(r"[.!?\"”’')\]]$", line)
            and not re.match(r"(?:sumber|source)\s*:", line, re.I))


def _is_menu(line: str) -> bool:
    """A row of navigation links: "Berita · Ekonomi · Olahraga · Foto · Indeks"."""
    parts = [part.strip() for part in re.split(r"\s[·•]\s", line)]  # not "|": table rows use it
    return len(parts) >= 4 and all(len(part.split()) <= 4 and not part.endswith(".") for part in parts)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _is_credit(line: str, now: datetime | None) -> bool:
    """Byline or bare date lines trafilatura keeps above or below the story."""
    if _CREDIT.match(line):
        return True
    return len(line) <= 60 and len(line.split()) <= 8 and find_date(line, now=now) is not None and not line.endswith(".")
