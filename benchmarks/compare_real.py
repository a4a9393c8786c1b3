"""Which complaint model generalises to real text: candidates compared on the bandung **dev half**.

Every candidate is trained on the same corpus (train + dev splits of ``classify/corpus``) and
scored on: bandung dev-half F1 at its dev-best threshold and ROC AUC, SmSA false-positive rate at
that threshold, our own held-out test split F1, and training time. The test half is not looked at
here (``bench_real.py`` reports it for the model that ships). Results:
``benchmarks/RESULTS-real.md`` (section "Model comparison"), written by hand from this output.

    .venv/bin/python benchmarks/compare_real.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_real  # noqa: E402
from classify import realtexts  # noqa: E402


def _features(train_docs):
    from classify.features import TextFeatures

    return TextFeatures.fit(train_docs)


def candidates():
    """name → (fit(matrix_train, y, weights) → model, uses: 'all'|'words'|'chars')."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    def svm(c):
        return lambda: LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=13)

    def logreg(c):
        return lambda: LogisticRegression(C=c, class_weight="balanced", max_iter=3000)

    return {
        "svm word+char C=1 (shipped recipe)": (svm(1.0), "all"),
        "svm word+char C=0.3": (svm(0.3), "all"),
        "svm word+char C=0.1": (svm(0.1), "all"),
        "logreg word+char C=1": (logreg(1.0), "all"),
        "logreg word+char C=4": (logreg(4.0), "all"),
        "svm char-only C=0.3": (svm(0.3), "chars"),
        "svm word-only C=0.3": (svm(0.3), "words"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    sets = realtexts.real_sets()
    if sets is None:
        print(realtexts.missing_message())
        return 0
    from classify.corpus import load_records, split
    from classify.gazetteer import Gazetteer
    from classify.train import classifier_tokens

    parts = split(load_records())
    gazetteer = Gazetteer.load("35.13")
    train = parts["train"] + parts["dev"]
    docs = [classifier_tokens(r.text, gazetteer.mask) for r in train]
    features = _features(docs)
    matrix = features.transform(docs)
    y = np.array([r.is_complaint for r in train])
    test_matrix = features.transform(classifier_tokens(r.text, gazetteer.mask) for r in parts["test"])
    test_y = np.array([r.is_complaint for r in parts["test"]])
    real = {k: features.transform(classifier_tokens(t.text, gazetteer.mask) for t in v) for k, v in sets.items()}
    nw = features.n_words

    def view(m, uses):
        return m if uses == "all" else (m[:, :nw] if uses == "words" else m[:, nw:])

    print(f"corpus train {len(train)} texts ({int(y.sum())} complaints), corpus test {len(test_y)}")
    print("| candidate | dev F1 @0.5 / dev-best (thr) | dev ROC AUC | SmSA FP @best | corpus test F1 | fit s |")
    print("|---|---|---|---|---|---|")
    for name, (make, uses) in candidates().items():
        if args.only and not any(o in name for o in args.only):
            continue
        started = time.process_time()
        model = make().fit(view(matrix, uses), y)
        fit_s = time.process_time() - started

        def score(m):
            d = model.decision_function(view(m, uses))
            return 1 / (1 + np.exp(-d))

        dev_gold = [t.is_complaint for t in sets["bandung_dev"]]
        dev_score = score(real["bandung_dev"])
        threshold, best = realtexts.best_threshold(dev_gold, dev_score)
        f1_half = realtexts.prf(dev_gold, dev_score >= 0.5)[2]
        auc = realtexts.roc_auc(dev_gold, dev_score)
        smsa = float((score(real["smsa"]) >= threshold).mean())
        corpus_f1 = realtexts.prf(test_y, score(test_matrix) >= 0.5)[2]
        print(f"| {name} | {f1_half:.3f} / {best:.3f} ({threshold:.2f}) | {auc:.3f} | {smsa:.1%} | {corpus_f1:.3f} "
              f"| {fit_s:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
