"""Queries for the web interface: dashboard figures (by category, kecamatan, OPD, channel, status) and admin data.

Counts read the current labels kept on each item's row and select items by their date through
the index on ``coalesce(published_at, harvested_at)`` (migration 0006), so a month of a year's
100,000 items is counted from its own rows only. The triage counts (complaints and "perlu dicek"
items waiting, items the model rejected on its own) join the undecided items to their newest
classification.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, false, func, literal, select, true, union_all

from storage.models import Classification, Item, ReviewAction, Source, SourceState
from storage.session import RepositoryBase, require_aware

DIMENSIONS = ("category", "kecamatan", "opd", "source_kind", "status")
# What the model made of the items still undecided (status new), see triage_statement.
TRIAGE = ("complaints_waiting", "needs_check_waiting", "auto_rejected")


def item_date():
    """An item's date: when it was published, else when it was harvested (index ``ix_items_dated``)."""
    return func.coalesce(Item.published_at, Item.harvested_at)


def triage_statement(*conditions, by_date: bool = False):
    """One row of :data:`TRIAGE` counts over the items still ``new`` that meet ``conditions``,
    by their newest classification (``items.classification_id``), as the review queue sees them:

    - ``complaints_waiting``: a complaint by the model, waiting in the queue;
    - ``needs_check_waiting``: "perlu dicek" (the model is unsure), waiting in the queue too;
    - ``auto_rejected``: "ditolak otomatis": neither, and never reviewed: no person has seen it.

    Unclassified items count in none. ``by_date``: the conditions bound the item's date, and its
    index (``ix_items_dated``, which holds the status too) should find them: the status is then
    spelt so that SQLite does not walk every new item by the status index instead (a week of a
    year's 100,000 items: 200 ms that way, a few ms this way)."""
    model = Classification
    new = (func.coalesce(Item.status, Item.status) if by_date else Item.status) == "new"
    reviewed = exists().where(ReviewAction.item_id == Item.id)
    not_complaint = model.is_complaint == false()

    def number(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (select(number(model.is_complaint == true()).label("complaints_waiting"),
                   number(not_complaint & (model.needs_check == true())).label("needs_check_waiting"),
                   number(not_complaint & (model.needs_check == false()) & ~reviewed).label("auto_rejected"))
            .select_from(Item).join(model, model.id == Item.classification_id)
            .where(new, *conditions))


class DashboardQueries(RepositoryBase):
    def dashboard_counts(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Items dated in ``start`` (inclusive) .. ``end`` (exclusive), counted by each of
        :data:`DIMENSIONS` (category, kecamatan and OPD as the item's current labels: the newest
        classification's unless a reviewer changed them; None when unclassified). Returns
        ``{"total": n, "category": {code: n}, ...}``."""
        require_aware(start, "start")
        require_aware(end, "end")
        when = item_date()
        # One small GROUP BY per dimension, read from ix_items_dated alone, rather than one over
        # all five at once, whose thousands of combinations cost more to return than to count.
        stmt = union_all(*(
            select(literal(name).label("dimension"), getattr(Item, name).label("value"), func.count().label("n"))
            .where(when >= start, when < end).group_by(getattr(Item, name))
            for name in DIMENSIONS))
        counters: dict[str, Counter] = {name: Counter() for name in DIMENSIONS}
        with self._reading() as session:
            for name, value, count in session.execute(stmt):
                counters[name][value] += count
        total = sum(counters["status"].values())  # every item has a status
        return {"total": total, **{name: dict(counter.most_common()) for name, counter in counters.items()}}

    def triage_counts(self, start: datetime | None = None, end: datetime | None = None) -> dict[str, int]:
        """What became of the undecided items dated in ``start`` (inclusive) .. ``end``
        (exclusive; both None: every item): ``{"complaints_waiting": n, "needs_check_waiting": n,
        "auto_rejected": n}`` (see :func:`triage_statement`)."""
        require_aware(start, "start")
        require_aware(end, "end")
        when = item_date()
        conditions = [*([when >= start] if start is not None else []), *([when < end] if end is not None else [])]
        with self._reading() as session:
            row = session.execute(triage_statement(*conditions, by_date=bool(conditions))).one()
            return {name: int(row._mapping[name] or 0) for name in TRIAGE}

    def count_items_between(self, start: datetime, end: datetime) -> int:
        """How many items are dated in ``start`` (inclusive) .. ``end`` (exclusive)."""
        require_aware(start, "start")
        require_aware(end, "end")
        when = item_date()
        with self._reading() as session:
            return session.scalar(select(func.count()).where(when >= start, when < end)) or 0

    def sources_overview(self) -> list[dict[str, Any]]:
        """Every known source with its crawl state and item count, by name."""
        counts = (select(Item.source_id, func.count(Item.id).label("item_count"))
                  .group_by(Item.source_id).subquery())
        stmt = (
            select(Source, SourceState, counts.c.item_count)
            .outerjoin(SourceState, SourceState.source_id == Source.id)
            .outerjoin(counts, counts.c.source_id == Source.id)
            .order_by(Source.name)
        )
        with self._reading() as session:
            return [
                {"name": source.name, "kind": source.kind, "url": source.url, "query": source.query,
                 "enabled": source.enabled, "items": items or 0,
                 "last_run_at": state.last_run_at if state else None,
                 "last_success_at": state.last_success_at if state else None,
                 "newest_published_at": state.newest_published_at if state else None,
                 "last_error": state.last_error if state else None}
                for source, state, items in session.execute(stmt)
            ]
