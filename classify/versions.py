"""Model versions: train the pipeline and save a version, decide whether it replaces the active
one, and evaluate a saved version on the corpus test split and on real texts.

:func:`train_and_save` is what ``pantau train`` runs (and ``make model`` with ``ship=True``); a
version trained with staff decisions is kept only when it is not worse than the active one on
today's corpus test split and on the office's most recent reviewed items. The pipeline itself
(components, loading) is :mod:`classify.pipeline`.
"""

from __future__ import annotations

import json
from pathlib import Path

from classify.gazetteer import Gazetteer
from classify.pipeline import active_model_dir, build_pipeline, load_pipeline
from classify.train import COMPLAINT, MODELS_DIR, SHIPPED_DIR, Models


def _region_of(gazetteer: Gazetteer):
    def region(text: str) -> tuple[str | None, bool | None]:
        found = gazetteer.find(text)
        return found.kecamatan, found.in_jurisdiction
    return region


def _headline(report: dict) -> dict:
    return {"complaint_f1": report["complaint"].get(COMPLAINT, {}).get("f1", 0.0),
            "category_accuracy": report["category_accuracy"], "region_accuracy": report.get("region_accuracy")}


def train_and_save(region: str, activate: bool = True, log=print, root: Path | None = None,
                   ship: bool = False, reviews=None) -> dict:
    """Train on the corpus (train + dev splits), evaluate on test, save, and maybe activate.

    ``ship`` writes the model into the package instead (``classify/model``), for release.
    ``reviews`` (``storage.Repository.review_examples()``; None: corpus only) adds staff
    decisions, weighted and deduplicated by :mod:`classify.reviews`; the most recent of them are
    held out and reported as ``report["reviews"]``. Activation still depends on the test set only.

    The encoder head (:mod:`classify.encoder`) is trained too when the encoder is available; its
    embeddings come from the cache (the corpus's ship in ``classify/model/encoder_cache.npz``,
    which ``ship`` rewrites for the corpus of the day)."""
    root = MODELS_DIR if root is None else root
    from classify.corpus import load_records, split
    from classify.train import evaluate, train_models

    if ship and reviews is not None:
        raise ValueError("the shipped model is trained on the shipped corpus only, not on an office's reviews")
    parts = split(load_records())
    gazetteer = Gazetteer.load(region)
    corpus = parts["train"] + parts["dev"]
    staff = None
    if reviews is not None:
        from classify.reviews import STAFF_WEIGHT, prepare

        staff = prepare(list(reviews), parts["test"])
        if not staff.examples:
            log("No staff decisions in the database yet: training on the shipped corpus only")
        else:
            log(f"Staff decisions: {staff.examples} reviewed item(s), {staff.used} used for training "
                f"(weight {STAFF_WEIGHT:g}), {len(staff.recent)} most recent held out"
                + (f"; left out: {', '.join(f'{k} {v}' for k, v in sorted(staff.skipped.items()))}"
                   if staff.skipped else ""))
    records = corpus + (staff.train if staff else [])
    weights = None
    if staff and staff.train:
        weights = [1.0] * len(corpus) + [STAFF_WEIGHT] * len(staff.train)
    log(f"Training on {len(records)} texts; {len(parts['test'])} held out for testing")
    from classify import encoder

    # no head where e5 cannot run, even when the cache holds every vector: the model must score
    # as it was evaluated
    cache = encoder.EmbeddingCache() if encoder.available() else None

    def embed(texts):
        return cache.embed(texts, progress=log) if cache is not None else encoder.embed(texts)

    models = train_models(records, mask=gazetteer.mask, sample_weight=weights, embed=embed, log=log)
    if not ship and not (staff and staff.train):
        _carry_decision(models, root, log)
    elif not ship:
        log("Decision threshold and review floor: the defaults on this model's own calibrated scores "
            "(it learnt from the office's decisions; the shipped calibration would over-correct it)")
    report = evaluate(models, parts["test"], mask=gazetteer.mask, region=_region_of(gazetteer), embed=embed)
    models.meta["test"] = _headline(report)
    if staff is not None:
        report["reviews"] = _reviews_section(models, staff, gazetteer, root, embed)
        models.meta["reviews"] = {**staff.summary(), "recent": {k: v for k, v in report["reviews"].items()
                                                                 if k in ("n", "complaint_f1", "category_accuracy")}}
    if ship:
        import shutil

        if SHIPPED_DIR.exists():
            shutil.rmtree(SHIPPED_DIR)
        build_pipeline(models, region).to_disk(SHIPPED_DIR)
        if cache is not None and models.encoder is not None:  # the vectors of today's corpus, for `pantau train`
            size = cache.export([r.text for r in corpus + parts["test"] if models.encoder.applies(r.text)],
                                encoder.SHIPPED_CACHE)
            log(f"Shipped the corpus's e5 vectors in {encoder.SHIPPED_CACHE} ({size / 1e6:.1f} MB)")
        log(f"Shipped model {models.version} in {SHIPPED_DIR}")
        return report
    folder = root / models.version
    root.mkdir(parents=True, exist_ok=True)
    build_pipeline(models, region).to_disk(folder)
    log(f"Saved model {models.version} in {folder}")
    report["activated"] = False
    if activate:
        reason = _worse_than_active(models.meta["test"], report.get("reviews"), root,
                                    lambda active: _headline(evaluate(active, parts["test"], mask=gazetteer.mask, embed=embed)))
        if reason:
            log(f"Not activated: {reason}")
        else:
            (root / "ACTIVE").write_text(models.version + "\n", encoding="utf-8")
            report["activated"] = True
            log(f"Activated {models.version}")
    return report


