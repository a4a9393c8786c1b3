"""The spaCy pipeline: ``spacy.blank("id")`` plus Pantau's registered, versioned components.

``nlp(text)`` runs three components in order:

- ``pantau_places_v1`` finds places with the region gazetteer: ``doc.spans["places"]``,
  ``doc._.region`` (kecamatan, desa, code, jurisdiction) and ``doc._.masked`` (the text with
  places replaced, which is all the classifiers ever read);
- ``pantau_textcat_svm_v1`` fills ``doc.cats``: ``COMPLAINT`` and one score per category code;
- ``pantau_opd_v1`` suggests the responsible OPD from the category and cue words
  (``doc._.opd``).

Saved with ``nlp.to_disk`` into ``classify/models/<version>/`` and loaded with
:func:`load_pipeline`; nothing is downloaded at run time. Component names carry a version so a
saved pipeline keeps loading after a component changes: a new behaviour gets ``_v2`` beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from classify.gazetteer import Gazetteer
from classify.taxonomy import Taxonomy
from classify.train import COMPLAINT, MODELS_DIR, Models, classifier_text

for _name in ("region", "masked", "opd", "model_version"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.factory("pantau_places_v1", default_config={"region": "35.13"})
def make_places(nlp: Language, name: str, region: str) -> "PlacesComponent":
    return PlacesComponent(region)


class PlacesComponent:
    def __init__(self, region: str):
        self.region = region
        self.gazetteer = Gazetteer.load(region)

    def __call__(self, doc: Doc) -> Doc:
        result = self.gazetteer.find(doc.text)
        spans = [doc.char_span(p.start, p.end, label=p.kind, alignment_mode="expand") for p in result.places]
        doc.spans["places"] = [span for span in spans if span is not None]
        doc._.region = result
        doc._.masked = self.gazetteer.mask(doc.text)
        return doc


@Language.factory("pantau_textcat_svm_v1")
def make_textcat(nlp: Language, name: str) -> "TextcatComponent":
    return TextcatComponent()


class TextcatComponent:
    """Wraps the two :class:`~classify.textcat.TextClassifier` models as one spaCy component."""

    def __init__(self):
        self.models: Models | None = None

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs, batch_size: int = 256):
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._score(batch)
                batch = []
        if batch:
            yield from self._score(batch)

    def _score(self, docs: list[Doc]) -> list[Doc]:
        if self.models is None:
            raise RuntimeError("the text classifiers are not trained: run `pantau train`")
        texts = [classifier_text(doc._.masked or doc.text, lambda s: s) for doc in docs]
        for doc in docs:
            doc._.model_version = self.models.version
        complaint = self.models.complaint.predict_proba(texts)[:, self.models.complaint.labels.index(COMPLAINT)]
        categories = self.models.category.predict_proba(texts)
        for doc, score, row in zip(docs, complaint, categories):
            doc.cats = {"COMPLAINT": float(score),
                        **{label: float(p) for label, p in zip(self.models.category.labels, row)}}
        return docs

    def to_disk(self, path, exclude=()):
        self.models.save(Path(path))

    def from_disk(self, path, exclude=()):
        self.models = Models.load(Path(path))
        return self


@Language.factory("pantau_opd_v1")
def make_opd(nlp: Language, name: str) -> "OpdComponent":
    return OpdComponent()


class OpdComponent:
    def __init__(self):
        self.taxonomy = Taxonomy.load()

    def __call__(self, doc: Doc) -> Doc:
        category = max((c for c in doc.cats if c != "COMPLAINT"), key=doc.cats.get, default=None)
        doc._.opd = self.taxonomy.route_opd(category, doc.text) if category else None
        return doc


def build_pipeline(models: Models, region: str = "35.13") -> Language:
    nlp = spacy.blank("id")
    nlp.add_pipe("pantau_places_v1", name="places", config={"region": region})
    textcat = nlp.add_pipe("pantau_textcat_svm_v1", name="textcat")
    textcat.models = models
    nlp.add_pipe("pantau_opd_v1", name="opd")
    nlp.meta["name"] = "pantau_complaints"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["pantau_model_version"] = models.version
    return nlp


def active_model_dir(root: Path = MODELS_DIR) -> Path:
    """The model the office uses: named in ``models/ACTIVE``, else the newest folder."""
    marker = root / "ACTIVE"
    if marker.exists():
        return root / marker.read_text(encoding="utf-8").strip()
    folders = sorted((p for p in root.iterdir() if (p / "meta.json").exists() or (p / "config.cfg").exists()),
                     key=lambda p: p.stat().st_mtime)
    if not folders:
        raise FileNotFoundError(f"no trained model in {root}: run `pantau train`")
    return folders[-1]


def load_pipeline(path: Path | None = None, region: str | None = None) -> Language:
    """Load a saved pipeline; ``region`` overrides the configured kabupaten/kota."""
    path = path or active_model_dir()
    overrides = {"components": {"places": {"region": region}}} if region else {}
    return spacy.load(path, config=overrides)


def classification(doc: Doc, threshold: float = 0.5) -> dict:
    """The CONTRACT.md classification fields of a processed doc, plus the evidence behind them."""
    score = float(doc.cats.get("COMPLAINT", 0.0))
    is_complaint = score >= threshold
    categories = {k: v for k, v in doc.cats.items() if k != "COMPLAINT"}
    category = max(categories, key=categories.get) if is_complaint and categories else None
    region = doc._.region
    suggestion = doc._.opd if is_complaint else None
    return {
        "is_complaint": is_complaint,
        "complaint_score": round(score, 4),
        "category": category,
        "kecamatan": region.kecamatan if region else None,
        "desa": region.desa if region else None,
        "region_code": region.region_code if region else None,
        "in_jurisdiction": region.in_jurisdiction if region else None,
        "opd": suggestion.opd_name if suggestion else None,
        "model_version": doc._.model_version,
        "evidence": {
            "places": [{"start": p.start, "end": p.end, "text": p.text, "kind": p.kind, "name": p.name}
                       for p in (region.places if region else ())],
            "ambiguous": list(region.ambiguous) if region else [],
            "opd_cue": suggestion.cue if suggestion else None,
            "outside_authority": suggestion.outside_authority if suggestion else None,
        },
    }


def _region_of(gazetteer: Gazetteer):
    def region(text: str) -> tuple[str | None, bool | None]:
        found = gazetteer.find(text)
        return found.kecamatan, found.in_jurisdiction
    return region


def _headline(report: dict) -> dict:
    return {"complaint_f1": report["complaint"].get(COMPLAINT, {}).get("f1", 0.0),
            "category_accuracy": report["category_accuracy"], "region_accuracy": report.get("region_accuracy")}


def train_and_save(region: str = "35.13", activate: bool = True, log=print, root: Path = MODELS_DIR) -> dict:
    """Train on the corpus (train + dev splits), evaluate on test, save, and maybe activate."""
    from classify.corpus import load_records, split
    from classify.train import evaluate, train_models

    parts = split(load_records())
    gazetteer = Gazetteer.load(region)
    log(f"Training on {len(parts['train']) + len(parts['dev'])} texts; {len(parts['test'])} held out for testing")
    models = train_models(parts["train"] + parts["dev"], mask=gazetteer.mask)
    report = evaluate(models, parts["test"], mask=gazetteer.mask, region=_region_of(gazetteer))
    models.meta["test"] = _headline(report)
    folder = root / models.version
    root.mkdir(parents=True, exist_ok=True)
    build_pipeline(models, region).to_disk(folder)
    log(f"Saved model {models.version} in {folder}")
    if activate:
        current = None
        try:
            current_dir = active_model_dir(root)
            current = json.loads((current_dir / "textcat" / "meta.json").read_text(encoding="utf-8")).get("test")
        except (FileNotFoundError, ValueError):
            pass
        new = models.meta["test"]
        worse = current and (new["complaint_f1"] < current["complaint_f1"]
                             or new["category_accuracy"] < current["category_accuracy"])
        if worse:
            log(f"Not activated: worse than the active model on the test set ({current})")
        else:
            (root / "ACTIVE").write_text(models.version + "\n", encoding="utf-8")
            log(f"Activated {models.version}")
    return report


def evaluate_saved(path: Path | None = None) -> dict:
    from classify.corpus import load_records, split
    from classify.train import evaluate

    nlp = load_pipeline(path)
    gazetteer = nlp.get_pipe("places").gazetteer
    test = split(load_records())["test"]
    return evaluate(nlp.get_pipe("textcat").models, test, mask=gazetteer.mask, region=_region_of(gazetteer))
