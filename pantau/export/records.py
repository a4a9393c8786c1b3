"""The export record, its SP4N-LAPOR! form columns, and the stream every writer reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pantau.export.lapor import LaporForm, LaporMapping, lapor_form, lapor_mapping
from pantau.export.safety import mask_record
from storage.export import ADDED_FIELDS, CONTRACT_FIELDS, EXPORT_FIELDS

# The record (JSON Lines): the CONTRACT.md fields, then the fields added since (needs_check),
# defined once where it is queried.
FIELDS = EXPORT_FIELDS
STATUSES = ("new", "approved", "rejected", "entered", "duplicate")
LAPOR_COLUMNS = (
    "Judul Laporan", "Isi Laporan", "Tanggal Kejadian", "Lokasi Kejadian", "Kategori (LAPOR!)",
    "Instansi Tujuan", "Lampiran", "Anonim/Rahasia",
)
# Added after the CONTRACT.md columns and the form's, in the order they came, so scripts reading
# the CSV by position keep working.
EXTRA_COLUMNS = ("Subkategori (LAPOR!)", *ADDED_FIELDS)
SHEET_COLUMNS = CONTRACT_FIELDS + LAPOR_COLUMNS + EXTRA_COLUMNS
# The export's summary of the undecided items (repo.export_triage_counts), in Indonesian.
TRIAGE_LABELS = (
    ("complaints_waiting", "Aduan menunggu tinjauan"),
    ("needs_check_waiting", "Perlu dicek (model ragu), menunggu tinjauan"),
    ("auto_rejected", "Ditolak otomatis oleh model (bukan aduan, belum pernah ditinjau)"),
)


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def json_record(record: dict[str, Any]) -> dict[str, Any]:
    return {key: iso(record.get(key)) for key in FIELDS}


def form_values(form: LaporForm) -> dict[str, Any]:
    """The form as spreadsheet columns; ``Tanggal Kejadian`` stays a datetime (WIB) for the
    writer to format (text in CSV, a real date in XLSX)."""
    return {
        "Judul Laporan": form.judul,
        "Isi Laporan": form.isi,
        "Tanggal Kejadian": form.tanggal,
        "Lokasi Kejadian": form.lokasi,
        "Kategori (LAPOR!)": form.kategori,
        "Instansi Tujuan": form.instansi,
        "Lampiran": form.lampiran,
        "Anonim/Rahasia": form.anonim,
        "Subkategori (LAPOR!)": form.subkategori,
    }


def lapor_columns(record: dict[str, Any], mapping: LaporMapping | None = None) -> dict[str, Any]:
    return form_values(lapor_form(record, mapping))


def prepared(records: Iterable[dict[str, Any]], *, mask: bool = True) -> Iterator[dict[str, Any]]:
    """The records as they leave Pantau: personal data masked unless ``mask`` is false (an
    admin's explicit choice, audited by the CLI)."""
    for record in records:
        yield mask_record(record) if mask else record


__all__ = ["CONTRACT_FIELDS", "EXTRA_COLUMNS", "FIELDS", "LAPOR_COLUMNS", "SHEET_COLUMNS", "STATUSES",
           "TRIAGE_LABELS", "form_values", "iso", "json_record", "lapor_columns", "lapor_mapping", "prepared"]
