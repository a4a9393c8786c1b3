"""``pantau export --format open311``: approved complaints as an Open311 GeoReport v2
``GET /requests.json`` response, read back with the json module."""

from __future__ import annotations

import json

from tests.exportutil import DINSOS, PUPR, run_export, site  # noqa: F401

GEOREPORT_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


def test_open311_lists_approved_and_entered_items_as_service_requests(site, tmp_path):
    out = tmp_path / "requests.json"
    result = run_export(site, "--format", "open311", "--out", str(out))
    assert result.returncode == 0, result.stderr
    requests = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(requests, list)
    ids = site.ids
    assert [r["service_request_id"] for r in requests] == [str(ids["jalan"]), str(ids["bansos"]), str(ids["listrik"])]
    assert all(set(r) == GEOREPORT_KEYS for r in requests)
    jalan, bansos, listrik = requests

    assert jalan["status"] == "open" and "PBL-2611-0042" in jalan["status_notes"]
    assert (jalan["service_code"], jalan["service_name"]) == ("infrastruktur", "Infrastruktur (jalan, jembatan, drainase, PJU)")
    assert jalan["agency_responsible"] == PUPR and PUPR in jalan["service_notice"]
    assert jalan["description"].startswith("Jalan rusak di Desa Ranuagung, Tiris\n\nWarga Desa Ranuagung")
    assert "[NIK]" in jalan["description"] and "3513014107890002" not in jalan["description"]
    assert jalan["requested_datetime"] == "2026-11-20T08:15:00+07:00"  # 09:15 WITA, given in WIB
    assert jalan["updated_datetime"].endswith("+07:00") and jalan["updated_datetime"] > jalan["requested_datetime"]
    assert jalan["address"] == "Desa/Kel. Ranuagung, Kecamatan Tiris, Kabupaten Probolinggo"
    assert jalan["address_id"] == "35.13.07.2008"
    assert jalan["media_url"] == "https://kabar.example/news/jalan"
    assert (jalan["expected_datetime"], jalan["zipcode"], jalan["lat"], jalan["long"]) == (None, None, None, None)

    # approved, not yet entered; the reviewer's category and OPD
    assert bansos["status"] == "open" and "belum dimasukkan" in bansos["status_notes"]
    assert (bansos["service_code"], bansos["agency_responsible"]) == ("bansos", DINSOS)
    assert bansos["address"] == "Kecamatan Kraksaan, Kabupaten Probolinggo" and bansos["address_id"] == "35.13.14"
    assert bansos["requested_datetime"] == "2026-11-12T23:30:00+07:00"

    # an agency outside the kabupaten's authority: the notice says where it is forwarded
    assert listrik["agency_responsible"] == "PT PLN (Persero)"
    assert "Di luar kewenangan" in listrik["service_notice"] and "PLN" in listrik["service_notice"]


def test_open311_status_filter_and_standard_output(site):
    result = run_export(site, "--format", "open311", "--status", "approved")
    assert result.returncode == 0, result.stderr
    requests = json.loads(result.stdout)
    assert [r["service_request_id"] for r in requests] == [str(site.ids["bansos"]), str(site.ids["listrik"])]

    refused = run_export(site, "--format", "open311", "--status", "approved,rejected")
    assert refused.returncode == 2 and "rejected" in refused.stderr and refused.stdout == ""

    empty = run_export(site, "--format", "open311", "--category", "pendidikan")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
