"""Why the model labelled an item as it did, for the queue and the item page.

Built from a classification's ``evidence`` (see ``classify.pipeline.classification``): the cue
words that pushed the complaint score and those that chose the category, the place spans the
gazetteer found (their text, kind and official name), the cue that chose the OPD, and the model
version. Evidence is stored JSON next to hostile harvested text, so anything not of the expected
shape is left out here, and the template escapes every string (no HTML is built from it).
"""

from __future__ import annotations

from typing import Any

# Place kinds of classify.gazetteer.Place, as staff call them.
PLACE_KINDS = {
    "kecamatan": "kecamatan",
    "desa": "desa/kelurahan",
    "landmark": "penanda tempat",
    "region": "kabupaten/kota",
    "other_region": "daerah lain",
}
MAX_WORDS = 30
MAX_PLACES = 20


def _words(values: Any) -> list[str]:
    """Distinct non-empty strings, in their order, at most :data:`MAX_WORDS`."""
    seen: dict[str, None] = {}
    for value in values if isinstance(values, (list, tuple)) else ():
        if isinstance(value, str) and value.strip():
            seen.setdefault(" ".join(value.split()), None)
    return list(seen)[:MAX_WORDS]


def _places(values: Any) -> list[dict[str, str | None]]:
    found: dict[tuple, dict[str, str | None]] = {}
    for place in values if isinstance(values, (list, tuple)) else ():
        if not isinstance(place, dict) or not isinstance(place.get("text"), str) or not place["text"].strip():
            continue
        kind = place.get("kind") if isinstance(place.get("kind"), str) else None
        name = place.get("name") if isinstance(place.get("name"), str) and place["name"].strip() else None
        text = " ".join(place["text"].split())
        found.setdefault((text.lower(), kind, name), {
            "text": text, "kind": PLACE_KINDS.get(kind, kind) if kind else None, "name": name})
    return list(found.values())[:MAX_PLACES]


def explanation(model: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the template shows of ``model`` (a classification as ``queue_item``/``item_detail``
    give it: ``evidence``, ``model_version``, ``complaint_score``, ``needs_check``), or None for
    an unclassified item."""
    if not model:
        return None
    evidence = model.get("evidence") if isinstance(model.get("evidence"), dict) else {}
    score = model.get("complaint_score")
    opd_cue = evidence.get("opd_cue")
    scores = evidence.get("scores") if isinstance(evidence.get("scores"), dict) else {}
    return {
        "model_version": model.get("model_version"),
        "confidence": None if not isinstance(score, (int, float)) else round(100 * score),
        "needs_check": bool(model.get("needs_check")),
        "complaint_cues": _words(evidence.get("complaint_cues")),
        "category_cues": _words(evidence.get("category_cues")),
        "places": _places(evidence.get("places")),
        "opd_cue": " ".join(opd_cue.split()) if isinstance(opd_cue, str) and opd_cue.strip() else None,
        "outside_authority": evidence.get("outside_authority") is True,
        # each model's complaint score alone (classify.pipeline: "encoder" only for short texts)
        "scores": {name: round(100 * value) for name, value in scores.items()
                   if name in ("tfidf", "encoder") and isinstance(value, (int, float))
                   and not isinstance(value, bool) and 0 <= value <= 1},
    }
