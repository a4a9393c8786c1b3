"""``pantau backup``: a consistent copy of the database while the crawler and the web keep writing.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database page by page
under SQLite's own locking, so the copy is one consistent state even while a crawl commits
(WAL writers are not blocked). The copy is written beside the target under a temporary name,
switched to a single self-contained file (``journal_mode=DELETE``), checked with ``PRAGMA
integrity_check`` and only then renamed into place (:func:`classify.files.write_atomically`);
the database work itself is :mod:`storage.backup`'s. Restoring is copying it back while Pantau is
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

from classify.files import write_atomically
from storage.backup import copy_sqlite, pg_dump_command, verify_sqlite  # noqa: F401 (verify_sqlite: for callers)


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

    def copy(partial: Path) -> tuple[str, int | None]:
        try:
            integrity, items = copy_sqlite(source_path, partial)
        except sqlite3.Error as exc:
            raise BackupError(f"the backup of {source_path} failed: {exc}") from None
        if integrity != "ok":  # the copy is dropped, an older backup stays
            raise BackupError(f"the copy of {source_path} failed its integrity check: {integrity}")
        return integrity, items

    integrity, items = write_atomically(target, copy)
    return BackupResult(path=target, backend="sqlite", size=target.stat().st_size, items=items, integrity=integrity)


def backup_postgresql(url: str, target: Path) -> BackupResult:
    argv, connection_env = pg_dump_command(url, target)
    shown = " ".join(f"{k}={v}" for k, v in connection_env.items() if k != "PGPASSWORD")
    guidance = (f"{shown} pg_dump --format=custom --no-owner --file={target}   "
                "(give the password in PGPASSWORD or ~/.pgpass; restore with "
                f"`pg_restore --clean --if-exists --no-owner --dbname=<database> {target}`)")
    if shutil.which("pg_dump") is None:
        return BackupResult(path=None, backend="postgresql", guidance=guidance)

    def dump(partial: Path) -> None:
        argv[-1] = f"--file={partial}"
        result = subprocess.run(argv, env={**os.environ, **connection_env}, capture_output=True, text=True)
        if result.returncode != 0:
            password = connection_env.get("PGPASSWORD")
            message = result.stderr.strip()
            if password:
                message = message.replace(password, "***")
            raise BackupError(f"pg_dump failed (exit {result.returncode}): {message}")

    write_atomically(target, dump)
    return BackupResult(path=target, backend="postgresql", size=target.stat().st_size, guidance=guidance)
