"""spaCy bag-of-words text classification against our TF-IDF + LinearSVC, on the DEV split.

Not a timed test: run ``.venv/bin/python benchmarks/compare_textcat.py``. Measures, for each model:

  - complaint F1: F1 of the "complaint" class, complaint vs not, on every dev record;
  - category accuracy: the 15-code category, on the dev records with ``is_complaint`` true;
  - predict texts/s: the complaint model alone, predicting only (no masking, no loading), on
    news-length texts (~3,000 characters, made by joining non-test corpus texts), one core.
    Ours gets the normalised token lists, as in the pipeline; spaCy gets the same tokens joined
    by spaces and runs its own tokenizer (``nlp.pipe``), which is part of its cost;
  - train seconds: fitting the complaint model + the category model on the train split.

Every model reads the same input: the train/dev texts with places masked, slang normalised and
lowercased (``classifier_tokens``; spaCy gets them joined by spaces, ``classifier_text``). Ours
is trained by ``classify.train.train_models`` itself, so it is exactly what ships (TF-IDF
features fitted once and shared by both classifiers, hence one training time for the two).
Only the train split is fitted and only the dev split is scored; the test split is never
touched. BLAS/OpenMP are held to one thread, so every timing (training too) is one core. The
process is not pinned to a core: on a shared machine a busy pinned core halves the numbers.

spaCy models: ``textcat`` (exclusive classes) in ``spacy.blank("id")``, architecture
``spacy.TextCatBOW.v3`` with ngram_size 1 and 2, and ``spacy.TextCatEnsemble.v2`` (BOW unigrams +
spaCy's default width-64 MultiHashEmbed/MaxoutWindowEncoder tok2vec) unless ``--no-ensemble``.
Trained from ``nlp.initialize`` with ``nlp.update`` (Adam defaults, dropout 0.1) over seeded,
shuffled minibatches (sizes compounding from 4 towards 32 by 1.001 a batch) for up to
``--epochs`` epochs, stopping once the dev score has not improved for ``--patience`` epochs; the
epoch count reported is the one with the best dev score, chosen per task, so the spaCy dev
scores are slightly optimistic (our SVM's C and features were also chosen on dev). The reported
spaCy training time is the time to reach that epoch, without the dev evaluations.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy/blis are imported

import argparse  # noqa: E402
import hashlib  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Sequence  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import spacy  # noqa: E402
from spacy.training import Example  # noqa: E402
from spacy.util import compounding, fix_random_seed, minibatch  # noqa: E402

from classify.corpus import Record, load_records, split  # noqa: E402
from classify.gazetteer import Gazetteer  # noqa: E402
from classify.train import COMPLAINT, NOT_COMPLAINT, classifier_tokens, train_models  # noqa: E402

SEED = 13
SPEED_TEXTS = 200
SPEED_CHARS = 3000
SPEED_REPEATS = 5

BOW = """
[model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = true
ngram_size = {ngram}
no_output_layer = false
"""

# spaCy's default (non-"efficiency") textcat model, with the BOW part from above.
ENSEMBLE = """
[model]
@architectures = "spacy.TextCatEnsemble.v2"

[model.linear_model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = true
ngram_size = 1
no_output_layer = false

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 64
rows = [2000, 2000, 500, 1000, 500]
attrs = ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"]
include_static_vectors = false

[model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 64
window_size = 1
maxout_pieces = 3
depth = 2
"""


@dataclass
class Task:
    train_texts: list[str]
    train_labels: list[str]
    dev_texts: list[str]
    dev_labels: list[str]
    score: Callable[[Sequence[str], Sequence[str]], float]
    dev_rows: list[int]  # which dev records the task scores


@dataclass
class Result:
    model: str
    complaint_f1: float
    category_accuracy: float
    texts_per_second: float
    train_seconds: tuple[float, float] | float  # (complaint, category), or both together
    epochs: tuple[int, int] | None = None
    curves: tuple[list[float], list[float]] | None = None  # dev score after each epoch
    detail: str = ""


def f1_of(label: str) -> Callable[[Sequence[str], Sequence[str]], float]:
    def f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, predicted)) / max(len(gold), 1)


def news_length_texts(texts: Sequence[str], n: int, chars: int, seed: int = SEED) -> list[str]:
    """``n`` texts of at least ``chars`` characters, each joining paragraphs drawn in a seeded order."""
    rng = random.Random(seed)
    pool: list[str] = []
    out: list[str] = []
    for _ in range(n):
        parts: list[str] = []
        while sum(map(len, parts)) < chars:
            if not pool:
                pool = list(texts)
                rng.shuffle(pool)
            parts.append(pool.pop())
        out.append("\n\n".join(parts))
    return out


def texts_per_second(predict: Callable[[list[str]], object], texts: list[str]) -> float:
    predict(texts[:20])  # warm-up
    best = float("inf")
    for _ in range(SPEED_REPEATS):
        start = time.perf_counter()
        predict(texts)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


# --- TF-IDF + LinearSVC -------------------------------------------------------------------------

def run_svm(masked_train: Sequence[Record], dev_tokens: list[list[str]], complaint: Task, category: Task,
            speed_tokens: list[list[str]]) -> Result:
    """``masked_train``: train records with places already masked (train_models then masks nothing)."""
    start = time.perf_counter()
    models = train_models(masked_train, lambda text: text, embed=None)  # the TF-IDF models only (no e5 head)
    seconds = time.perf_counter() - start
    matrix = models.features.transform(dev_tokens)
    complaint_f1 = complaint.score(complaint.dev_labels, models.complaint.predict(matrix[complaint.dev_rows]))
    category_acc = category.score(category.dev_labels, models.category.predict(matrix[category.dev_rows]))
    speed = texts_per_second(lambda docs: models.complaint_scores(models.features.transform(docs)), speed_tokens)
    return Result("ours: TF-IDF + LinearSVC", complaint_f1, category_acc, speed, seconds,
                  detail=f"{models.meta.get('architecture', '?')}, model {models.version}")


# --- spaCy --------------------------------------------------------------------------------------

def train_spacy(model_config: str, task: Task, max_epochs: int, patience: int):
    """Train one textcat; return (pipeline at the best dev epoch, best epoch, dev score, train s,
    dev score after every epoch)."""
    fix_random_seed(SEED)
    nlp = spacy.blank("id")  # ~1.7 s (16k tokenizer exceptions), not counted as training
    textcat = nlp.add_pipe("textcat", config=spacy.util.load_config_from_str(model_config, interpolate=True))
    labels = sorted(set(task.train_labels))
    for label in labels:
        textcat.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == gold) for lab in labels}})
                for text, gold in zip(task.train_texts, task.train_labels)]
    start = time.perf_counter()
    optimizer = nlp.initialize(lambda: examples)
    elapsed = time.perf_counter() - start
    rng = random.Random(SEED)
    best = (-1.0, 0, 0.0, b"")  # score, epoch, seconds, weights
    curve = []
    for epoch in range(1, max_epochs + 1):
        start = time.perf_counter()
        rng.shuffle(examples)
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses={})
        elapsed += time.perf_counter() - start
        predicted = [max(doc.cats, key=doc.cats.get) for doc in nlp.pipe(task.dev_texts, batch_size=256)]
        score = task.score(task.dev_labels, predicted)
        curve.append(score)
        if score > best[0]:
            best = (score, epoch, elapsed, textcat.to_bytes())
        elif epoch - best[1] >= patience:
            break
    textcat.from_bytes(best[3])
    return nlp, best[1], best[0], best[2], curve


def run_spacy(name: str, model_config: str, complaint: Task, category: Task, speed_texts: list[str],
              max_epochs: int, patience: int) -> Result:
    c_nlp, c_epochs, c_score, c_seconds, c_curve = train_spacy(model_config, complaint, max_epochs, patience)
    _, k_epochs, k_score, k_seconds, k_curve = train_spacy(model_config, category, max_epochs, patience)

    def predict(texts: list[str]) -> list[float]:
        return [doc.cats[COMPLAINT] for doc in c_nlp.pipe(texts, batch_size=64)]

    speed = texts_per_second(predict, speed_texts)
    return Result(name, c_score, k_score, speed, (c_seconds, k_seconds), (c_epochs, k_epochs),
                  (c_curve, k_curve))


# --- report -------------------------------------------------------------------------------------

def table(results: list[Result]) -> str:
    lines = ["| model | complaint F1 (dev) | category accuracy (dev) | predict texts/s, ~3,000 chars, 1 core "
             "| train s (complaint + category) | epochs (complaint / category) |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        epochs = f"{r.epochs[0]} / {r.epochs[1]}" if r.epochs else "–"
        if isinstance(r.train_seconds, tuple):
            train = f"{sum(r.train_seconds):.1f} ({r.train_seconds[0]:.1f} + {r.train_seconds[1]:.1f})"
        else:
            train = f"{r.train_seconds:.1f} (both)"
        lines.append(f"| {r.model} | {r.complaint_f1:.3f} | {r.category_accuracy:.3f} | {r.texts_per_second:,.0f} "
                     f"| {train} | {epochs} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="most epochs for the spaCy BOW models")
    parser.add_argument("--ensemble-epochs", type=int, default=10, help="most epochs for TextCatEnsemble")
    parser.add_argument("--patience", type=int, default=5,
                        help="stop after this many epochs without a better dev score")
    parser.add_argument("--no-ensemble", action="store_true", help="skip spacy.TextCatEnsemble.v2")
    args = parser.parse_args(argv)

    began = time.perf_counter()

    parts = split(load_records())
    train, dev = parts["train"], parts["dev"]  # parts["test"] is never used
    from pantau.config import DEFAULT_REGION

    mask = Gazetteer.load(DEFAULT_REGION).mask
    masked_train = [replace(r, text=mask(r.text)) for r in train]
    train_tokens = [classifier_tokens(r.text, lambda text: text) for r in masked_train]
    dev_tokens = [classifier_tokens(r.text, mask) for r in dev]
    train_texts = [" ".join(t) for t in train_tokens]
    dev_texts = [" ".join(t) for t in dev_tokens]
    complaint_rows = [i for i, r in enumerate(dev) if r.is_complaint]
    complaint = Task(train_texts, [COMPLAINT if r.is_complaint else NOT_COMPLAINT for r in train],
                     dev_texts, [COMPLAINT if r.is_complaint else NOT_COMPLAINT for r in dev], f1_of(COMPLAINT),
                     list(range(len(dev))))
    category = Task([t for t, r in zip(train_texts, train) if r.is_complaint],
                    [r.category for r in train if r.is_complaint],
                    [dev_texts[i] for i in complaint_rows], [dev[i].category for i in complaint_rows], accuracy,
                    complaint_rows)
    # Speed input: raw train + dev texts joined to news length, then made classifier input (untimed).
    speed_tokens = [classifier_tokens(t, mask) for t in
                    news_length_texts([r.text for r in train + dev], SPEED_TEXTS, SPEED_CHARS)]
    speed_texts = [" ".join(t) for t in speed_tokens]

    results = [run_svm(masked_train, dev_tokens, complaint, category, speed_tokens)]
    for ngram in (1, 2):
        results.append(run_spacy(f"spaCy TextCatBOW.v3, ngram_size={ngram}", BOW.format(ngram=ngram),
                                 complaint, category, speed_texts, args.epochs, args.patience))
    if not args.no_ensemble:
        results.append(run_spacy("spaCy TextCatEnsemble.v2 (BOW 1 + CNN w64)", ENSEMBLE,
                                 complaint, category, speed_texts, args.ensemble_epochs, args.patience))

    # Masking and normalising change as classify/ evolves; runs are comparable when this matches.
    fingerprint = hashlib.sha256("\n".join(train_texts + dev_texts).encode()).hexdigest()[:10]
    print(f"Classifier input fingerprint (train + dev, masked and normalised): {fingerprint}.")
    print(f"Dev split: {len(dev)} records ({len(category.dev_texts)} complaints, scored for category); "
          f"train split: {len(train)} records ({len(category.train_texts)} complaints).")
    print(f"Speed texts: {len(speed_texts)}, mean {statistics.mean(map(len, speed_texts)):,.0f} characters "
          f"after masking and normalising; complaint model only, best of {SPEED_REPEATS}.")
    print(f"spaCy {spacy.__version__}, Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, one thread; spaCy epochs chosen on dev "
          f"(max {args.epochs}, ensemble max {args.ensemble_epochs}, patience {args.patience}).")
    print()
    print(table(results))
    print()
    for r in results:
        if r.detail:
            print(f"{r.model} = {r.detail}.")
    print()
    print("spaCy dev score after each epoch (complaint F1 / category accuracy):")
    for r in results:
        if r.curves:
            for task, curve in zip(("complaint", "category"), r.curves):
                print(f"- {r.model}, {task}: " + " ".join(f"{x:.3f}" for x in curve))
    print()
    print(f"Total run time {time.perf_counter() - began:.0f} s.")


if __name__ == "__main__":
    main()
