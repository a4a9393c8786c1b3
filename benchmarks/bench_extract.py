"""The page reader on real news pages, beside plain trafilatura (``make bench-extract``).

Runs the two shared runners from this checkout, with this Python, and summarises their per-page
JSON into ``benchmarks/RESULTS-extract.md`` (the "Now" block; the "Before" section and the prose
around it are kept):

* ``../shared/peerpages/run_peer_extract.py``: the ScrapingHub article-extraction benchmark (181
  pages) and the fundus parser test pages (258 pages of 181 publishers). Summarised with the
  runner's own ``summarise`` (the benchmark's body metric, title and date rules), so the numbers
  here are the runner's numbers.
* ``../shared/realpages/indonesian/run_realnews.py``: 36 real articles of 13 Indonesian outlets, run
  with a fixed ``--now`` so relative dates ("2 jam lalu") read the same on every run.

The pages are not ours: they are read from ``../shared/`` (``--shared DIR``) at run time and never
copied into the repository; only aggregate numbers are written. The folder missing → a clear
message and exit code 0. Speed is the runners' time inside each extractor call, one process; on a
machine shared with other work, compare the two extractors of the same run, not runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import resultfile  # noqa: E402  (one home for writing the RESULTS files)

RESULTS = Path(__file__).resolve().parent / "RESULTS-extract.md"
HEADING = "# Reading real news pages: Pantau beside plain trafilatura\n"
PEER = Path("peerpages") / "run_peer_extract.py"
INDONESIAN = Path("realpages") / "indonesian" / "run_realnews.py"
NOW = "2026-12-08T00:00:00+00:00"  # anchors relative dates of the Indonesian pages
PEER_PAGES = 439


# -- running the shared runners ---------------------------------------------------------------------

def run_runner(script: Path, out: Path, *extra: str) -> None:
    """Run one runner from the checkout with this interpreter; its per-page JSON goes to ``out``."""
    done = subprocess.run([sys.executable, str(script), "--json", str(out), *extra], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.exists():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"{script.name} failed (exit {done.returncode}):\n{tail}")


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peer_summary(script: Path, rows: list[dict]) -> dict[str, dict[str, dict]]:
    """{suite: {extractor: metrics}} with the runner's own ``summarise``; suites + "overall"."""
    runner = load_module(script, "run_peer_extract")
    groups = {suite: [r for r in rows if r["suite"] == suite] for suite in ("scrapinghub", "fundus")}
    groups["overall"] = rows
    return {suite: {ex: runner.summarise(rs, ex) for ex in ("pantau", "pantau*", "trafilatura")}
            for suite, rs in groups.items() if rs}


def indonesian_summary(result: dict) -> dict[str, dict[str, int]]:
    """Counts per extractor of the runner's checks, as its own table shows them."""
    articles = result["articles"]
    out = {}
    for who in ("pantau", "trafilatura"):
        rs = [a[who] for a in articles]
        counts = {key: sum(bool(r.get(key)) for r in rs) for key in ("kept", "title", "date", "start", "end")}
        counts["day"] = sum(bool(r["day"] if who == "pantau" else r["date"]) for r in rs)
        counts["no_leak"] = sum(not r["leak"] for r in rs)
        counts["all"] = sum(r["kept"] and r["title"] and r["date"] and r["start"] and r["end"] and not r["leak"]
                            for r in rs)
        counts["n"] = len(rs)
        out[who] = counts
    return out


def measure(peer_script: Path, indo_script: Path, keep: Path | None) -> tuple[dict | None, dict | None]:
    """Run the runners that exist; (peer summary, Indonesian summary), None for a missing one."""
    peer = indo = None
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if peer_script.exists():
            print("peer suites (439 pages, about a minute)…", file=sys.stderr, flush=True)
            run_runner(peer_script, work / "peer.json")
            peer = peer_summary(peer_script, json.loads((work / "peer.json").read_text(encoding="utf-8")))
        if indo_script.exists():
            print("Indonesian articles (36 pages)…", file=sys.stderr, flush=True)
            run_runner(indo_script, work / "indonesian.json", "--now", NOW)
            indo = indonesian_summary(json.loads((work / "indonesian.json").read_text(encoding="utf-8")))
    return peer, indo


