"""Web interface latency with 100,000 items: list and queue pages, p50/p95, SQLite and PostgreSQL.

Run with ``make bench-web`` (or ``.venv/bin/python benchmarks/bench_web.py --write``). Each backend
gets a fresh database (PostgreSQL: a scratch schema in ``$PANTAU_BENCH_PG_URL``, default the local
server's database ``test``), 100,000 synthetic items with classifications over a year
(``storage/synthetic.py``), and a signed-in admin. Every page is requested ``--repeat`` times
in process through the whole ASGI app (session, CSRF, routing, queries, templates) after one
warm-up request; the times are wall-clock per request, with the CPU time this process spent on
it alongside (it does not count the PostgreSQL server's work, and it is what other load on the
machine does not inflate). Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import statistics
import sys
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from classify.taxonomy import default_taxonomy  # noqa: E402
from review.app import create_app  # noqa: E402
from review.security import hash_password  # noqa: E402
from storage.db import upgrade  # noqa: E402
from storage.repo import Repository  # noqa: E402

PAGES = {
    "queue (/antrian)": "/antrian",
    "list, first page (/aduan)": "/aduan",
    "list, filtered by status + category": "/aduan?status=new&kategori=infrastruktur",
    "list, filtered by kecamatan + date range": "/aduan?kecamatan=Tiris&dari=2026-01-01&sampai=2026-12-31",
    "list, full-text search": "/aduan?q=nomor+50000",
    "list, full-text search, common words": "/aduan?q=jalan+rusak",
    "list, filtered by status": "/aduan?status=approved",
    "dashboard (/dasbor)": "/dasbor",
}


NOTES = "## Notes"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def signed_in(repo: Repository) -> TestClient:
    repo.add_user("bench", hash_password("bench-password"), "admin")
    client = TestClient(create_app(repo=repo, secret="b" * 32))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token},
                       follow_redirects=False).status_code == 303
    return client


def timed(client: TestClient, path: str, repeat: int) -> dict:
    first = client.get(path)
    if first.status_code != 200:
        return {"status": first.status_code}
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {"status": 200, "p50": statistics.median(times), "p95": percentile(times, 0.95), "max": max(times),
            "cpu": statistics.median(cpu)}


def timed_call(call, repeat: int) -> dict:
    """Like :func:`timed`, for a repository call instead of a page."""
    call()
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {"status": 200, "p50": statistics.median(times), "p95": percentile(times, 0.95), "max": max(times),
            "cpu": statistics.median(cpu)}


def deep_page(client: TestClient, pages: int, repeat: int) -> dict:
    """Follow the list's "next" link ``pages`` times (keyset pagination), then time that page."""
    path = "/aduan"
    for _ in range(pages):
        found = re.search(r'href="(/aduan\?[^"]*)"[^>]*>\s*Berikutnya', client.get(path).text)
        if not found:
            return {"status": "no next link"}
        path = found.group(1).replace("&amp;", "&")
    return timed(client, path, repeat)


def run(backend: str, url: str, count: int, repeat: int) -> dict:
    upgrade(url)
    repo = Repository(url)
    start = time.perf_counter()
    repo.seed_synthetic_items(count, routing={c.code: c.default_opd for c in default_taxonomy().categories})
    seeded = time.perf_counter() - start
    with repo.engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT sqlite_version()" if backend == "SQLite" else "SHOW server_version").scalar()
    client = signed_in(repo)
    results = {name: timed(client, path, repeat) for name, path in PAGES.items()}
    results["list, page 20 via keyset links"] = deep_page(client, 19, repeat)
    # The dashboard's "this month" grows through the month; time a whole month's counts too.
    now = datetime.now(timezone.utc)
    results["dashboard counts for a full 31-day month (storage call only)"] = timed_call(
        lambda: repo.dashboard_counts(now - timedelta(days=31), now), repeat)
    repo.close()
    return {"backend": f"{backend} {version}", "seed_seconds": seeded, "pages": results,
            "load": ", ".join(f"{value:.1f}" for value in os.getloadavg())}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{time.strftime('%Y-%m-%d')}, {platform.system()} on {cpu}, {os.cpu_count()} cores "
            f"(load average {load} at the start); Python {platform.python_version()}, "
            f"SQLite library {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--pg", default=os.environ.get("PANTAU_BENCH_PG_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-web.md")
    args = parser.parse_args()
    started_on = machine()
    tmp = ROOT / "benchmarks" / ".bench-web.db"
    tmp.unlink(missing_ok=True)
    reports = [run("SQLite", f"sqlite:///{tmp}", args.items, args.repeat)]
    tmp.unlink(missing_ok=True)
    if not args.no_pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in args.pg else "?"
            reports.append(run("PostgreSQL", f"{args.pg}{sep}options=-csearch_path%3D{schema}", args.items, args.repeat))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
    lines = [f"# Web interface latency, {args.items:,} items", "",
             f"`benchmarks/bench_web.py`, {args.repeat} requests per page after a warm-up, in process through "
             "the whole app (session, CSRF check, queries, templates). Target: p95 ≤ 150 ms. CPU ms: what "
             "the benchmark's process spent per request (client and app; not the PostgreSQL server).", "",
             f"Measured {started_on}.", ""]
    for report in reports:
        lines += [f"## {report['backend']} (seeded in {report['seed_seconds']:.1f} s; "
                  f"load average {report['load']} at the end)", "",
                  "| page | p50 ms | p95 ms | max ms | CPU ms (p50, app process) |", "|---|---:|---:|---:|---:|"]
        for name, result in report["pages"].items():
            if result.get("status") != 200:
                lines.append(f"| {name} | – | – | {result.get('status')} | – |")
            else:
                lines.append(f"| {name} | {result['p50']:.1f} | {result['p95']:.1f} | {result['max']:.1f} "
                             f"| {result['cpu']:.1f} |")
        lines.append("")
    output = "\n".join(lines)
    print(output)
    if args.write:
        results = ROOT / "benchmarks" / "RESULTS-web.md"
        # a hand-written "## Notes" section (what the numbers mean, what still misses) is kept
        previous = results.read_text(encoding="utf-8") if results.exists() else ""
        notes = previous[previous.index(NOTES):] if NOTES in previous else ""
        results.write_text(output + ("\n" + notes if notes else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
