"""The SP4N-LAPOR! form of an item, filled from its record — one definition for the web's draft
panel (``review/lapor.py``) and for every export.

Judul, Isi (kronologis: what happened, where, when, and where it was reported), Tanggal Kejadian,
Lokasi Kejadian, Kategori (and subkategori) mapped from Pantau's category through
``taxonomy.yaml``, Instansi Tujuan (the OPD's official name from ``opd_routing.yaml``, through
the OPD that takes its reports when it has no LAPOR! account of its own), Lampiran (the source
URL) and the Anonim/Rahasia choice. The item's current labels decide: a reviewer's category or
OPD wins over the model's (the record already carries them, see ``storage/export.py``).
Nothing is sent anywhere; staff copy each field into the national form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from classify.taxonomy import Opd, Taxonomy, default_taxonomy
from pantau.office import Office, current_office
from spiders.dates import JAKARTA as WIB

TITLE_LIMIT = 150
ISI_LIMIT = 4000  # the text part of Isi; the full article stays one click away in Lampiran
from spiders.dates import BULAN_PANJANG, BULAN_PENDEK as BULAN  # noqa: E402,I001
from spiders.items import SOURCE_KIND_LABELS as CHANNELS  # noqa: E402,I001
# A private person's post is filed Rahasia (their identity stays with the admin); a news story is
# public already, so Anonim is enough.
PRIVATE_KINDS = ("import", "social", "x")


@dataclass(frozen=True)
class LaporForm:
    judul: str
    isi: str
    tanggal: datetime | None      # when it happened (published, else harvested), in WIB
    lokasi: str
    kategori: str                 # the LAPOR! main category, "" when the item has no category
    subkategori: str              # "" when the taxonomy names none
    instansi: str                 # the OPD's official name ("" when none)
    lampiran: str
    anonim: str                   # "Anonim" or "Rahasia"

    @property
    def kategori_lengkap(self) -> str:
        """``KATEGORI › SUBKATEGORI`` as the LAPOR! form's two pickers read."""
        return self.kategori + (f" › {self.subkategori}" if self.subkategori else "")


def tanggal(value: datetime | None) -> str:
    """``20 Nov 2026 09.15 WIB`` whatever the stored offset; ``–`` for none."""
    if value is None:
        return "–"
    local = value.astimezone(WIB)
    return f"{local.day} {BULAN[local.month - 1]} {local.year} {local:%H.%M} WIB"


def tanggal_panjang(value: datetime | None) -> str:
    """``20 November 2026`` (WIB); ``–`` for none."""
    if value is None:
        return "–"
    local = value.astimezone(WIB)
    return f"{local.day} {BULAN_PANJANG[local.month - 1]} {local.year}"


class LaporMapping:
    """Pantau category → LAPOR! kategori and stored OPD label → official OPD, from one taxonomy
    (its lookups: :meth:`Taxonomy.receiving_opd`, :meth:`Taxonomy.opd_spellings`)."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.categories = {c.code: c for c in taxonomy.categories}

    def opd(self, label: str | None) -> Opd | None:
        """The agency that takes reports for this OPD label, or ``None`` (unknown or empty)."""
        return self.taxonomy.receiving_opd(label)

    def opd_name(self, label: str | None) -> str:
        """The official name for an OPD label; an unknown label as written."""
        opd = self.opd(label)
        return opd.name if opd else " ".join((label or "").split())

    def spellings(self, opd: Opd) -> list[str]:
        """Every label that :meth:`opd` maps to this agency (for filtering stored labels)."""
        return self.taxonomy.opd_spellings(opd.id)

    def lapor_kategori(self, code: str | None) -> tuple[str, str]:
        category = self.categories.get(code) if code else None
        if category is None:
            return "", ""
        return category.lapor_kategori, category.lapor_subkategori or ""

    def category_label(self, code: str | None) -> str:
        category = self.categories.get(code) if code else None
        return category.label if category else (code or "")


_cached: tuple[Taxonomy, LaporMapping] | None = None


def lapor_mapping() -> LaporMapping:
    """The mapping of the taxonomy in use, rebuilt when an admin's edit changes it."""
    global _cached
    taxonomy = default_taxonomy()
    if _cached is None or _cached[0] is not taxonomy:
        _cached = (taxonomy, LaporMapping(taxonomy))
    return _cached[1]


def lokasi(record: dict[str, Any], office: Office | None = None) -> str:
    """``Desa/Kel. X, Kecamatan Y, <the office's kabupaten/kota>`` as far as known."""
    return ", ".join(part for part in (
        f"Desa/Kel. {record['desa']}" if record.get("desa") else None,
        f"Kecamatan {record['kecamatan']}" if record.get("kecamatan") else None,
        (office or current_office()).region_name) if part)


def lapor_form(record: dict[str, Any], mapping: LaporMapping | None = None,
               office: Office | None = None) -> LaporForm:
    """The form for an export record (or any dict with its keys: title, text, url, source,
    source_kind, published_at, harvested_at, category, kecamatan, desa, opd); the place is in
    ``office``'s region (default: :func:`~pantau.office.current_office`)."""
    mapping = mapping or lapor_mapping()
    happened = record.get("published_at") or record.get("harvested_at")
    place = lokasi(record, office)
    title = " ".join((record.get("title") or "").split())
    if len(title) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT - 1].rstrip() + "…"
    text = " ".join((record.get("text") or "").split())
    if len(text) > ISI_LIMIT:
        text = text[:ISI_LIMIT].rsplit(" ", 1)[0] + " …"
    kind = record.get("source_kind")
    channel = CHANNELS.get(kind, kind or "–")
    isi = (f"{text}\n\n"
           f"Lokasi: {place}.\n"
           f"Waktu: {tanggal(happened)}.\n"
           f"Sumber: {record.get('source') or '–'} ({channel}), {tanggal(record.get('published_at'))}: "
           f"{record.get('url') or '–'}")
    kategori, subkategori = mapping.lapor_kategori(record.get("category"))
    return LaporForm(
        judul=title,
        isi=isi,
        tanggal=happened.astimezone(WIB) if happened else None,
        lokasi=place,
        kategori=kategori,
        subkategori=subkategori,
        instansi=mapping.opd_name(record.get("opd")),
        lampiran=record.get("url") or "",
        anonim="Rahasia" if kind in PRIVATE_KINDS else "Anonim",
    )
