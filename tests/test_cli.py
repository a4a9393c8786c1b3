"""The command line as users meet it: init, bad sources files, exports, plain ``scrapy crawl``."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.crawlutil import REPO, crawl_env, export_records, run_pantau, write_sources_file

pytestmark = pytest.mark.crawl  # its crawls, imports and exports are real pantau processes


def test_init_is_idempotent_and_keeps_data(tmp_path):
    env = crawl_env(tmp_path)
    first = run_pantau("init", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Database ready" in first.stdout
    from storage.repo import Repository

    repo = Repository(env["PANTAU_DB_URL"])
    repo.sync_sources([{"name": "kabarbromo", "kind": "auto", "url": "https://example.id/", "query": None,
                        "enabled": True, "config": {}}])
    second = run_pantau("init", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert repo.source_id("kabarbromo") is not None


@pytest.mark.parametrize("content, words", [
    ("sources:\n  - name: a\n    url: https://a.id/\n    evry: 1h\n", ["sources.yaml:4", "source 'a'", "key 'evry'", "every"]),
    ("sources:\n  - name: a\n    url: https://a.id/\n  - name: a\n    url: https://b.id/\n",
     ["source 'a'", "key 'name'", "duplicate"]),
    ("sources:\n  - name: b\n    every: 1h\n", ["source 'b'", "key 'url'", "missing"]),
    ("sources:\n  - name: c\n    url: example.id\n", ["source 'c'", "key 'url'", "https://"]),
    ("sources: [\n", ["sources.yaml", "YAML"]),
])
def test_bad_sources_file_fails_fast_naming_file_source_and_key(tmp_path, content, words):
    (tmp_path / "sources.yaml").write_text(content, encoding="utf-8")
    result = run_pantau("crawl", env=crawl_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    message = " ".join(result.stderr.split())
    for word in words:
        assert word in message, (word, message)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pantau.db").exists()  # failed before touching anything


def test_missing_sources_file_says_what_to_do(tmp_path):
    result = run_pantau("crawl", "--sources", "nope.yaml", env=crawl_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "not found" in result.stderr


def test_bad_since_is_a_usage_error(tmp_path):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "a", "url": "https://a.id/"}])
    result = run_pantau("crawl", "--since", "kemarin lusa dulu", env=crawl_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "--since" in result.stderr


def test_export_csv_is_excel_ready_and_defuses_formulas(tmp_path):
    env = crawl_env(tmp_path)
    from datetime import datetime, timedelta, timezone

    from storage.db import upgrade
    from storage.repo import Repository

    upgrade(env["PANTAU_DB_URL"])
    repo = Repository(env["PANTAU_DB_URL"])
    repo.sync_sources([{"name": "kabarbromo", "kind": "auto", "url": "https://example.id/", "query": None,
                        "enabled": True, "config": {}}])
    wita = timezone(timedelta(hours=8))
    repo.store_article({
        "source": "kabarbromo", "source_kind": "news", "url": "https://example.id/berita/1",
        "fetched_url": None, "title": "=HYPERLINK(\"http://evil\",\"klik\")", "text": "Jalan rusak di Tiris. " * 20,
        "author": "@admin", "published_at": datetime(2026, 11, 20, 9, 15, tzinfo=wita),
        "harvested_at": datetime.now(timezone.utc), "language": "id", "raw": {}, "content_hash": "a" * 64,
        "minhash": None, "near_duplicate_of": None, "similarity": None, "classification": None,
    })
    out = tmp_path / "aduan.csv"
    result = run_pantau("export", "--format", "csv", "--out", str(out), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"].startswith("'=")  # never a live formula
    assert row["author"] == "'@admin"
    assert row["published_at"] == "2026-11-20T09:15:00+08:00"
    assert row["Judul Laporan"].startswith("'=")
    assert row["Tanggal Kejadian"] == "20/11/2026"
    assert row["Lampiran"] == "https://example.id/berita/1"
    records = export_records(env, tmp_path)
    assert records[0]["published_at"] == "2026-11-20T09:15:00+08:00"
    assert records[0]["is_complaint"] is None and records[0]["model_version"] is None


def test_plain_scrapy_crawl_works_from_the_repo_root(wpsite, tmp_path):
    write_sources_file(tmp_path / "sources.yaml", [{"name": "kabarbromo", "url": wpsite.url + "/", "delay": 0}])
    env = crawl_env(tmp_path)
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=kabarbromo",
                             "-a", "since=2026-10-01"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    records = export_records(env, tmp_path)
    expected = wpsite.expected["sources"]["kabarbromo"]["articles"]
    assert sorted(r["url"] for r in records) == sorted(wpsite.url + a["url_path"] for a in expected)


def test_killed_crawl_rerun_loses_nothing_and_duplicates_nothing(portal, tmp_path):
    """A crawl killed midway (power cut, OOM) and run again ends with every article exactly once."""
    from storage.repo import Repository

    write_sources_file(tmp_path / "sources.yaml", [{"name": "suarapantura", "url": portal.url + "/", "delay": 0,
                                                    "concurrency": 1}])
    env = crawl_env(tmp_path, workers=2)  # killed with pages being read in its page-reader processes
    expected = portal.expected["sources"]["suarapantura"]["articles"]
    portal.delay = 0.4
    try:
        process = subprocess.Popen([sys.executable, "-m", "pantau", "crawl", "--since", "2026-10-01"],
                                   env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        repo = Repository(env["PANTAU_DB_URL"])
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                stored = repo.count_items()
            except Exception:  # the database may not exist yet
                continue
            if stored >= 2:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        portal.delay = 0.0
    assert 2 <= stored < len(expected), "the kill must land midway"
    again = run_pantau("crawl", "--since", "2026-10-01", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    records = export_records(env, tmp_path)
    assert sorted(r["url"] for r in records) == sorted(portal.url + a["url_path"] for a in expected)
    statuses = [r["status"] for r in Repository(env["PANTAU_DB_URL"]).recent_runs(5)]
    assert statuses == ["ok", "interrupted"]


def test_crawl_in_a_terminal_shows_live_progress_per_source(portal, tmp_path):
    """Staff run `pantau crawl` in a terminal: a progress line per source, then the summary."""
    import pty

    write_sources_file(tmp_path / "sources.yaml", [{"name": "suarapantura", "url": portal.url + "/", "delay": 0}])
    env = {**crawl_env(tmp_path), "TERM": "xterm", "COLUMNS": "140"}
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pantau", "crawl", "--since", "2026-10-01"], env=env,
                               cwd=tmp_path, stdin=child, stdout=child, stderr=child, close_fds=True)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=120) == 0, output.decode(errors="replace")[-2000:]
    os.close(main)
    text = output.decode("utf-8", errors="replace")
    assert "suarapantura" in text and "articles" in text and "new 8" in text  # the live progress line
    assert "Crawl run #1: ok" in text  # then the summary table


def test_only_crawls_the_named_sources_and_rejects_unknown_names(portal, tmp_path):
    write_sources_file(tmp_path / "sources.yaml", [
        {"name": "suarapantura", "url": portal.url + "/", "delay": 0},
        {"name": "wartadua", "url": "http://127.0.0.1:9/", "delay": 0},
    ])
    env = crawl_env(tmp_path)
    unknown = run_pantau("crawl", "--only", "suarapantur", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "suarapantur" in unknown.stderr and "suarapantura" in unknown.stderr
    result = run_pantau("crawl", "--only", "suarapantura", "--since", "2026-10-01", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wartadua" not in result.stdout
    assert {r["source"] for r in export_records(env, tmp_path)} == {"suarapantura"}
