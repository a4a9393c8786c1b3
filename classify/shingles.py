"""When two texts are (near-)copies: word 3-shingles, MinHash signatures and an LSH index.

One home for the rule every part of Pantau uses to tell copies apart: a text's words are the
``\\w+`` runs of its lowercased form; its shingles are the runs of :data:`SHINGLE_WORDS`
consecutive words; two texts are near-copies when the Jaccard similarity of their shingle sets,
estimated by MinHash, reaches a threshold. :class:`SignatureIndex` finds the candidates with
datasketch's LSH, so the cost per text does not grow with the number indexed.

Two parameter sets, because the two uses truly differ (see each one's comment):
:data:`STORED` for harvested items (``pipelines/dedupe.py``), whose signatures are kept in the
database, and :data:`CORPUS` for the labelled corpus split (``classify/corpus.py``) and the staff
examples kept out of its test split (``classify/reviews.py``).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The lowercased words of ``text`` (punctuation and spacing dropped)."""
    return _WORD.findall(text.lower())


def normalised(text: str) -> str:
    """``text`` as its words joined by single spaces: equal for texts that differ only in case,
    punctuation and spacing."""
    return " ".join(words(text))


def shingles(text: str | list[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    """The word ``size``-shingles of a text (or of its :func:`words`); a text shorter than
    ``size`` words is one shingle of all of them."""
    found = words(text) if isinstance(text, str) else text
    if len(found) < size:
        return {" ".join(found).encode("utf-8")} if found else set()
    return {" ".join(found[i:i + size]).encode("utf-8") for i in range(len(found) - size + 1)}


def crc32_shingle_hash(shingle: bytes) -> int:
    """32-bit hash of a shingle: CRC-32 is C-fast, and the affine32 scheme premixes it."""
    return zlib.crc32(shingle)


@dataclass(frozen=True)
class MinHashParams:
    """How signatures are made; texts are comparable only under the same parameters."""

    num_perm: int
    seed: int
    scheme: str = "affine32"             # datasketch 2.x permutation scheme (its default too)
    hashfunc: Callable[[bytes], int] | None = None  # None: datasketch's default (SHA-1, 32 bits)
    min_words: int = 0                   # a shorter text gets no signature
    min_shingles: int = 1                # a text with fewer shingles gets no signature

    @cached_property
    def _template(self) -> MinHash:
        # Permutations depend only on (num_perm, seed, scheme): computed once, not per signature.
        return MinHash(num_perm=self.num_perm, seed=self.seed, scheme=self.scheme, hashfunc=self.hashfunc)

    def _minhash(self, **values) -> MinHash:
        return MinHash(num_perm=self.num_perm, seed=self.seed, scheme=self.scheme, hashfunc=self.hashfunc,
                       permutations=self._template.permutations, **values)

    def signature(self, text: str | list[str]) -> MinHash | None:
        """The MinHash of a text's shingles, or ``None`` when it is too short to compare."""
        found = words(text) if isinstance(text, str) else text
        if len(found) < self.min_words:
            return None
        parts = shingles(found)
        if len(parts) < self.min_shingles:
            return None
        minhash = self._minhash()
        minhash.update_batch(list(parts))
        return minhash

    def to_bytes(self, minhash: MinHash) -> bytes:
        return minhash.hashvalues.astype("<u4").tobytes()

    def from_bytes(self, data: bytes) -> MinHash:
        return self._minhash(hashvalues=np.frombuffer(data, dtype="<u4").astype(np.uint32))


# Harvested items. The signatures are stored (``items.minhash``) and compared with those of every
# later crawl, so these values are part of the stored data: change one and every stored signature
# stops matching. 128 permutations give the estimate a standard error of about 0.044
# (√(J(1−J)/128)) at the 0.5 threshold, where a crawl decides once per article and a wrong link
# is something staff see;
# CRC-32 because hashing runs for every article on the crawl's path. Fewer than 5 shingles (a
# caption, a one-line post) say too little to call two texts one story.
STORED = MinHashParams(num_perm=128, seed=1, scheme="affine32", hashfunc=crc32_shingle_hash, min_shingles=5)

# The labelled corpus and the staff examples checked against its test split. Nothing is stored,
# but which text lands in train, dev or test follows from these values, so changing them
# reshuffles the shipped test set and makes its published scores incomparable. Thousands of
# short texts are compared offline in one go, where 64 permutations are precise enough; a text
# under 8 words shares too few shingles for Jaccard to mean anything and is compared only exactly.
CORPUS = MinHashParams(num_perm=64, seed=7, min_words=8)  # datasketch's default scheme and hash


class SignatureIndex:
    """An LSH index of signatures (one :class:`MinHashParams`), answering which indexed keys a
    signature's Jaccard similarity reaches ``threshold`` with."""

    def __init__(self, threshold: float, params: MinHashParams):
        self.threshold = threshold
        self.params = params
        self.lsh = MinHashLSH(threshold=threshold, num_perm=params.num_perm)
        self.signatures: dict[str, MinHash] = {}

    def __contains__(self, key: str) -> bool:
        return key in self.signatures

    def add(self, key: str, minhash: MinHash) -> None:
        if key not in self.signatures:
            self.signatures[key] = minhash
            self.lsh.insert(key, minhash)

    def matches(self, minhash: MinHash) -> list[tuple[str, float]]:
        """(key, similarity) of every indexed signature at or above the threshold, most similar
        first (ties in the index's order)."""
        found = [(key, minhash.jaccard(self.signatures[key])) for key in self.lsh.query(minhash)]
        return sorted((pair for pair in found if pair[1] >= self.threshold), key=lambda pair: -pair[1])

    def best_match(self, minhash: MinHash) -> tuple[str, float] | None:
        found = self.matches(minhash)
        return found[0] if found else None


class NearCopyIndex:
    """Answers "is this text a copy of one of these?": the same :func:`normalised` text, or a
    near-copy at ``threshold`` under ``params`` (the corpus split's rule by default)."""

    def __init__(self, texts: Iterable[str], threshold: float, params: MinHashParams = CORPUS):
        self._exact: set[str] = set()
        self._index = SignatureIndex(threshold, params)
        for number, text in enumerate(texts):
            found = words(text)
            self._exact.add(" ".join(found))
            signature = params.signature(found)
            if signature is not None:
                self._index.add(str(number), signature)

    def __contains__(self, text: str) -> bool:
        found = words(text)
        if " ".join(found) in self._exact:
            return True
        signature = self._index.params.signature(found)
        return signature is not None and bool(self._index.matches(signature))
