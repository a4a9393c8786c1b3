"""Routes: the review queue: one item at a time, keyboard decisions, undo, last ten decisions.

- ``GET /antrian``: the newest item waiting for review — a complaint, or a "perlu dicek" item the
  model was unsure about, shown with that badge and its score (``?id=N``: that item, whatever its
  status, to change a decision), with the model's suggestions pre-filled and its explanation
  (cue words, places, OPD cue, model version). ``?saring=perlu-dicek``: the "perlu dicek" items
  only; the filter follows every decision, skip, link and undo.
- ``POST /antrian/{id}/keputusan``: approve, reject (with a reason) or skip, with the edited
  labels; answers with the next item (HTMX: the queue fragment; otherwise a redirect).
- ``POST /antrian/urungkan``: takes back the user's latest decision (a ``reopen``) and shows
  that item again.

Harvested text is hostile: the evidence highlighting is built here as (segment, kind) pairs
and every segment is escaped by Jinja; no HTML is ever built from it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from classify.normalize import classified_text
from review.explain import explanation
from review.security import CurrentUser, require
from review.web import render, taxonomy

router = APIRouter()

ACTIONS = ("approve", "reject", "skip")
ACTION_LABELS = {"approve": "Disetujui", "reject": "Ditolak", "edit": "Diubah", "reopen": "Dibuka lagi",
                 "enter": "Masuk LAPOR!"}
REJECT_REASONS = {
    "not_complaint": "Bukan aduan",
    "out_of_jurisdiction": "Di luar wilayah Kabupaten",
    "duplicate": "Duplikat",
    "other": "Lainnya",
}
LABEL_TEXT_FIELDS = ("kecamatan", "desa", "opd")
MAX_FIELD = 200
NEEDS_CHECK_FILTER = "perlu-dicek"  # ?saring=perlu-dicek: only the items the model was unsure about


def _only_check(value: Any) -> bool:
    return value == NEEDS_CHECK_FILTER


def queue_url(item_id: int | None, only_check: bool = False) -> str:
    """The queue page of ``item_id`` (None: the first waiting item), keeping the filter."""
    query = [f"id={item_id}"] if item_id is not None else []
    if only_check:
        query.append(f"saring={NEEDS_CHECK_FILTER}")
    return "/antrian" + ("?" + "&".join(query) if query else "")


# -- evidence highlighting -----------------------------------------------------------------------


def highlight(full: str, evidence: dict[str, Any] | None) -> list[tuple[str, str | None]]:
    """``full`` cut into (segment, kind) pairs, kind ``"place"``, ``"cue"`` or None.

    Places come as character spans; a span whose text does not match (the item changed since it
    was classified) is looked up by its text instead. Cue words are matched case-insensitively on
    word boundaries. Overlaps: the first mark wins (places before cues)."""
    evidence = evidence if isinstance(evidence, dict) else {}
    marks: list[tuple[int, int, str]] = []
    lowered = full.lower()

    def add(start: int, end: int, kind: str) -> None:
        if 0 <= start < end <= len(full) and not any(s < end and start < e for s, e, _ in marks):
            marks.append((start, end, kind))

    for place in evidence.get("places") or []:
        if not isinstance(place, dict):
            continue
        start, end, text = place.get("start"), place.get("end"), place.get("text")
        if isinstance(start, int) and isinstance(end, int) and isinstance(text, str) and full[start:end] == text:
            add(start, end, "place")
        elif isinstance(text, str) and text.strip():
            for found in re.finditer(re.escape(text.lower()), lowered):
                add(found.start(), found.end(), "place")
    cues = [c for key in ("complaint_cues", "category_cues") for c in (evidence.get(key) or [])
            if isinstance(c, str) and c.strip()]
    for cue in sorted(set(cues), key=len, reverse=True):
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in cue.lower().split()) + r"(?!\w)"
        for found in re.finditer(pattern, lowered):
            add(found.start(), found.end(), "cue")
    segments: list[tuple[str, str | None]] = []
    position = 0
    for start, end, kind in sorted(marks):
        if start > position:
            segments.append((full[position:start], None))
        segments.append((full[start:end], kind))
        position = end
    if position < len(full):
        segments.append((full[position:], None))
    return segments


def paragraphs(segments: list[tuple[str, str | None]]) -> list[list[tuple[str, str | None]]]:
    """Segments split into paragraphs at line breaks (blank paragraphs dropped)."""
    result: list[list[tuple[str, str | None]]] = [[]]
    for text, kind in segments:
        parts = text.split("\n") if kind is None else [text]
        for index, part in enumerate(parts):
            if index:
                result.append([])
            if part:
                result[-1].append((part, kind))
    return [p for p in result if any(t.strip() for t, _ in p)]


# -- view model ----------------------------------------------------------------------------------


def _view(request: Request, user: CurrentUser, item_id: int | None, *, only_check: bool = False,
          error: str | None = None, notice: str | None = None) -> dict[str, Any]:
    repo = request.app.state.repo
    item = repo.queue_item(item_id) if item_id is not None else None
    context: dict[str, Any] = {
        "item": item, "error": error, "notice": notice, "waiting": repo.queue_count(),
        "waiting_check": repo.queue_count(only_needs_check=True), "only_check": only_check,
        "filter_value": NEEDS_CHECK_FILTER if only_check else None,
        "filter_suffix": f"&saring={NEEDS_CHECK_FILTER}" if only_check else "",
        "categories": [(c.code, c.label) for c in taxonomy().categories],
        "opds": sorted({o.name for o in taxonomy().opds}),
        "reasons": REJECT_REASONS, "action_labels": ACTION_LABELS,
        "undoable": repo.undoable_decision(user.id) is not None,
    }
    if item is not None:
        model = item["model"] or {}
        full = classified_text(item["title"], item["text"])
        blocks = paragraphs(highlight(full, model.get("evidence")))
        title = (item["title"] or "").strip()
        # The first paragraph is the title when the item has one: shown as the heading.
        title_segments = blocks[0] if title and blocks and "".join(t for t, _ in blocks[0]) == title else None
        context.update(
            title_segments=title_segments,
            body=blocks[1:] if title_segments is not None else blocks,
            labels=item["labels"],
            confidence=None if model.get("complaint_score") is None else round(100 * model["complaint_score"]),
            needs_check=bool(model.get("needs_check")) and not model.get("is_complaint"),
            explain=explanation(item["model"]),
            previous=repo.queue_neighbour(item["id"], forward=False, wrap=False, only_needs_check=only_check),
            next=repo.queue_neighbour(item["id"], forward=True, wrap=False, only_needs_check=only_check),
        )
    decisions = repo.decisions_by(user.id, 10)
    titles = repo.item_titles(sorted({d["item_id"] for d in decisions}))
    context["decisions"] = [dict(d, title=titles.get(d["item_id"], "")) for d in decisions]
    return context


def _show(request: Request, user: CurrentUser, item_id: int | None, *, only_check: bool = False,
          status_code: int = 200, error: str | None = None, notice: str | None = None):
    context = _view(request, user, item_id, only_check=only_check, error=error, notice=notice)
    htmx = request.headers.get("hx-request") == "true"
    headers = {}
    if htmx and request.method == "POST":
        headers["HX-Push-Url"] = queue_url(item_id, only_check)
        status_code = 200  # HTMX swaps only 2xx answers; the error is in the fragment
    return render(request, "queue/_panel.html" if htmx else "queue/page.html", context, user=user,
                  status_code=status_code, headers=headers)


# -- form handling -------------------------------------------------------------------------------


def _text(form, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:MAX_FIELD]
    return value or None


def _labels_from(form, action: str, reason: str | None) -> dict[str, Any]:
    """The labels the reviewer set, minus those the rejection reason decides itself."""
    category = _text(form, "category")
    if category is not None and category not in taxonomy().codes:
        raise ValueError("Kategori tidak dikenal.")
    jurisdiction = {"ya": True, "tidak": False}.get(_text(form, "in_jurisdiction") or "")
    labels: dict[str, Any] = {"category": category, "in_jurisdiction": jurisdiction,
                              **{name: _text(form, name) for name in LABEL_TEXT_FIELDS}}
    if action == "approve":
        if category is None:
            raise ValueError("Pilih kategori sebelum menyetujui aduan.")
        labels["is_complaint"] = True
    if action == "reject":
        labels["reason"] = reason
        if reason == "not_complaint":
            for name in ("category", "opd"):
                labels.pop(name)
        elif reason == "out_of_jurisdiction":
            for name in ("in_jurisdiction", "kecamatan", "desa"):
                labels.pop(name)
    return labels


def _moved_on(request: Request, user: CurrentUser, item_id: int | None, notice: str | None = None,
              only_check: bool = False):
    if request.headers.get("hx-request") == "true":
        return _show(request, user, item_id, only_check=only_check, notice=notice)
    return RedirectResponse(queue_url(item_id, only_check), status_code=303)


# -- routes --------------------------------------------------------------------------------------


@router.get("/antrian")
def queue_page(request: Request, id: int | None = None, saring: str | None = None,
               user: CurrentUser = Depends(require("reviewer"))):
    repo = request.app.state.repo
    only_check = _only_check(saring)
    if id is not None and repo.queue_item(id) is None:
        raise HTTPException(404, "Aduan ini tidak ditemukan.")
    return _show(request, user, id if id is not None else repo.queue_first(only_needs_check=only_check),
                 only_check=only_check)


@router.post("/antrian/urungkan")
async def undo(request: Request, user: CurrentUser = Depends(require("reviewer"))):
    repo = request.app.state.repo
    only_check = _only_check((await request.form()).get("saring"))
    decision = repo.undoable_decision(user.id)
    if decision is None:
        return _show(request, user, repo.queue_first(only_needs_check=only_check), only_check=only_check,
                     status_code=409, error="Tidak ada keputusan yang bisa diurungkan.")
    repo.record_review(decision["item_id"], user.id, "reopen", after={}, note="urungkan")
    return _moved_on(request, user, decision["item_id"], notice="Keputusan diurungkan; aduan kembali ke antrian.",
                     only_check=only_check)


@router.post("/antrian/{item_id}/keputusan")
async def decide(request: Request, item_id: int, user: CurrentUser = Depends(require("reviewer"))):
    repo = request.app.state.repo
    if repo.queue_item(item_id) is None:
        raise HTTPException(404, "Aduan ini tidak ditemukan.")
    form = await request.form()
    only_check = _only_check(form.get("saring"))
    action = form.get("action")
    if action not in ACTIONS:
        return _show(request, user, item_id, only_check=only_check, status_code=422, error="Tindakan tidak dikenal.")
    if action == "skip":
        return _moved_on(request, user, repo.queue_neighbour(item_id, only_needs_check=only_check),
                         only_check=only_check)
    reason = _text(form, "reason")
    if action == "reject" and reason not in REJECT_REASONS:
        return _show(request, user, item_id, only_check=only_check, status_code=422, error="Pilih alasan penolakan.")
    try:
        labels = _labels_from(form, action, reason)
        repo.record_review(item_id, user.id, action, after=labels)
    except ValueError as exc:
        message = str(exc) if str(exc)[:1].isupper() else f"Keputusan tidak dapat disimpan: {exc}"
        return _show(request, user, item_id, only_check=only_check, status_code=422, error=message)
    except PermissionError:
        raise HTTPException(403, "Akun ini tidak boleh memutuskan aduan.") from None
    done = "Disetujui." if action == "approve" else "Ditolak."
    return _moved_on(request, user, repo.queue_neighbour(item_id, only_needs_check=only_check), notice=done,
                     only_check=only_check)
