"""Sources and what the crawler remembers about each between runs.

Keeps the ``sources`` table in step with the sources file, answers "which URLs of this source do
we already have" (stored items plus pages deliberately skipped) so a second crawl fetches nothing
twice, and keeps per-source crawl state such as the newest article date seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, union

from storage.models import Item, SeenUrl, Source, SourceState
from storage.session import RepositoryBase, insert_ignoring, require_aware

# Marks "argument not given" where None is a meaningful value (it clears last_error).
_UNSET: Any = object()


class SourceQueries(RepositoryBase):
    def sync_sources(self, specs: Iterable[Mapping[str, Any]]) -> dict[str, int]:
        """Insert or update sources by name (keys: name, kind, url, query, enabled, config).

        Sources missing from ``specs`` are left alone: a run may use another sources file or
        ``--only``. Returns name -> id for the given sources.
        """
        ids: dict[str, int] = {}
        with self._writing() as session:
            # In name order, so two processes syncing overlapping lists lock rows in one order.
            for spec in sorted(specs, key=lambda spec: spec["name"]):
                name = spec["name"]
                fields = {
                    # No kind means a news site whose feeds/sitemaps are detected at crawl time.
                    "kind": spec.get("kind") or "news",
                    "url": spec.get("url"),
                    "query": spec.get("query"),
                    "enabled": bool(spec.get("enabled", True)),
                    "config": dict(spec.get("config") or {}),
                }
                # Insert-or-nothing first: two crawls starting at once (distributed workers, a
                # scheduler and a hand-started crawl) must not both insert a new name and have
                # one of them fail on the unique constraint.
                insert_ignoring(session, Source, [{"name": name, **fields}], conflict=["name"])
                source = session.scalar(select(Source).where(Source.name == name).with_for_update())
                assert source is not None
                for key, value in fields.items():
                    # Assigning equal values would still bump updated_at via onupdate.
                    if getattr(source, key) != value:
                        setattr(source, key, value)
                session.flush()
                ids[name] = source.id
        return ids

    def source_id(self, name: str) -> int | None:
        with self._reading() as session:
            return self._source_id_in(session, name)

    def known_urls(self, source_name: str) -> set[str]:
        """Every URL of this source not worth fetching again: its items' canonical and fetched
        URLs, and the pages it fetched but deliberately did not store."""
        with self._reading() as session:
            source_id = self._source_id_in(session, source_name)
            if source_id is None:
                return set()
            urls = union(
                select(Item.url).where(Item.source_id == source_id),
                select(Item.fetched_url).where(
                    Item.source_id == source_id, Item.fetched_url.is_not(None)
                ),
                select(SeenUrl.url).where(SeenUrl.source_id == source_id),
            )
            return set(session.scalars(urls))

    def mark_seen(self, source_name: str, url: str, reason: str) -> None:
        """Remember a page that was fetched but not stored; repeating it is harmless."""
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            insert_ignoring(
                session,
                SeenUrl,
                [{"source_id": source_id, "url": url, "reason": reason}],
                conflict=["source_id", "url"],
            )

    def update_source_state(
        self,
        source_name: str,
        *,
        last_run_at: datetime | None = None,
        last_success_at: datetime | None = None,
        newest_published_at: datetime | None = None,
        last_error: str | None = _UNSET,
    ) -> None:
        """Change only the given fields; ``last_error=None`` clears the error, and
        ``newest_published_at`` is kept if the stored one is newer."""
        for name, value in (
            ("last_run_at", last_run_at),
            ("last_success_at", last_success_at),
            ("newest_published_at", newest_published_at),
        ):
            require_aware(value, name)
        with self._writing() as session:
            source_id = self._ensure_source(session, source_name)
            insert_ignoring(session, SourceState, [{"source_id": source_id}], ["source_id"])
            state = session.get(
                SourceState, source_id, with_for_update=True, populate_existing=True
            )
            assert state is not None
            if last_run_at is not None:
                state.last_run_at = last_run_at
            if last_success_at is not None:
                state.last_success_at = last_success_at
            if newest_published_at is not None and (
                state.newest_published_at is None or newest_published_at > state.newest_published_at
            ):
                state.newest_published_at = newest_published_at
            if last_error is not _UNSET:
                state.last_error = last_error

    def source_state(self, source_name: str) -> dict[str, Any] | None:
        """The crawl state of a source (name, last_run_at, last_success_at, newest_published_at,
        last_error), or None if it was never recorded."""
        with self._reading() as session:
            row = session.execute(
                select(SourceState)
                .join(Source, Source.id == SourceState.source_id)
                .where(Source.name == source_name)
            ).scalar_one_or_none()
            if row is None:
                return None
            return {
                "name": source_name,
                "last_run_at": row.last_run_at,
                "last_success_at": row.last_success_at,
                "newest_published_at": row.newest_published_at,
                "last_error": row.last_error,
            }

    def last_success_by_source(self) -> dict[str, datetime | None]:
        """Source name -> last successful crawl (None if never), for ``pantau status``."""
        with self._reading() as session:
            rows = session.execute(
                select(Source.name, SourceState.last_success_at)
                .outerjoin(SourceState, SourceState.source_id == Source.id)
                .order_by(Source.name)
            )
            return {name: at for name, at in rows}

