"""The SP4N-LAPOR! draft of an approved item, as the item page's copy panel shows it.

The form itself — Judul, Isi (kronologis), Tanggal Kejadian, Lokasi, Kategori (mapped from
Pantau's category in taxonomy.yaml), Instansi Tujuan (the OPD's official name), Lampiran and the
Anonim/Rahasia choice — is built by :func:`pantau.export.lapor.lapor_form`, the same function the
exports use, so the panel and a spreadsheet never disagree. Staff copy each field into the LAPOR!
form; nothing is sent anywhere automatically.
"""

from __future__ import annotations

from typing import Any

from pantau.export.lapor import TITLE_LIMIT, lapor_form, tanggal_panjang

__all__ = ["TITLE_LIMIT", "lapor_draft"]


def lapor_draft(item: dict[str, Any]) -> dict[str, str]:
    """The panel's fields for an item from ``repo.item_detail`` (labels nested under ``labels``)."""
    form = lapor_form({**item, **item["labels"]})
    return {
        "judul": form.judul,
        "isi": form.isi,
        "tanggal": tanggal_panjang(form.tanggal),
        "lokasi": form.lokasi,
        "kategori": form.kategori_lengkap,
        "instansi": form.instansi,
        "lampiran": form.lampiran,
        "anonim": form.anonim,
    }
