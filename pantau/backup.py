"""``pantau backup``: a consistent copy of the database while the crawler and the web keep writing.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
under SQLite's own locking, so the copy is one consistent state even while a crawl commits
(WAL writers are not blocked). The copy is written beside the target under a temporary name,
switched to a single self-contained file (``journal_mode=DELETE``), checked with ``PRAGMA
integrity_check`` and only then renamed into place. Restoring is copying it back while Pantau is
stopped (docs/deploy.md).

PostgreSQL: ``pg_dump`` is the right tool; when it is on PATH it is run (custom format, restore
with ``pg_restore``), with the password handed over in ``PGPASSWORD`` — never on the command
line or in messages; otherwise the exact command to run is returned as guidance.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 1024  # copy in steps so a long backup lets writers in between


class BackupError(RuntimeError):
    """The backup could not be made or did not verify (message safe to print)."""


@dataclass
class BackupResult:
    path: Path | None
    backend: str
    size: int = 0
    items: int | None = None
    integrity: str | None = None
    guidance: str | None = None  # PostgreSQL without pg_dump: what to run instead


def default_backup_path(backend: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path("backups") / (f"pantau-{stamp}.db" if backend == "sqlite" else f"pantau-{stamp}.dump")


def backup(url: str, out: Path | None = None) -> BackupResult:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    target = Path(out) if out else default_backup_path(backend)
    if backend == "sqlite":
        return backup_sqlite(parsed.database or "", target)
    if backend == "postgresql":
        return backup_postgresql(url, target)
    raise BackupError(f"backups of {backend} databases are not supported; use the database's own tools")


def backup_sqlite(database: str, target: Path) -> BackupResult:
    if not database or database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    source_path = Path(database)
    if not source_path.is_file():
        raise BackupError(f"no database file at {source_path}; run `pantau init` first or check --db")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)  # the file exists: nothing new is created
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination, pages=PAGES_PER_STEP)
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            integrity = "; ".join(row[0] for row in destination.execute("PRAGMA integrity_check"))
            items = _count(destination, "items")
        finally:
            destination.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup of {source_path} failed: {exc}") from None
    finally:
        source.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy of {source_path} failed its integrity check: {integrity}")
    os.replace(partial, target)
    return BackupResult(path=target, backend="sqlite", size=target.stat().st_size, items=items, integrity=integrity)


def verify_sqlite(path: Path) -> tuple[str, int | None]:
    """``PRAGMA integrity_check`` of a backup file and its item count."""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        return integrity, _count(connection, "items")
    finally:
        connection.close()


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


def backup_postgresql(url: str, target: Path) -> BackupResult:
    argv, connection_env = pg_dump_command(url, target)
    shown = " ".join(f"{k}={v}" for k, v in connection_env.items() if k != "PGPASSWORD")
    guidance = (f"{shown} pg_dump --format=custom --no-owner --file={target}   "
                "(give the password in PGPASSWORD or ~/.pgpass; restore with "
                f"`pg_restore --clean --if-exists --no-owner --dbname=<database> {target}`)")
    if shutil.which("pg_dump") is None:
        return BackupResult(path=None, backend="postgresql", guidance=guidance)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    argv[-1] = f"--file={partial}"
    result = subprocess.run(argv, env={**os.environ, **connection_env}, capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        password = connection_env.get("PGPASSWORD")
        message = result.stderr.strip()
        if password:
            message = message.replace(password, "***")
        raise BackupError(f"pg_dump failed (exit {result.returncode}): {message}")
    os.replace(partial, target)
    return BackupResult(path=target, backend="postgresql", size=target.stat().st_size, guidance=guidance)
