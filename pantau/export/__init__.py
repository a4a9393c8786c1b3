"""Exports of stored items: JSON Lines for scripts, CSV for Excel (see CONTRACT.md).

Every format carries the same record; CSV adds the SP4N-LAPOR! form columns so a reviewer can
copy a draft straight into the national form. Harvested text is hostile: CSV cells that a
spreadsheet would run as a formula are defused.
"""

from pantau.export.records import FIELDS, STATUSES
from pantau.export.writers import write_csv, write_jsonl

EXPORTERS = {"jsonl": write_jsonl, "csv": write_csv}

__all__ = ["EXPORTERS", "FIELDS", "STATUSES", "write_csv", "write_jsonl"]
