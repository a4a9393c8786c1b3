"""One crawl of a source at a time, across processes: a lock per source, keyed on the database.

``pantau schedule`` and a hand-started ``pantau crawl`` (or two schedulers by mistake) must never
crawl the same source at once, so the lock lives with what they share — the database:

* SQLite: an exclusive ``flock`` on ``<database file>.locks/<source>.lock``. The kernel drops it
  when the holding process dies, so a killed crawl never leaves a stale lock behind; the file
  holds the holder's pid for messages.
* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a connection of
  its own for the crawl's lifetime; it is released when that connection closes, including when
  the process dies, and it guards crawlers on other machines too.
* An in-memory SQLite database is private to one process: nothing to guard.

The workers of one distributed crawl (``pantau crawl --distributed``) crawl a source together:
each takes the lock *shared* (``shared=True``), so they exclude an ordinary crawl of the source
— and it them — but not each other.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import database_url

# Any constant: it only keeps Pantau's advisory locks apart from other applications' on the server.
_PG_LOCK_CLASS = 0x70616E74  # "pant"


def _source_key(name: str) -> int:
    """A stable signed 32-bit key for the source name (PostgreSQL's two-int advisory lock form)."""
    key = zlib.crc32(name.encode("utf-8"))
    return key - (1 << 32) if key >= 1 << 31 else key


def lock_dir(url: str) -> Path | None:
    """Where the SQLite database at ``url`` keeps its crawl locks (None: not a file database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(os.path.abspath(database + ".locks"))


class SourceLock:
    """A non-blocking lock on one source's crawl: ``acquire()`` → True when this process got it.

    Usage::

        lock = SourceLock(db_url, "kabarbromo")
        if not lock.acquire():
            print("busy, held by pid", lock.holder())
        try: ... finally: lock.release()
    """

    def __init__(self, url: str | None, name: str, *, shared: bool = False) -> None:
        self.url = database_url(url)
        self.name = name
        self.shared = shared
        self._file = None
        self._engine = None
        self._connection = None

    @property
    def held(self) -> bool:
        return self._file is not None or self._connection is not None

    def acquire(self) -> bool:
        if self.held:
            return True
        backend = make_url(self.url).get_backend_name()
        if backend == "postgresql":
            return self._acquire_pg()
        folder = lock_dir(self.url)
        if folder is None:
            self._file = open(os.devnull, "a")  # nothing to guard: always "held"
            return True
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / f"{self._file_name()}.lock", "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        if not self.shared:  # several holders of a shared lock would overwrite each other's pid
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        self._file = handle
        return True

    def _file_name(self) -> str:
        # Source names are [A-Za-z0-9_.-] (pantau.config); keep anything else out of the path.
        return "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name).lstrip(".") or "_"

    def _acquire_pg(self) -> bool:
        from storage.db import _engine_url

        # A connection of its own, never pooled: closing it must end the session (and the lock).
        self._engine = create_engine(_engine_url(self.url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        connection = self._engine.connect()
        function = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        got = connection.execute(text(f"SELECT {function}(:cls, :key)"),
                                 {"cls": _PG_LOCK_CLASS, "key": _source_key(self.name)}).scalar()
        if not got:
            connection.close()
            self._engine.dispose()
            self._engine = None
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        if self._file is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            except OSError:
                pass
            self._file.close()
            self._file = None
        if self._connection is not None:
            try:
                function = "pg_advisory_unlock_shared" if self.shared else "pg_advisory_unlock"
                self._connection.execute(text(f"SELECT {function}(:cls, :key)"),
                                         {"cls": _PG_LOCK_CLASS, "key": _source_key(self.name)})
            except Exception:  # closing the connection releases it anyway
                pass
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def holder(self) -> int | None:
        """The pid holding this source's lock (SQLite: from the lock file; PostgreSQL: the
        backend's client is unknown, so None), or None when free or unknown."""
        folder = lock_dir(self.url)
        if folder is None:
            return None
        try:
            text_pid = (folder / f"{self._file_name()}.lock").read_text(encoding="utf-8").strip()
            return int(text_pid) if text_pid else None
        except (OSError, ValueError):
            return None

    def is_busy(self) -> bool:
        """Whether another process holds the lock right now (takes and drops it to find out)."""
        if self.held:
            return False
        if self.acquire():
            self.release()
            return False
        return True

    def __enter__(self) -> SourceLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
