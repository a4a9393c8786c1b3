"""The dashboard's run history says how many pages each source skipped and why, in Indonesian
(real HTTP requests on a real SQLite database)."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from tests.webutil import make_site, signed_in  # noqa: E402


@pytest.fixture
def site(tmp_path):
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield app, repo
    repo.close()


def runs_section(page: str) -> str:
    start = page.index('id="runs"')
    return page[start:page.index("</section>", start)]


def test_run_history_shows_skipped_pages_by_reason(site):
    app, repo = site
    run = repo.start_run(["kabarlumbang", "suaratengger"], since=None)
    now = datetime.now(timezone.utc)
    repo.record_run_source(run, "kabarlumbang", status="ok", pages=20, new=6, duplicates=1, errors=0,
                           skipped=12, skipped_reasons={"no_text": 2, "listing": 10}, started_at=now, finished_at=now)
    repo.record_run_source(run, "suaratengger", status="ok", pages=4, new=3, duplicates=0, errors=0,
                           started_at=now, finished_at=now)
    repo.finish_run(run, "ok", pages=24, new=9, duplicates=1, errors=0, skipped=12)

    runs = runs_section(signed_in(app, "viewer").get("/dasbor").text)
    assert "<th>Dilewati</th>" in runs and "<td>12</td>" in runs
    assert "12 halaman dilewati: daftar/indeks (10), teks terlalu pendek (2)" in runs
    assert runs.count("halaman dilewati") == 1  # a source that skipped nothing says nothing
