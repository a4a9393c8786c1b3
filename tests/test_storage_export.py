"""storage/export.py: the export query's current labels and its filters, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.exportutil import DINSOS, PUPR, WIB, build_site


@pytest.fixture
def export_site(db_url, tmp_path):
    site = build_site(tmp_path, db_url)
    yield site
    site.repo.close()


def test_labels_are_the_reviewers_over_the_models(export_site):
    repo, ids = export_site.repo, export_site.ids
    records = {r["id"]: r for r in repo.iter_export_records()}
    bansos = records[ids["bansos"]]
    assert (bansos["category"], bansos["opd"]) == ("bansos", "Dinas Sosial")  # model: lainnya / Diskominfo
    assert bansos["is_complaint"] is True and bansos["in_jurisdiction"] is True
    assert bansos["model_version"] == "uji-1" and bansos["complaint_score"] == pytest.approx(0.91)
    tweet = records[ids["tweet"]]  # rejected as not a complaint
    assert (tweet["is_complaint"], tweet["category"]) == (False, None)
    jalan = records[ids["jalan"]]  # approved, then entered: the entry keeps the labels
    assert (jalan["category"], jalan["opd"], jalan["status"]) == ("infrastruktur", PUPR, "entered")
    undated = records[ids["undated"]]
    assert undated["is_complaint"] is None and undated["category"] is None


@pytest.mark.parametrize("filters, expected", [
    ({"status": ["approved", "entered"]}, ["jalan", "bansos", "listrik"]),
    ({"categories": ["bansos"]}, ["bansos"]),
    ({"categories": ["lainnya"]}, []),  # the model's category, overridden by the reviewer
    ({"kecamatan": ["TIRIS", " paiton "]}, ["jalan", "hostile"]),
    ({"opds": ["dinas sosial", DINSOS.lower()]}, ["bansos"]),
    ({"opds": [PUPR]}, ["jalan"]),
    ({"sources": ["kabarbromo"], "status": "new"}, ["undated"]),
    ({"since": datetime(2026, 11, 20, tzinfo=WIB), "until": datetime(2026, 11, 22, tzinfo=WIB)}, ["jalan", "listrik"]),
])
def test_filters_run_in_the_query(export_site, filters, expected):
    repo, ids = export_site.repo, export_site.ids
    assert [r["id"] for r in repo.iter_export_records(**filters)] == sorted(ids[name] for name in expected)
    assert repo.count_export_records(**filters) == len(expected)
