"""Real texts nobody on the team wrote, for measuring the classifier (never for training).

``../shared/realtexts/`` beside the checkout (``$PANTAU_REALTEXTS`` overrides): real tweets to a
city government (``bandung_tweets``) and real negative reviews of private businesses
(``smsa_negative``). They are read at run time and never copied into the repository. The
bandung tweets are split once, by a stable hash of their ``id``, into a **dev half** (errors may be
looked at, thresholds and calibration chosen on it) and a **test half** (reported only).

Used by ``benchmarks/bench_real.py`` (``make bench-real``), ``benchmarks/bench_learning.py`` and
``pantau evaluate``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

REALTEXTS = Path(os.environ.get("PANTAU_REALTEXTS") or Path(__file__).resolve().parents[2] / "shared" / "realtexts")
BINS = np.linspace(0.0, 1.0, 11)


@dataclass(frozen=True)
class RealText:
    id: str
    text: str
    is_complaint: bool
    source_label: str
    dataset: str


def load_set(name: str, folder: Path = REALTEXTS) -> list[RealText]:
    with gzip.open(folder / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [RealText(str(d["id"]), d["text"], bool(d["is_complaint"]), str(d.get("source_label") or ""),
                         str(d.get("dataset") or name)) for d in map(json.loads, lines) if d.get("text")]


def half_of(text_id: str) -> str:
    """``dev`` or ``test``, fixed once by a stable hash of the text's id."""
    return "dev" if int(hashlib.sha256(text_id.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0 else "test"


def real_sets(folder: Path = REALTEXTS) -> dict[str, list[RealText]] | None:
    """``bandung_dev``, ``bandung_test``, ``smsa``; None when the folder is missing."""
    if not (folder / "bandung_tweets.jsonl.gz").exists() or not (folder / "smsa_negative.jsonl.gz").exists():
        return None
    bandung = load_set("bandung_tweets", folder)
    return {"bandung_dev": [t for t in bandung if half_of(t.id) == "dev"],
            "bandung_test": [t for t in bandung if half_of(t.id) == "test"],
            "smsa": load_set("smsa_negative", folder)}


def missing_message(folder: Path = REALTEXTS) -> str:
    return (f"Real-text benchmark skipped: {folder} is missing (expected bandung_tweets.jsonl.gz and "
            "smsa_negative.jsonl.gz; set PANTAU_REALTEXTS to another folder). Nothing was measured.")


# -- metrics -----------------------------------------------------------------------------------

def prf(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    gold, predicted = np.asarray(gold, bool), np.asarray(predicted, bool)
    tp = float(np.sum(gold & predicted))
    p = tp / max(float(predicted.sum()), 1.0)
    r = tp / max(float(gold.sum()), 1.0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def roc_auc(gold: Sequence[bool], score: Sequence[float]) -> float:
    """Mann–Whitney form of the ROC AUC (ties count one half)."""
    gold, score = np.asarray(gold, bool), np.asarray(score, float)
    pos, neg = score[gold], score[~gold]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    ranks_sorted = np.arange(1, len(values) + 1, dtype=float)
    # average ranks of ties
    _, start, counts = np.unique(values, return_index=True, return_counts=True)
    for s, c in zip(start, counts):
        if c > 1:
            ranks_sorted[s:s + c] = ranks_sorted[s:s + c].mean()
    ranks[order] = ranks_sorted
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def best_threshold(gold: Sequence[bool], score: Sequence[float]) -> tuple[float, float]:
    """The threshold (0.05 steps) with the best complaint F1, and that F1."""
    candidates = [(prf(gold, np.asarray(score) >= t)[2], -abs(t - 0.5), t) for t in np.arange(0.05, 0.951, 0.01)]
    f1, _, threshold = max(candidates)
    return round(float(threshold), 2), f1


def calibration(gold: Sequence[bool], score: Sequence[float]) -> list[tuple[str, int, float, float]]:
    """(bin, n, mean score, observed complaint rate) per 0.1-wide score bin that holds texts."""
    gold, score = np.asarray(gold, bool), np.asarray(score, float)
    rows = []
    for lo, hi in zip(BINS[:-1], BINS[1:]):
        inside = (score >= lo) & ((score < hi) | (hi >= 1.0))
        if inside.any():
            rows.append((f"{lo:.1f}–{hi:.1f}", int(inside.sum()), float(score[inside].mean()),
                         float(gold[inside].mean())))
    return rows


def calibration_gap(rows) -> float:
    """Largest |mean score − observed rate| over bins of at least 20 texts."""
    gaps = [abs(mean - rate) for _, n, mean, rate in rows if n >= 20]
    return max(gaps) if gaps else float("nan")


def measure(name: str, scorer: Callable[[list[str]], np.ndarray], sets: dict[str, list[RealText]],
            threshold: float) -> dict:
    """Every number of the benchmark for one scorer (texts → complaint scores)."""
    result: dict = {"model": name, "threshold": threshold}
    scored: dict[str, np.ndarray] = {}
    for key, texts in sets.items():
        started = time.process_time()
        scored[key] = np.asarray(scorer([t.text for t in texts]), dtype=float)
        result[f"{key}_cpu_s"] = round(time.process_time() - started, 2)
    for half in ("bandung_dev", "bandung_test"):
        texts, score = sets[half], scored[half]
        gold = [t.is_complaint for t in texts]
        p, r, f1 = prf(gold, score >= threshold)
        replies = np.array([t.source_label == "respon" for t in texts])
        result[half] = {"n": len(texts), "complaints": int(sum(gold)), "precision": round(p, 3),
                        "recall": round(r, 3), "f1": round(f1, 3), "roc_auc": round(roc_auc(gold, score), 3),
                        "replies": int(replies.sum()),
                        "replies_called_complaint": round(float((score[replies] >= threshold).mean()), 3)
                        if replies.any() else None}
    dev_gold = [t.is_complaint for t in sets["bandung_dev"]]
    result["dev_best_threshold"], result["dev_best_f1"] = best_threshold(dev_gold, scored["bandung_dev"])
    result["calibration_dev"] = calibration(dev_gold, scored["bandung_dev"])
    result["calibration_gap_dev"] = round(calibration_gap(result["calibration_dev"]), 3)
    result["smsa_fp_rate"] = round(float((scored["smsa"] >= threshold).mean()), 3)
    result["smsa_n"] = len(sets["smsa"])
    replies_all = [s >= threshold for half in ("bandung_dev", "bandung_test")
                   for t, s in zip(sets[half], scored[half]) if t.source_label == "respon"]
    result["replies_called_complaint"] = round(float(np.mean(replies_all)), 3) if replies_all else None
    return result


def pipeline_scorer(nlp) -> Callable[[list[str]], np.ndarray]:
    """Complaint scores of a loaded pipeline (``classify.pipeline.load_pipeline``)."""

    def score(texts: list[str]) -> np.ndarray:
        return np.array([doc.cats.get("COMPLAINT", 0.0) for doc in nlp.pipe(texts)])

    return score
