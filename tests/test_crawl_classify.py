"""The crawl's classification stage fills the stored fields, with evidence, and never loses an
article when the model is broken."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file

pytestmark = pytest.mark.crawl
SINCE = "2026-10-01"


def _crawl(site, work, **env_extra):
    write_sources_file(work / "sources.yaml", [{"name": "kabarbromo", "url": site.url + "/", "delay": 0}])
    env = {**crawl_env(work, workers=2), **env_extra}  # the model runs in the page-reader processes
    result = run_pantau("crawl", "--since", SINCE, "--quiet", env=env, cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    return env, result


@pytest.fixture(scope="module")
def classified(wpsite, tmp_path_factory):
    work = tmp_path_factory.mktemp("classified")
    env, result = _crawl(wpsite, work)
    records = {r["title"]: r for r in export_records(env, work)}
    return work, result, records


def test_complaints_are_tagged_with_category_place_and_opd(classified):
    _, _, records = classified
    road = records["Jalan Rusak di Tiris Dikeluhkan Warga, Dua Tahun Tak Kunjung Diperbaiki"]
    assert road["is_complaint"] is True and road["complaint_score"] > 0.5
    assert road["category"] == "infrastruktur"
    assert road["kecamatan"] == "Tiris" and road["in_jurisdiction"] is True
    assert "PUPR" in road["opd"] or "Pekerjaan Umum" in road["opd"]
    assert road["model_version"].startswith("svm-")
    water = records["Air PDAM Mati Tiga Hari, Warga Kraksaan Terpaksa Beli Air Jeriken"]
    assert water["is_complaint"] is True and water["kecamatan"] == "Kraksaan"


def test_ceremonies_achievements_and_finished_repairs_are_not_complaints(classified):
    _, _, records = classified
    for title in ("Bupati Probolinggo Resmikan Mal Pelayanan Publik di Kraksaan",
                  "Pelajar SMPN 1 Pajarakan Raih Medali Perak Olimpiade Sains Nasional",
                  "Dinas PUPR Rampungkan Perbaikan Jalan Penghubung di Kecamatan Gading"):
        assert records[title]["is_complaint"] is False, title
        assert records[title]["category"] is None


def test_every_stored_article_is_classified_and_the_summary_counts_complaints(classified):
    work, result, records = classified
    assert all(r["model_version"] for r in records.values())
    complaints = sum(r["is_complaint"] is True for r in records.values())
    assert 0 < complaints < len(records)
    assert "complaints" in result.stdout
    env = {**crawl_env(work)}
    [run] = json.loads(run_pantau("runs", "--json", env=env, cwd=work).stdout)
    [source] = run["sources"]
    assert (run["status"], source["status"], source["new"]) == ("ok", "ok", len(records))


def test_evidence_points_at_the_place_names_in_the_article(classified):
    work, _, records = classified
    with sqlite3.connect(work / "pantau.db") as db:
        rows = db.execute("SELECT i.title, i.text, c.evidence FROM classifications c "
                          "JOIN items i ON i.id = c.item_id").fetchall()
    assert len(rows) == len(records)
    checked = 0
    for title, text, evidence in rows:
        evidence = json.loads(evidence)
        basis = f"{title}\n\n{text}"
        for place in evidence["places"]:
            assert basis[place["start"]:place["end"]] == place["text"]
            checked += 1
        if title.startswith("Jalan Rusak di Tiris"):
            assert any(p["name"] == "Tiris" for p in evidence["places"])
            assert evidence["complaint_cues"] and evidence["category_cues"]
    assert checked >= len(rows)


def test_a_broken_model_loses_no_article(wpsite, tmp_path):
    models = tmp_path / "models"
    (models / "svm-broken").mkdir(parents=True)
    (models / "svm-broken" / "config.cfg").write_text("this is not a spaCy config", encoding="utf-8")
    (models / "ACTIVE").write_text("svm-broken\n", encoding="utf-8")
    env, result = _crawl(wpsite, tmp_path, PANTAU_MODELS_DIR=str(models))
    records = export_records(env, tmp_path)
    assert len(records) == len(wpsite.expected["sources"]["kabarbromo"]["articles"])
    assert all(r["is_complaint"] is None and r["model_version"] in (None, "") for r in records)
    log = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("*.log"))
    assert "classifier is unavailable" in log and "pantau reclassify" in log
    # once the model works again, `pantau reclassify` labels what the crawl stored unclassified
    env["PANTAU_MODELS_DIR"] = str(tmp_path / "fixed")
    fixed = run_pantau("reclassify", "--quiet", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert f"Classified {len(records)} item(s)" in fixed.stdout
    again = export_records(env, tmp_path)
    assert all(r["model_version"].startswith("svm-") for r in again)
    assert any(r["is_complaint"] for r in again) and not all(r["is_complaint"] for r in again)
    assert "Classified 0 item(s)" in run_pantau("reclassify", "--quiet", env=env, cwd=tmp_path).stdout
    everything = run_pantau("reclassify", "--all", "--quiet", env=env, cwd=tmp_path)
    assert f"Classified {len(records)} item(s)" in everything.stdout
    assert len(export_records(env, tmp_path)) == len(records)  # new verdicts, no new items
