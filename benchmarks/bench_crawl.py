"""Crawl throughput on a generated local news site (not a timed test: run `make bench`).

Generates a WordPress-like site of N articles (default 2,000) with a sitemap, serves it on
127.0.0.1 and measures, in articles per second:

  (i)   Scrapy fetching only: every article page, no parsing (benchmarks/fetch_spider.py);
  (ii)  trafilatura extracting the saved pages in-process, one after another;
  (iii) the full `pantau crawl`: discovery, extraction, normalise, dedupe, store in SQLite.

Politeness is off for all three (`delay: 0`, robots.txt still read by (iii)). The target is
(iii) ≥ 60% of (ii): the crawler's own work must not cost much more than extraction itself.
Results are printed and written to benchmarks/RESULTS.md with the machine and versions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fixtures.bench_site import generate_bench_site  # noqa: E402
from tests.sitesrv import FixtureSite  # noqa: E402


def article_pages(site: Path) -> list[tuple[str, str]]:
    """(path, html) of every article page of the generated site."""
    pages = []
    for path in sorted(site.rglob("index.html")):
        rel = "/" + str(path.parent.relative_to(site)).strip(".") + "/"
        if rel.count("/") >= 5:  # /YYYY/MM/DD/slug/
            pages.append((rel, path.read_text(encoding="utf-8")))
    return pages


def bench_fetch(url: str, work: Path) -> dict:
    out = work / "fetch.json"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "fetch_spider.py"), url + "/sitemap_index.xml", str(out)],
                   check=True, cwd=REPO)
    result = json.loads(out.read_text())
    result["per_second"] = result["fetched"] / result["seconds"]
    return result


def bench_trafilatura(pages: list[tuple[str, str]], base: str) -> dict:
    import trafilatura

    started = time.perf_counter()
    extracted = 0
    for rel, html in pages:
        text = trafilatura.extract(html, url=base + rel, include_comments=False, include_tables=True,
                                   include_images=False, include_links=False, favor_precision=True,
                                   deduplicate=True, output_format="txt", with_metadata=False)
        extracted += bool(text)
    seconds = time.perf_counter() - started
    return {"extracted": extracted, "seconds": seconds, "per_second": len(pages) / seconds}


def bench_pantau(url: str, work: Path, concurrency: int, classify: bool = True) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    (work / "sources.yaml").write_text(
        f"sources:\n  - name: bench\n    url: {url}/\n    delay: 0\n    concurrency: {concurrency}\n"
        f"    max_pages: 100000\n", encoding="utf-8")
    db = work / "bench.db"
    env = {**os.environ, "PANTAU_DB_URL": f"sqlite:///{db}", "PANTAU_SOURCES": str(work / "sources.yaml"),
           "PANTAU_LOG_DIR": str(work / "logs"), "PYTHONPATH": str(REPO),
           "PANTAU_SCRAPY_PANTAU_CLASSIFY": "1" if classify else "0"}
    subprocess.run([sys.executable, "-m", "pantau", "init"], env=env, cwd=work, check=True, capture_output=True)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pantau", "crawl", "--since", "2000-01-01", "--quiet"],
                         env=env, cwd=work, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"pantau crawl failed:\n{run.stderr[-3000:]}")
    from storage.repo import Repository

    repo = Repository(env["PANTAU_DB_URL"])
    stored = repo.count_items()
    latest = repo.recent_runs(1)[0]
    crawl_seconds = (latest["finished_at"] - latest["started_at"]).total_seconds()
    return {"stored": stored, "wall_seconds": wall, "run_seconds": crawl_seconds,
            "per_second": stored / crawl_seconds, "per_second_wall": stored / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pantau-bench-"))
    try:
        site = work / "site"
        generate_bench_site(site, n_articles=args.articles)
        pages = article_pages(site)
        print(f"Generated {len(pages)} article pages ({sum(len(h) for _, h in pages) / len(pages) / 1024:.1f} KB average)")
        with FixtureSite(site) as server:
            fetch = bench_fetch(server.url, work)
            print(f"(i)   Scrapy fetch only : {fetch['per_second']:.1f} articles/s ({fetch['fetched']} in {fetch['seconds']:.1f}s)")
            extract = bench_trafilatura(pages, server.url)
            print(f"(ii)  trafilatura       : {extract['per_second']:.1f} articles/s ({len(pages)} in {extract['seconds']:.1f}s)")
            full = bench_pantau(server.url, work / "harvest", args.concurrency, classify=False)
            print(f"(iii) pantau crawl      : {full['per_second']:.1f} articles/s ({full['stored']} stored in "
                  f"{full['run_seconds']:.1f}s; {full['per_second_wall']:.1f}/s including process start)")
            classified = bench_pantau(server.url, work / "classified", args.concurrency, classify=True)
            print(f"(iv)  crawl + classify  : {classified['per_second']:.1f} articles/s ({classified['stored']} stored in "
                  f"{classified['run_seconds']:.1f}s)")
        ratio = full["per_second"] / extract["per_second"]
        verdict = "meets" if ratio >= 0.6 else "MISSES"
        print(f"(iii)/(ii) = {ratio:.0%} — {verdict} the ≥ 60% target; (iv)/(ii) = "
              f"{classified['per_second'] / extract['per_second']:.0%}")
        if not args.no_write:
            write_results(args, pages, fetch, extract, full, ratio, classified)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(args, pages, fetch, extract, full, ratio, classified) -> None:
    import scrapy
    import trafilatura

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (`benchmarks/bench_crawl.py`); only the latest run is kept.",
        "",
        f"- When: {stamp}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Scrapy {scrapy.__version__}, trafilatura {trafilatura.__version__}",
        f"- Site: {len(pages)} generated article pages on 127.0.0.1, "
        f"{sum(len(h) for _, h in pages) / len(pages) / 1024:.1f} KB average, sitemap + feed + WordPress-like chrome",
        f"- Politeness off (`delay: 0`, concurrency {args.concurrency}); SQLite in WAL mode",
        "",
        "| measurement | articles/s | detail |",
        "|---|---:|---|",
        f"| (i) Scrapy fetching only | {fetch['per_second']:.1f} | {fetch['fetched']} pages in {fetch['seconds']:.1f} s |",
        f"| (ii) trafilatura on saved pages, in-process | {extract['per_second']:.1f} | {len(pages)} pages in {extract['seconds']:.1f} s |",
        f"| (iii) full `pantau crawl` (harvest: fetch, read, de-duplicate, store) | {full['per_second']:.1f} | "
        f"{full['stored']} stored in {full['run_seconds']:.1f} s ({full['per_second_wall']:.1f}/s counting process start-up) |",
        f"| (iv) `pantau crawl` with the classifier stage (the default) | {classified['per_second']:.1f} | "
        f"{classified['stored']} stored and classified in {classified['run_seconds']:.1f} s |",
        "",
        f"**(iii) / (ii) = {ratio:.0%}** (target ≥ 60%); (iv) / (ii) = "
        f"{classified['per_second'] / extract['per_second']:.0%}.",
        "",
        "(iii) is the harvest the 60% target was set for (issue 2), measured with the classifier",
        "stage switched off (`PANTAU_SCRAPY_PANTAU_CLASSIFY=0`); (iv) is the default crawl, which also",
        "classifies every article in the reading workers (about 1–2 ms of CPU per article, see",
        "`make bench-classify`). On two cores that work competes with reading pages.",
        "",
        "## What the crawl costs, and what was done about it",
        "",
        "The first full crawl reached 33% of (ii): everything ran on Scrapy's one reactor thread.",
        "Profiling (cProfile of `pantau crawl`) showed article reading (lxml + trafilatura) as the",
        "largest cost, then storing (SQLAlchemy ORM unit of work), then Scrapy's per-request Deferred",
        "chains. Changes, in order of effect:",
        "",
        "- article pages are decoded and read in a process pool (`spiders/workers.py`,",
        "  `PANTAU_EXTRACT_WORKERS`, default: one per core up to 4) while the crawler keeps fetching",
        "  and storing: 33% → 51%;",
        "- the default Twisted reactor instead of the asyncio one, synchronous dedupe (an async",
        "  pipeline step cost more than the MinHash it moved to a worker), CRC-32 shingle hashing,",
        "  a Core INSERT for new items and a cached source id, middlewares Pantau does not use",
        "  switched off, and no per-page progress signals with `--quiet`: 51% → 60–64%;",
        "- the Indonesian boilerplate boxes are pruned on the already-parsed tree (found in one",
        "  Python pass, 4x faster than the XPath), which is handed to trafilatura instead of being",
        "  parsed twice; the store's duplicate lookup and insert are statements built once: → 68–70%.",
        "",
        "On this 2-core machine the fixture server, the crawler and two extraction workers share",
        "the cores, so the ratio moves a few points between runs. The crawler process is now the",
        "busiest (Scrapy's per-request work, the store, MinHash); the workers idle part of the time.",
        "",
    ]
    (REPO / "benchmarks" / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
