"""The database schema as SQLAlchemy 2.0 typed models.

This is the one place where Pantau's records map to tables: sources and their crawl state,
crawl runs with their per-source results and errors, harvested items with their classifications,
clusters of near-duplicate stories, staff users, the append-only review trail and the entries
made in SP4N-LAPOR!. Every timestamp is a :class:`UTCDateTime`: aware datetimes in, aware UTC
datetimes out, on SQLite as on PostgreSQL. ``storage/migrations`` must stay in step with this
module (a test compares them).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ITEM_STATUSES = ("new", "approved", "rejected", "entered", "duplicate")
SOURCE_KINDS = ("news", "x", "social", "import")  # of an item, as in exports
RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
# A source inside a run may also be waiting for its turn or skipped (e.g. X without a token).
RUN_SOURCE_STATUSES = ("pending", *RUN_STATUSES, "skipped")
USER_ROLES = ("admin", "reviewer", "viewer")
ALERT_KINDS = ("failing", "silent")  # of a source's health incident (storage/health.py)

# Deterministic constraint names: Alembic needs names to alter or drop constraints, and
# SQLite's batch mode cannot find unnamed ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive datetimes and always comes back aware, in UTC.

    PostgreSQL stores ``timestamptz``. SQLite has no time zones, so the value is stored as naive
    UTC text (which also keeps string comparison in queries chronological).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # news, rss, sitemap, wordpress, html, x, ...
    url: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SourceState(Base):
    """What the crawler remembers about a source between runs."""

    __tablename__ = "source_state"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    newest_published_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Where an API source resumes (X: the newest post id read; see spiders/x.py), JSON-safe.
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running", server_default="running")
    trigger: Mapped[str] = mapped_column(String(32), default="cli", server_default="cli")
    since: Mapped[datetime | None]
    pid: Mapped[int | None]
    # A pid only means something on the machine that started the run (PostgreSQL may be shared).
    host: Mapped[str | None] = mapped_column(String(255))
    pages: Mapped[int] = mapped_column(default=0, server_default="0")
    new: Mapped[int] = mapped_column(default=0, server_default="0")
    duplicates: Mapped[int] = mapped_column(default=0, server_default="0")
    errors: Mapped[int] = mapped_column(default=0, server_default="0")
    skipped: Mapped[int] = mapped_column(default=0, server_default="0")  # pages dropped, not stored (0009)
    exit_code: Mapped[int | None]  # of the crawl process (migration 0007)
    log_file: Mapped[str | None] = mapped_column(Text)  # the run's Scrapy log (migration 0007)


class CrawlRunSource(Base):
    """The outcome of one source within one crawl run."""

    __tablename__ = "crawl_run_sources"
    __table_args__ = (
        UniqueConstraint("run_id", "source_id"),
        CheckConstraint(_in("status", RUN_SOURCE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    pages: Mapped[int] = mapped_column(default=0, server_default="0")
    new: Mapped[int] = mapped_column(default=0, server_default="0")
    duplicates: Mapped[int] = mapped_column(default=0, server_default="0")
    errors: Mapped[int] = mapped_column(default=0, server_default="0")
    # pages fetched but not stored, and how many for each reason code (pipelines.drop_reasons,
    # e.g. {"listing": 10, "no_text": 2}); migration 0009
    skipped: Mapped[int] = mapped_column(default=0, server_default="0")
    skipped_reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)


class CrawlError(Base):
    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))  # http, timeout, dns, robots, parse, ...
    status: Mapped[int | None]  # HTTP status, when there was a response
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceAlert(Base):
    """An incident about a source's health — failing run after run, or silent for days — that
    staff are alerted to once; resolved when the source recovers (storage/health.py, 0007)."""

    __tablename__ = "source_alerts"
    __table_args__ = (
        CheckConstraint(_in("kind", ALERT_KINDS), name="kind"),
        Index("ix_source_alerts_source_id_kind", "source_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class SeenUrl(Base):
    """A page fetched but deliberately not stored, so later crawls never fetch it again."""

    __tablename__ = "seen_urls"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    url: Mapped[str] = mapped_column(String, primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))  # too_old, not_article, same_content, ...
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class XUsage(Base):
    """Posts an X source read from the API in one crawl run, per calendar month (UTC): the X
    API bills every post it returns, so the per-run and per-month caps are counted from here."""

    __tablename__ = "x_usage"
    __table_args__ = (UniqueConstraint("source_id", "run_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    posts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_read_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cluster(Base):
    """A story reported more than once (near-duplicate items share one)."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(_in("status", ITEM_STATUSES), name="status"),
        CheckConstraint(_in("source_kind", SOURCE_KINDS), name="source_kind"),
        Index("ix_items_queue", "status", "published_at", "harvested_at", "id"),  # migration 0005
        # The list's filters in the list's order (newest harvest first), migration 0006.
        Index("ix_items_status_harvested", "status", "harvested_at", "id"),
        Index("ix_items_category_harvested", "category", "harvested_at", "id"),
        Index("ix_items_kecamatan_harvested", "kecamatan", "harvested_at", "id"),
        Index("ix_items_opd_harvested", "opd", "harvested_at", "id"),
        # The "perlu dicek" queue in queue order (migration 0008): few items among many new ones.
        Index("ix_items_needs_check", "needs_check", "status", "published_at", "harvested_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String, unique=True)  # canonical
    fetched_url: Mapped[str | None] = mapped_column(String, index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The site's own UTC offset (420 = WIB, 480 = WITA) so exports show the time it printed.
    published_offset_minutes: Mapped[int | None]
    harvested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new", index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    similarity: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # The item's current labels — its newest classification's, overridden by its latest review
    # (storage.reviews._current_labels) — copied here by storage whenever a classification or a
    # review is written, so the list filters and the dashboard counts use indexes on this table
    # instead of finding every item's newest classification (migration 0006 filled them in).
    classification_id: Mapped[int | None]  # the newest classification (no FK: rows point both ways)
    is_complaint: Mapped[bool | None]
    category: Mapped[str | None] = mapped_column(String(64))
    kecamatan: Mapped[str | None] = mapped_column(String(128))
    desa: Mapped[str | None] = mapped_column(String(128))
    in_jurisdiction: Mapped[bool | None]
    opd: Mapped[str | None] = mapped_column(Text)
    # The newest classification's "perlu dicek" flag (not a reviewer's label: a review leaves it
    # as the model set it), copied with the labels above (migration 0008).
    needs_check: Mapped[bool] = mapped_column(server_default=false())


# An item's date — published, else harvested — as the dashboard and the list's date filter use
# it (storage.dashboard.item_date), followed by every column the dashboard counts by, so that a
# month of items is counted from the index alone (migration 0006). The date's own columns are in
# it because neither database otherwise reads an indexed expression without the table's row.
Index("ix_items_dated", func.coalesce(Item.published_at, Item.harvested_at), Item.published_at, Item.harvested_at,
      Item.status, Item.source_kind, Item.category, Item.kecamatan, Item.opd)


class Classification(Base):
    """One model's verdict on an item; the newest row (highest id) is the current one."""

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    is_complaint: Mapped[bool]
    complaint_score: Mapped[float] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(64))
    kecamatan: Mapped[str | None] = mapped_column(String(128))
    desa: Mapped[str | None] = mapped_column(String(128))
    region_code: Mapped[str | None] = mapped_column(String(32))
    in_jurisdiction: Mapped[bool | None]
    opd: Mapped[str | None] = mapped_column(Text)
    # Not a complaint by the model's threshold, but scored at or above its review floor: the model
    # is unsure, so the item goes to the review queue as "perlu dicek" (migration 0008).
    needs_check: Mapped[bool] = mapped_column(server_default=false())
    # place spans, cue words, OPD cue (see classify.pipeline.classification)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", USER_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewAction(Base):
    """Append-only audit trail: database triggers refuse UPDATE and DELETE (see migration 0001)."""

    __tablename__ = "review_actions"
    __table_args__ = (
        CheckConstraint(_in("from_status", ITEM_STATUSES), name="from_status"),
        CheckConstraint(_in("to_status", ITEM_STATUSES), name="to_status"),
        Index("ix_review_actions_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))  # approve, reject, enter, reopen, note, ...
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    # the labels before and after the action: is_complaint, category, kecamatan, desa,
    # in_jurisdiction, opd, and for a rejection its reason (not_complaint, out_of_jurisdiction, ...)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    """Append-only trail of staff actions other than item decisions (migration 0004)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))  # as typed, also for failed sign-ins
    action: Mapped[str] = mapped_column(String(64))  # login, login_failed, user_add, source_edit, ...
    target: Mapped[str | None] = mapped_column(String(200))  # "user:budi", "source:radar", ...
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


class LaporEntry(Base):
    """A complaint as entered into SP4N-LAPOR!, with the tracking number LAPOR! returned."""

    __tablename__ = "lapor_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    lapor_ref: Mapped[str | None] = mapped_column(String(64))
    klasifikasi: Mapped[str | None] = mapped_column(String(32))  # Pengaduan, Aspirasi, ...
    judul: Mapped[str] = mapped_column(Text)
    isi: Mapped[str] = mapped_column(Text)
    kategori: Mapped[str | None] = mapped_column(Text)
    instansi: Mapped[str | None] = mapped_column(Text)
    anonim: Mapped[bool] = mapped_column(default=False, server_default=false())
    rahasia: Mapped[bool] = mapped_column(default=False, server_default=false())
    entered_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
