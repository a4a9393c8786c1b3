"""Classify stored items again with a loaded model (``pantau reclassify``): the items a crawl
stored unclassified, or every item still awaiting review after a better model was activated.

Each new verdict is added beside the old ones (with its model version), in chunks, so a long
run can show progress and an interrupted one keeps what it did.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

CHUNK = 200


@dataclass
class ReclassifyResult:
    classified: int = 0
    complaints: int = 0
    unsure: int = 0  # 'perlu dicek': not called a complaint, but the model was unsure


def reclassify_stored(repo, nlp, *, everything: bool = False,
                      progress: Callable[[int], None] | None = None) -> ReclassifyResult:
    """Classify the items ``repo.items_to_classify`` yields with ``nlp`` and store the verdicts;
    ``progress`` gets the number done after each chunk."""
    from classify.normalize import classified_text
    from classify.pipeline import classification

    result = ReclassifyResult()
    rows = repo.items_to_classify(everything_unreviewed=everything)
    while chunk := list(itertools.islice(rows, CHUNK)):
        docs = nlp.pipe(classified_text(title, text) for _, title, text in chunk)
        verdicts = [(item_id, classification(doc)) for (item_id, _, _), doc in zip(chunk, docs)]
        result.complaints += sum(bool(r["is_complaint"]) for _, r in verdicts)
        result.unsure += sum(bool(r.get("needs_check")) and not r["is_complaint"] for _, r in verdicts)
        result.classified += repo.add_classifications(verdicts)
        if progress is not None:
            progress(result.classified)
    return result
