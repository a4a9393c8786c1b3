"""Staff decisions as training examples for ``pantau train --with-reviews``.

Reads the review examples ``storage`` gives (``Repository.review_examples()``: one per decided
item, with its final labels) and turns them into corpus :class:`~classify.corpus.Record` objects,
following ``classify/LABELING.md``:

- approved (or edited to a complaint) → a complaint with its category;
- rejected as ``not_complaint`` (or edited to not a complaint) → not a complaint;
- rejected as ``out_of_jurisdiction`` → still a complaint when it has a category (a complaint
  about another kabupaten is a complaint; ``in_jurisdiction`` says it is not ours), else unused;
- rejected as ``duplicate`` or ``other`` → unused: says nothing about the labels.

Then, so staff data cannot flood or leak into the evaluation:

- **one example per story**: items of one cluster or duplicate group, and items whose text is
  the same once lowercased and stripped of punctuation, give one example — the latest decision;
- **the test set stays held out**: a story any of whose texts is a (near-)copy of a text in the
  corpus test split (same rule as the corpus split: identical normalised text, or MinHash
  Jaccard ≥ 0.5 on word 3-shingles) is dropped, so the shipped test scores stay comparable;
- **a recent-reviews slice**: the most recent :data:`RECENT_SHARE` of the examples (at least one
  once there are :data:`MIN_FOR_RECENT`) are not trained on but reported separately, to show how
  the model does on what staff see now.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from classify.corpus import NEAR_COPY_JACCARD, Record
from classify.normalize import classified_text
from classify.shingles import NearCopyIndex, normalised
from classify.taxonomy import shipped_codes

# Sample weight of a staff example against 1.0 for a corpus text. Staff decisions are texts of
# the kind the office actually harvests now (new outlets, new topics, new slang) and the verdict
# of the people whose judgement the labels stand for, so they should move the model more than one
# more corpus text; but they are made quickly, one reviewer at a time, and are not checked
# against LABELING.md like the corpus, so a few mistaken clicks must not outweigh it. Twice a
# corpus text lets a handful of consistent corrections shift the decision boundary while ~1,800
# corpus texts keep it anchored (the test-set rule then guards against a net loss).
STAFF_WEIGHT = 2.0
RECENT_SHARE = 0.2  # the most recent fifth of the examples is held out as the "recent reviews" slice
MIN_FOR_RECENT = 5  # with fewer examples, all are trained on (a slice of one or two says nothing)


def example_text(example: Any) -> str:
    """What the classifier reads of a stored item (:func:`classify.normalize.classified_text`)."""
    return classified_text(example.title, example.text)


def labels_of(example: Any) -> tuple[bool, str | None] | str:
    """(is_complaint, category) for training, or why the example cannot be used."""
    reason = example.reason if example.status == "rejected" else None
    if reason in ("duplicate", "other"):
        return f"rejected_{reason}"
    if reason == "not_complaint":
        return False, None
    if reason == "out_of_jurisdiction" and not example.is_complaint:
        return "out_of_jurisdiction_not_complaint"
    if example.is_complaint is None:
        return "no_label"
    if not example.is_complaint:
        return False, None
    if not example.category:
        return "no_category"
    if example.category not in shipped_codes():
        # A code an admin added to the taxonomy: the corpus has no examples of it, and a class
        # with one or two examples cannot be calibrated. Learnt once the corpus covers it.
        return "unknown_category"
    return True, example.category


def to_record(example: Any, is_complaint: bool, category: str | None, group: str) -> Record:
    return Record(
        id=f"review-{example.item_id}",
        text=example_text(example),
        is_complaint=is_complaint,
        category=category,
        kecamatan=example.kecamatan,
        desa=example.desa,
        in_jurisdiction=example.in_jurisdiction,
        style="news" if getattr(example, "source_kind", "news") == "news" else "social",
        group=group,
        kind=f"review:{example.action}",
        source=f"item {example.item_id} ({example.action} by {example.decided_by}, {example.decided_at:%Y-%m-%d})",
    )


@dataclass
class ReviewData:
    """Staff examples ready for training: ``train`` (weighted :data:`STAFF_WEIGHT`) and the
    held-out ``recent`` slice, oldest first; ``skipped`` counts what was left out and why."""

    examples: int = 0
    train: list[Record] = field(default_factory=list)
    recent: list[Record] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    @property
    def used(self) -> int:
        return len(self.train)

    def summary(self) -> dict:
        return {"examples": self.examples, "used": len(self.train), "held_out": len(self.recent),
                "weight": STAFF_WEIGHT, "skipped": dict(sorted(self.skipped.items()))}


def _story_groups(examples: Sequence[Any]) -> list[int]:
    """Group index per example: one cluster/duplicate group or identical normalised text."""
    parent = list(range(len(examples)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple, int] = {}
    for index, example in enumerate(examples):
        keys = [("item", example.item_id), ("text", normalised(example.text or example.title or ""))]
        if example.duplicate_of is not None:
            keys.append(("item", example.duplicate_of))
        if example.cluster_id is not None:
            keys.append(("cluster", example.cluster_id))
        for key in keys:
            if key in owner:
                a, b = find(index), find(owner[key])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = index
    return [find(i) for i in range(len(examples))]


def prepare(examples: Sequence[Any], test: Sequence[Record]) -> ReviewData:
    """Deduplicate, drop copies of the ``test`` split, label, and split off the recent slice."""
    data = ReviewData(examples=len(examples))
    if not examples:
        return data
    groups = _story_groups(examples)
    held_out = NearCopyIndex((record.text for record in test), NEAR_COPY_JACCARD)  # the split's rule
    leaked = {groups[i] for i, example in enumerate(examples)
              if example_text(example) in held_out or (example.text and example.text in held_out)}
    latest: dict[int, tuple[Any, tuple[bool, str | None]]] = {}
    for index, example in enumerate(examples):
        group = groups[index]
        if group in leaked:
            data.skipped["copy_of_test_text"] += 1
            continue
        labels = labels_of(example)
        if isinstance(labels, str):
            data.skipped[labels] += 1
            continue
        if group in latest:
            data.skipped["same_story"] += 1
            if (example.decided_at, example.item_id) < (latest[group][0].decided_at, latest[group][0].item_id):
                continue
        latest[group] = (example, labels)
    chosen = sorted(latest.items(), key=lambda pair: (pair[1][0].decided_at, pair[1][0].item_id))
    records = [to_record(example, *labels, group=f"review-{examples[group].item_id}")
               for group, (example, labels) in chosen]
    hold = max(1, math.floor(len(records) * RECENT_SHARE + 0.5)) if len(records) >= MIN_FOR_RECENT else 0
    data.train, data.recent = records[:len(records) - hold], records[len(records) - hold:]
    return data


def slice_scores(report: dict) -> dict:
    """The headline of an evaluation report (:func:`classify.train.evaluate`) on the recent slice."""
    (tp, fn), (fp, tn) = report["complaint_matrix"]["rows"]
    total = tp + fn + fp + tn
    return {
        "n": report["test_records"],
        "complaints": tp + fn,
        # None when the slice has no complaint and none was predicted: F1 is undefined then
        "complaint_f1": report["complaint"].get("complaint", {}).get("f1"),
        "complaint_accuracy": round((tp + tn) / total, 3) if total else None,
        "category_accuracy": report["category_accuracy"] if tp + fn else None,
    }
