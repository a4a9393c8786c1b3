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
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = Path(__file__).resolve().parent / "RESULTS-real.md"

from classify.realtexts import (  # noqa: E402  (one home for the real sets and their metrics)
    best_threshold, calibration, measure, missing_message, pipeline_scorer, real_sets)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import resultfile  # noqa: E402  (one home for writing the RESULTS files)


# -- the two models ------------------------------------------------------------------------------

def shipped_scorer(model_dir: Path | None = None):
    """Complaint scores of the shipped (or given) saved pipeline, and its decision threshold."""
    from classify.pipeline import SHIPPED_DIR, load_pipeline

    nlp = load_pipeline(model_dir or SHIPPED_DIR)
    models = nlp.get_pipe("textcat").models
    return pipeline_scorer(nlp), models.thresholds()[0], models.version


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
    band lies between floor and threshold). Written into the model's ``textcat/meta.json``.

    The raw score is the pipeline's ``COMPLAINT`` with the calibration taken out of the meta: for
    a model with an e5 head, the average of the TF-IDF and e5 probabilities on short texts (every
    tweet), the TF-IDF probability on longer ones — the score the calibration then applies to."""
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
    """Replace the block ``name`` of RESULTS-real.md (see :func:`resultfile.write_section`)."""
    resultfile.write_section(RESULTS, text, name, command, heading="# The classifier on real text\n")

if __name__ == "__main__":
    sys.exit(main())
