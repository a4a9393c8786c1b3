"""One export run: the filtered records, prepared (masked), written in the chosen format.

The CLI checks the options (:mod:`pantau.export.options`) and prints; this module writes, and
gives the export's notes and the audit entry of an unmasked export. A file is written through a temporary file next to it and renamed into place, so a
failed export never leaves half a file where the last good one was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from pantau.export.records import TRIAGE_LABELS, prepared
from classify.files import write_atomically
from spiders.dates import JAKARTA

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


def export_notes(description: str, triage: dict[str, int], admin: dict[str, Any] | None,
                 now: datetime | None = None) -> list[tuple[str, str]]:
    """The notes an XLSX export carries on its first sheet: when, which filters, whether personal
    data is masked, and the review queue's counts (``repo.export_triage_counts``)."""
    now = now or datetime.now(JAKARTA)
    return [("Dibuat", now.astimezone(JAKARTA).strftime("%d/%m/%Y %H:%M WIB")), ("Filter", description),
            ("Data pribadi", "disamarkan (NIK, No. KK, telepon, e-mail)" if admin is None
             else f"TIDAK disamarkan (diekspor oleh admin {admin['username']})"),
            *((label, str(triage[key])) for key, label in TRIAGE_LABELS)]


def audit_unmasked(repo, admin: dict[str, Any], *, format: str, described: dict[str, Any], count: int, total: int,
                   out: str | Path | None) -> None:
    """Record who took personal data out, what and how much (also after a failed run)."""
    repo.audit("export_unmasked", user_id=admin["id"], username=admin["username"], target=f"export:{format}",
               after={"format": format, "filters": described, "count": count,
                      "out": str(out) if out else "stdout", "complete": count == total})
