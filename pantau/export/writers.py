"""Writers for JSON Lines and CSV."""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, TextIO

from pantau.export.records import FIELDS, LAPOR_COLUMNS, iso, json_record, lapor_columns

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Defuse spreadsheet formulas in harvested text (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_jsonl(records: Iterable[dict[str, Any]], handle: TextIO) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(json_record(record), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], handle: TextIO) -> int:
    writer = csv.writer(handle, dialect="excel")
    writer.writerow(FIELDS + LAPOR_COLUMNS)
    count = 0
    for record in records:
        values = [iso(record.get(key)) for key in FIELDS]
        values = ["" if v is None else ("true" if v is True else "false" if v is False else v) for v in values]
        form = lapor_columns(record)
        writer.writerow([safe_cell(v) for v in values] + [safe_cell(form[c]) for c in LAPOR_COLUMNS])
        count += 1
    return count
