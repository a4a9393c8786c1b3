"""Text classifiers: TF-IDF (word 1–2-grams and character 4-grams) with a linear SVM.

Two instances serve the pipeline: complaint-or-not (binary) and the category of a complaint
(15 codes). Both read normalised, lowercased tokens in which place names are already masked,
so "Kraksaan" can never become evidence for "complaint". Scores are the SVM's decision values
squashed by a logistic curve fitted on cross-validated training scores (Platt scaling), so
``complaint_score`` is a usable 0..1 confidence. Seeded and deterministic.

Training uses scikit-learn; a trained model is plain arrays (weights, bias, the two Platt
parameters per class) in an ``.npz`` file plus its label names, and predicting is one sparse
matrix product in NumPy. So loading needs neither scikit-learn nor pickle, and a model keeps
working when scikit-learn is upgraded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from classify.features import TextFeatures

SEED = 13


# Grammatical words that can carry weight in the model ("di", "ada") but tell a reviewer
# nothing: never shown as evidence on their own. Cue words such as "belum", "tidak", "minta" or
# "kapan" stay: they are what complaints sound like.
FILLER_WORDS = frozenset(
    "di ke dari yang dan ada ini itu dengan untuk pada dalam juga akan oleh atau para pun saja "
    "sangat lebih telah adalah ia dia mereka kita kami saya aku nya lah kah si sang se".split()
)

def fit_svm(features: sparse.csr_matrix, labels: Sequence[str], *, c: float = 1.0,
            sample_weight: Sequence[float] | None = None):
    """A linear SVM (balanced class weights) with Platt scaling on cross-validated scores.

    ``sample_weight`` (one per text; None: all 1) scales each text's share of the SVM's loss and
    of the calibration fit, on top of the balanced class weights."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=c, class_weight="balanced", random_state=SEED, max_iter=5000)
    folds = 3 if min(np.unique(labels, return_counts=True)[1]) >= 3 else 2
    # ensemble=False: one SVM on all the data, calibrated on cross-validated scores.
    model = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)
    if sample_weight is None:
        return model.fit(features, list(labels))
    return model.fit(features, list(labels), sample_weight=np.asarray(sample_weight, dtype=np.float64))


@dataclass
class TextClassifier:
    """Linear one-vs-rest scores over :class:`TextFeatures`, Platt-calibrated."""

    labels: list[str]
    weights: np.ndarray  # (n_scores, n_features): one row for binary, one per class otherwise
    bias: np.ndarray  # (n_scores,)
    platt: np.ndarray  # (n_scores, 2): a, b in p = 1 / (1 + exp(a·s + b))

    @classmethod
    def train(cls, features: sparse.csr_matrix, labels: Sequence[str], *, c: float = 1.0,
              sample_weight: Sequence[float] | None = None) -> "TextClassifier":
        return cls.from_sklearn(fit_svm(features, labels, c=c, sample_weight=sample_weight))

    @classmethod
    def from_sklearn(cls, model) -> "TextClassifier":
        """The arrays of a fitted ``CalibratedClassifierCV(LinearSVC, "sigmoid", ensemble=False)``."""
        [calibrated] = model.calibrated_classifiers_
        estimator = calibrated.estimator
        platt = np.array([[c.a_, c.b_] for c in calibrated.calibrators], dtype=np.float64)
        return cls([str(label) for label in model.classes_], estimator.coef_.astype(np.float32),
                   estimator.intercept_.astype(np.float32), platt)

    def scores(self, features: sparse.csr_matrix) -> np.ndarray:
        """Raw SVM decision values, (n_texts, n_scores)."""
        return np.asarray(features @ self.weights.T) + self.bias

    def predict_proba(self, features: sparse.csr_matrix) -> np.ndarray:
        decision = self.scores(features)
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(decision * self.platt[:, 0] + self.platt[:, 1]))
        if len(self.labels) == 2:
            return np.column_stack([1.0 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        return np.where(total > 0, p / np.where(total > 0, total, 1.0), uniform)

    def predict(self, features: sparse.csr_matrix) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(features).argmax(axis=1)]

    def evidence(self, features: sparse.csr_matrix, row: int, label: str, vocabulary: TextFeatures,
                 top: int = 6) -> list[str]:
        """The word n-grams of text ``row`` that pushed hardest towards ``label``."""
        index = self.labels.index(label)
        if len(self.labels) == 2:
            sign, weights = (1.0 if index == 1 else -1.0), self.weights[0]
        else:
            sign, weights = 1.0, self.weights[index]
        start, end = features.indptr[row], features.indptr[row + 1]
        ids, values = features.indices[start:end], features.data[start:end]
        words = ids < vocabulary.n_words  # character n-grams make no readable cue
        ids, values = ids[words], values[words]
        contribution = sign * values * weights[ids]
        positive = np.flatnonzero(contribution > 0)
        if len(positive) > 3 * top:
            positive = positive[np.argpartition(-contribution[positive], 3 * top)[:3 * top]]
        found: list[str] = []
        for k in positive[np.argsort(-contribution[positive])]:
            word = vocabulary.word_of(int(ids[k]))
            tokens = word.split() if word else []
            # "lokasi" stands in for a place name: an n-gram with it is not in the text.
            if (tokens and "lokasi" not in tokens and word.replace(" ", "").isalpha()
                    and not all(token in FILLER_WORDS for token in tokens)):
                found.append(word)
                if len(found) >= top:
                    break
        return found

    def save(self, path: Path) -> None:
        np.savez_compressed(path.with_suffix(".npz"), weights=self.weights, bias=self.bias, platt=self.platt)
        path.with_suffix(".json").write_text(json.dumps({"labels": self.labels}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "TextClassifier":
        labels = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["labels"]
        with np.load(path.with_suffix(".npz"), allow_pickle=False) as arrays:
            return cls(labels, arrays["weights"], arrays["bias"], arrays["platt"])
