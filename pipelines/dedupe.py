"""Find repeats: identical content and near-duplicate stories.

Two articles are the *same content* when their normalised body text is identical (a SHA-256 of
the lowercased, whitespace-collapsed text); the store never keeps both. Two articles are *near
duplicates* — one outlet's story syndicated by another with light edits, or re-posted by the same
outlet — when the Jaccard similarity of their word 3-shingle sets is at least
``PANTAU_NEAR_DUPLICATE_THRESHOLD`` (default 0.5). That similarity is estimated with MinHash
(128 permutations, CRC-32 shingle hashes) and candidates are found with an LSH index (datasketch), so the cost per
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

import hashlib
import re
import zlib
from datetime import datetime, timedelta, timezone

import numpy as np
from datasketch import MinHash, MinHashLSH

from spiders.items import Article
from storage.repo import Repository

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch 2.x permutation scheme; stored signatures depend on it
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)


def content_hash(text: str) -> str:
    normalised = " ".join(text.lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def shingle_hash(shingle: bytes) -> int:
    """32-bit hash of a shingle: CRC-32 is C-fast, and the affine32 scheme premixes it."""
    return zlib.crc32(shingle)


def signature(text: str) -> MinHash | None:
    parts = shingles(text)
    if len(parts) < 5:
        return None  # too short to compare meaningfully
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=shingle_hash,
                      permutations=_TEMPLATE.permutations)
    minhash.update_batch(list(parts))
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype("<u4").tobytes()


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, scheme=SCHEME,
                   permutations=_TEMPLATE.permutations, hashfunc=shingle_hash)


# Permutations depend only on (num_perm, seed, scheme): compute them once, not per signature.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=shingle_hash)


class NearDuplicateIndex:
    """MinHash LSH over stored items, keyed by content hash."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, MinHash] = {}

    def __contains__(self, key: str) -> bool:
        return key in self.signatures

    def add(self, key: str, minhash: MinHash) -> None:
        if key not in self.signatures:
            self.signatures[key] = minhash
            self.lsh.insert(key, minhash)

    def best_match(self, minhash: MinHash) -> tuple[str, float] | None:
        best = None
        for key in self.lsh.query(minhash):
            similarity = minhash.jaccard(self.signatures[key])
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (key, similarity)
        return best


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


class DedupePipeline:
    def __init__(self, db_url: str | None, threshold: float, days: int):
        self.db_url = db_url
        self.threshold = threshold
        self.days = days
        self.index: NearDuplicateIndex | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("PANTAU_DB_URL"),
                   settings.getfloat("PANTAU_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
                   settings.getint("PANTAU_DEDUPE_DAYS", 120))

    def open_spider(self, spider):
        self.index = shared_index(Repository(self.db_url), self.threshold, self.days)

    def process_item(self, item, spider):
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
