"""What Pantau knows of an entered complaint's follow-up in SP4N-LAPOR!: when it was entered, the
follow-ups staff noted from LAPOR! (verified, replied) and when the item left ``entered``.

LAPOR! has no API, so a follow-up is noted by hand on the item's page (the day LAPOR! shows it)
and kept in the append-only review trail as an action ``lapor_verified`` / ``lapor_replied``
that leaves the item's status and labels as they are. :meth:`FollowUpQueries.lapor_timelines`
reads these facts for a page of items; the deadlines themselves are computed outside storage
(``pantau.deadlines``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Item, LaporEntry, ReviewAction, utcnow
from storage.reviews import _current_labels, _deciding_user
from storage.session import RepositoryBase, require_aware

# action in the trail -> the follow-up stage it records
FOLLOW_UP_ACTIONS = {"lapor_verified": "verified", "lapor_replied": "replied"}
FOLLOW_UP_STAGES = {stage: action for action, stage in FOLLOW_UP_ACTIONS.items()}
_CHUNK = 500


class FollowUpQueries(RepositoryBase):
    def lapor_timelines(self, item_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """For each of ``item_ids`` that was entered into LAPOR!: ``entered_at`` (its latest
        entry), ``lapor_ref``, and from the trail after that entry the first ``verified_at``,
        ``replied_at`` (follow-ups noted by staff) and ``left_entered_at`` (status change away from
        ``entered``), each None when there is none. Items never entered are left out."""
        ids = sorted(set(item_ids))
        timelines: dict[int, dict[str, Any]] = {}
        with self._reading() as session:
            for start in range(0, len(ids), _CHUNK):
                timelines.update(_timelines(session, ids[start:start + _CHUNK]))
        return timelines

    def record_lapor_follow_up(self, item_id: int, user: str | int, stage: str, at: datetime,
                               note: str | None = None) -> int:
        """Note that LAPOR! shows the entered item ``stage`` (``verified`` or ``replied``) on ``at``;
        returns the trail action's id. The item keeps its status and labels.

        ``ValueError`` for an unknown stage, an item not in LAPOR!, or ``at`` before its entry or
        in the future; ``LookupError`` for an unknown item or user; ``PermissionError`` for a user
        who may not decide.
        """
        if stage not in FOLLOW_UP_STAGES:
            raise ValueError(f"tahap tindak lanjut {stage!r} tidak dikenal; pilih {' atau '.join(FOLLOW_UP_STAGES)}")
        require_aware(at, "at")
        if at is None:
            raise ValueError("tanggal tindak lanjut wajib diisi")
        with self._writing() as session:
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise LookupError(f"no item {item_id}")
            if item.status != "entered":
                raise ValueError("hanya aduan yang sudah masuk LAPOR! yang dapat dicatat tindak lanjutnya")
            user_id = _deciding_user(session, user)
            entered_at = session.scalar(select(LaporEntry.entered_at).where(LaporEntry.item_id == item_id)
                                        .order_by(LaporEntry.id.desc()).limit(1))
            if entered_at is not None and at < entered_at:
                raise ValueError("tanggal tindak lanjut tidak boleh sebelum aduan dimasukkan ke LAPOR!")
            if at > utcnow() + timedelta(minutes=1):
                raise ValueError("tanggal tindak lanjut tidak boleh di masa depan")
            labels = _current_labels(session, item_id)
            row = ReviewAction(item_id=item_id, user_id=user_id, action=FOLLOW_UP_STAGES[stage],
                               from_status="entered", to_status="entered", note=note, before=labels,
                               after=labels, at=at)
            session.add(row)
            session.flush()
            return row.id


def _timelines(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    entries: dict[int, tuple[datetime, str | None]] = {}
    for item_id, entered_at, ref in session.execute(
            select(LaporEntry.item_id, LaporEntry.entered_at, LaporEntry.lapor_ref)
            .where(LaporEntry.item_id.in_(ids)).order_by(LaporEntry.id)):
        entries[item_id] = (entered_at, ref)  # the latest entry wins
    timelines = {item_id: {"entered_at": at, "lapor_ref": ref, "verified_at": None, "replied_at": None,
                           "left_entered_at": None}
                 for item_id, (at, ref) in entries.items()}
    if not timelines:
        return timelines
    # Read the trail in its order; each ``enter`` action (written with its entry) starts afresh, so
    # only what follows the latest entry counts.
    stmt = (select(ReviewAction.item_id, ReviewAction.action, ReviewAction.at)
            .where(ReviewAction.item_id.in_(list(timelines)),
                   ReviewAction.action.in_(["enter", *FOLLOW_UP_ACTIONS])
                   | ((ReviewAction.from_status == "entered") & (ReviewAction.to_status != "entered")))
            .order_by(ReviewAction.id))
    for item_id, action, at in session.execute(stmt):
        timeline = timelines[item_id]
        if action == "enter":
            timeline.update(verified_at=None, replied_at=None, left_entered_at=None)
            continue
        key = f"{FOLLOW_UP_ACTIONS[action]}_at" if action in FOLLOW_UP_ACTIONS else "left_entered_at"
        if timeline[key] is None:
            timeline[key] = at
    return timelines