# How much worse than the active model a retrained one may do on the corpus test split and still
# be activated, when it does at least as well on the office's recent reviews: staff decisions
# pull the model towards the office's own texts, which costs a little on our written corpus.
CORPUS_TOLERANCE = 0.02


def _worse_than_active(new: dict, reviews: dict | None, root: Path, score_active) -> str | None:
    """Why a new model must not replace the active one, or None. Both are scored on today's
    corpus test split (``score_active(models)`` → headline; the active model's own stored
    score was measured on the corpus of its day). Without staff decisions the new one must not
    be worse there. With them it must do at least as well as the active model on the
    recent-reviews slice (what staff see now, not trained on) and lose at most
    :data:`CORPUS_TOLERANCE` on the corpus test split."""
    try:
        current = score_active(Models.load(active_model_dir(root) / "textcat"))
    except (FileNotFoundError, ValueError, KeyError):
        return None
    slice_new = (reviews or {}).get("complaint_f1")
    slice_old = ((reviews or {}).get("active_model") or {}).get("complaint_f1")
    tolerance = CORPUS_TOLERANCE if slice_new is not None and slice_old is not None else 0.0
    if slice_new is not None and slice_old is not None and slice_new < slice_old:
        return f"worse than the active model on the recent reviews (F1 {slice_new:.3f} < {slice_old:.3f})"
    for key, label in (("complaint_f1", "complaint F1"), ("category_accuracy", "category accuracy")):
        if new[key] < current[key] - tolerance:
            return (f"worse than the active model on the corpus test set ({label} {new[key]:.3f} < "
                    f"{current[key]:.3f}{f' − {tolerance:g}' if tolerance else ''})")
    return None


DECISION_KEYS = ("threshold", "review_floor", "calibration", "decision_chosen_on")


def _carry_decision(models: Models, root: Path, log) -> None:
    """A model retrained on the corpus alone keeps the decision threshold, review floor and
    calibration the active model was shipped with (chosen on real development data, which an
    office does not have: ``benchmarks/bench_real.py --choose``). A model that learnt from staff
    decisions does not: the shipped map corrects the corpus-only model's bias on real text, and on
    a model that has learnt from the office's own texts it over-corrects (``bench_learning.py
    --tune``, first 70% of the dev half harvested, the rest evaluated: F1 after 200 / 500
    decisions 0.712 / 0.742 with the shipped decision carried over, 0.756 / 0.773 with the
    model's own Platt scores and the default threshold and floor)."""
    try:
        meta = json.loads((active_model_dir(root) / "textcat" / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError) as exc:
        log(f"Keeping the default decision threshold: the active model's settings could not be read ({exc})")
        return
    models.meta.update({k: meta[k] for k in DECISION_KEYS if k in meta})


def _reviews_section(models: Models, staff, gazetteer: Gazetteer, root: Path, embed=None) -> dict:
    """``report["reviews"]``: the new model, and the model active before training, on the
    recent-reviews slice (texts staff decided last, not trained on)."""
    from classify.reviews import slice_scores
    from classify.train import evaluate

    section = {**staff.summary(), "n": len(staff.recent), "complaints": 0, "complaint_f1": None,
               "complaint_accuracy": None, "category_accuracy": None, "active_model": None}
    if not staff.recent:
        return section
    embed = embed or encoder_cached_embed()
    new = evaluate(models, staff.recent, mask=gazetteer.mask, worst=5, embed=embed)
    section.update(slice_scores(new), worst_errors=new["worst_errors"])
    try:
        before = Models.load(active_model_dir(root) / "textcat")
    except (FileNotFoundError, ValueError, KeyError):
        return section
    section["active_model"] = {"model_version": before.version,
                               **slice_scores(evaluate(before, staff.recent, mask=gazetteer.mask, embed=embed))}
    return section


def encoder_cached_embed():
    from classify.encoder import cached_embed

    return cached_embed


def evaluate_saved(path: Path | None = None) -> dict:
    from classify.corpus import load_records, split
    from classify.train import evaluate

    nlp = load_pipeline(path)
    gazetteer = nlp.get_pipe("places").gazetteer
    test = split(load_records())["test"]
    return evaluate(nlp.get_pipe("textcat").models, test, mask=gazetteer.mask, region=_region_of(gazetteer))


def evaluate_real(path: Path | None = None) -> dict | None:
    """The saved (default: active) model on the real texts of :mod:`classify.realtexts`, at its
    own threshold; None when the folder of real texts is missing."""
    from classify.realtexts import measure, pipeline_scorer, real_sets

    sets = real_sets()
    if sets is None:
        return None
    nlp = load_pipeline(path)
    models = nlp.get_pipe("textcat").models
    result = measure(models.version, pipeline_scorer(nlp), sets, models.thresholds()[0])
    result.pop("calibration_dev", None)
    return result

