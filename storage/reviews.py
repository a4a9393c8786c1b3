"""Staff users and their review decisions: the append-only trail and the training examples.

A reviewer approves, rejects or edits an item (or reopens it). :meth:`ReviewQueries.record_review`
appends one ``review_actions`` row holding the labels before and after the action and moves the
item's status, in one transaction. ``after`` is stored as the complete label set the item has
once the action is done (the reviewer's fields over the labels it had), so the trail reads as a
plain before → after and the newest row always holds an item's current labels.

:meth:`ReviewQueries.review_examples` turns the trail into what ``pantau train --with-reviews``
learns from: one example per decided item with its final labels.

Labels are the keys of :data:`LABEL_KEYS`, plus ``reason`` for a rejection (:data:`REJECT_REASONS`).
What an action implies is filled in for fields the reviewer left out and a contradiction is
refused: approving makes ``is_complaint`` true and needs a category; rejecting as
``not_complaint`` makes it false with no category; rejecting as ``out_of_jurisdiction`` makes
``in_jurisdiction`` false (``kecamatan``/``desa`` then null, as ``classify/LABELING.md`` says).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage.models import USER_ROLES, Classification, Item, ReviewAction, User, utcnow
from storage.session import RepositoryBase, require_aware

LABEL_KEYS = ("is_complaint", "category", "kecamatan", "desa", "in_jurisdiction", "opd")
REJECT_REASONS = ("not_complaint", "out_of_jurisdiction", "duplicate", "other")
# action -> the status it moves the item to (None: the status stays)
REVIEW_ACTIONS: dict[str, str | None] = {
    "approve": "approved",
    "reject": "rejected",
    "edit": None,
    "reopen": "new",
}
# The actions that settle an item's labels (a reopen withdraws the decision, see review_examples).
DECISIVE_ACTIONS = ("approve", "reject", "edit")
# Roles that may decide (CONTRACT.md: viewers only read).
DECIDING_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class ReviewExample:
    """One decided item as a training example: its text and the labels staff left it with.

    ``action`` and ``status`` are those of the item's latest decisive action (``status`` is the
    item's status right after it); ``reason`` is set only when that left the item rejected.
    """

    item_id: int
    title: str
    text: str
    source_kind: str
    is_complaint: bool | None
    category: str | None
    kecamatan: str | None
    desa: str | None
    in_jurisdiction: bool | None
    opd: str | None
    reason: str | None
    action: str
    status: str
    decided_at: datetime
    decided_by: str
    cluster_id: int | None
    duplicate_of: int | None
    content_hash: str


class ReviewQueries(RepositoryBase):
    # -- users ------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str) -> int:
        """Create a user with an already hashed password; returns its id.

        Raises ``ValueError`` for an unknown role, an empty name or hash, or a name in use.
        """
        username = (username or "").strip()
        if not username:
            raise ValueError("a user needs a name")
        if role not in USER_ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(USER_ROLES)}")
        if not password_hash:
            raise ValueError("a user needs a password hash")
        try:
            with self._writing() as session:
                user = User(username=username, password_hash=password_hash, role=role, active=True)
                session.add(user)
                session.flush()
                return user.id
        except IntegrityError:
            if self.user_id(username) is not None:
                raise ValueError(f"user {username!r} already exists") from None
            raise

    def user_id(self, username: str) -> int | None:
        with self._reading() as session:
            return session.scalar(select(User.id).where(User.username == username))

    # -- decisions --------------------------------------------------------------------------

    def record_review(
        self,
        item_id: int,
        user: str | int,
        action: str,
        *,
        after: Mapping[str, Any],
        before: Mapping[str, Any] | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Append a review action by ``user`` (a username or a user id) and move the item's status
        (approve → approved, reject → rejected, edit keeps it, reopen → new); returns the action's id.

        ``after`` holds the labels the reviewer set (keys of :data:`LABEL_KEYS`, and ``reason``
        when rejecting); ``before`` defaults to the item's current labels (its newest
        classification, overridden by its latest review). ``at`` defaults to now.

        Raises ``ValueError`` for an unknown action, a bad label or a contradiction,
        ``LookupError`` for an unknown item or user, ``PermissionError`` for a user who may not
        decide (a viewer, or a deactivated account).
        """
        if action not in REVIEW_ACTIONS:
            raise ValueError(f"unknown review action {action!r}; expected one of {', '.join(REVIEW_ACTIONS)}")
        require_aware(at, "at")
        given = _checked_labels(after, "after")
        if given.get("is_complaint", False) is None:
            raise ValueError("after: is_complaint must be true or false")
        if before is not None:
            before = _checked_labels(before, "before")
        with self._writing() as session:
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise LookupError(f"no item {item_id}")
            user_id = _deciding_user(session, user)
            current = _current_labels(session, item_id)
            base = dict(current if before is None else before)
            to_status = REVIEW_ACTIONS[action] or item.status
            labels = _labels_after(action, base, given, to_status)
            row = ReviewAction(
                item_id=item_id,
                user_id=user_id,
                action=action,
                from_status=item.status,
                to_status=to_status,
                note=note,
                before=base,
                after=labels,
                at=at or utcnow(),
            )
            session.add(row)
            item.status = to_status
            _set_current_labels(item, labels)
            session.flush()
            return row.id

    def review_actions(self, item_id: int) -> list[dict[str, Any]]:
        """The trail of one item, oldest first, with the reviewer's name."""
        stmt = (
            select(ReviewAction, User.username)
            .join(User, User.id == ReviewAction.user_id)
            .where(ReviewAction.item_id == item_id)
            .order_by(ReviewAction.id)
        )
        with self._reading() as session:
            return [
                {
                    "id": row.id,
                    "action": row.action,
                    "by": username,
                    "from_status": row.from_status,
                    "to_status": row.to_status,
                    "note": row.note,
                    "before": row.before,
                    "after": row.after,
                    "at": row.at,
                }
                for row, username in session.execute(stmt)
            ]

    def review_examples(self, since: datetime | None = None) -> list[ReviewExample]:
        """One example per item whose latest decisive action (approve, reject, edit) was taken
        at or after ``since`` (all when None), oldest decision first.

        Labels are the latest decisive action's ``after`` over the item's newest classification
        for any field the action does not hold. An item reopened after its last decision is left
        out: its labels are in question until someone decides again.
        """
        require_aware(since, "since")
        decisive = (
            select(ReviewAction.item_id, func.max(ReviewAction.id).label("id"))
            .where(ReviewAction.action.in_(DECISIVE_ACTIONS))
            .group_by(ReviewAction.item_id)
            .subquery()
        )
        newest = (
            select(ReviewAction.item_id, func.max(ReviewAction.id).label("id"))
            .group_by(ReviewAction.item_id)
            .subquery()
        )
        latest = aliased(ReviewAction)
        stmt = (
            select(ReviewAction, Item, User.username, latest.action.label("newest_action"))
            .join(decisive, decisive.c.id == ReviewAction.id)
            .join(newest, newest.c.item_id == ReviewAction.item_id)
            .join(latest, latest.id == newest.c.id)
            .join(Item, Item.id == ReviewAction.item_id)
            .join(User, User.id == ReviewAction.user_id)
            .order_by(ReviewAction.at, ReviewAction.id)
        )
        if since is not None:
            stmt = stmt.where(ReviewAction.at >= since)
        examples = []
        with self._reading() as session:
            rows = [row for row in session.execute(stmt) if row.newest_action != "reopen"]
            models = _newest_classifications(session, [item.id for _, item, _, _ in rows])
            for action, item, username, _ in rows:
                labels = dict(models.get(item.id, {}))
                labels.update({k: v for k, v in (action.after or {}).items() if k in LABEL_KEYS})
                reason = (action.after or {}).get("reason") if action.to_status == "rejected" else None
                examples.append(ReviewExample(
                    item_id=item.id, title=item.title, text=item.text, source_kind=item.source_kind,
                    **{key: labels.get(key) for key in LABEL_KEYS}, reason=reason,
                    action=action.action, status=action.to_status or item.status,
                    decided_at=action.at, decided_by=username, cluster_id=item.cluster_id,
                    duplicate_of=item.duplicate_of, content_hash=item.content_hash,
                ))
        return examples


