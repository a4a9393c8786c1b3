"""The classifier on real text nobody on the team wrote (``make bench-real``).

Reads ``../shared/realtexts/`` (override with ``$PANTAU_REALTEXTS``): real tweets to a city
government (``bandung_tweets``: complaint / agency reply / neither) and real negative reviews of
private businesses and products (``smsa_negative``: none is a public complaint). These texts are
not ours: they are read from that folder at run time and never copied into the repository; only
aggregate numbers are written (``benchmarks/RESULTS-real.md`` with ``--write``).

The bandung tweets are split once, by a stable hash of their ``id``, into a **dev half** (errors may
be looked at, thresholds chosen on it) and a **test half** (reported only). For the shipped model
and for a plain TF-IDF + logistic regression baseline trained on the same corpus it prints:
complaint precision/recall/F1 and ROC AUC on each half, the share of agency replies called
complaints, the SmSA false-positive rate, and a calibration table on the dev half (score bins
against the observed complaint rate).

The folder missing → a clear message and exit code 0.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REALTEXTS = Path(os.environ.get("PANTAU_REALTEXTS") or ROOT.parent / "shared" / "realtexts")
RESULTS = Path(__file__).resolve().parent / "RESULTS-real.md"
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


# -- the two models ------------------------------------------------------------------------------

def shipped_scorer(model_dir: Path | None = None):
    """Complaint scores of the shipped (or given) saved pipeline, and its decision threshold."""
    from classify.pipeline import SHIPPED_DIR, load_pipeline

    nlp = load_pipeline(model_dir or SHIPPED_DIR)
    models = nlp.get_pipe("textcat").models
    threshold = float(models.meta.get("threshold", 0.5))

    def score(texts: list[str]) -> np.ndarray:
        return np.array([doc.cats.get("COMPLAINT", 0.0) for doc in nlp.pipe(texts)])

    return score, threshold, models.version


def baseline_scorer(region: str = "35.13"):
    """A plain TF-IDF (word 1–2-grams) + logistic regression on the same corpus (train + dev)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from classify.corpus import load_records, split

    parts = split(load_records())
    train = parts["train"] + parts["dev"]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True)
    matrix = vectorizer.fit_transform([r.text for r in train])
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    model.fit(matrix, [r.is_complaint for r in train])

    def score(texts: list[str]) -> np.ndarray:
        return model.predict_proba(vectorizer.transform(texts))[:, 1]

    return score, 0.5


# -- choosing the decision on the dev half ---------------------------------------------------------

REVIEW_RECALL = 0.90  # the review floor: complaints scoring above it, with those above the threshold


def choose_decision(model_dir: Path | None = None, write: bool = True) -> dict | None:
    """Fit, on the bandung **dev half** only, what turns the model's raw score into a decision:
    a calibration map (Platt: ``sigmoid(a · logit(raw) + b)``, two numbers), the threshold with
    the best dev F1 on the calibrated score, and the review floor — the highest score such that
    complaints at or above it make :data:`REVIEW_RECALL` of the dev complaints (the "perlu dicek"
    band lies between floor and threshold). Written into the model's ``textcat/meta.json``."""
    from sklearn.linear_model import LogisticRegression

    from classify.pipeline import SHIPPED_DIR, load_pipeline
    from classify.train import calibrated

    sets = real_sets()
    if sets is None:
        return None
    folder = model_dir or SHIPPED_DIR
    nlp = load_pipeline(folder)
    models = nlp.get_pipe("textcat").models
    saved = {k: models.meta.pop(k, None) for k in ("calibration", "threshold", "review_floor")}
    dev = sets["bandung_dev"]
    raw = np.array([doc.cats["COMPLAINT"] for doc in nlp.pipe([t.text for t in dev])])
    gold = np.array([t.is_complaint for t in dev])
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    logit = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(logit, gold)
    calibration = {"a": round(float(fit.coef_[0, 0]), 4), "b": round(float(fit.intercept_[0]), 4)}
    score = calibrated(raw, calibration)
    threshold, f1 = best_threshold(gold, score)
    ordered = np.sort(score[gold])[::-1]
    floor = float(ordered[min(len(ordered) - 1, int(np.ceil(REVIEW_RECALL * len(ordered))) - 1)])
    floor = round(min(floor, threshold), 3)
    decision = {"calibration": calibration, "threshold": round(float(threshold), 3), "review_floor": floor,
                "decision_chosen_on": f"bandung dev half ({len(dev)} tweets): best F1 {f1:.3f}; "
                                      f"review floor keeps {REVIEW_RECALL:.0%} of its complaints in the queue"}
    if write:
        meta_path = folder / "textcat" / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.update(decision)
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        models.meta.update({k: v for k, v in saved.items() if v is not None})
    return decision


