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
  happens next (forwarding for an agency outside the authority of the office's government,
  named from its region: "Di luar kewenangan Pemerintah Kabupaten X").
- ``description``: title and text with personal data masked (unless an admin chose otherwise).
- ``requested_datetime``: when it was published (else harvested), ``updated_datetime``: the
  latest review or LAPOR! entry (else the requested time); ISO 8601 in WIB (``+07:00``).
  ``expected_datetime``: null (LAPOR!'s deadlines are counted in working days from its own dates).
- ``address``: ``Desa/Kel. X, Kecamatan Y, <the office's kabupaten/kota>`` as far as known;
  ``address_id``: the Kemendagri code of that desa (``<region>.07.2008``) or kecamatan
  (``<region>.07``), looked up in the region gazetteer from the current (reviewed) names, null
  when unknown; ``zipcode``, ``lat``, ``long``: null (Pantau does not geocode).
- ``media_url``: the source article or post.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from pantau.export.lapor import WIB, LaporMapping, lapor_mapping, lokasi
from pantau.office import Office, current_office

if TYPE_CHECKING:
    from classify.gazetteer import Gazetteer

OPEN311_STATUSES = ("approved", "entered")

Progress = Callable[[int], None] | None


def _when(value: datetime | None) -> str | None:
    return value.astimezone(WIB).isoformat(timespec="seconds") if value else None


def service_request(record: dict[str, Any], mapping: LaporMapping | None = None,
                    gazetteer: Gazetteer | None = None, office: Office | None = None) -> dict[str, Any]:
    """One GeoReport v2 service request for a prepared export record, for ``office`` (default:
    :func:`~pantau.office.current_office`)."""
    mapping = mapping or lapor_mapping()
    office = office or current_office()
    opd = mapping.opd(record.get("opd"))
    agency = mapping.opd_name(record.get("opd")) or None
    if record.get("status") == "entered":
        ref = record.get("lapor_ref")
        notes = f"Sudah masuk SP4N-LAPOR!{f' dengan nomor {ref}' if ref else ''}; menunggu tindak lanjut instansi."
    else:
        notes = f"Disetujui petugas {office.name}; belum dimasukkan ke SP4N-LAPOR!."
    if opd is not None and opd.outside_authority:
        notice = office.outside_authority_notice(opd.forward_to)
    elif agency:
        notice = f"Ditindaklanjuti oleh {agency} melalui SP4N-LAPOR! (lapor.go.id)."
    else:
        notice = f"Instansi tujuan belum ditetapkan; {office.name} meneruskannya melalui SP4N-LAPOR!."
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
        "address": lokasi(record, office),
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
                  office: Office | None = None) -> int:
    """Write prepared records as one JSON array of service requests; returns how many.
    ``office`` (default: :func:`~pantau.office.current_office`) names the region in addresses
    and notices, and its gazetteer gives ``address_id``."""
    from classify.gazetteer import Gazetteer

    office = office or current_office()
    mapping = lapor_mapping()
    gazetteer = Gazetteer.load(office.region)
    count = 0
    handle.write("[")
    for record in records:
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(service_request(record, mapping, gazetteer, office), ensure_ascii=False))
        count += 1
        if progress:
            progress(count)
    handle.write("\n]\n" if count else "]\n")
    return count
