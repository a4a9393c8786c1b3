"""Database-level copies for ``pantau backup``: what runs inside the database lives here, with the
rest of Pantau's SQL; ``pantau/backup.py`` chooses the file, reports and replaces it atomically.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
under SQLite's own locking, so the copy is one consistent state even while a crawl commits (WAL
writers are not blocked); the copy is switched to a single self-contained file
(``journal_mode=DELETE``) and checked with ``PRAGMA integrity_check``. PostgreSQL: the
``pg_dump`` command line for a database URL, the password in the environment only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 1024  # copy in steps so a long backup lets writers in between


def copy_sqlite(source_path: Path, destination_path: Path) -> tuple[str, int | None]:
    """Copy the SQLite database at ``source_path`` into ``destination_path`` (replacing what is
    there) as one self-contained file; returns (``integrity_check`` result, item count).
    Raises :class:`sqlite3.Error` when the copy fails."""
    source = sqlite3.connect(source_path, timeout=30)  # the caller checked the file exists
    try:
        destination = sqlite3.connect(destination_path)
        try:
            source.backup(destination, pages=PAGES_PER_STEP)
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            return _integrity(destination), _count(destination, "items")
        finally:
            destination.close()
    finally:
        source.close()


def verify_sqlite(path: Path) -> tuple[str, int | None]:
    """``PRAGMA integrity_check`` of a backup file and its item count."""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _integrity(connection), _count(connection, "items")
    finally:
        connection.close()


def _integrity(connection: sqlite3.Connection) -> str:
    return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))


def _count(connection: sqlite3.Connection, table: str) -> int | None:
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return None  # not a Pantau database (yet)


def pg_dump_command(url: str, target: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump argv (no password in it) and the environment carrying the connection."""
    parsed = make_url(url)
    env = {}
    if parsed.host:
        env["PGHOST"] = parsed.host
    if parsed.port:
        env["PGPORT"] = str(parsed.port)
    if parsed.username:
        env["PGUSER"] = parsed.username
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    if parsed.database:
        env["PGDATABASE"] = parsed.database
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], env
