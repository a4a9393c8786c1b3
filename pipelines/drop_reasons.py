"""Why a fetched page was skipped (dropped by a pipeline, not stored), as codes and user labels.

The one home of the drop reason codes: :mod:`pipelines.normalize` raises them, the crawl-state
extension counts them per source (``pantau/skipped/<code>`` in the Scrapy stats, then the run
record), and the crawl summary, ``pantau runs`` and the web dashboard show them with the
Indonesian labels below ("12 halaman dilewati: daftar/indeks (10), teks terlalu pendek (2)").
The not-an-article codes are the ones :func:`spiders.extract.read_article` gives
(``spiders.extract.NOT_ARTICLE_REASONS``); a duplicate is not a drop (it has its own counter).
No Scrapy import here: the web interface reads these labels too.
"""

from __future__ import annotations

from collections.abc import Mapping

# code -> label shown to staff; the order is the order of a breakdown with equal counts
DROP_REASONS: dict[str, str] = {
    # read_article: the page is not an article
    "listing": "daftar/indeks",
    "listing_layout": "tata letak daftar judul",
    "static_page": "halaman statis",
    "no_article_signal": "bukan artikel",
    "empty": "kosong",
    # normalize: an article page without what an item needs
    "no_title": "tanpa judul",
    "no_text": "teks terlalu pendek",
    "too_old": "terbit sebelum batas tanggal",
    # a drop that gave no reason (a pipeline added later, a plain DropItem)
    "other": "lainnya",
}
NOT_ARTICLE = "no_article_signal"  # when the reader said "not an article" without saying why
OTHER = "other"


def reason_label(code: str) -> str:
    """The label staff see for ``code`` (an unknown code is shown as it is, never hidden)."""
    return DROP_REASONS.get(code, code)


def ordered_reasons(reasons: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(code, count)`` pairs, largest count first, then in the order of :data:`DROP_REASONS`."""
    order = {code: n for n, code in enumerate(DROP_REASONS)}
    pairs = [(code, count) for code, count in reasons.items() if count]
    return sorted(pairs, key=lambda pair: (-pair[1], order.get(pair[0], len(order)), pair[0]))


def reasons_text(reasons: Mapping[str, int]) -> str:
    """``"daftar/indeks (10), teks terlalu pendek (2)"``; empty when nothing was skipped."""
    return ", ".join(f"{reason_label(code)} ({count})" for code, count in ordered_reasons(reasons))


def skipped_text(total: int, reasons: Mapping[str, int]) -> str:
    """``"12 halaman dilewati: daftar/indeks (10), teks terlalu pendek (2)"``; empty for none."""
    if not total:
        return ""
    breakdown = reasons_text(reasons)
    return f"{total} halaman dilewati" + (f": {breakdown}" if breakdown else "")

