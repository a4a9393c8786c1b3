"""Export records: stored items flattened into the CONTRACT.md export format.

One streamed query joins each item to its source, its current (newest) classification, its
newest SP4N-LAPOR! entry and its newest review action, so exporting 100k items holds only one
batch in memory. ``published_at`` goes out in the offset the site printed (+07:00 for WIB).

The labels (:data:`storage.reviews.LABEL_KEYS`: is_complaint, category, kecamatan, desa,
in_jurisdiction, opd) are the item's current ones, as the list and the dashboard show them: the
copy on the ``items`` row that storage keeps up to date (the newest classification's labels,
overridden by the latest review's). ``complaint_score``, ``region_code``, ``model_version`` and
``needs_check`` (the model was unsure: "perlu dicek") stay the newest classification's. The filters (status, dates, sources, categories, kecamatan,
OPDs) are :class:`storage.filters.ListFilter`'s, applied in SQL on those same columns as the web's list.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from storage.articles import CLASSIFICATION_FIELDS
from storage.dashboard import TRIAGE, triage_statement
from storage.filters import ListFilter, filter_conditions
from storage.models import Classification, Item, LaporEntry, ReviewAction, Source, User
from storage.reviews import LABEL_KEYS
from storage.session import RepositoryBase

# The record as CONTRACT.md lists it, in that order.
CONTRACT_FIELDS = (
    "id", "source", "source_kind", "url", "title", "text", "author", "published_at", "harvested_at",
    *CLASSIFICATION_FIELDS, "model_version",
    "status", "duplicate_of", "cluster_id", "lapor_ref", "reviewed_by", "reviewed_at",
)
# Fields added since, always after the contract's (scripts reading by position keep working):
# ``needs_check``: the model was unsure, so the item went to the review queue as "perlu dicek".
ADDED_FIELDS = ("needs_check",)
EXPORT_FIELDS = CONTRACT_FIELDS + ADDED_FIELDS

EXPORT_BATCH = 1000


def _latest(model) -> Any:
    """(item_id, id of the newest row for that item) as a subquery; ids grow with time."""
    return (
        select(model.item_id.label("item_id"), func.max(model.id).label("id"))
        .group_by(model.item_id)
        .subquery()
    )


def _site_time(value: datetime | None, offset_minutes: int | None) -> datetime | None:
    if value is None or offset_minutes is None:
        return value
    return value.astimezone(timezone(timedelta(minutes=offset_minutes)))


def _export_query() -> tuple[Select, dict[str, ColumnElement]]:
    """The export statement and the current-label columns the filters use."""
    latest_lapor, latest_review = _latest(LaporEntry), _latest(ReviewAction)
    cls, lapor, review = aliased(Classification), aliased(LaporEntry), aliased(ReviewAction)
    labels = {key: getattr(Item, key) for key in LABEL_KEYS}
    stmt = (
        select(
            Item.id,
            Source.name.label("source"),
            Item.source_kind,
            Item.url,
            Item.title,
            Item.text,
            Item.author,
            Item.published_at,
            Item.published_offset_minutes,
            Item.harvested_at,
            labels["is_complaint"].label("is_complaint"),
            cls.complaint_score,
            labels["category"].label("category"),
            labels["kecamatan"].label("kecamatan"),
            labels["desa"].label("desa"),
            cls.region_code,
            labels["in_jurisdiction"].label("in_jurisdiction"),
            labels["opd"].label("opd"),
            cls.model_version,
            Item.status,
            Item.duplicate_of,
            Item.cluster_id,
            lapor.lapor_ref,
            User.username.label("reviewed_by"),
            review.at.label("reviewed_at"),
            Item.needs_check,  # the newest classification's, kept on the row by storage
        )
        .join(Source, Source.id == Item.source_id)
        .outerjoin(cls, cls.id == Item.classification_id)  # the newest, kept on the row by storage
        .outerjoin(latest_lapor, latest_lapor.c.item_id == Item.id)
        .outerjoin(lapor, lapor.id == latest_lapor.c.id)
        .outerjoin(latest_review, latest_review.c.item_id == Item.id)
        .outerjoin(review, review.id == latest_review.c.id)
        .outerjoin(User, User.id == review.user_id)
    )
    return stmt, labels


def _filter_of(filters: ListFilter | None, keywords: dict[str, Any]) -> ListFilter:
    if filters is not None and keywords:
        raise TypeError("give a ListFilter or filter keywords, not both")
    return filters if filters is not None else ListFilter.from_export_options(**keywords)


class ExportQueries(RepositoryBase):
    def _filtered_export(self, session: Session, filters: ListFilter) -> Select:
        """The export statement restricted by ``filters`` (:func:`storage.filters.filter_conditions`,
        as the web's list applies them)."""
        stmt, _ = _export_query()
        conditions, _ = filter_conditions(session, filters)
        return stmt.where(*conditions)

    def iter_export_records(self, filters: ListFilter | None = None, **keywords: Any) -> Iterator[dict[str, Any]]:
        """Stream export records (keys: :data:`EXPORT_FIELDS`, in that order) by ascending id.

        Filters: a :class:`~storage.filters.ListFilter` (what the web's list selects), or its
        export keywords, all optional: ``status``, ``since``, ``until``, ``sources``,
        ``categories``, ``kecamatan``, ``opds``.

        ``since`` (inclusive) and ``until`` (exclusive) apply to ``published_at``, or to
        ``harvested_at`` for items without a publication date. ``status`` is one status or
        several; ``sources`` limits to those source names, ``categories`` to those category
        codes, ``kecamatan`` and ``opds`` to those current labels (compared case-insensitively,
        spaces collapsed; an OPD label is whatever the model or the reviewer wrote, so pass every
        spelling of an agency — its name, short name, id).
        """
        with self._reading() as session:
            stmt = self._filtered_export(session, _filter_of(filters, keywords)).order_by(Item.id)
            # yield_per streams: a server-side cursor on PostgreSQL, batched fetches on SQLite.
            rows = session.execute(stmt, execution_options={"yield_per": EXPORT_BATCH})
            for row in rows:
                record = row._asdict()
                offset = record.pop("published_offset_minutes")
                record["published_at"] = _site_time(record["published_at"], offset)
                yield {field: record[field] for field in EXPORT_FIELDS}

    def count_export_records(self, filters: ListFilter | None = None, **keywords: Any) -> int:
        """How many records :meth:`iter_export_records` would yield with these filters."""
        with self._reading() as session:
            stmt = self._filtered_export(session, _filter_of(filters, keywords)).with_only_columns(Item.id).subquery()
            return session.scalar(select(func.count()).select_from(stmt)) or 0

    def export_triage_counts(self, filters: ListFilter | None = None, **keywords: Any) -> dict[str, int]:
        """Of the records :meth:`iter_export_records` would yield with these filters, the
        undecided ones by what the model made of them: ``complaints_waiting``,
        ``needs_check_waiting`` ("perlu dicek") and ``auto_rejected`` (not a complaint, not
        "perlu dicek", never reviewed), as :meth:`DashboardQueries.triage_counts` counts them."""
        with self._reading() as session:
            exported = self._filtered_export(session, _filter_of(filters, keywords)).with_only_columns(Item.id).subquery()
            row = session.execute(triage_statement(Item.id.in_(select(exported.c.id)))).one()
            return {name: int(row._mapping[name] or 0) for name in TRIAGE}
