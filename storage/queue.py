"""Queries for the web interface: the review queue, one item with its suggestions, decisions and undo, the SP4N-LAPOR! entry.

The queue holds the items still ``new`` whose newest classification calls them a complaint or
marks them "perlu dicek" (``needs_check``: not a complaint by the model's threshold, but scored
at or above its review floor — the model is unsure, so a person decides instead of the item being
dropped). With ``only_needs_check`` every query below keeps to the "perlu dicek" items alone.
Items the model is sure are no complaint ("ditolak otomatis") never enter it.

Order: newest first, ``published_at`` descending (undated items last), then ``harvested_at`` and
``id`` descending. Moving through it is keyset-based (the item after / before a given one), so a
queue of a hundred thousand items costs the same as one of ten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true
from sqlalchemy.orm import aliased

from storage.models import Classification, Item, ReviewAction, Source
from storage.reviews import _current_labels
from storage.session import RepositoryBase

# The decisions a reviewer can take back with "undo" (urungkan).
UNDOABLE_ACTIONS = ("approve", "reject")


def _queue_select(*columns, only_needs_check: bool = False):
    """Items in the queue: status new, newest classification is a complaint or "perlu dicek"
    (only the latter with ``only_needs_check``). "Newest" is "no newer row for the item", which
    both databases answer from the item_id index per row."""
    newer = aliased(Classification)
    # The item's row carries its newest classification's flag: ix_items_needs_check finds them.
    verdict = (and_(Item.needs_check == true(), Classification.needs_check == true()) if only_needs_check
               else or_(Classification.is_complaint == true(), Classification.needs_check == true()))
    return (
        select(*columns)
        .select_from(Item)
        .join(Classification, Classification.item_id == Item.id)
        .where(Item.status == "new")
        .where(verdict)
        .where(~exists().where(newer.item_id == Item.id, newer.id > Classification.id))
    )


def _undated():
    return Item.published_at.is_(None)


def _ordered(stmt, descending: bool = True):
    """Queue order (newest first, undated last); ``descending=False`` walks it backwards.
    (SQLite's default NULL order is exactly this, so its published_at index serves it.)"""
    if descending:
        return stmt.order_by(Item.published_at.desc().nulls_last(), Item.harvested_at.desc(), Item.id.desc())
    return stmt.order_by(Item.published_at.asc().nulls_first(), Item.harvested_at.asc(), Item.id.asc())


def _after(key: tuple, forward: bool = True):
    """Rows strictly after (``forward``) or before ``key`` = (published_at, harvested_at, id) in queue order."""
    published, harvested, item_id = key
    if forward:
        tail = or_(Item.harvested_at < harvested, and_(Item.harvested_at == harvested, Item.id < item_id))
        if published is None:
            return and_(_undated(), tail)
        return or_(_undated(), Item.published_at < published, and_(Item.published_at == published, tail))
    tail = or_(Item.harvested_at > harvested, and_(Item.harvested_at == harvested, Item.id > item_id))
    if published is None:
        return or_(Item.published_at.is_not(None), and_(_undated(), tail))
    return and_(Item.published_at.is_not(None),
                or_(Item.published_at > published, and_(Item.published_at == published, tail)))


class QueueQueries(RepositoryBase):
    def queue_count(self, limit: int = 1000, *, only_needs_check: bool = False) -> int:
        """How many items wait for review, counted up to ``limit`` (the page says "1000+")."""
        waiting = _queue_select(Item.id, only_needs_check=only_needs_check).limit(limit).subquery()
        with self._reading() as session:
            return session.scalar(select(func.count()).select_from(waiting)) or 0

    def queue_first(self, *, only_needs_check: bool = False) -> int | None:
        """The id of the newest item waiting for review, or None when the queue is empty."""
        with self._reading() as session:
            return session.scalar(_ordered(_queue_select(Item.id, only_needs_check=only_needs_check)).limit(1))

    def queue_neighbour(self, item_id: int, *, forward: bool = True, wrap: bool = True,
                        only_needs_check: bool = False) -> int | None:
        """The queue item after (``forward``) or before ``item_id`` in queue order; ``item_id``
        need not be in the queue any more (it may just have been decided). With ``wrap``, the
        first (or last) queue item when nothing follows; never ``item_id`` itself."""
        def queued():
            return _queue_select(Item.id, only_needs_check=only_needs_check)

        with self._reading() as session:
            key = session.execute(select(Item.published_at, Item.harvested_at, Item.id)
                                  .where(Item.id == item_id)).first()
            found = None
            if key is not None:
                found = session.scalar(_ordered(queued().where(_after(tuple(key), forward)),
                                                descending=forward).limit(1))
            if found is None and wrap:
                found = session.scalar(_ordered(queued().where(Item.id != item_id), descending=forward).limit(1))
            return found

    def queue_item(self, item_id: int) -> dict[str, Any] | None:
        """One item as the queue shows it: its text and source, its newest classification
        (``model``, with ``needs_check`` and ``evidence``) and its current labels (``labels``: the model's,
        overridden by the latest review), or None."""
        with self._reading() as session:
            row = session.execute(select(Item, Source.name).join(Source, Source.id == Item.source_id)
                                  .where(Item.id == item_id)).first()
            if row is None:
                return None
            item, source_name = row
            model = session.scalar(select(Classification).where(Classification.item_id == item_id)
                                   .order_by(Classification.id.desc()).limit(1))
            return {
                "id": item.id, "title": item.title, "text": item.text, "url": item.url, "author": item.author,
                "published_at": item.published_at, "harvested_at": item.harvested_at, "status": item.status,
                "source": source_name, "source_kind": item.source_kind,
                "duplicate_of": item.duplicate_of, "cluster_id": item.cluster_id,
                "model": None if model is None else {
                    "is_complaint": model.is_complaint, "complaint_score": model.complaint_score,
                    "needs_check": bool(model.needs_check),
                    "category": model.category, "kecamatan": model.kecamatan, "desa": model.desa,
                    "in_jurisdiction": model.in_jurisdiction, "opd": model.opd,
                    "model_version": model.model_version, "evidence": model.evidence or {},
                },
                "labels": _current_labels(session, item_id),
                "in_queue": (item.status == "new" and model is not None
                             and bool(model.is_complaint or model.needs_check)),
            }

    def item_titles(self, item_ids: list[int]) -> dict[int, str]:
        """Titles of the given items, by id (for the list of recent decisions)."""
        if not item_ids:
            return {}
        with self._reading() as session:
            return dict(session.execute(select(Item.id, Item.title).where(Item.id.in_(list(item_ids)))).all())

    def undoable_decision(self, user_id: int) -> dict[str, Any] | None:
        """The user's latest approve or reject that is still the newest action on its item
        (not already undone or changed by anyone), as ``{"id", "item_id", "action"}``; or None."""
        newest = (select(ReviewAction.item_id, func.max(ReviewAction.id).label("id"))
                  .group_by(ReviewAction.item_id).subquery())
        stmt = (select(ReviewAction.id, ReviewAction.item_id, ReviewAction.action)
                .join(newest, newest.c.id == ReviewAction.id)
                .where(ReviewAction.user_id == user_id, ReviewAction.action.in_(UNDOABLE_ACTIONS))
                .order_by(ReviewAction.id.desc()).limit(1))
        with self._reading() as session:
            row = session.execute(stmt).first()
            return None if row is None else {"id": row.id, "item_id": row.item_id, "action": row.action}

