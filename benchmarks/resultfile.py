"""Writing benchmark results into the ``benchmarks/RESULTS-*.md`` files.

A results file keeps hand-written parts (what is measured, earlier numbers) and blocks a benchmark
regenerates on every run, between ``<!-- name:start -->`` and ``<!-- name:end -->``; only the block
is replaced, so several benchmarks can share one file and the prose around them stays.
"""

from __future__ import annotations

import time
from pathlib import Path


def write_section(path: Path, text: str, name: str, command: str | None = None,
                  heading: str = "# Benchmark results\n") -> None:
    """Replace the block ``name`` of ``path`` with ``text`` under a "Measured <date> by <command>"
    line (the block is appended when missing; the file starts with ``heading`` when new)."""
    marker_start, marker_end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    command = command or f"make {name.replace('_', '-')}"
    block = f"{marker_start}\nMeasured {time.strftime('%Y-%m-%d')} by `{command}`.\n\n{text}\n{marker_end}"
    old = path.read_text(encoding="utf-8") if path.exists() else heading
    if marker_start in old:
        head, rest = old.split(marker_start, 1)
        tail = rest.split(marker_end, 1)[1] if marker_end in rest else ""
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text(old.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")
