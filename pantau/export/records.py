"""The export record and its SP4N-LAPOR! form columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

FIELDS = (
    "id", "source", "source_kind", "url", "title", "text", "author", "published_at", "harvested_at",
    "is_complaint", "complaint_score", "category", "kecamatan", "desa", "region_code",
    "in_jurisdiction", "opd", "model_version", "status", "duplicate_of", "cluster_id", "lapor_ref",
    "reviewed_by", "reviewed_at",
)
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
