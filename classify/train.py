"""Train and evaluate the complaint and category classifiers on the shipped corpus.

``train_models`` fits both classifiers on the train split (seeded, deterministic) and
``evaluate`` reports on the held-out test split what CONTRACT.md's ``pantau evaluate`` prints:
per-class precision/recall/F1, the confusion matrix, region accuracy and the worst errors. The
classifiers read normalised text in which every place mention is masked (``Gazetteer.mask``),
so no place name becomes complaint or category evidence.

When the text encoder is available (:mod:`classify.encoder`), ``train_models`` also fits the
encoder head, a logistic regression on e5 embeddings of the raw short training texts; the complaint
score of a short text (a social post) is then the average of the two models' probabilities,
before the calibration map (:meth:`Models.complaint_details`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from classify.corpus import Record
import numpy as np

from classify import encoder as text_encoder
from classify.encoder import EncoderHead
from classify.features import TextFeatures
from classify.normalize import tokens
from classify.textcat import TextClassifier

# Models the office trains (`pantau train`): ./models, or PANTAU_MODELS_DIR (a data volume).
MODELS_DIR = Path(os.environ.get("PANTAU_MODELS_DIR") or "models")
# The model shipped inside the package, trained on the shipped corpus (`make model` rebuilds it).
SHIPPED_DIR = Path(__file__).resolve().parent / "model"
COMPLAINT, NOT_COMPLAINT = "complaint", "not_complaint"


def classifier_tokens(text: str, mask: Callable[[str], str]) -> list[str]:
    """What the text classifiers see: places masked, slang normalised, lowercased words."""
    return tokens(mask(text))


def classifier_text(text: str, mask: Callable[[str], str]) -> str:
    return " ".join(classifier_tokens(text, mask))


# (decision threshold, review floor) of a model whose meta names neither
DEFAULT_THRESHOLDS = (0.5, 0.3)
ENCODER_FILE = "encoder.npz"
# C of the encoder head's logistic regression. On the bandung dev half (benchmarks/compare_real.py
# --e5-variants, averaged with TF-IDF) C = 1, 4, 16 give F1 0.768 / 0.759 / 0.755 and ROC AUC
# 0.851 / 0.850 / 0.844: within the noise of 2,098 tweets; 4 as first measured. e5 reading the
# raw or the place-masked text makes no difference (0.759 / 0.850 against 0.759 / 0.849), so it
# reads the raw text: no gazetteer between the text and e5.
ENCODER_C = 4.0


@dataclass
class Models:
    features: TextFeatures
    complaint: TextClassifier
    category: TextClassifier
    version: str
    meta: dict = field(default_factory=dict)
    encoder: EncoderHead | None = None  # the e5 head for short texts (meta["encoder"] describes it)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        with gzip.open(folder / "features.json.gz", "wt", encoding="utf-8", compresslevel=6) as out:
            json.dump(self.features.to_dict(), out, ensure_ascii=False)
        self.complaint.save(folder / "complaint")
        self.category.save(folder / "category")
        if self.encoder is not None:
            self.encoder.save(folder / ENCODER_FILE)
        elif (folder / ENCODER_FILE).exists():
            (folder / ENCODER_FILE).unlink()
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2, ensure_ascii=False), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> "Models":
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        with gzip.open(folder / "features.json.gz", "rt", encoding="utf-8") as data:
            features = TextFeatures.from_dict(json.load(data))
        head = EncoderHead.load(folder / ENCODER_FILE) if "encoder" in meta and (folder / ENCODER_FILE).exists() else None
        return cls(features, TextClassifier.load(folder / "complaint"), TextClassifier.load(folder / "category"),
                   version=meta["version"], meta=meta, encoder=head)

    def thresholds(self) -> tuple[float, float]:
        """(decision threshold, review floor) from the model's meta: a score at or above the
        threshold is a complaint; one between the floor and the threshold is "perlu dicek"
        (shown to a reviewer, not dropped). Chosen on real development data
        (``benchmarks/bench_real.py --choose``), else :data:`DEFAULT_THRESHOLDS`."""
        decision = float(self.meta.get("threshold", DEFAULT_THRESHOLDS[0]))
        floor = float(self.meta.get("review_floor", min(DEFAULT_THRESHOLDS[1], decision)))
        return decision, min(floor, decision)

    def complaint_scores(self, matrix, texts: Sequence[str] | None = None,
                         embed: Callable[[Sequence[str]], np.ndarray | None] | None = None) -> np.ndarray:
        """P(complaint) per row: the raw score of :meth:`complaint_details`, then — when the meta
        holds one — the calibration map fitted on real development data (``calibration``: ``a``,
        ``b`` of ``sigmoid(a · logit(p) + b)``), so that a score of 0.3 means about three in ten.
        Without ``texts`` (the rows' original texts) it is the TF-IDF model's score alone."""
        return self.complaint_details(matrix, texts, embed)["score"]

    def complaint_details(self, matrix, texts: Sequence[str] | None = None,
                          embed: Callable[[Sequence[str]], np.ndarray | None] | None = None) -> dict[str, np.ndarray]:
        """The complaint score of each row and what it is made of, as arrays:

        - ``tfidf``: the TF-IDF classifier's Platt-scaled probability;
        - ``encoder``: the encoder head's probability on the e5 embedding of the raw text, for the
          short texts (``texts``; :meth:`EncoderHead.applies`) when the model has a head and the
          encoder is available (``embed``, default :func:`classify.encoder.embed`); NaN otherwise;
        - ``raw``: ``(tfidf + encoder) / 2`` where there is an encoder score, else ``tfidf``;
        - ``score``: ``raw`` through the calibration map (the model's ``COMPLAINT`` score)."""
        tfidf = self.complaint.predict_proba(matrix)[:, self.complaint.labels.index(COMPLAINT)]
        encoded = np.full(len(tfidf), np.nan)
        if self.encoder is not None and texts is not None:
            rows = [i for i, text in enumerate(texts) if self.encoder.applies(text)]
            if rows:
                vectors = (embed or text_encoder.embed)([texts[i] for i in rows])
                if vectors is not None:
                    encoded[rows] = self.encoder.probability(vectors)
        raw = np.where(np.isnan(encoded), tfidf, (tfidf + np.nan_to_num(encoded)) / 2)
        return {"tfidf": tfidf, "encoder": encoded, "raw": raw, "score": calibrated(raw, self.meta.get("calibration"))}


def calibrated(raw: np.ndarray, calibration: dict | None) -> np.ndarray:
    """``sigmoid(a · logit(raw) + b)``; ``raw`` unchanged without a calibration."""
    raw = np.asarray(raw, dtype=float)
    if not calibration:
        return raw
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    z = float(calibration["a"]) * np.log(clipped / (1 - clipped)) + float(calibration["b"])
    return 1.0 / (1.0 + np.exp(-z))


def corpus_fingerprint(records: Sequence[Record]) -> str:
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.id):
        digest.update(json.dumps([record.id, record.text, record.is_complaint, record.category]).encode())
    return digest.hexdigest()[:10]


def train_models(train: Sequence[Record], mask: Callable[[str], str],
                 sample_weight: Sequence[float] | None = None,
                 embed: Callable[[Sequence[str]], np.ndarray | None] | None = text_encoder.cached_embed,
                 log: Callable[[str], None] | None = None) -> Models:
    """Fit the features and both classifiers on ``train``; ``sample_weight`` (one per record,
    None: all 1) makes some records count more, e.g. staff decisions (classify.reviews).

    ``embed`` (texts → e5 vectors, or None when the encoder is unavailable; default: the cached
    embedder of :mod:`classify.encoder`) also fits the encoder head on the raw short texts
    (:func:`train_encoder_head`); None: no head, the TF-IDF model alone."""
    if sample_weight is not None and len(sample_weight) != len(train):
        raise ValueError(f"{len(sample_weight)} sample weights for {len(train)} records")
    docs = [classifier_tokens(r.text, mask) for r in train]
    features = TextFeatures.fit(docs)
    matrix = features.transform(docs)
    # Complaint C = 0.3: on the real bandung dev half (benchmarks/compare_real.py) it edges C = 1
    # (F1 0.742 vs 0.737, ROC AUC 0.822 vs 0.818, SmSA false positives 14.7% vs 15.3%) with the
    # same corpus test F1; the stronger regularisation leans less on words only our corpus uses.
    # Category C = 1.0: the best of 0.1–2.0 on the corpus dev split.
    complaint = TextClassifier.train(matrix, [COMPLAINT if r.is_complaint else NOT_COMPLAINT for r in train], c=0.3,
                                     sample_weight=sample_weight)
    rows = [i for i, r in enumerate(train) if r.is_complaint]
    category = TextClassifier.train(matrix[rows], [train[i].category for i in rows], c=1.0,
                                    sample_weight=None if sample_weight is None else [sample_weight[i] for i in rows])
    fingerprint = corpus_fingerprint(train)
    version = f"svm-{fingerprint}"
    if sample_weight is not None:  # the same texts weighted otherwise make another model
        weighted = hashlib.sha256((fingerprint + json.dumps([float(w) for w in sample_weight])).encode())
        version = f"svm-{weighted.hexdigest()[:10]}"
    meta = {"version": version, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "architecture": "tfidf(word 1-2, char_wb 4) + LinearSVC, Platt-calibrated",
            "train_records": len(train), "corpus": fingerprint}
    head = train_encoder_head(train, embed, sample_weight, log) if embed is not None else None
    if head is not None:
        meta["architecture"] += (f"; texts up to {head.short_chars} characters: averaged with LogReg on "
                                 "multilingual-e5-small embeddings")
        short = sum(text_encoder.applies(r.text) for r in train)
        meta["encoder"] = {"model": text_encoder.MODEL_NAME, "max_chars": text_encoder.MAX_CHARS,
                           "applies_to": f"texts up to {head.short_chars} characters", "input": "raw text",
                           "trained_on": f"{short} short training texts",
                           "head": f"LogisticRegression(C={ENCODER_C:g}, class_weight=balanced)"}
    return Models(features, complaint, category, version, meta, head)


def train_encoder_head(train: Sequence[Record], embed: Callable[[Sequence[str]], np.ndarray | None],
                       sample_weight: Sequence[float] | None = None,
                       log: Callable[[str], None] | None = None) -> EncoderHead | None:
    """The logistic regression on e5 embeddings of the raw texts it will score: the short ones
    (:func:`classify.encoder.applies`; 99 % of the corpus). Trained on every text instead it does
    no better on the bandung dev half (F1 0.760 / ROC AUC 0.850 against 0.759 / 0.850), and an
    office's reviewed news articles would cost minutes of e5 (about 3 per second) the first time
    they are trained on, for a head that never scores a news article. None when the encoder is unavailable (or the short texts are of
    one class)."""
    rows = [i for i, r in enumerate(train) if text_encoder.applies(r.text)]
    labels = [train[i].is_complaint for i in rows]
    if len(set(labels)) < 2:
        return None
    vectors = embed([train[i].text for i in rows])
    if vectors is None:
        if log:
            log("Text encoder unavailable: the model scores every text with TF-IDF alone")
        return None
    weights = None if sample_weight is None else [sample_weight[i] for i in rows]
    return EncoderHead.train(vectors, labels, weights, c=ENCODER_C)


@dataclass
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


def scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, ClassScores]:
    result = {}
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label and g != label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = ClassScores(round(precision, 3), round(recall, 3), round(f1, 3), tp + fn)
    return result


