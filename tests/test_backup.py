"""``pantau backup`` (pantau/backup.py): a consistent SQLite copy taken while another process keeps
writing passes ``PRAGMA integrity_check`` and holds the items; copying it back restores the
database; PostgreSQL gets pg_dump (or the command to run) without the password ever shown."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pantau.backup import backup, pg_dump_command, verify_sqlite
from storage.db import upgrade
from storage.repo import Repository
from tests.crawlutil import REPO, crawl_env, export_records, run_pantau

WRITER = r"""
import hashlib, sys, time
from datetime import datetime, timezone
from storage.repo import Repository

repo = Repository(sys.argv[1])
start, count = int(sys.argv[2]), int(sys.argv[3])
for n in range(start, start + count):
    text = f"Warga desa {n} mengeluhkan jalan rusak dan lampu jalan mati sejak lama. " * 20
    repo.store_article({"source": "kabarbromo", "source_kind": "news", "url": f"https://kabarbromo.example/berita/{n}",
                     "title": f"Jalan rusak {n}", "text": text, "published_at": datetime.now(timezone.utc),
                     "content_hash": hashlib.sha256(text.encode()).hexdigest()})
    print(n, flush=True)
"""


def store(repo: Repository, numbers: range) -> None:
    for n in numbers:
        text = f"Warga desa {n} mengeluhkan jalan rusak dan lampu jalan mati sejak lama. " * 20
        repo.store_article({"source": "kabarbromo", "source_kind": "news", "url": f"https://kabarbromo.example/berita/{n}",
                         "title": f"Jalan rusak {n}", "text": text, "published_at": datetime.now(timezone.utc),
                         "content_hash": hashlib.sha256(text.encode()).hexdigest()})


def test_backup_while_another_process_writes_is_consistent_and_restores(tmp_path):
    db = tmp_path / "pantau.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    with Repository(url) as repo:
        store(repo, range(200))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, "1000", "400"], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1000"  # the writer is committing now
        result = backup(url, tmp_path / "backups" / "copy.db")
        writing_after_backup = writer.poll() is None
    finally:
        writer.wait(timeout=120)
    assert writing_after_backup, "the backup must be taken while the writer is still writing"
    assert result.integrity == "ok" and result.path == tmp_path / "backups" / "copy.db"
    integrity, items = verify_sqlite(result.path)
    assert integrity == "ok" and items == result.items
    assert 201 <= items < 600  # every earlier item, some of the writer's, never a torn state
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["copy.db"]  # no partial copy left
    assert not Path(str(result.path) + "-wal").exists()  # one self-contained file
    with Repository(url) as repo:
        assert repo.count_items() == 600

    # restore: stop writing, copy the backup back over the database (and drop its WAL files)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(result.path, db)
    with Repository(url) as repo:
        assert repo.count_items() == items
        urls = {record["url"] for record in repo.iter_export_records()}
    assert {f"https://kabarbromo.example/berita/{n}" for n in range(200)} <= urls
    assert upgrade(url)  # `pantau init` accepts the restored database


def test_backup_command_reports_and_the_copy_can_be_used(tmp_path):
    env = crawl_env(tmp_path)
    url = env["PANTAU_DB_URL"]
    upgrade(url)
    with Repository(url) as repo:
        store(repo, range(5))
    made = run_pantau("backup", "--out", str(tmp_path / "b.db"), env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "integrity ok, 5 item(s)" in made.stdout
    default = run_pantau("backup", env=env, cwd=tmp_path)
    assert default.returncode == 0, default.stderr
    assert len(list((tmp_path / "backups").glob("pantau-*.db"))) == 1
    copy_env = {**env, "PANTAU_DB_URL": f"sqlite:///{tmp_path / 'b.db'}"}
    assert len(export_records(copy_env, tmp_path)) == 5
    missing = run_pantau("backup", "--db", f"sqlite:///{tmp_path / 'nope.db'}", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "no database file" in missing.stderr
    assert not (tmp_path / "nope.db").exists()


def test_pg_dump_gets_the_password_in_the_environment_never_on_the_command_line(tmp_path):
    argv, env = pg_dump_command("postgresql+psycopg://pantau:rahasia-db@db.example:5433/pantau", tmp_path / "x.dump")
    assert "rahasia-db" not in " ".join(argv)
    assert env == {"PGHOST": "db.example", "PGPORT": "5433", "PGUSER": "pantau", "PGPASSWORD": "rahasia-db",
                   "PGDATABASE": "pantau"}


@pytest.mark.postgres
def test_backup_of_postgresql_runs_pg_dump_or_says_how(postgres_url, tmp_path):
    upgrade(postgres_url)
    result = backup(postgres_url, tmp_path / "pg.dump")
    if shutil.which("pg_dump") is None:
        assert result.path is None and "pg_dump --format=custom" in result.guidance
    else:
        assert result.path.is_file() and result.path.read_bytes()[:5] == b"PGDMP"
    password = __import__("sqlalchemy").engine.make_url(postgres_url).password
    assert not password or password not in (result.guidance or "")
