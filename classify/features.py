"""Text features for the linear classifiers: TF-IDF over word 1–2-grams and character 4-grams.

The same features as scikit-learn's ``TfidfVectorizer`` (word n-grams, and ``char_wb``
4-grams inside word boundaries, each block with sublinear tf, smoothed idf and its own L2
norm), computed so a 3,000-character news text costs a fraction of a millisecond:

- the input is the list of normalised tokens (:func:`classify.normalize.tokens`), so the text
  is split once for everything;
- a word's character n-grams are looked up once and remembered as feature ids, and a text
  costs one dictionary look-up per distinct word — a news text repeats most of its words, and a
  crawl repeats the language's.

Chosen on the dev split against word+char 3–5-grams (category accuracy 0.887 vs 0.893 for
these, at a third of the cost) and against word n-grams alone (0.853). A fitted vocabulary is
plain data (:meth:`to_dict` / :meth:`from_dict`), stored as JSON beside the weights: no pickle,
nothing that breaks when scikit-learn changes.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import repeat
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse

CHAR_N = 4
_BIGRAM_SEP = " "


def _char_grams(word: str) -> list[str]:
    padded = f" {word} "
    if len(padded) <= CHAR_N:
        return [padded]
    return [padded[i:i + CHAR_N] for i in range(len(padded) - CHAR_N + 1)]


def _word_grams(tokens: Sequence[str]) -> Counter:
    grams = Counter(tokens)
    grams.update(a + _BIGRAM_SEP + b for a, b in zip(tokens, tokens[1:]))
    return grams


class TextFeatures:
    """Fitted vocabulary and idf weights; :meth:`transform` gives an L2-normalised CSR matrix."""

    def __init__(self, words: dict[str, int], chars: dict[str, int], idf: np.ndarray):
        self.words = words
        self.chars = chars
        self.idf = idf.astype(np.float32)
        self.n_words = len(words)
        self.n_features = len(words) + len(chars)
        self._char_cache: dict[str, tuple[int, ...]] = {}

    # -- fitting -----------------------------------------------------------------------------

    @classmethod
    def fit(cls, docs: Iterable[Sequence[str]], *, max_words: int = 40_000, max_chars: int = 60_000,
            min_char_df: int = 2) -> "TextFeatures":
        docs = [list(d) for d in docs]
        word_tf: Counter = Counter()
        word_df: Counter = Counter()
        char_tf: Counter = Counter()
        char_df: Counter = Counter()
        for tokens in docs:
            grams = _word_grams(tokens)
            word_tf.update(grams)
            word_df.update(grams.keys())
            chars: Counter = Counter()
            for word, count in Counter(tokens).items():
                for gram in _char_grams(word):
                    chars[gram] += count
            char_tf.update(chars)
            char_df.update(chars.keys())
        words = _top(word_tf, word_df, max_words, 1)
        chars = _top(char_tf, char_df, max_chars, min_char_df)
        n = len(docs)
        df = np.array([word_df[g] for g in words] + [char_df[g] for g in chars], dtype=np.float64)
        idf = np.log((1 + n) / (1 + df)) + 1.0
        return cls({g: i for i, g in enumerate(words)}, {g: i for i, g in enumerate(chars)}, idf)

    # -- transforming ------------------------------------------------------------------------

    def _word_ids(self, word: str) -> np.ndarray:
        """Feature ids of one word: its unigram (if known) and its character n-grams."""
        ids = self._char_cache.get(word)
        if ids is None:
            found = [self.words[word]] if word in self.words else []
            offset, chars = self.n_words, self.chars
            found.extend(offset + chars[g] for g in _char_grams(word) if g in chars)
            ids = np.array(found, dtype=np.int64)
            if len(self._char_cache) > 200_000:  # a crawl of a whole province stays bounded
                self._char_cache.clear()
            self._char_cache[word] = ids
        return ids

    def transform(self, docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        words, idf, n_words, word_ids = self.words, self.idf, self.n_words, self._word_ids
        get, cache = words.get, self._char_cache
        for tokens in docs:
            unigrams = Counter(tokens)
            parts = list(map(cache.get, unigrams))
            if any(p is None for p in parts):  # words met for the first time
                parts = [p if p is not None else word_ids(w) for p, w in zip(parts, unigrams)]
            if not parts:
                indptr.append(indptr[-1])
                continue
            counts = np.fromiter(unigrams.values(), dtype=np.float32, count=len(unigrams))
            lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
            pairs = np.fromiter(map(get, map(_BIGRAM_SEP.join, zip(tokens, tokens[1:])), repeat(-1)),
                                dtype=np.int64, count=max(len(tokens) - 1, 0))
            pairs = pairs[pairs >= 0]
            parts.append(pairs)
            ids = np.concatenate(parts)
            weights = np.concatenate([np.repeat(counts, lengths), np.ones(len(pairs), dtype=np.float32)])
            ids, inverse = np.unique(ids, return_inverse=True)
            tf = np.bincount(inverse, weights=weights).astype(np.float32)
            values = (1.0 + np.log(tf)) * idf[ids]
            split = int(np.searchsorted(ids, n_words))
            for block in (values[:split], values[split:]):  # each block has unit length
                norm = float(block @ block)
                if norm > 0:
                    block /= math.sqrt(norm)
            indices.append(ids)
            data.append(values)
            indptr.append(indptr[-1] + len(ids))
        return sparse.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int64), indptr),
            shape=(len(indptr) - 1, self.n_features), dtype=np.float32)

    def word_of(self, feature: int) -> str | None:
        """The word n-gram behind a feature id (None for character n-grams)."""
        if not hasattr(self, "_inverse"):
            self._inverse = {i: g for g, i in self.words.items()}
        return self._inverse.get(feature)

    # -- storage -----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {"char_n": CHAR_N, "words": sorted(self.words, key=self.words.get),
                "chars": sorted(self.chars, key=self.chars.get), "idf": [float(x) for x in self.idf]}

    @classmethod
    def from_dict(cls, data: dict) -> "TextFeatures":
        if data.get("char_n") != CHAR_N:
            raise ValueError(f"features were built with char_n={data.get('char_n')}, this code uses {CHAR_N}")
        return cls({g: i for i, g in enumerate(data["words"])}, {g: i for i, g in enumerate(data["chars"])},
                   np.asarray(data["idf"], dtype=np.float32))


def _top(tf: Counter, df: Counter, limit: int, min_df: int) -> list[str]:
    """The ``limit`` most frequent grams with document frequency ≥ ``min_df``, ties by name."""
    kept = [g for g in tf if df[g] >= min_df]
    kept.sort(key=lambda g: (-tf[g], g))
    return sorted(kept[:limit])
