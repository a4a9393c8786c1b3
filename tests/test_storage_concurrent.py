"""Two processes writing into one database at once, as two crawls (or two distributed workers)
do on a production PostgreSQL — and on SQLite, where writers queue behind the write lock.

Each process is its own Python interpreter with its own engine and connection pool, started
together behind a barrier, registering the same sources and storing overlapping articles: the
same story under one URL in both, or the same text under each outlet's own URL. What a
Diskominfo admin must see afterwards: every story stored exactly once, nothing lost, no crawl
failing on a unique violation, and each source remembering every URL it met, so its next crawl
fetches none of them again.
"""

from __future__ import annotations

import json
import multiprocessing
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from storage import Repository, upgrade
from storage.models import Item
from tests.factories import article

WIB = timezone(timedelta(hours=7))
SOURCES = ("kabarbromo", "radarbromo")
STORIES = range(160)
SYNC_ROUNDS = 5
PER_SOURCE = {"kabarbromo": range(0, 120), "radarbromo": range(40, 160)}  # 80 stories in both
CLASSIFICATION = {
    "is_complaint": True, "complaint_score": 0.9, "category": "infrastruktur", "kecamatan": "Kraksaan",
    "desa": None, "region_code": "35.13.17", "in_jurisdiction": True, "opd": "Dinas PUPR",
    "model_version": "test-v1",
}  # fmt: skip


def story_text(n: int) -> str:
    return f"Warga Desa Sumberlele nomor {n} mengeluhkan jalan rusak berlubang yang belum diperbaiki."


def article_url(source: str, n: int) -> str:
    """Even overlapping stories share one canonical URL (a mirror); odd ones are the same text
    under each outlet's own URL (a copy-paste)."""
    if n in PER_SOURCE["kabarbromo"] and n in PER_SOURCE["radarbromo"] and n % 2 == 0:
        return f"https://kabarbromo.example/berita/{n}"
    return f"https://{source}.example/berita/{n}"


def outlet_article(source: str, n: int) -> dict:
    """Story ``n`` as the outlet ``source`` publishes it (same story, same text and content hash)."""
    return article(n, source=source, url=article_url(source, n), text=story_text(n),
                   published_at=datetime(2026, 11, 20, 9, 0, tzinfo=WIB) + timedelta(minutes=n),
                   harvested_at=datetime.now(timezone.utc), classification=dict(CLASSIFICATION),
                   fetched_url=None, author=None, language="id", raw={}, minhash=None)


def write_as_a_crawl(url: str, source: str, barrier, out: str) -> None:
    """One process: what a crawl does to the database, for one source's articles."""
    report: dict = {"stored": [], "error": None}
    try:
        repo = Repository(url)
        for added in range(SYNC_ROUNDS):  # both register the sources file, new names included
            barrier.wait(timeout=20)
            names = [*SOURCES, *(f"sumber{k}" for k in range(added + 1))]
            repo.sync_sources([{"name": name, "kind": "news", "url": f"https://{name}.example/"} for name in names])
        barrier.wait(timeout=20)
        run_id = repo.start_run([source], datetime(2026, 11, 1, tzinfo=WIB), pid=None)
        for n in PER_SOURCE[source]:
            result = repo.store_article(outlet_article(source, n), run_id=run_id)
            if not result.created:  # as pipelines.store does
                repo.mark_seen(source, article_url(source, n), result.reason)
            report["stored"].append([n, result.item_id, result.created, result.reason])
        repo.finish_run(run_id, "ok", pages=len(PER_SOURCE[source]), new=0, duplicates=0, errors=0)
        repo.close()
    except Exception:  # noqa: BLE001 - reported to the test
        report["error"] = traceback.format_exc()
    Path(out).write_text(json.dumps(report), encoding="utf-8")


def test_two_processes_storing_overlapping_articles_store_each_once(db_url, tmp_path):
    upgrade(db_url)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(SOURCES))
    outs = {source: tmp_path / f"{source}.json" for source in SOURCES}
    processes = [context.Process(target=write_as_a_crawl, args=(db_url, source, barrier, str(outs[source])))
                 for source in SOURCES]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    reports = {source: json.loads(outs[source].read_text(encoding="utf-8")) for source in SOURCES}
    for source, report in reports.items():
        assert report["error"] is None, f"{source}: {report['error']}"

    # every story stored exactly once: no duplicate, nothing lost
    with Repository(db_url) as repo:
        with repo._reading() as session:
            rows = session.execute(select(Item.id, Item.url, Item.content_hash, Item.category)).all()
            labelled = session.scalar(select(func.count()).select_from(Item).where(Item.classification_id.is_not(None)))
        assert len(rows) == len(STORIES)
        assert len({row.url for row in rows}) == len({row.content_hash for row in rows}) == len(STORIES)
        assert labelled == len(STORIES) and {row.category for row in rows} == {"infrastruktur"}
        by_hash = {row.content_hash: row.id for row in rows}

        # each story created by exactly one process; the other was told where it is
        created: dict[int, list[str]] = {}
        for source, report in reports.items():
            for n, item_id, was_created, reason in report["stored"]:
                assert item_id == by_hash[outlet_article(source, n)["content_hash"]], (source, n)
                if was_created:
                    created.setdefault(n, []).append(source)
                else:
                    assert reason in ("same_url", "same_content")
        assert sorted(created) == list(STORIES) and all(len(by) == 1 for by in created.values())

        # and each source's next crawl would fetch none of its URLs again
        for source in SOURCES:
            known = repo.known_urls(source)
            assert {article_url(source, n) for n in PER_SOURCE[source]} <= known, source
        assert [run["status"] for run in repo.recent_runs(5)] == ["ok", "ok"]
