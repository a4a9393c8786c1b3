"""The spaCy pipeline: ``spacy.blank("id")`` plus Pantau's registered, versioned components.

``nlp(text)`` runs three components in order:

- ``pantau_places_v1`` finds places with the region gazetteer: ``doc.spans["places"]``,
  ``doc._.region`` (kecamatan, desa, code, jurisdiction) and ``doc._.masked`` (the text with
  places replaced, which is all the classifiers ever read);
- ``pantau_textcat_svm_v1`` fills ``doc.cats``: ``COMPLAINT`` and one score per category code
  (a short text's ``COMPLAINT`` also reads its e5 embedding, see :mod:`classify.encoder`);
- ``pantau_opd_v1`` suggests the responsible OPD from the category and cue words
  (``doc._.opd``).

Saved with ``nlp.to_disk``: the shipped model in ``classify/model/`` (inside the package,
trained on the shipped corpus), the office's own versions in ``models/<version>/``
(``PANTAU_MODELS_DIR``), loaded with :func:`load_pipeline`; nothing is downloaded at run time. Component names carry a version so a
saved pipeline keeps loading after a component changes: a new behaviour gets ``_v2`` beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import IDX
from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS, URL_MATCH
from spacy.lang.xx import MultiLanguage
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from classify.gazetteer import Gazetteer
from classify.taxonomy import Taxonomy
from classify.normalize import tokens
from classify.train import COMPLAINT, DEFAULT_THRESHOLDS, MODELS_DIR, SHIPPED_DIR, Models, calibrated

for _name in ("region", "masked", "model_version", "cues", "opd_router", "thresholds"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _opd_of(doc: Doc):
    """The OPD suggestion, worked out the first time it is asked for (most harvested news is
    not a complaint, and nobody asks for its OPD)."""
    if "pantau_opd" not in doc.user_data:
        router = doc._.opd_router
        category = max((c for c in doc.cats if c != "COMPLAINT"), key=doc.cats.get, default=None)
        doc.user_data["pantau_opd"] = router(category, text_of(doc)) if router and category else None
    return doc.user_data["pantau_opd"]


if not Doc.has_extension("opd"):
    Doc.set_extension("opd", getter=_opd_of)


@spacy.registry.tokenizers("pantau_tokenizer_v1")
def make_tokenizer():
    """spaCy's language-neutral punctuation rules, without ``id``'s 16,000 special cases.

    The Indonesian defaults keep reduplicated and hyphenated words ("bolong-bolong") whole
    through a list of 16,000 exceptions; that list takes 1.7 s to build at every load and
    triples the time per text, and nothing in Pantau reads spaCy's tokens for meaning (the
    classifiers read :func:`classify.normalize.tokens`, places come with character offsets).
    """

    def create(nlp: Language) -> "TextKeepingTokenizer":
        defaults = MultiLanguage.Defaults
        return TextKeepingTokenizer(Tokenizer(
            nlp.vocab, rules=dict(BASE_EXCEPTIONS),
            prefix_search=compile_prefix_regex(defaults.prefixes).search,
            suffix_search=compile_suffix_regex(defaults.suffixes).search,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer, url_match=URL_MATCH))

    return create


# What the pipeline reads of one text: the first 200,000 characters (a long news article is
# 10,000). A complaint is told at the start; a pasted megabyte of log or spam must cost bounded
# time (about half a second) instead of spaCy's "text too long" error, and the item is kept whole
# in storage all the same.
MAX_TEXT_CHARS = 200_000


class TextKeepingTokenizer:
    """Keeps the input string on the doc: ``doc.text`` rebuilds it token by token (a
    millisecond for a news article), and every component needs it. Reads at most
    :data:`MAX_TEXT_CHARS` of it."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        text = text[:MAX_TEXT_CHARS]
        doc = self.tokenizer(text)
        doc.user_data[_TEXT] = text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def to_disk(self, path, **kwargs):
        self.tokenizer.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs):
        self.tokenizer.from_disk(path, **kwargs)
        return self

    def to_bytes(self, **kwargs):
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data, **kwargs):
        self.tokenizer.from_bytes(data, **kwargs)
        return self


_TEXT = "pantau_text"


def text_of(doc: Doc) -> str:
    """The doc's text, without rebuilding it from the tokens when the tokenizer kept it."""
    text = doc.user_data.get(_TEXT)
    return text if text is not None else doc.text


@Language.factory("pantau_places_v1")  # region: always the office's, never a default here
def make_places(nlp: Language, name: str, region: str) -> "PlacesComponent":
    return PlacesComponent(region)


class PlacesComponent:
    def __init__(self, region: str):
        self.region = region
        self.gazetteer = Gazetteer.load(region)

    def __call__(self, doc: Doc) -> Doc:
        result, masked = self.gazetteer.find_and_mask(text_of(doc))
        spans = []
        if result.places:
            starts = doc.to_array(IDX)  # token offsets, without building Token objects
            for place in result.places:
                first = int(starts.searchsorted(place.start, side="right")) - 1
                last = int(starts.searchsorted(place.end, side="left"))
                if first >= 0 and last > first:
                    spans.append(Span(doc, first, last, label=place.kind))
        doc.spans["places"] = spans
        doc._.region = result
        doc._.masked = masked
        return doc


@Language.factory("pantau_textcat_svm_v1")
def make_textcat(nlp: Language, name: str) -> "TextcatComponent":
    return TextcatComponent()


_SCORES = "pantau_scores"


