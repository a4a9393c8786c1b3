"""An office of another kabupaten gets outputs that name its own region, never Probolinggo.

End to end, as that office runs Pantau: demo-style sample sites and a sample X API about places
of Kabupaten Lumajang (``tests/fixtures/region_lumajang/sites.yaml``, rendered and served on
127.0.0.1 by :mod:`pantau.demo`), a sources file with ``region: "35.08"`` (written by the demo
from the content's region) and the office's own small OPD routing file in
``PANTAU_TAXONOMY_DIR``. A real ``pantau crawl`` (Scrapy in a subprocess) harvests and
classifies; a reviewer approves two complaints in the web interface and reads the SP4N-LAPOR!
draft; ``pantau export`` writes the XLSX and Open311 files and ``pantau report`` the monthly
report. Every one of them names Kabupaten Lumajang and its agencies and none says Probolinggo.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from pantau.config import DEFAULT_REGION, ConfigError
from pantau.demo import X_TOKEN, Demo, load_content
from pantau.export.lapor import lokasi
from pantau.office import configured_office, office_for
from spiders.dates import JAKARTA
from tests.crawlutil import crawl_env, export_records, run_pantau
from tests.webutil import make_site, signed_in

pytestmark = pytest.mark.crawl
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "region_lumajang"
REGION, REGION_NAME = "35.08", "Kabupaten Lumajang"
ELSEWHERE = "Probolinggo"
PUTR = "Dinas Pekerjaan Umum dan Tata Ruang Kabupaten Lumajang"  # from the office's routing file
DLH = "Dinas Lingkungan Hidup Kabupaten Lumajang"
PLN_FORWARD = "PT PLN (Persero) ULP Lumajang; aplikasi PLN Mobile / Contact Center 123"
JALAN = "/jalan-rusak-sumberwuluh-dikeluhkan/"
LISTRIK = "/listrik-padam-argosari/"


@dataclass
class OfficeRun:
    work: Path
    env: dict
    crawl: object
    sources: dict
    records: list[dict]        # the export after the crawl, before any review
    approved: dict[str, dict]  # path -> record, after the reviewer approved it
    pages: dict[str, str]      # path -> the item page with its LAPOR! draft


def _by_path(records: list[dict], path: str) -> dict:
    [record] = [r for r in records if r["url"].endswith(path)]
    return record


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    work = tmp_path_factory.mktemp("lumajang")
    demo = Demo(work)
    demo.start_servers(load_content(FIXTURE / "sites.yaml"))
    env = crawl_env(work)
    env.update(PANTAU_TAXONOMY_DIR=str(FIXTURE / "taxonomy"), PANTAU_X_BEARER_TOKEN=X_TOKEN)
    try:
        demo.write_sources()  # the sources file: the content's region, the sample sites' URLs
        assert run_pantau("init", env=env, cwd=work).returncode == 0
        crawl = run_pantau("crawl", env=env, cwd=work)
    finally:
        demo.stop_servers()
    records = export_records(env, work)
    # The web interface of this office: its sources file and its OPD routing, as `pantau serve` reads them.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PANTAU_SOURCES", env["PANTAU_SOURCES"])
        patch.setenv("PANTAU_TAXONOMY_DIR", env["PANTAU_TAXONOMY_DIR"])
        app, _ = make_site(env["PANTAU_DB_URL"])
        client = signed_in(app, "reviewer")
        pages = {}
        for path in (JALAN, LISTRIK):
            record = _by_path(records, path)
            # the reviewer agrees with the model's labels and approves
            answer = client.post(f"/antrian/{record['id']}/keputusan", follow_redirects=False, data={
                "csrf_token": client.csrf, "action": "approve", "category": record["category"],
                "kecamatan": record["kecamatan"], "desa": record["desa"], "opd": record["opd"],
                "in_jurisdiction": "ya"})
            assert answer.status_code == 303, answer.text
            page = client.get(f"/aduan/{record['id']}")
            assert page.status_code == 200
            pages[path] = page.text
    approved = export_records(env, work)
    sources = yaml.safe_load(Path(env["PANTAU_SOURCES"]).read_text(encoding="utf-8"))
    yield OfficeRun(work, env, crawl, sources, records, {path: _by_path(approved, path) for path in (JALAN, LISTRIK)},
                    pages)


def _cells(path: Path) -> list[str]:
    workbook = load_workbook(path)
    return [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def _draft_field(page: str, key: str) -> str:
    found = re.search(rf'<textarea id="lapor-{key}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, key
    return html.unescape(found.group(1))


def test_the_crawl_classifies_for_the_configured_region(office):
    assert office.crawl.returncode == 0, office.crawl.stderr
    assert office.sources["region"] == REGION  # the demo wrote its content's region
    assert len(office.records) == 6  # four articles, two posts
    complaints = {r["url"].rsplit("/", 2)[-2] if r["source_kind"] == "news" else r["text"][:20]: r
                  for r in office.records if r["is_complaint"]}
    assert {"jalan-rusak-sumberwuluh-dikeluhkan", "listrik-padam-argosari", "sampah-menumpuk-pasar-tempeh"} \
        <= set(complaints)
    for record in complaints.values():
        assert record["in_jurisdiction"] is True and record["region_code"].startswith(REGION + "."), record
    jalan, sampah = _by_path(office.records, JALAN), _by_path(office.records, "/sampah-menumpuk-pasar-tempeh/")
    assert (jalan["kecamatan"], jalan["desa"], jalan["opd"]) == ("Candipuro", "Sumberwuluh", PUTR)
    assert (sampah["kecamatan"], sampah["opd"]) == ("Tempeh", DLH)
    assert ELSEWHERE not in json.dumps(office.records, default=str)


def test_the_lapor_draft_names_the_region_and_its_agency(office):
    jalan, listrik = office.pages[JALAN], office.pages[LISTRIK]
    assert _draft_field(jalan, "lokasi") == f"Desa/Kel. Sumberwuluh, Kecamatan Candipuro, {REGION_NAME}"
    assert _draft_field(jalan, "instansi") == PUTR
    assert f"Lokasi: Desa/Kel. Sumberwuluh, Kecamatan Candipuro, {REGION_NAME}." in _draft_field(jalan, "isi")
    assert _draft_field(listrik, "lokasi") == f"Desa/Kel. Argosari, Kecamatan Senduro, {REGION_NAME}"
    for page in (jalan, listrik):
        assert ELSEWHERE not in page


def test_the_xlsx_export_names_the_region(office):
    out = office.work / "ekspor.xlsx"
    result = run_pantau("export", "--format", "xlsx", "--out", str(out), env=office.env, cwd=office.work)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=2)]
    rows = [row for row in rows if row.get("id") is not None]
    assert len(rows) == len(office.records)
    jalan = next(row for row in rows if str(row["url"]).endswith(JALAN))
    assert jalan["Lokasi Kejadian"] == f"Desa/Kel. Sumberwuluh, Kecamatan Candipuro, {REGION_NAME}"
    assert jalan["Instansi Tujuan"] == PUTR and jalan["status"] == "approved"
    assert all(str(row["Lokasi Kejadian"]).endswith(REGION_NAME) for row in rows)
    assert not [cell for cell in _cells(out) if ELSEWHERE in cell]


def test_the_open311_export_names_the_region_and_its_government(office):
    out = office.work / "requests.json"
    result = run_pantau("export", "--format", "open311", "--out", str(out), env=office.env, cwd=office.work)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    requests = {r["media_url"].rsplit("/", 2)[-2]: r for r in json.loads(text)}
    assert set(requests) == {"jalan-rusak-sumberwuluh-dikeluhkan", "listrik-padam-argosari"}  # the approved
    jalan, listrik = requests["jalan-rusak-sumberwuluh-dikeluhkan"], requests["listrik-padam-argosari"]
    assert jalan["address"] == f"Desa/Kel. Sumberwuluh, Kecamatan Candipuro, {REGION_NAME}"
    assert jalan["address_id"] == "35.08.03.2005" and jalan["agency_responsible"] == PUTR
    assert listrik["service_notice"] == f"Di luar kewenangan Pemerintah {REGION_NAME}; diteruskan ke {PLN_FORWARD}."
    assert ELSEWHERE not in text


def test_the_monthly_report_names_the_region(office):
    jalan = office.approved[JALAN]
    month = datetime.fromisoformat(jalan["published_at"]).astimezone(JAKARTA).strftime("%Y-%m")
    out = office.work / "laporan.xlsx"
    result = run_pantau("report", "--month", month, "--out", str(out), env=office.env, cwd=office.work)
    assert result.returncode == 0, result.stderr
    cells = _cells(out)
    assert load_workbook(out).worksheets[0]["A2"].value == REGION_NAME  # the summary sheet, under its title
    assert PUTR in cells  # the OPD table: the office's agency, by its official name
    assert not [cell for cell in cells if ELSEWHERE in cell]


# --- the office, without a crawl -------------------------------------------------------------------

def test_a_kota_is_not_the_kabupaten_of_the_same_name():
    kota = office_for("35.74")
    assert (kota.region_name, kota.level, kota.government) == ("Kota Probolinggo", "kota", "Pemerintah Kota Probolinggo")
    place = lokasi({"kecamatan": "Mayangan", "desa": "Mangunharjo"}, kota)
    assert place == "Desa/Kel. Mangunharjo, Kecamatan Mayangan, Kota Probolinggo" and "Kabupaten" not in place
    assert kota.outside_authority_notice("PT PLN") == "Di luar kewenangan Pemerintah Kota Probolinggo; diteruskan ke PT PLN."


def test_the_office_comes_from_the_sources_file(tmp_path):
    assert configured_office(tmp_path / "none.yaml") == office_for(DEFAULT_REGION)  # no file: the default office
    path = tmp_path / "sources.yaml"
    # a mistake in a source entry does not change which office the file is for
    path.write_text('region: "35.08"\noffice: Dinas Kominfo\nsources:\n  - name: a\n    urll: x\n', encoding="utf-8")
    assert (configured_office(path).region_name, configured_office(path).name) == (REGION_NAME, "Dinas Kominfo")
    path.write_text('region: "35.99"\nsources: []\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        configured_office(path)
    assert error.value.key == "region" and "35.99" in str(error.value) and str(path) in str(error.value)


def test_the_web_of_a_kota_office_says_kota(tmp_path, monkeypatch):
    sources = tmp_path / "sources.yaml"
    sources.write_text('region: "35.74"\nsources: []\n', encoding="utf-8")
    monkeypatch.setenv("PANTAU_SOURCES", str(sources))
    app, _ = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    page = signed_in(app, "viewer").get("/aduan").text
    assert ">Dalam kota</option>" in page and ">Luar kota</option>" in page and "kabupaten" not in page.lower()
