"""What API sources of social media keep between runs: where to resume, and what was read.

An API search resumes from a *cursor* (``source_state.cursor``, JSON the spider designs; for X
see ``spiders/x.py``). The X API bills every post it returns, so each read is counted per source,
crawl run and calendar month (``x_usage``, months in UTC) and the caps on posts read per run and
per month are checked against these counts, across processes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select

from storage.models import CrawlRunSource, Source, SourceState, XUsage, utcnow
from storage.session import RepositoryBase, _dialect_insert, insert_ignoring, require_aware


def usage_month(at: datetime | None = None) -> str:
    """The calendar month (UTC) a read counts in, as ``YYYY-MM``."""
    at = require_aware(at, "at") or utcnow()
    return at.astimezone(timezone.utc).strftime("%Y-%m")


class SocialQueries(RepositoryBase):
    # -- cursors ----------------------------------------------------------------------------

    def source_cursor(self, source_name: str) -> dict[str, Any] | None:
        """The cursor last saved for a source, or None (never read, or nothing to resume)."""
        with self._reading() as session:
            return session.scalar(
                select(SourceState.cursor)
                .join(Source, Source.id == SourceState.source_id)
                .where(Source.name == source_name)
            )

    def save_source_cursor(self, source_name: str, cursor: dict[str, Any] | None) -> None:
        """Replace a source's cursor (None clears it)."""
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            insert_ignoring(session, SourceState, [{"source_id": source_id}], ["source_id"])
            state = session.get(SourceState, source_id, with_for_update=True, populate_existing=True)
            assert state is not None
            state.cursor = dict(cursor) if cursor is not None else None

    # -- X API usage ------------------------------------------------------------------------

    def add_x_reads(self, run_id: int, source_name: str, posts: int, at: datetime | None = None) -> None:
        """Count ``posts`` read by a source in a run (0 registers the source in the run)."""
        at = require_aware(at, "at") or utcnow()
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name, kind="x")
            row = {"source_id": source_id, "run_id": run_id, "month": usage_month(at), "posts": posts,
                   "last_read_at": at}
            stmt = _dialect_insert(session, XUsage).values(row)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source_id", "run_id", "month"],
                set_={"posts": XUsage.posts + stmt.excluded.posts, "last_read_at": stmt.excluded.last_read_at},
            )
            session.execute(stmt)

    def x_posts_read(self, *, source_name: str | None = None, run_id: int | None = None,
                     month: str | None = None) -> int:
        """Posts read, summed over the given source (default: every X source), run and month."""
        stmt = select(func.coalesce(func.sum(XUsage.posts), 0))
        if source_name is not None:
            stmt = stmt.join(Source, Source.id == XUsage.source_id).where(Source.name == source_name)
        if run_id is not None:
            stmt = stmt.where(XUsage.run_id == run_id)
        if month is not None:
            stmt = stmt.where(XUsage.month == month)
        with self._reading() as session:
            return int(session.scalar(stmt) or 0)

    def x_usage_for_run(self, run_id: int, month: str | None = None) -> list[dict[str, Any]]:
        """For each X source of a run: name, its caps (``max_posts``, ``max_posts_per_month``
        from the sources file), posts read in the run and in ``month`` (default: this month)."""
        month = month or usage_month()
        with self._reading() as session:
            sources = session.execute(
                select(Source.id, Source.name, Source.config)
                .join(CrawlRunSource, CrawlRunSource.source_id == Source.id)
                .where(CrawlRunSource.run_id == run_id, Source.kind == "x")
                .order_by(CrawlRunSource.id)
            ).all()
            result = []
            for source_id, name, config in sources:
                def total(*conditions) -> int:
                    return int(session.scalar(select(func.coalesce(func.sum(XUsage.posts), 0))
                                              .where(XUsage.source_id == source_id, *conditions)) or 0)

                result.append({
                    "name": name,
                    "max_posts": (config or {}).get("max_posts"),
                    "max_posts_per_month": (config or {}).get("max_posts_per_month"),
                    "run": total(XUsage.run_id == run_id),
                    "month": total(XUsage.month == month),
                })
            return result
