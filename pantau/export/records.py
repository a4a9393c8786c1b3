"""The export record and its SP4N-LAPOR! form columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.export import EXPORT_FIELDS

FIELDS = EXPORT_FIELDS  # the CONTRACT.md record, defined once where it is queried
STATUSES = ("new", "approved", "rejected", "entered", "duplicate")
LAPOR_COLUMNS = (
    "Judul Laporan", "Isi Laporan", "Tanggal Kejadian", "Lokasi Kejadian", "Kategori (LAPOR!)",
    "Instansi Tujuan", "Lampiran", "Anonim/Rahasia",
)
ISI_LIMIT = 4000  # keep the draft within what the LAPOR! form comfortably takes


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def json_record(record: dict[str, Any]) -> dict[str, Any]:
    return {key: iso(record.get(key)) for key in FIELDS}


def lapor_columns(record: dict[str, Any]) -> dict[str, str]:
    """The SP4N-LAPOR! form, filled from a record as far as the record knows."""
    published = record.get("published_at")
    place = ", ".join(p for p in (
        f"Desa {record['desa']}" if record.get("desa") else None,
        f"Kecamatan {record['kecamatan']}" if record.get("kecamatan") else None,
    ) if p)
    text = record.get("text") or ""
    if len(text) > ISI_LIMIT:
        text = text[:ISI_LIMIT].rsplit(" ", 1)[0] + " …"
    isi = f"{text}\n\nSumber: {record.get('url')}" if record.get("url") else text
    return {
        "Judul Laporan": record.get("title") or "",
        "Isi Laporan": isi,
        "Tanggal Kejadian": published.strftime("%d/%m/%Y") if isinstance(published, datetime) else "",
        "Lokasi Kejadian": place,
        "Kategori (LAPOR!)": record.get("lapor_kategori") or "",
        "Instansi Tujuan": record.get("opd") or "",
        "Lampiran": record.get("url") or "",
        "Anonim/Rahasia": "Tidak/Tidak",
    }