# -- helpers ----------------------------------------------------------------------------------


def _checked_labels(labels: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    if labels is None:
        raise ValueError(f"{name} must be a mapping of labels")
    unknown = set(labels) - set(LABEL_KEYS) - {"reason"}
    if unknown:
        raise ValueError(f"{name}: unknown label(s) {', '.join(sorted(unknown))}; "
                         f"expected {', '.join(LABEL_KEYS)} or reason")
    for key in ("is_complaint", "in_jurisdiction"):
        value = labels.get(key)
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{name}: {key} must be true, false or null, not {value!r}")
    for key in ("category", "kecamatan", "desa", "opd"):
        value = labels.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"{name}: {key} must be a non-empty string or null, not {value!r}")
    reason = labels.get("reason")
    if reason is not None and reason not in REJECT_REASONS:
        raise ValueError(f"{name}: unknown reason {reason!r}; expected one of {', '.join(REJECT_REASONS)}")
    return dict(labels)


def _deciding_user(session: Session, user: str | int) -> int:
    column = User.id if isinstance(user, int) else User.username
    found = session.execute(select(User.id, User.role, User.active).where(column == user)).first()
    if found is None:
        raise LookupError(f"no user {user!r}")
    if not found.active:
        raise PermissionError(f"user {user!r} is deactivated")
    if found.role not in DECIDING_ROLES:
        raise PermissionError(f"user {user!r} is a {found.role} and may not review items")
    return found.id


