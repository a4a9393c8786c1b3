"""The SP4N-LAPOR! draft of an approved item: the form's fields, filled from the record.

Judul, Isi (kronologis: what happened, where, when, and where it was reported), Tanggal Kejadian,
Lokasi, Kategori (the LAPOR! category mapped from Pantau's category in classify/data/taxonomy.yaml),
Instansi Tujuan (the OPD), Lampiran (the source URL) and the Anonim/Rahasia choice. Staff copy each
field into the LAPOR! form; nothing is sent anywhere automatically.
"""

from __future__ import annotations

from typing import Any

from review.web import SOURCE_KIND_LABELS, category_label, tanggal, tanggal_panjang, taxonomy

REGION_NAME = "Kabupaten Probolinggo"
TITLE_LIMIT = 150


def lapor_draft(item: dict[str, Any]) -> dict[str, str]:
    labels = item["labels"]
    happened = item["published_at"] or item["harvested_at"]
    place = ", ".join(part for part in (f"Desa/Kel. {labels['desa']}" if labels.get("desa") else None,
                                        f"Kecamatan {labels['kecamatan']}" if labels.get("kecamatan") else None,
                                        REGION_NAME) if part)
    category = labels.get("category")
    kategori = ""
    if category:
        try:
            entry = taxonomy().category(category)
            kategori = entry.lapor_kategori + (f" › {entry.lapor_subkategori}" if entry.lapor_subkategori else "")
        except (KeyError, ValueError):
            kategori = category_label(category)
    title = " ".join((item["title"] or "").split())
    if len(title) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT - 1].rstrip() + "…"
    channel = SOURCE_KIND_LABELS.get(item["source_kind"], item["source_kind"])
    isi = (f"{' '.join(item['text'].split())}\n\n"
           f"Lokasi: {place}.\n"
           f"Waktu: {tanggal(happened)}.\n"
           f"Sumber: {item['source']} ({channel}), {tanggal(item['published_at'])}: {item['url']}")
    return {
        "judul": title,
        "isi": isi,
        "tanggal": tanggal_panjang(happened),
        "lokasi": place,
        "kategori": kategori,
        "instansi": labels.get("opd") or "",
        "lampiran": item["url"],
        "anonim": "Rahasia" if item["source_kind"] in ("import", "social", "x") else "Anonim",
    }
