"""The list view, an item's page with its SP4N-LAPOR! panel, and cases — through real HTTP
requests on a real SQLite database, as staff would use them."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from review.app import create_app  # noqa: E402
from review.security import hash_password  # noqa: E402
from storage.db import upgrade  # noqa: E402
from storage.repo import Repository  # noqa: E402
from tests.factories import article  # noqa: E402

PASSWORD = "sandi-daftar-1"
NOW = datetime.now(timezone.utc)


def label(category="infrastruktur", kecamatan="Tiris", complaint=True, in_jurisdiction=True, opd="Dinas PUPR"):
    return {"is_complaint": complaint, "complaint_score": 0.9 if complaint else 0.1, "category": category,
            "kecamatan": kecamatan, "desa": "Ranuagung" if kecamatan == "Tiris" else None, "region_code": None,
            "in_jurisdiction": in_jurisdiction, "opd": opd, "model_version": "uji"}


def listed(n: int, title: str, classification: dict, *, hours: float, kind: str = "news") -> dict:
    """An item whose text repeats its title, from the source of its kind (news or X posts)."""
    return article(n, title=title, text=f"{title}. Warga meminta pemerintah segera turun tangan, nomor {n}.",
                   classification=classification, source=f"sumber-{kind}", kind=kind,
                   url=f"https://kabar.example/{kind}/{n}", published_at=NOW - timedelta(hours=hours))


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    for role in ("viewer", "reviewer", "admin"):
        repo.add_user(role, hash_password(PASSWORD), role)
    app = create_app(repo=repo, secret="d" * 32)
    yield app, repo
    repo.close()


def client_for(app, role: str) -> TestClient:
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": role, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client


def listed_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/aduan/(\d+)">', page)]


def test_filters_narrow_the_list(site):
    app, repo = site
    road = repo.store_article(listed(1, "Jalan rusak di Tiris", label(), hours=1)).item_id
    water = repo.store_article(listed(2, "Air PDAM mati di Kraksaan", label("air_bersih", "Kraksaan", opd="PDAM"),
                                       hours=2, kind="x")).item_id
    ceremony = repo.store_article(listed(3, "Bupati meresmikan pasar", label(None, "Kraksaan", complaint=False,
                                                                              opd=None), hours=3)).item_id
    elsewhere = repo.store_article(listed(4, "Banjir di Mayangan", label("bencana", "Mayangan", in_jurisdiction=False),
                                           hours=40 * 24)).item_id
    client = client_for(app, "viewer")
    assert listed_ids(client.get("/aduan").text) == [road, water, ceremony, elsewhere]
    assert listed_ids(client.get("/aduan?kategori=air_bersih").text) == [water]
    assert listed_ids(client.get("/aduan?kecamatan=Kraksaan&aduan=ya").text) == [water]
    assert listed_ids(client.get("/aduan?kanal=x").text) == [water]
    assert listed_ids(client.get("/aduan?wilayah=tidak").text) == [elsewhere]
    assert listed_ids(client.get("/aduan?q=pdam").text) == [water]
    since = (NOW - timedelta(days=2)).astimezone(timezone(timedelta(hours=7))).strftime("%Y-%m-%d")
    assert elsewhere not in listed_ids(client.get(f"/aduan?dari={since}").text)
    assert listed_ids(client.get("/aduan?urut=lama").text)[0] == elsewhere
    assert "luar kabupaten" in client.get("/aduan?wilayah=tidak").text
    assert client.get("/aduan?dari=kemarin").status_code == 400


def test_keyset_pages_walk_every_item_once(site):
    app, repo = site
    for n in range(120):
        repo.store_article(listed(100 + n, f"Keluhan warga nomor {n}", label(), hours=n * 0.5))
    client = client_for(app, "viewer")
    seen, path, pages = [], "/aduan", 0
    while path:
        page = client.get(path).text
        seen += listed_ids(page)
        pages += 1
        found = re.search(r'href="(/aduan\?[^"]*)" rel="next"', page)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert pages == 3 and len(seen) == 120 == len(set(seen))


def test_a_hostile_title_is_escaped(site):
    app, repo = site
    item = repo.store_article(listed(5, '<script>alert(1)</script><img src=x onerror=alert(2)>', label(),
                                      hours=1)).item_id
    client = client_for(app, "viewer")
    for path in ("/aduan", f"/aduan/{item}"):
        page = client.get(path).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bulk_decisions_are_for_admins_only(site):
    app, repo = site
    ids = [repo.store_article(listed(10 + n, f"Lampu PJU mati nomor {n}", label(), hours=n + 1)).item_id
           for n in range(3)]
    reviewer = client_for(app, "reviewer")
    refused = reviewer.post("/aduan/massal", data={"action": "approve", "ids": ids[:2], "csrf_token": reviewer.csrf})
    assert refused.status_code == 403
    assert "Setujui yang dipilih" not in reviewer.get("/aduan").text
    admin = client_for(app, "admin")
    done = admin.post("/aduan/massal", data={"action": "approve", "ids": ids[:2], "csrf_token": admin.csrf},
                      follow_redirects=False)
    assert done.status_code == 303
    statuses = {i: repo.item_detail(i)["status"] for i in ids}
    assert statuses == {ids[0]: "approved", ids[1]: "approved", ids[2]: "new"}
    assert [a["by"] for a in repo.review_actions(ids[0])] == ["admin"]


def test_lapor_panel_and_tracking_number(site):
    app, repo = site
    item = repo.store_article(listed(20, "Jalan rusak di Desa Ranuagung", label(), hours=2)).item_id
    reviewer = client_for(app, "reviewer")
    assert "Draf SP4N-LAPOR!" not in reviewer.get(f"/aduan/{item}").text  # not approved yet
    early = reviewer.post(f"/aduan/{item}/lapor", data={"lapor_ref": "X1", "csrf_token": reviewer.csrf})
    assert early.status_code == 400
    repo.record_review(item, "reviewer", "approve", after={})
    page = reviewer.get(f"/aduan/{item}").text
    fields = dict(re.findall(r'<textarea id="lapor-(\w+)"[^>]*>([^<]*)</textarea>', page))
    assert fields["judul"] == "Jalan rusak di Desa Ranuagung"
    assert "Kecamatan Tiris" in fields["lokasi"] and "Kabupaten Probolinggo" in fields["lokasi"]
    assert fields["kategori"].startswith("PEKERJAAN UMUM DAN PENATAAN RUANG")
    # The label "Dinas PUPR" (short name) becomes the official name LAPOR!'s Instansi Tujuan lists.
    assert fields["instansi"] == "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo"
    assert fields["lampiran"] == "https://kabar.example/news/20"
    assert page.count('data-copy="#lapor-') == 8
    empty = reviewer.post(f"/aduan/{item}/lapor", data={"lapor_ref": " ", "csrf_token": reviewer.csrf})
    assert empty.status_code == 400 and repo.item_detail(item)["status"] == "approved"
    viewer = client_for(app, "viewer")
    assert viewer.post(f"/aduan/{item}/lapor", data={"lapor_ref": "X", "csrf_token": viewer.csrf}).status_code == 403
    done = reviewer.post(f"/aduan/{item}/lapor", data={"lapor_ref": "PBL-2611-0042", "csrf_token": reviewer.csrf},
                         follow_redirects=False)
    assert done.status_code == 303
    detail = repo.item_detail(item)
    assert detail["status"] == "entered" and detail["lapor_ref"] == "PBL-2611-0042"
    assert "PBL-2611-0042" in reviewer.get(f"/aduan/{item}").text
    exported = {row["id"]: row for row in repo.iter_export_records()}
    assert exported[item]["lapor_ref"] == "PBL-2611-0042" and exported[item]["status"] == "entered"


def test_merge_and_split_cases_are_audited(site):
    app, repo = site
    post = repo.store_article(listed(30, "Tanggul jebol di Randutatah", label("bencana", "Paiton"), hours=3, kind="x")).item_id
    news = repo.store_article(listed(31, "Tanggul sungai Randutatah jebol, sawah terendam", label("bencana", "Paiton"),
                                      hours=2)).item_id
    reviewer = client_for(app, "reviewer")
    merged = reviewer.post("/kasus/gabung", data={"ids": [post], "dengan": str(news), "csrf_token": reviewer.csrf},
                           follow_redirects=False)
    assert merged.status_code == 303
    case = repo.item_detail(post)["cluster_id"]
    assert case is not None and repo.item_detail(news)["cluster_id"] == case
    page = reviewer.get(f"/kasus/{case}").text
    assert "Tanggul jebol di Randutatah" in page and "X (Twitter)" in page and "Berita" in page
    split = reviewer.post(f"/kasus/{case}/pisah", data={"item_id": news, "csrf_token": reviewer.csrf},
                          follow_redirects=False)
    assert split.status_code == 303
    assert repo.item_detail(news)["cluster_id"] not in (None, case)
    actions = [(e["action"], e["username"]) for e in repo.audit_entries(10)]
    assert ("case_merge", "reviewer") in actions and ("case_split", "reviewer") in actions
    viewer = client_for(app, "viewer")
    assert viewer.post("/kasus/gabung", data={"ids": [post, news], "csrf_token": viewer.csrf}).status_code == 403


@pytest.mark.parametrize("stored", ["pupr", "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo"])
def test_the_opd_shows_by_short_name_in_the_table(site, stored):
    # The classifier stores the official name; older labels may hold the id.
    app, repo = site
    item = repo.store_article(listed(6, "Lampu PJU mati", label(opd=stored), hours=1)).item_id
    client = client_for(app, "viewer")
    listing = client.get("/aduan").text
    assert '<td title="Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo">Dinas PUPR</td>' in listing
    assert ">pupr<" not in listing
    assert "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo" in client.get(f"/aduan/{item}").text