# -- output --------------------------------------------------------------------------------------

def table(results: list[dict]) -> str:
    lines = ["| model | threshold | dev P / R / F1 | dev ROC AUC | **test P / R / F1** | **test ROC AUC** | "
             "agency replies called complaint | SmSA false positives | dev-best threshold (F1) | "
             "calibration gap (dev) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        dev, test = r["bandung_dev"], r["bandung_test"]
        lines.append(
            f"| {r['model']} | {r['threshold']:.2f} | {dev['precision']:.3f} / {dev['recall']:.3f} / {dev['f1']:.3f} "
            f"| {dev['roc_auc']:.3f} | {test['precision']:.3f} / {test['recall']:.3f} / **{test['f1']:.3f}** "
            f"| **{test['roc_auc']:.3f}** | {r['replies_called_complaint']:.1%} | {r['smsa_fp_rate']:.1%} "
            f"| {r['dev_best_threshold']:.2f} ({r['dev_best_f1']:.3f}) | {r['calibration_gap_dev']:.3f} |")
    return "\n".join(lines)


def calibration_table(result: dict) -> str:
    lines = [f"Calibration of {result['model']} on the bandung dev half:", "",
             "| score bin | texts | mean score | observed complaint rate |", "|---|---|---|---|"]
    lines += [f"| {b} | {n} | {m:.2f} | {o:.2f} |" for b, n, m, o in result["calibration_dev"]]
    return "\n".join(lines)


def run(model_dir: Path | None = None) -> list[dict] | None:
    sets = real_sets()
    if sets is None:
        return None
    score, threshold, version = shipped_scorer(model_dir)
    results = [measure(f"shipped ({version})", score, sets, threshold)]
    base, base_threshold = baseline_scorer()
    results.append(measure("baseline TF-IDF + LogReg", base, sets, base_threshold))
    return results


def render(results: list[dict]) -> str:
    sizes = results[0]
    return "\n\n".join([
        f"Bandung tweets: dev half {sizes['bandung_dev']['n']} ({sizes['bandung_dev']['complaints']} complaints), "
        f"test half {sizes['bandung_test']['n']} ({sizes['bandung_test']['complaints']} complaints); "
        f"SmSA negative reviews {sizes['smsa_n']} (none a public complaint).",
        table(results), *(calibration_table(r) for r in results)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a saved pipeline folder (default: the shipped model)")
    parser.add_argument("--write", action="store_true", help=f"replace the results table in {RESULTS.name}")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--choose", action="store_true",
                        help="fit the calibration, threshold and review floor on the dev half and write them "
                             "into the model's meta (make model does this after training)")
    args = parser.parse_args(argv)
    if args.choose:
        decision = choose_decision(args.model)
        if decision is None:
            print(missing_message() + " The model keeps its default threshold.")
            return 0
        print(json.dumps(decision, indent=2, ensure_ascii=False))
        return 0
    results = run(args.model)
    if results is None:
        print(missing_message())
        return 0
    text = render(results)
    print(json.dumps(results, indent=2, ensure_ascii=False) if args.json else text)
    if args.write:
        write_results(text)
    return 0


def write_results(text: str) -> None:
    write_section(text, "bench_real")


def write_section(text: str, name: str, command: str | None = None) -> None:
    """Replace the block between ``<!-- name:start -->`` and ``<!-- name:end -->`` in
    RESULTS-real.md (appended when missing)."""
    marker_start, marker_end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    command = command or f"make {name.replace('_', '-')}"
    block = f"{marker_start}\nMeasured {time.strftime('%Y-%m-%d')} by `{command}`.\n\n{text}\n{marker_end}"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# The classifier on real text\n"
    if marker_start in old:
        head, rest = old.split(marker_start, 1)
        tail = rest.split(marker_end, 1)[1] if marker_end in rest else ""
        RESULTS.write_text(head + block + tail, encoding="utf-8")
    else:
        RESULTS.write_text(old.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")

if __name__ == "__main__":
    sys.exit(main())
