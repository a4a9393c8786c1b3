"""Export records: stored items flattened into the CONTRACT.md export format.

One streamed query joins each item to its source, its current (newest) classification, its
newest SP4N-LAPOR! entry and its newest review action, so exporting 100k items holds only one
batch in memory. ``published_at`` goes out in the offset the site printed (+07:00 for WIB).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from storage.articles import CLASSIFICATION_FIELDS
from storage.models import Classification, Item, LaporEntry, ReviewAction, Source, User
from storage.session import RepositoryBase, require_aware

EXPORT_FIELDS = (
    "id", "source", "source_kind", "url", "title", "text", "author", "published_at", "harvested_at",
    *CLASSIFICATION_FIELDS, "model_version",
    "status", "duplicate_of", "cluster_id", "lapor_ref", "reviewed_by", "reviewed_at",
)

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


def _export_query() -> Select:
    latest_cls, latest_lapor, latest_review = (
        _latest(Classification),
        _latest(LaporEntry),
        _latest(ReviewAction),
    )
    cls, lapor, review = aliased(Classification), aliased(LaporEntry), aliased(ReviewAction)
    return (
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
            cls.is_complaint,
            cls.complaint_score,
            cls.category,
            cls.kecamatan,
            cls.desa,
            cls.region_code,
            cls.in_jurisdiction,
            cls.opd,
            cls.model_version,
            Item.status,
            Item.duplicate_of,
            Item.cluster_id,
            lapor.lapor_ref,
            User.username.label("reviewed_by"),
            review.at.label("reviewed_at"),
        )
        .join(Source, Source.id == Item.source_id)
        .outerjoin(latest_cls, latest_cls.c.item_id == Item.id)
        .outerjoin(cls, cls.id == latest_cls.c.id)
        .outerjoin(latest_lapor, latest_lapor.c.item_id == Item.id)
        .outerjoin(lapor, lapor.id == latest_lapor.c.id)
        .outerjoin(latest_review, latest_review.c.item_id == Item.id)
        .outerjoin(review, review.id == latest_review.c.id)
        .outerjoin(User, User.id == review.user_id)
        .order_by(Item.id)
    )


class ExportQueries(RepositoryBase):
    def iter_export_records(
        self,
        status: str | Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        sources: Iterable[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream export records (keys: :data:`EXPORT_FIELDS`, in that order) by ascending id.

        ``since`` (inclusive) and ``until`` (exclusive) apply to ``published_at``, or to
        ``harvested_at`` for items without a publication date. ``status`` is one status or
        several; ``sources`` limits to those source names.
        """
        require_aware(since, "since")
        require_aware(until, "until")
        stmt = _export_query()
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            stmt = stmt.where(Item.status.in_(statuses))
        when = func.coalesce(Item.published_at, Item.harvested_at)
        if since is not None:
            stmt = stmt.where(when >= since)
        if until is not None:
            stmt = stmt.where(when < until)
        if sources is not None:
            stmt = stmt.where(Source.name.in_(list(sources)))
        with self._reading() as session:
            # yield_per streams: a server-side cursor on PostgreSQL, batched fetches on SQLite.
            rows = session.execute(stmt, execution_options={"yield_per": EXPORT_BATCH})
            for row in rows:
                record = row._asdict()
                offset = record.pop("published_offset_minutes")
                record["published_at"] = _site_time(record["published_at"], offset)
                yield {field: record[field] for field in EXPORT_FIELDS}