class TextcatComponent:
    """Wraps the two :class:`~classify.textcat.TextClassifier` models as one spaCy component.

    The complaint score of a short text (at most the limit the model's encoder head carries, 500
    characters: a social post; :func:`classify.encoder.applies`) is, when the model has an encoder head and the encoder is
    available, the calibration map of the average of the TF-IDF probability and the e5 head's;
    longer texts (news) get the TF-IDF score alone. The e5 embeddings of one batch are computed
    in one call. ``doc.user_data["pantau_scores"]`` keeps each model's score alone, on the same
    calibrated scale (``classification()`` shows it as ``evidence["scores"]``)."""

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
        models = self.models
        thresholds = models.thresholds()
        texts = [text_of(doc) for doc in docs]
        matrix = models.features.transform(tokens(doc._.masked if doc._.masked is not None else text)
                                           for doc, text in zip(docs, texts))
        details = models.complaint_details(matrix, texts)
        complaint = details["score"]
        calibration = models.meta.get("calibration")
        tfidf_alone = calibrated(details["tfidf"], calibration).tolist()
        encoder_alone = calibrated(np.nan_to_num(details["encoder"], nan=0.5), calibration).tolist()
        encoded = (~np.isnan(details["encoder"])).tolist()
        categories = models.category.predict_proba(matrix)
        labels = models.category.labels
        best_rows = categories.argmax(axis=1).tolist()
        for row, (doc, score, probabilities) in enumerate(zip(docs, complaint.tolist(), categories.tolist())):
            doc._.model_version = models.version
            doc._.thresholds = thresholds
            cats = {"COMPLAINT": score}
            cats.update(zip(labels, probabilities))
            doc.cats = cats
            doc.user_data[_SCORES] = {"tfidf": round(tfidf_alone[row], 4),
                                      "encoder": round(encoder_alone[row], 4) if encoded[row] else None}
            best = labels[best_rows[row]]
            doc._.cues = {
                "complaint": models.complaint.evidence(matrix, row, COMPLAINT, models.features),
                # the words behind a category only matter for what reaches the review queue
                "category": models.category.evidence(matrix, row, best, models.features) if score >= 0.5 else [],
            }
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
        doc._.opd_router = self.taxonomy.route_opd  # doc._.opd asks it on first access
        return doc


def build_pipeline(models: Models, region: str) -> Language:
    nlp = spacy.blank("id", config={"nlp": {"tokenizer": {"@tokenizers": "pantau_tokenizer_v1"}}})
    nlp.add_pipe("pantau_places_v1", name="places", config={"region": region})
    textcat = nlp.add_pipe("pantau_textcat_svm_v1", name="textcat")
    textcat.models = models
    nlp.add_pipe("pantau_opd_v1", name="opd")
    nlp.meta["name"] = "pantau_complaints"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["pantau_model_version"] = models.version
    nlp.max_length = 10**12  # the tokenizer cuts every text to MAX_TEXT_CHARS itself
    return nlp


def active_model_dir(root: Path | None = None) -> Path:
    """The model in use: the one ``<models dir>/ACTIVE`` names, else the one shipped inside
    the package."""
    root = MODELS_DIR if root is None else root
    marker = root / "ACTIVE"
    if marker.exists():
        folder = root / marker.read_text(encoding="utf-8").strip()
        if not (folder / "config.cfg").exists():
            raise FileNotFoundError(f"{marker} names {folder.name}, which is not a saved model: "
                                    f"run `pantau train` again or delete {marker}")
        return folder
    if (SHIPPED_DIR / "config.cfg").exists():
        return SHIPPED_DIR
    raise FileNotFoundError(f"no model in {root} and none shipped in {SHIPPED_DIR}: run `pantau train`")


def load_pipeline(path: Path | None = None, region: str | None = None) -> Language:
    """Load a saved pipeline; ``region`` overrides the configured kabupaten/kota."""
    path = path or active_model_dir()
    overrides = {"components": {"places": {"region": region}}} if region else {}
    nlp = spacy.load(path, config=overrides)
    nlp.max_length = 10**12  # the tokenizer cuts every text to MAX_TEXT_CHARS itself
    return nlp


def classification(doc: Doc, threshold: float | None = None) -> dict:
    """The CONTRACT.md classification fields of a processed doc, plus the evidence behind them.

    ``is_complaint`` is the score at or above the model's decision threshold (chosen on real
    development data and kept in the model's meta, see :meth:`classify.train.Models.thresholds`;
    ``threshold`` overrides it). ``needs_check`` marks a text below it but at or above the
    model's review floor: the model is unsure, so the review queue shows it as "perlu dicek"
    instead of dropping it."""
    score = float(doc.cats.get("COMPLAINT", 0.0))
    decision, floor = doc._.thresholds or DEFAULT_THRESHOLDS
    if threshold is not None:
        decision, floor = threshold, min(floor, threshold)
    is_complaint = score >= decision
    needs_check = not is_complaint and score >= floor
    categories = {k: v for k, v in doc.cats.items() if k != "COMPLAINT"}
    category = max(categories, key=categories.get) if is_complaint and categories else None
    region = doc._.region
    suggestion = doc._.opd if is_complaint else None
    return {
        "is_complaint": is_complaint,
        "complaint_score": round(score, 4),
        "needs_check": needs_check,
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
            "complaint_cues": (doc._.cues or {}).get("complaint", []),
            "category_cues": (doc._.cues or {}).get("category", []) if category else [],
            "opd_cue": suggestion.cue if suggestion else None,
            "outside_authority": suggestion.outside_authority if suggestion else None,
            # each model's complaint score alone, calibrated like complaint_score: "encoder" is
            # None for a long text, a model without an encoder head, or the encoder unavailable
            "scores": doc.user_data.get(_SCORES),
        },
    }
