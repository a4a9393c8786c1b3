"""Writers for JSON Lines and CSV (XLSX: :mod:`pantau.export.xlsx`, Open311: :mod:`pantau.export.open311`).

Every writer takes records already prepared (:func:`pantau.export.records.prepared`: personal
data masked unless an admin chose otherwise) and returns how many it wrote.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TextIO

from pantau.export.lapor import lapor_mapping
from pantau.export.records import FIELDS, SHEET_COLUMNS, iso, json_record, lapor_columns
from pantau.export.safety import safe_cell

__all__ = ["safe_cell", "write_csv", "write_jsonl"]

Progress = Callable[[int], None] | None


def write_jsonl(records: Iterable[dict[str, Any]], handle: TextIO, progress: Progress = None) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(json_record(record), ensure_ascii=False) + "\n")
        count += 1
        if progress:
            progress(count)
    return count


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(iso(value))


def write_csv(records: Iterable[dict[str, Any]], handle: TextIO, progress: Progress = None) -> int:
    """CSV for Excel: the record, the SP4N-LAPOR! form columns, then the extra columns (open the
    handle with ``utf-8-sig`` so Excel reads the BOM as UTF-8)."""
    writer = csv.writer(handle, dialect="excel")
    writer.writerow(SHEET_COLUMNS)
    mapping = lapor_mapping()
    count = 0
    for record in records:
        form = lapor_columns(record, mapping)
        happened = form["Tanggal Kejadian"]
        form["Tanggal Kejadian"] = happened.strftime("%d/%m/%Y") if isinstance(happened, datetime) else ""
        row = {**{key: record.get(key) for key in FIELDS}, **form}
        writer.writerow([_csv_value(row[column]) for column in SHEET_COLUMNS])
        count += 1
        if progress:
            progress(count)
    return count
