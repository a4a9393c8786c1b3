"""Open311 GeoReport v2: approved complaints as service requests, for other civic tools.

The output is what ``GET /requests.json`` of a GeoReport v2 endpoint returns: one JSON array of
service requests (https://wiki.open311.org/GeoReport_v2/#get-service-requests). Only items staff
approved (``approved``) or already entered into SP4N-LAPOR! (``entered``) are service requests;
the others are not settled complaints.

Mapping (documented in the README too):

- ``service_request_id``: Pantau's item id (text); ``service_code``: the category code,
  ``service_name``: its label (taxonomy.yaml).
- ``status``: ``open`` for both statuses. GeoReport has only open and closed; an item waiting to
  be entered is open, and one entered into LAPOR! is still open — the OPD's reply and LAPOR!'s
  closing happen outside Pantau, which never learns that a report was closed. ``status_notes``
  says which of the two it is (with the LAPOR! tracking number).
- ``agency_responsible``: the OPD's official name (opd_routing.yaml); ``service_notice``: what
  happens next (forwarding for an agency outside the kabupaten's authority).
- ``description``: title and text with personal data masked (unless an admin chose otherwise).
- ``requested_datetime``: when it was published (else harvested), ``updated_datetime``: the
  latest review or LAPOR! entry (else the requested time); ISO 8601 in WIB (``+07:00``).
  ``expected_datetime``: null (LAPOR!'s deadlines are counted in working days from its own dates).
- ``address``: ``Desa/Kel. X, Kecamatan Y, Kabupaten Probolinggo`` as far as known;
  ``address_id``: the Kemendagri code of that desa (``35.13.07.2008``) or kecamatan
  (``35.13.07``), looked up in the region gazetteer from the current (reviewed) names, null when
  unknown; ``zipcode``, ``lat``, ``long``: null (Pantau does not geocode).
- ``media_url``: the source article or post.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from pantau.export.lapor import WIB, LaporMapping, lapor_mapping, lokasi

if TYPE_CHECKING:
    from classify.gazetteer import Gazetteer

OPEN311_STATUSES = ("approved", "entered")

Progress = Callable[[int], None] | None


def _when(value: datetime | None) -> str | None:
    return value.astimezone(WIB).isoformat(timespec="seconds") if value else None


def service_request(record: dict[str, Any], mapping: LaporMapping | None = None,
                    gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """One GeoReport v2 service request for a prepared export record."""
    mapping = mapping or lapor_mapping()
    opd = mapping.opd(record.get("opd"))
    agency = mapping.opd_name(record.get("opd")) or None
    if record.get("status") == "entered":
        ref = record.get("lapor_ref")
        notes = f"Sudah masuk SP4N-LAPOR!{f' dengan nomor {ref}' if ref else ''}; menunggu tindak lanjut instansi."
    else:
        notes = "Disetujui petugas Diskominfo; belum dimasukkan ke SP4N-LAPOR!."
    if opd is not None and opd.outside_authority:
        notice = f"Di luar kewenangan Pemerintah Kabupaten Probolinggo; diteruskan ke {opd.forward_to}."
    elif agency:
        notice = f"Ditindaklanjuti oleh {agency} melalui SP4N-LAPOR! (lapor.go.id)."
    else:
        notice = "Instansi tujuan belum ditetapkan; Diskominfo meneruskannya melalui SP4N-LAPOR!."
    title = " ".join((record.get("title") or "").split())
    text = (record.get("text") or "").strip()
    requested = record.get("published_at") or record.get("harvested_at")
    return {
        "service_request_id": str(record["id"]),
        "status": "open",
        "status_notes": notes,
        "service_name": mapping.category_label(record.get("category")) or None,
        "service_code": record.get("category"),
        "description": f"{title}\n\n{text}".strip() if title else text,
        "agency_responsible": agency,
        "service_notice": notice,
        "requested_datetime": _when(requested),
        "updated_datetime": _when(record.get("reviewed_at") or requested),
        "expected_datetime": None,
        "address": lokasi(record),
        "address_id": region_code(record, gazetteer) if gazetteer else None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": record.get("url"),
    }


def region_code(record: dict[str, Any], gazetteer: Gazetteer) -> str | None:
    """The Kemendagri code of the record's current desa/kecamatan (the reviewer's names, not
    the model's code, which may predate a correction)."""
    if not record.get("kecamatan"):
        return None
    place = f"Kecamatan {record['kecamatan']}"
    if record.get("desa"):
        place = f"Desa {record['desa']}, {place}"
    found = gazetteer.find(place)
    return found.region_code if found.in_jurisdiction else None


def write_open311(records: Iterable[dict[str, Any]], handle: TextIO, progress: Progress = None, *,
                  region: str = "35.13") -> int:
    """Write prepared records as one JSON array of service requests; returns how many.
    ``region`` is the Kemendagri code of the kabupaten/kota (for ``address_id``)."""
    from classify.gazetteer import Gazetteer

    mapping = lapor_mapping()
    gazetteer = Gazetteer.load(region)
    count = 0
    handle.write("[")
    for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(service_request(record, mapping, gazetteer), ensure_ascii=False))
        count += 1
        if progress:
            progress(count)
    handle.write("\n]\n" if count else "]\n")
    return count
