"""Sessions and small SQL helpers shared by the parts of :class:`storage.repo.Repository`.

Each public repository method runs in its own short transaction: reads in a plain one, writes in
one that takes SQLite's write lock up front (see :mod:`storage.db`) so concurrent writers queue
behind the busy timeout instead of failing. Upserts use each dialect's ``ON CONFLICT`` so races
between processes resolve inside the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.db import SQLITE_BEGIN_OPTION, make_engine
from storage.models import Source


def require_aware(value: datetime | None, name: str) -> datetime | None:
    """Refuse naive datetimes early, with the argument's name in the message."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name}={value.isoformat()} is a naive datetime; pass an aware one")
    return value


class RepositoryBase:
    """Owns the engine and hands out read and write sessions."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self._owns_engine = engine is None
        self.engine: Engine = engine if engine is not None else make_engine(url)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)
        # Sources are never deleted, so a name's id never changes: look it up once per repository.
        self._source_ids: dict[str, int] = {}

    def close(self) -> None:
        """Release pooled connections (only when this repository created the engine)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._write_sessions.begin() as session:
            yield session

    # -- helpers for use inside a session ------------------------------------------------

    @staticmethod
    def _source_id_in(session: Session, name: str) -> int | None:
        return session.scalar(select(Source.id).where(Source.name == name))

    def _ensure_source(self, session: Session, name: str, kind: str = "news") -> int:
        """The id of source ``name``, creating a bare one if the sources file never named it.

        Imports and ad-hoc stores then work without a prior ``sync_sources``; a later sync
        fills in the details.
        """
        if name in self._source_ids:
            return self._source_ids[name]
        source_id = self._source_id_in(session, name)
        if source_id is None:
            insert_ignoring(
                session,
                Source,
                [{"name": name, "kind": kind, "enabled": True, "config": {}}],
                conflict=["name"],
            )
            source_id = self._source_id_in(session, name)
            assert source_id is not None
            return source_id  # cached only once the creating transaction has committed
        self._source_ids[name] = source_id
        return source_id


def _dialect_insert(session: Session, model: type):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"upserts are not implemented for {dialect}")


def insert_ignoring(
    session: Session, model: type, rows: Sequence[Mapping[str, Any]], conflict: list[str]
) -> None:
    """INSERT rows, silently skipping those that clash on the ``conflict`` columns."""
    if not rows:
        return
    stmt = _dialect_insert(session, model).on_conflict_do_nothing(index_elements=conflict)
    session.execute(stmt, rows)


def upsert(
    session: Session, model: type, row: Mapping[str, Any], conflict: list[str], update: list[str]
) -> None:
    """INSERT ``row`` or, if it clashes on ``conflict``, UPDATE the ``update`` columns."""
    stmt = _dialect_insert(session, model).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=conflict, set_={name: stmt.excluded[name] for name in update}
    )
    session.execute(stmt)

