"""A crawl run keeps how many pages each source skipped, and why (storage/runs.py, migration 0009).

On SQLite and PostgreSQL: the numbers written by ``record_run_source`` / ``finish_run`` come back
from ``recent_runs`` (what ``pantau runs --json`` prints) and ``runs_of_source``; a database
holding runs from before migration 0009 upgrades with its history intact, those runs showing no
skipped pages.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import column, insert, table

from storage import Repository, make_engine, upgrade
from storage.db import current_revision, head_revision
from storage.models import Source

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
COUNTS = ("pages", "new", "duplicates", "errors")
# the run tables as revision 0008 had them (the models' own would insert the new columns)
RUNS_0008 = table("crawl_runs", *map(column, ("id", "started_at", "finished_at", "status", "trigger", "pid", "host",
                                              *COUNTS, "exit_code")))
RUN_SOURCES_0008 = table("crawl_run_sources", *map(column, ("id", "run_id", "source_id", "status", *COUNTS,
                                                           "started_at", "finished_at", "message")))


@pytest.fixture
def repo(migrated_db_url):
    with Repository(migrated_db_url) as repository:
        yield repository


def test_a_run_keeps_each_sources_skipped_pages_by_reason(repo):
    run_id = repo.start_run(["kabarlumbang", "suaratengger"], NOW)
    started = datetime.now(UTC)
    repo.record_run_source(run_id, "kabarlumbang", status="ok", pages=20, new=6, duplicates=1, errors=0,
                           skipped=12, skipped_reasons={"listing": 10, "no_text": 2, "empty": 0},
                           started_at=started, finished_at=datetime.now(UTC))
    repo.finish_run(run_id, "ok", pages=20, new=6, duplicates=1, errors=0, skipped=12)

    [run] = repo.recent_runs()
    assert (run["skipped"], run["skipped_reasons"]) == (12, {"listing": 10, "no_text": 2})
    by_name = {source["name"]: source for source in run["sources"]}
    assert (by_name["kabarlumbang"]["skipped"], by_name["kabarlumbang"]["skipped_reasons"]) == (
        12, {"listing": 10, "no_text": 2})
    assert (by_name["suaratengger"]["skipped"], by_name["suaratengger"]["skipped_reasons"]) == (0, {})  # pending
    [history] = repo.runs_of_source("kabarlumbang")
    assert (history["skipped"], history["skipped_reasons"]) == (12, {"listing": 10, "no_text": 2})
    assert repo.run_summary(run_id)["sources"][0]["skipped"] == 12


def test_a_total_is_never_smaller_than_its_reasons(repo):
    run_id = repo.start_run(["kabarlumbang"], NOW)
    repo.record_run_source(run_id, "kabarlumbang", status="ok", pages=3, new=0, duplicates=0, errors=0,
                           skipped_reasons={"too_old": 3}, started_at=None, finished_at=None)
    [source] = repo.recent_runs()[0]["sources"]
    assert (source["skipped"], source["skipped_reasons"]) == (3, {"too_old": 3})


def test_run_reasons_add_up_over_the_sources(repo):
    run_id = repo.start_run(["kabarlumbang", "suaratengger"], NOW)
    for name, reasons in (("kabarlumbang", {"listing": 4, "too_old": 1}), ("suaratengger", {"listing": 2})):
        repo.record_run_source(run_id, name, status="ok", pages=9, new=1, duplicates=0, errors=0,
                               skipped=sum(reasons.values()), skipped_reasons=reasons, started_at=None,
                               finished_at=None)
    assert repo.recent_runs()[0]["skipped_reasons"] == {"listing": 6, "too_old": 1}


def test_upgrade_from_0008_keeps_the_run_history_with_nothing_skipped(db_url):
    assert upgrade(db_url, "0008") == "0008"
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            [source_id] = conn.execute(insert(Source.__table__).values(
                name="kabarlumbang", kind="news", config={}, enabled=True, created_at=NOW,
                updated_at=NOW)).inserted_primary_key
            [run_id] = conn.execute(insert(RUNS_0008).values(
                started_at=NOW - timedelta(hours=1), finished_at=NOW, status="partial", trigger="schedule",
                pages=30, new=7, duplicates=2, errors=1, exit_code=0).returning(RUNS_0008.c.id)).one()
            conn.execute(insert(RUN_SOURCES_0008).values(
                run_id=run_id, source_id=source_id, status="partial", pages=30, new=7, duplicates=2, errors=1,
                started_at=NOW - timedelta(hours=1), finished_at=NOW, message="1 page failed"))
    finally:
        engine.dispose()

    assert upgrade(db_url) == head_revision() == current_revision(db_url)
    with Repository(db_url) as repo:
        [old] = repo.recent_runs()
        assert (old["status"], old["pages"], old["new"], old["duplicates"], old["errors"]) == ("partial", 30, 7, 2, 1)
        assert (old["skipped"], old["skipped_reasons"]) == (0, {})
        [source] = old["sources"]
        assert (source["name"], source["new"], source["message"]) == ("kabarlumbang", 7, "1 page failed")
        assert (source["skipped"], source["skipped_reasons"]) == (0, {})
        # and the upgraded database records the new numbers
        run_id = repo.start_run(["kabarlumbang"], NOW)
        repo.record_run_source(run_id, "kabarlumbang", status="ok", pages=5, new=1, duplicates=0, errors=0,
                               skipped=4, skipped_reasons={"listing": 4}, started_at=None, finished_at=None)
        repo.finish_run(run_id, "ok", pages=5, new=1, duplicates=0, errors=0, skipped=4)
        newest = repo.recent_runs()[0]
        assert (newest["id"], newest["skipped"], newest["sources"][0]["skipped_reasons"]) == (run_id, 4, {"listing": 4})
