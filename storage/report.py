"""Queries for the monthly report (``pantau report``): item counts of a period grouped by channel,
label and status, and the items of the period that were entered into SP4N-LAPOR!.

An item belongs to a period by its date — published, else harvested — as on the dashboard and
in the list's date filter, so the report and the dashboard's "Bulan ini" agree. Labels are the
item's current ones (the newest classification's unless a reviewer changed them), kept on its
row. The report's tables are built from these rows by ``pantau.report``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.models import Item, LaporEntry
from storage.session import RepositoryBase, require_aware

GROUPS = ("source_kind", "category", "kecamatan", "opd", "status", "is_complaint")


def _item_date():
    # The same expression as the dashboard's, so the index ix_items_dated serves both.
    return func.coalesce(Item.published_at, Item.harvested_at)


class ReportQueries(RepositoryBase):
    def report_counts(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Items dated in ``start`` (inclusive) .. ``end`` (exclusive), counted per combination of
        :data:`GROUPS` and whether the item was entered into SP4N-LAPOR! (``in_lapor``, whatever its
        status now): ``[{"source_kind": "news", "category": ..., ..., "in_lapor": False, "count": n}]``."""
        require_aware(start, "start")
        require_aware(end, "end")
        when = _item_date()
        in_lapor = Item.id.in_(select(LaporEntry.item_id))
        columns = [*(getattr(Item, name) for name in GROUPS), in_lapor]
        stmt = select(*columns, func.count()).where(when >= start, when < end).group_by(*columns)
        with self._reading() as session:
            return [{**dict(zip(GROUPS, values)), "in_lapor": bool(lapor), "count": count}
                    for *values, lapor, count in session.execute(stmt)]

    def report_lapor_items(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Items dated in ``start`` .. ``end`` that were entered into SP4N-LAPOR!, with their status,
        labels and LAPOR! timeline (see :meth:`lapor_timelines`), oldest entry first."""
        require_aware(start, "start")
        require_aware(end, "end")
        when = _item_date()
        entered = select(LaporEntry.item_id).distinct()
        stmt = (select(Item.id, Item.status, Item.source_kind, Item.category, Item.kecamatan, Item.opd)
                .where(when >= start, when < end, Item.id.in_(entered)))
        with self._reading() as session:
            items = {row.id: dict(row._mapping) for row in session.execute(stmt)}
        timelines = self.lapor_timelines(items)  # storage.followup.FollowUpQueries, a sibling part
        rows = [{**items[item_id], **timeline} for item_id, timeline in timelines.items()]
        return sorted(rows, key=lambda row: (row["entered_at"], row["id"]))
