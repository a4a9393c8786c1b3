"""Find repeats: identical content and near-duplicate stories.

Two articles are the *same content* when their normalised body text is identical (a SHA-256 of
the lowercased, whitespace-collapsed text); the store never keeps both. Two articles are *near
duplicates* — one outlet's story syndicated by another with light edits, or re-posted by the same
outlet — when the Jaccard similarity of their word 3-shingle sets is at least
``PANTAU_NEAR_DUPLICATE_THRESHOLD`` (default 0.5). That similarity is estimated with MinHash
(:data:`classify.shingles.STORED`: 128 permutations, CRC-32 shingle hashes) and candidates are found with an LSH index (datasketch), so the cost per
article does not grow with the size of the archive.

Why 0.5 on word 3-shingles: a syndicated copy that rewrites the lead, trims a sentence and swaps
an agency's name for its acronym still shares most 3-word sequences (about 0.72 for the pair
in ``tests/test_dedupe.py``), while two different reports on the same topic from the same
kecamatan in the same news style share almost none (about 0.01 there) — common words alone do not make 3-word
sequences match. 0.5 sits in that gap with room for heavier edits on one side and shared
boilerplate on the other; both sides are tested. The index holds the last ``PANTAU_DEDUPE_DAYS`` (default 120) days of
stored items and is shared by every source crawled in the same process, so a copy found by
another source in the same run is linked too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from datasketch import MinHash

from classify.shingles import STORED, SignatureIndex
from pipelines.stage import IngestContext, ScrapyStage
from spiders.items import Article
from storage.articles import content_hash  # noqa: F401 (re-exported: the one content hash)
from storage.repo import Repository

DEFAULT_THRESHOLD = 0.5


def signature(text: str) -> MinHash | None:
    """The stored-item signature of ``text`` (:data:`classify.shingles.STORED`), or ``None`` when
    it is too short to compare meaningfully."""
    return STORED.signature(text)


def to_bytes(minhash: MinHash) -> bytes:
    return STORED.to_bytes(minhash)


def from_bytes(data: bytes) -> MinHash:
    return STORED.from_bytes(data)


class NearDuplicateIndex(SignatureIndex):
    """MinHash LSH over stored items, keyed by content hash."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        super().__init__(threshold, STORED)


# One index per database, shared by all crawlers of the process (they run on one reactor thread).
_INDEXES: dict[tuple[str, float], NearDuplicateIndex] = {}


def shared_index(repo: Repository, threshold: float, days: int) -> NearDuplicateIndex:
    key = (str(repo.engine.url), threshold)
    if key not in _INDEXES:
        index = NearDuplicateIndex(threshold)
        since = datetime.now(timezone.utc) - timedelta(days=days)
        for item_hash, data in repo.iter_signatures(since):
            index.add(item_hash, from_bytes(data))
        _INDEXES[key] = index
    return _INDEXES[key]


class DedupePipeline(ScrapyStage):
    def __init__(self, db_url: str | None, threshold: float, days: int):
        self.db_url = db_url
        self.threshold = threshold
        self.days = days
        self.index: NearDuplicateIndex | None = None

    @classmethod
    def from_settings(cls, settings, stats=None):
        return cls(settings.get("PANTAU_DB_URL"),
                   settings.getfloat("PANTAU_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
                   settings.getint("PANTAU_DEDUPE_DAYS", 120))

    def open(self):
        self.index = shared_index(Repository(self.db_url), self.threshold, self.days)

    def process(self, item, context: IngestContext):
        # Synchronous on purpose: a signature costs well under a millisecond, less than Scrapy's
        # overhead for an asynchronous pipeline step (measured in benchmarks/RESULTS.md).
        if not isinstance(item, Article):
            return item
        item.content_hash = content_hash(item.text)
        if item.content_hash in self.index:
            return item  # identical content: the store links it to the stored copy
        minhash = signature(item.text)
        if minhash is None:
            return item
        item.minhash = to_bytes(minhash)
        match = self.index.best_match(minhash)
        if match is not None:
            item.near_duplicate_of, item.similarity = match[0], round(match[1], 3)
        self.index.add(item.content_hash, minhash)
        return item
