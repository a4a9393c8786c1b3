"""Exports of stored items: JSON Lines for scripts, CSV and XLSX for Excel, Open311 GeoReport v2
for other civic tools (see CONTRACT.md and the README).

Every format carries the same record; CSV and XLSX add the SP4N-LAPOR! form columns built by
:func:`pantau.export.lapor.lapor_form` (the web's draft panel uses the same function). Harvested
text is hostile and personal: personal data is masked before anything is written, and text that
a spreadsheet would run as a formula is defused (:mod:`pantau.export.safety`).
"""

from pantau.export.options import FORMATS
from pantau.export.records import FIELDS, LAPOR_COLUMNS, SHEET_COLUMNS, STATUSES, prepared
from pantau.export.writers import write_csv, write_jsonl

TEXT_EXPORTERS = {"jsonl": write_jsonl, "csv": write_csv}
EXPORTERS = TEXT_EXPORTERS  # kept for callers of the JSON Lines/CSV writers by name

__all__ = ["EXPORTERS", "FIELDS", "FORMATS", "LAPOR_COLUMNS", "SHEET_COLUMNS", "STATUSES", "TEXT_EXPORTERS",
           "prepared", "write_csv", "write_jsonl"]