def evaluate(models: Models, test: Sequence[Record], mask: Callable[[str], str],
             region: Callable[[str], tuple[str | None, bool | None]] | None = None, worst: int = 10,
             embed: Callable[[Sequence[str]], np.ndarray | None] | None = text_encoder.cached_embed) -> dict:
    """The held-out report; ``region(text)`` returns (kecamatan, in_jurisdiction) when given.
    Complaint scores as the pipeline gives them (the encoder head on short texts, vectors from
    ``embed``: by default the embedding cache, which holds the corpus)."""
    matrix = models.features.transform(classifier_tokens(r.text, mask) for r in test)
    score = models.complaint_scores(matrix, [r.text for r in test], embed)
    threshold = models.thresholds()[0]
    predicted = [COMPLAINT if s >= threshold else NOT_COMPLAINT for s in score]
    gold = [COMPLAINT if r.is_complaint else NOT_COMPLAINT for r in test]
    report: dict = {"model_version": models.version, "test_records": len(test),
                    "complaint": {k: vars(v) for k, v in scores(gold, predicted).items()}}
    complaint_rows = [i for i, r in enumerate(test) if r.is_complaint]
    category_gold = [test[i].category for i in complaint_rows]
    category_predicted = models.category.predict(matrix[complaint_rows]) if complaint_rows else []
    report["category_accuracy"] = round(sum(g == p for g, p in zip(category_gold, category_predicted))
                                        / max(len(category_gold), 1), 3)
    report["category"] = {k: vars(v) for k, v in scores(category_gold, category_predicted).items()}
    report["category_confusion"] = {f"{g} → {p}": n for (g, p), n in
                                    Counter(zip(category_gold, category_predicted)).most_common() if g != p}
    pairs = Counter(zip(category_gold, category_predicted))
    labels = sorted(set(category_gold) | set(category_predicted))
    report["category_matrix"] = {"labels": labels,
                                 "rows": [[pairs.get((g, p), 0) for p in labels] for g in labels]}
    complaint_pairs = Counter(zip(gold, predicted))
    report["complaint_matrix"] = {"labels": [COMPLAINT, NOT_COMPLAINT],
                                  "rows": [[complaint_pairs.get((g, p), 0) for p in (COMPLAINT, NOT_COMPLAINT)]
                                           for g in (COMPLAINT, NOT_COMPLAINT)]}
    if region is not None:
        checked = [r for r in test if r.in_jurisdiction is not None or r.kecamatan]
        hits = 0
        for record in checked:
            kecamatan, in_jurisdiction = region(record.text)
            hits += kecamatan == record.kecamatan and in_jurisdiction == record.in_jurisdiction
        report["region_accuracy"] = round(hits / max(len(checked), 1), 3)
        report["region_records"] = len(checked)
    errors = sorted(((abs(s - (g == COMPLAINT)), r) for s, g, r in zip(score, gold, test)),
                    key=lambda pair: -pair[0])[:worst]
    report["worst_errors"] = [{"id": r.id, "source": r.source, "gold": r.is_complaint,
                               "score": round(float(1 - e if r.is_complaint else e), 3), "text": r.text[:160]}
                              for e, r in errors if e > 0.5]
    return report