def _classification_labels(row: Classification | None) -> dict[str, Any]:
    return {key: getattr(row, key) if row is not None else None for key in LABEL_KEYS}


def _current_labels(session: Session, item_id: int) -> dict[str, Any]:
    """The newest classification's labels, overridden by the latest review's ``after``."""
    model = session.scalar(
        select(Classification).where(Classification.item_id == item_id).order_by(Classification.id.desc()).limit(1)
    )
    labels = _classification_labels(model)
    latest = session.scalar(
        select(ReviewAction.after).where(ReviewAction.item_id == item_id).order_by(ReviewAction.id.desc()).limit(1)
    )
    labels.update(latest or {})
    return labels


def _set_current_labels(item: Item, labels: Mapping[str, Any]) -> None:
    """Copy an item's current labels onto its row (what the list filters and the dashboard count by)."""
    for key in LABEL_KEYS:
        setattr(item, key, labels.get(key))


def _store_current_labels(session: Session, newest: Mapping[int, Classification]) -> None:
    """Copy onto the items the labels they have now that ``newest`` (item id -> the row just
    added, flushed) is their newest classification: its labels, overridden by the latest review,
    and its ``needs_check`` flag (which no review overrides)."""
    item_ids = list(newest)
    reviewed: dict[int, dict[str, Any] | None] = {}
    for start in range(0, len(item_ids), 500):
        latest = (select(func.max(ReviewAction.id)).where(ReviewAction.item_id.in_(item_ids[start:start + 500]))
                  .group_by(ReviewAction.item_id))
        for item_id, after in session.execute(select(ReviewAction.item_id, ReviewAction.after)
                                              .where(ReviewAction.id.in_(latest))):
            reviewed[item_id] = after
    rows = []
    for item_id, classification in newest.items():
        labels = _classification_labels(classification)
        labels.update({k: v for k, v in (reviewed.get(item_id) or {}).items() if k in LABEL_KEYS})
        # the model's "perlu dicek" flag is no reviewer's label: always the newest classification's
        rows.append({"id": item_id, "classification_id": classification.id,
                     "needs_check": bool(classification.needs_check), **labels})
    if rows:
        session.execute(update(Item), rows)  # ORM bulk UPDATE by primary key


def _newest_classifications(session: Session, item_ids: list[int]) -> dict[int, dict[str, Any]]:
    result: dict[int, dict[str, Any]] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start:start + 500]
        newest = (
            select(func.max(Classification.id))
            .where(Classification.item_id.in_(chunk))
            .group_by(Classification.item_id)
        )
        for row in session.scalars(select(Classification).where(Classification.id.in_(newest))):
            result[row.item_id] = _classification_labels(row)
    return result


def _labels_after(action: str, base: Mapping[str, Any], given: dict[str, Any], to_status: str) -> dict[str, Any]:
    """The complete labels once ``action`` is done: ``given`` over ``base``, with what the action
    implies for fields the reviewer did not set; a contradiction raises ``ValueError``."""
    if action == "edit" and not given:
        raise ValueError("an edit must change at least one label")
    if action == "reopen" and given:
        raise ValueError("reopening changes no labels; use edit")
    implied: dict[str, Any] = {}
    if action == "approve":
        if given.get("is_complaint") is False:
            raise ValueError("cannot approve an item labelled as not a complaint")
        implied["is_complaint"] = True
    elif action == "reject":
        reason = given.get("reason")
        if reason is None:
            raise ValueError(f"a rejection needs a reason: one of {', '.join(REJECT_REASONS)}")
        if reason == "not_complaint":
            if given.get("is_complaint") is True or given.get("category") is not None:
                raise ValueError("rejected as not_complaint, yet labelled a complaint")
            implied.update(is_complaint=False, category=None, opd=None)
        elif reason == "out_of_jurisdiction":
            if given.get("in_jurisdiction") is True:
                raise ValueError("rejected as out_of_jurisdiction, yet labelled in_jurisdiction")
            implied.update(in_jurisdiction=False, kecamatan=None, desa=None)
    if to_status != "rejected" and "reason" in given:
        raise ValueError("only a rejected item has a rejection reason")
    labels = {key: base.get(key) for key in LABEL_KEYS}
    if to_status == "rejected" and base.get("reason"):
        labels["reason"] = base["reason"]  # an edit of a rejected item keeps its reason
    labels.update(implied)
    labels.update(given)
    if labels.get("is_complaint") is False and labels.get("category") is not None and "category" not in given:
        labels["category"] = None  # marked not a complaint: the model's category no longer applies
    if labels.get("is_complaint") is False and labels.get("category") is not None:
        raise ValueError("an item that is not a complaint has no category")
    if action == "approve" and not labels.get("category"):
        raise ValueError("approving a complaint needs its category")
    return labels
