"""One export run: the filtered records, prepared (masked), written in the chosen format.

The CLI checks the options (:mod:`pantau.export.options`), prints and audits; this module only
writes. A file is written through a temporary file next to it and renamed into place, so a
failed export never leaves half a file where the last good one was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from pantau.export.records import prepared
from classify.files import write_atomically

Progress = Callable[[int], None] | None


def write_records(records: Iterable[dict[str, Any]], format: str, *, out: str | Path | None = None,
                  stream: TextIO | None = None, mask: bool = True, per_opd: bool = False,
                  notes: Iterable[tuple[str, str]] = (), progress: Progress = None) -> int:
    """Write export records (from ``repo.iter_export_records``) to ``out``, or to ``stream`` for
    the text formats; returns how many were written."""
    records = prepared(records, mask=mask)
    if format == "xlsx":
        from pantau.export.xlsx import write_xlsx

        if out is None:
            raise ValueError("an XLSX export needs a file")
        return write_atomically(out, lambda path: write_xlsx(records, path, per_opd=per_opd, notes=notes,
                                                             progress=progress))
    writer = _text_writer(format)
    if out is None:
        return writer(records, stream, progress)
    encoding = "utf-8-sig" if format == "csv" else "utf-8"  # the BOM tells Excel the CSV is UTF-8

    def write(path: Path) -> int:
        with open(path, "w", encoding=encoding, newline="") as handle:
            return writer(records, handle, progress)

    return write_atomically(out, write)


def _text_writer(format: str):
    from pantau.export.writers import write_csv, write_jsonl

    if format == "open311":
        from pantau.export.open311 import write_open311

        return write_open311
    return {"jsonl": write_jsonl, "csv": write_csv}[format]
