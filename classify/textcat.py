"""Text classifiers: TF-IDF (word and character n-grams) with a linear SVM.

Two instances serve the pipeline: complaint-or-not (binary) and the category of a complaint
(15 codes). Both read lowercased text in which place names are already masked, so "Kraksaan"
can never become evidence for "complaint". Scores are the SVM's decision values squashed by a
logistic curve fitted on the training data (Platt scaling), so ``complaint_score`` is a usable
0..1 confidence. Seeded and deterministic.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

SEED = 13


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w[\w-]*\b", max_features=40_000)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(3, 5), min_df=2,
                                  sublinear_tf=True, max_features=60_000)),
    ])


@dataclass
class TextClassifier:
    """A fitted TF-IDF + linear SVM model with calibrated probabilities."""

    pipeline: Pipeline
    labels: list[str]

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, c: float = 0.5) -> "TextClassifier":
        svm = LinearSVC(C=c, class_weight="balanced", random_state=SEED, max_iter=5000)
        folds = 3 if min(np.unique(labels, return_counts=True)[1]) >= 3 else 2
        # ensemble=False: one SVM on all the data, calibrated on cross-validated scores (a third of
        # the size of keeping one SVM per fold, and the same decisions).
        model = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
        pipeline = Pipeline([("features", _features()), ("model", model)])
        pipeline.fit(list(texts), list(labels))
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            # The pruned vocabulary is only kept for introspection and makes the pickle huge.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        return cls(pipeline=pipeline, labels=[str(label) for label in pipeline.classes_])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.pipeline.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        probabilities = self.predict_proba(texts)
        return [self.labels[i] for i in probabilities.argmax(axis=1)]

    def save(self, path: Path) -> None:
        path.write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, path: Path) -> "TextClassifier":
        # Only models this project trained and shipped are loaded (never user uploads).
        return pickle.loads(path.read_bytes())