# -- rendering ----------------------------------------------------------------------------------------

def pair(value: tuple[int, int]) -> str:
    n, d = value
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a"


def peer_table(summary: dict[str, dict[str, dict]]) -> str:
    lines = [("| suite | reader | body F1 | P | R | title | title~ | date (rule) | date (day) | crashes "
              "| not article | lost | pages/s |"),
             "|---|---|---:|---:|---:|---|---|---|---|---:|---:|---|---:|"]
    for suite, by in summary.items():
        titled = by["pantau"]["title"][1] > 0
        for ex, m in by.items():
            own = ex == "pantau"
            cells = [suite if own else "", f"**{ex}**" if ex == "pantau*" else ex,
                     f"{m['f1']:.3f}", f"{m['precision']:.3f}", f"{m['recall']:.3f}",
                     *(pair(m[k]) if titled else "—" for k in ("title", "title_loose", "date_rule", "date_day")),
                     str(m["crash"]) if own else "", str(m["not_article"]) if own else "",
                     f"{m['lost'][0]}/{m['lost'][1]} ({m['lost'][0] / m['lost'][1]:.1%})" if ex == "pantau*" else "",
                     "" if ex == "pantau*" else f"{m['pages_s']:.1f}"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def indonesian_table(summary: dict[str, dict[str, int]]) -> str:
    p, t = summary["pantau"], summary["trafilatura"]
    n = p["n"]
    rows = [("kept (not dropped)", "kept", "kept"), ("title right", "title", "title"),
            ("date: same instant ±60 s", "date", None), ("date: same WIB day", "day", "day"),
            ("body starts right (lead kept)", "start", "start"), ("body ends right", "end", "end"),
            ("no boilerplate leaked", "no_leak", "no_leak"), ("**all checks right**", "all", "all")]
    lines = ["| check (36 articles, 13 outlets) | Pantau | trafilatura |", "|---|---:|---:|"]
    for label, pk, tk in rows:
        lines.append(f"| {label} | {p[pk]}/{n} | {f'{t[tk]}/{n}' if tk else 'n/a (day only)'} |")
    lines.append(f"| lead lost (start check failed) | {n - p['start']} | {n - t['start']} |")
    lines.append(f"| wrong instant (date check failed) | {n - p['date']} | — |")
    lines.append(f"| dropped (not an article) | {n - p['kept']} | {n - t['kept']} (no text) |")
    return "\n".join(lines)


# What "no worse than before" compares with: the numbers at the start of issue 15 (see Before).
BEFORE = {"fundus_title": 204, "fundus_title_loose": 209, "fundus_date_rule": 239, "fundus_date_day": 245,
          "id_title": 28, "id_date": 23, "id_day": 28}


def targets(peer: dict | None, indo: dict | None) -> str:
    """The targets of issue 15, point 7, with this run's value and whether it holds."""
    rows = []

    def add(target: str, now: str, ok: bool | None) -> None:
        rows.append(f"| {target} | {now} | {'yes' if ok else 'no' if ok is not None else '—'} |")

    if peer:
        overall = peer["overall"]
        p, kept, traf = overall["pantau"], overall["pantau*"], overall["trafilatura"]
        lost = kept["lost"][0]
        add("0 crashes in `read_article` (439 peer pages)", str(p["crash"]), p["crash"] == 0)
        add(f"≤ 1% of the {PEER_PAGES} peer pages lost", f"{lost}/{kept['lost'][1]} ({lost / kept['lost'][1]:.1%})",
            lost <= PEER_PAGES // 100)
        for suite in ("scrapinghub", "fundus"):
            if suite in peer:
                mine, theirs = peer[suite]["pantau*"]["f1"], peer[suite]["trafilatura"]["f1"]
                add(f"{suite}: body F1 of what the crawler keeps (pantau*) above trafilatura",
                    f"{mine:.3f} vs {theirs:.3f}", mine > theirs)
        if "fundus" in peer:
            f = peer["fundus"]["pantau"]
            for key, label in (("title", "titles"), ("title_loose", "titles~"),
                               ("date_rule", "dates (rule)"), ("date_day", "dates (day)")):
                before = BEFORE[f"fundus_{key}"]
                add(f"fundus {label} no worse than before ({before}/258)", f"{f[key][0]}/{f[key][1]}",
                    f[key][0] >= before)
        ratio = p["pages_s"] / traf["pages_s"] if traf["pages_s"] else 0
        add("speed ≥ 60% of trafilatura's pages/s (same run, 439 pages)",
            f"{p['pages_s']:.1f} vs {traf['pages_s']:.1f} = {ratio:.0%}", ratio >= 0.6)
    if indo:
        s = indo["pantau"]
        n = s["n"]
        add(f"Indonesian: ≥ 30/{n} all checks right", f"{s['all']}/{n}", s["all"] >= 30)
        add("Indonesian: lead lost on ≤ 2", str(n - s["start"]), n - s["start"] <= 2)
        add("Indonesian: wrong instant on ≤ 2", str(n - s["date"]), n - s["date"] <= 2)
        add("Indonesian: none dropped", str(n - s["kept"]), s["kept"] == n)
        for key, label in (("title", "titles"), ("date", "dates (instant)"), ("day", "dates (WIB day)")):
            before = BEFORE[f"id_{key}"]
            add(f"Indonesian {label} no worse than before ({before}/{n})", f"{s[key]}/{n}", s[key] >= before)
    held = sum(r.endswith("| yes |") for r in rows)
    head = ["| target (issue 15, point 7) | now | holds |", "|---|---|---|"]
    return "\n".join(head + rows) + f"\n\n{held} of {len(rows)} targets hold."


def machine() -> str:
    import lxml.etree
    import trafilatura

    def git(*argv: str) -> str:
        return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--", "spiders", "pipelines")
    head = (commit or "unknown") + (" + uncommitted changes in spiders/ or pipelines/" if dirty else "")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"- Machine: {platform.machine()}, {os.cpu_count()} cores (load average {load} at the start), "
            f"Python {platform.python_version()}, trafilatura {trafilatura.__version__}, "
            f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}\n- Code: {head}")


def render(peer: dict | None, indo: dict | None, notes: list[str]) -> str:
    parts = ["## Now", "", machine(), ""]
    parts += [f"{note}\n" for note in notes]
    if peer:
        parts += ["### Peer suites (`run_peer_extract.py`)", "", peer_table(peer), ""]
    if indo:
        parts += [f"### Indonesian articles (`run_realnews.py --now {NOW}`)", "", indonesian_table(indo), ""]
    parts += ["### Targets", "", targets(peer, indo)]
    return "\n".join(parts)


# -- main ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the folder holding peerpages/ and realpages/ (default: ../shared)")
    parser.add_argument("--no-write", action="store_true", help=f"print only, do not update {RESULTS.name}")
    parser.add_argument("--keep", type=Path, help="also keep the runners' per-page JSON in this folder")
    args = parser.parse_args()

    peer_script, indo_script = args.shared / PEER, args.shared / INDONESIAN
    notes = [f"{script} is missing: that suite is not measured." for script in (peer_script, indo_script)
             if not script.exists()]
    if len(notes) == 2:
        print(f"{args.shared} holds neither runner ({PEER}, {INDONESIAN}): nothing to measure, "
              f"{RESULTS.name} is left as it is.")
        return 0
    try:
        peer, indo = measure(peer_script, indo_script, args.keep)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    text = render(peer, indo, notes)
    print(text)
    if not args.no_write:
        resultfile.write_section(RESULTS, text, "now", "make bench-extract", heading=HEADING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
