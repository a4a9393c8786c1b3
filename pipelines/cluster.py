"""Cases across sources: a post and a news article about the same incident share one cluster.

Near-duplicate detection (pipelines.dedupe) links copies of one *text*. Citizens and reporters
describe one incident in different words — "jalan ranuagung bolong2 parah, motor jatuh" on X
and "Jalan Rusak di Ranuagung Dikeluhkan Warga" in the news — so their texts share few word
sequences. This stage links them by what the classifier found instead. A new complaint joins
the case of a stored one when all of these hold:

1. both are complaints of the **same category**;
2. the **same place**: the same desa; or the same kecamatan when one of them names no desa
   (two different desa are two incidents);
3. **within** ``PANTAU_CASE_DAYS`` (default 3) days of each other (published, else harvested);
4. they talk about the **same problem**: of the content words of the shorter text (normalised,
   without stop words, place names and words like "warga"), at least ``PANTAU_CASE_OVERLAP``
   (default 0.3) also occur in the other one.

The item is stored as its own record (its own status, source and link) in the stored item's
cluster, so the reviewer sees one case with every source; it is not a duplicate. Two unrelated
complaints about the same kecamatan differ in category, desa, dates or words and stay apart
(``tests/test_cases.py`` checks both sides). Out-of-jurisdiction and unplaced complaints are
never linked: without a place there is nothing to say they are the same incident.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache

from spiders.items import Article
from pipelines.stage import IngestContext
from pipelines.store import RepositoryStage

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 3
DEFAULT_OVERLAP = 0.3
# words every complaint in the region shares, which say nothing about which problem it is
_GENERIC = frozenset((
    "warga", "desa", "kecamatan", "kabupaten", "kab", "kota", "probolinggo", "dusun", "kelurahan",
    "pemkab", "pemerintah", "lokasi", "mohon", "tolong", "segera", "sudah", "belum", "masih",
    "tidak", "ada", "kami", "saya", "kata", "mengatakan", "menurut", "hari", "minggu", "bulan",
    "tahun", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "admin", "min", "lur", "dong",
))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.id.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | _GENERIC


def content_words(title: str | None, text: str | None, evidence: dict | None) -> set[str]:
    """The problem words of an item: its text with the places the classifier found blanked
    out, normalised, without stop words, numbers and one-letter tokens."""
    from classify.normalize import tokens
    from classify.normalize import classified_text

    basis = classified_text(title, text)
    places = sorted(((p["start"], p["end"]) for p in (evidence or {}).get("places", [])), reverse=True)
    for start, end in places:
        if 0 <= start < end <= len(basis):
            basis = basis[:start] + " " + basis[end:]
    stop = _stop_words()
    return {_root(w) for w in tokens(basis) if len(w) > 2 and w.isalpha() and w not in stop}


_PREFIXES = ("memper", "meng", "peng", "meny", "peny", "mem", "men", "pem", "pen", "ter", "ber", "per",
             "di", "me", "pe", "ke", "se")
_SUFFIXES = ("kannya", "annya", "nya", "kan", "an", "i")


@lru_cache(maxsize=50_000)
def _root(word: str) -> str:
    """A rough root so "terjatuh" meets "jatuh" and "diaspal" meets "aspal" — for comparing two
    reports only (Sastrawi's real stemmer costs about 25 ms a word, too slow for a crawl)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return word[len(prefix):]
    return word


def overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _same_place(code: str, other: str) -> bool:
    """Same desa, or the same kecamatan when one of the two names no desa."""
    if code == other:
        return True
    desa_a, desa_b = code.count(".") == 3, other.count(".") == 3
    if desa_a and desa_b:
        return False
    return code[:8] == other[:8]


class ClusterPipeline(RepositoryStage):
    def __init__(self, db_url: str | None, days: int, min_overlap: float):
        self.db_url = db_url
        self.days = days
        self.min_overlap = min_overlap

    @classmethod
    def from_settings(cls, settings, stats=None):
        return cls(settings.get("PANTAU_DB_URL"), settings.getint("PANTAU_CASE_DAYS", DEFAULT_DAYS),
                   settings.getfloat("PANTAU_CASE_OVERLAP", DEFAULT_OVERLAP))

    def process(self, item, context: IngestContext):
        if not isinstance(item, Article) or item.near_duplicate_of:
            return item
        found = item.classification or {}
        code, category = found.get("region_code"), found.get("category")
        if not (found.get("is_complaint") and category and code and found.get("in_jurisdiction")
                and code.count(".") >= 2):
            return item
        when = item.published_at or item.harvested_at
        if when is None:
            return item
        window = timedelta(days=self.days)
        try:
            candidates = self.repo.case_candidates(region_prefix=code[:8], category=category,
                                                   start=when - window, end=when + window)
        except Exception as exc:  # a case link is a convenience; the item is stored regardless
            logger.warning("Could not look for related reports of %(url)s: %(error)s",
                           {"url": item.url, "error": exc})
            return item
        mine = None
        best: tuple[float, int] | None = None
        for other in candidates:
            if not other["region_code"] or not _same_place(code, other["region_code"]):
                continue
            mine = mine if mine is not None else content_words(item.title, item.text, found.get("evidence"))
            score = overlap(mine, content_words(other["title"], other["text"], other["evidence"]))
            if score >= self.min_overlap and (best is None or score > best[0]):
                best = (score, other["id"])
        if best is not None:
            item.case_of = best[1]
            item.raw = {**item.raw, "case_overlap": round(best[0], 3)}
        return item
