"""Export records: stored items flattened into the CONTRACT.md export format.

One streamed query joins each item to its source, its current (newest) classification, its
newest SP4N-LAPOR! entry and its newest review action, so exporting 100k items holds only one
batch in memory. ``published_at`` goes out in the offset the site printed (+07:00 for WIB).

The labels (:data:`storage.reviews.LABEL_KEYS`: is_complaint, category, kecamatan, desa,
in_jurisdiction, opd) are the item's current ones, as the list and the dashboard show them: the
copy on the ``items`` row that storage keeps up to date (the newest classification's labels,
overridden by the latest review's). ``complaint_score``, ``region_code``, ``model_version`` and
``needs_check`` (the model was unsure: "perlu dicek") stay the newest classification's. The filters (status, dates, sources, categories, kecamatan,
OPDs) are applied in SQL on those same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from storage.articles import CLASSIFICATION_FIELDS
from storage.dashboard import TRIAGE, triage_statement
from storage.models import Classification, Item, LaporEntry, ReviewAction, Source, User
from storage.reviews import LABEL_KEYS
from storage.session import RepositoryBase, require_aware

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


def _names(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


def _lowered(values: Iterable[str]) -> list[str]:
    return sorted({" ".join(value.split()).lower() for value in values})


class ExportQueries(RepositoryBase):
    def _filtered_export(
        self,
        status: str | Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        sources: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        kecamatan: Iterable[str] | None = None,
        opds: Iterable[str] | None = None,
    ) -> Select:
        require_aware(since, "since")
        require_aware(until, "until")
        stmt, labels = _export_query()
        if (statuses := _names(status)) is not None:
            stmt = stmt.where(Item.status.in_(statuses))
        when = func.coalesce(Item.published_at, Item.harvested_at)
        if since is not None:
            stmt = stmt.where(when >= since)
        if until is not None:
            stmt = stmt.where(when < until)
        if (names := _names(sources)) is not None:
            stmt = stmt.where(Source.name.in_(names))
        if (codes := _names(categories)) is not None:
            stmt = stmt.where(labels["category"].in_(codes))
        # Place and agency names are free text a reviewer may have typed: compared without case.
        if (places := _names(kecamatan)) is not None:
            stmt = stmt.where(func.lower(labels["kecamatan"]).in_(_lowered(places)))
        if (agencies := _names(opds)) is not None:
            stmt = stmt.where(func.lower(labels["opd"]).in_(_lowered(agencies)))
        return stmt

    def iter_export_records(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Stream export records (keys: :data:`EXPORT_FIELDS`, in that order) by ascending id.

        Filters (keywords, all optional): ``status``, ``since``, ``until``, ``sources``,
        ``categories``, ``kecamatan``, ``opds``.

        ``since`` (inclusive) and ``until`` (exclusive) apply to ``published_at``, or to
        ``harvested_at`` for items without a publication date. ``status`` is one status or
        several; ``sources`` limits to those source names, ``categories`` to those category
        codes, ``kecamatan`` and ``opds`` to those current labels (compared case-insensitively,
        spaces collapsed; an OPD label is whatever the model or the reviewer wrote, so pass every
        spelling of an agency — its name, short name, id).
        """
        stmt = self._filtered_export(**filters).order_by(Item.id)
        with self._reading() as session:
            # yield_per streams: a server-side cursor on PostgreSQL, batched fetches on SQLite.
            rows = session.execute(stmt, execution_options={"yield_per": EXPORT_BATCH})
            for row in rows:
                record = row._asdict()
                offset = record.pop("published_offset_minutes")
                record["published_at"] = _site_time(record["published_at"], offset)
                yield {field: record[field] for field in EXPORT_FIELDS}

    def count_export_records(self, **filters: Any) -> int:
        """How many records :meth:`iter_export_records` would yield with these filters."""
        stmt = self._filtered_export(**filters).with_only_columns(Item.id).subquery()
        with self._reading() as session:
            return session.scalar(select(func.count()).select_from(stmt)) or 0

    def export_triage_counts(self, **filters: Any) -> dict[str, int]:
        """Of the records :meth:`iter_export_records` would yield with these filters, the
        undecided ones by what the model made of them: ``complaints_waiting``,
        ``needs_check_waiting`` ("perlu dicek") and ``auto_rejected`` (not a complaint, not
        "perlu dicek", never reviewed), as :meth:`DashboardQueries.triage_counts` counts them."""
        exported = self._filtered_export(**filters).with_only_columns(Item.id).subquery()
        with self._reading() as session:
            row = session.execute(triage_statement(Item.id.in_(select(exported.c.id)))).one()
            return {name: int(row._mapping[name] or 0) for name in TRIAGE}
