"""The dashboard and the admin pages, through real HTTP requests on a real SQLite database:
counts and SVG charts (hostile labels escaped), the latest crawl runs, user management with its
audit trail, and the admin role enforced on every admin page and action."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from review.charts import hbar_chart, trend_chart  # noqa: E402
from tests.factories import article  # noqa: E402
from tests.webutil import make_site, sign_in, signed_in  # noqa: E402

HOSTILE = '<script>alert("x")</script>'
ADMIN_GETS = ("/admin", "/admin/pengguna", "/admin/sumber", "/admin/taksonomi", "/admin/audit")


def classification(category: str, kecamatan: str = "Kraksaan", opd: str = "pupr") -> dict:
    return {"is_complaint": True, "complaint_score": 0.9, "category": category, "kecamatan": kecamatan,
            "desa": None, "region_code": None, "in_jurisdiction": True, "opd": opd, "model_version": "t1"}


@pytest.fixture
def site(tmp_path):
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield app, repo
    repo.close()


def section(page: str, key: str) -> str:
    start = page.index(f'id="{key}"')
    return page[start:page.index("</section>", start)]


# -- charts -------------------------------------------------------------------------------

def test_charts_escape_labels_and_show_numbers():
    svg = str(hbar_chart(HOSTILE, [(HOSTILE, 1234), ("Jalan", 3)]))
    assert svg.startswith("<svg") and "<title>" in svg and "<script>" not in svg
    assert "&lt;script&gt;" in svg and ">1.234<" in svg and ">3<" in svg
    assert "style=" not in svg
    trend = str(trend_chart("Tren", [("2 Nov", 5), (HOSTILE, 0)]))
    assert "<polyline" in trend and ">5<" in trend and "<script>" not in trend
    assert "Belum ada data" in str(hbar_chart("Kosong", []))


# -- dashboard ----------------------------------------------------------------------------

def test_dashboard_counts_charts_and_runs(site):
    app, repo = site
    now = datetime.now(timezone.utc)
    repo.store_article(article(1, published_at=now, harvested_at=now, classification=classification("infrastruktur")))
    five_ago = now - timedelta(minutes=5)
    repo.store_article(article(2, published_at=five_ago, harvested_at=five_ago, classification=classification("infrastruktur")))
    repo.store_article(article(3, published_at=now, harvested_at=now, classification=classification("bansos", kecamatan=HOSTILE),
                               kind="x", url="https://kabarbromo.example/berita/3"))
    repo.store_article(article(4, published_at=now, harvested_at=now, classification=classification(HOSTILE)))
    long_ago = now - timedelta(days=45)
    old = repo.store_article(article(5, published_at=long_ago, harvested_at=long_ago,
                                     classification=classification("infrastruktur"))).item_id
    # the newest classification counts: item 2 was first filed under "kesehatan"
    second = repo.item_id_for_url("https://kabarbromo.example/berita/2")
    repo.add_classifications([(second, classification("kesehatan"))])
    repo.add_classifications([(second, classification("infrastruktur"))])
    assert old
    run = repo.start_run(["kabarbromo"], since=None)
    repo.add_error(run, "kabarbromo", "https://kabarbromo.example/x", "http", "Server menjawab 503", status=503)
    repo.finish_run(run, "partial", pages=7, new=4, duplicates=1, errors=1)

    client = signed_in(app, "viewer")
    response = client.get("/dasbor")
    assert response.status_code == 200
    page = response.text
    week = section(page, "week")
    assert "4 aduan" in week
    assert "4 aduan" in section(page, "month")  # the 45-day-old item is in neither period
    assert "<svg" in week
    assert "<tr><td>Infrastruktur" in week or "Infrastruktur" in week
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", week))
    infra = next(label for label in rows if label.lower().startswith("infrastruktur"))
    assert rows[infra] == "2"
    assert "Kesehatan" not in rows
    assert rows["X (Twitter)"] == "1" and rows["Berita"] == "3" and rows["Baru"] == "4"
    assert rows["Dinas PUPR"] == "4" and rows["Kraksaan"] == "3"
    # hostile labels are escaped, inside the SVG as in the tables
    assert HOSTILE not in page and "<script>alert" not in page
    svg = week[week.index("<svg"):week.index("</svg>")]
    assert "&lt;script&gt;alert(" in svg
    # the trend covers 8 weeks and counts the current one
    trend = section(page, "tren")
    assert trend.count("<g><title>") == 8 and "<polyline" in trend
    # the latest run, its numbers and its error
    runs = section(page, "runs")
    assert "Sebagian" in runs and "Server menjawab 503" in runs and "<td>7</td>" in runs
    assert "style=" not in page


def test_dashboard_needs_sign_in(site):
    app, _ = site
    response = TestClient(app).get("/dasbor", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# -- admin: users -------------------------------------------------------------------------

def test_admin_adds_a_user_who_can_sign_in(site):
    app, repo = site
    admin = signed_in(app, "admin")
    response = admin.post("/admin/pengguna", data={"username": "budi", "role": "reviewer", "password": "rahasia-budi",
                                                   "password2": "rahasia-budi", "csrf_token": admin.csrf})
    assert response.status_code == 200 and "Pengguna ditambahkan" in response.text
    assert "budi" in response.text
    assert sign_in(TestClient(app), "budi", "rahasia-budi").status_code == 303
    audit = admin.get("/admin/audit").text
    assert "Tambah pengguna" in audit and "user:budi" in audit
    shown = len(repo.audit_entries(500))
    assert f"{shown} entri." in audit and "200 entri terbaru" not in audit  # says how many it shows


@pytest.mark.parametrize("data, message", [
    ({"username": "x", "role": "viewer", "password": "12345678", "password2": "12345678"}, "Nama pengguna harus"),
    ({"username": "siti", "role": "root", "password": "12345678", "password2": "12345678"}, "Pilih peran"),
    ({"username": "siti", "role": "viewer", "password": "pendek", "password2": "pendek"}, "minimal 8 karakter"),
    ({"username": "siti", "role": "viewer", "password": "12345678", "password2": "87654321"}, "tidak sama"),
    ({"username": "viewer", "role": "viewer", "password": "12345678", "password2": "12345678"}, "sudah dipakai"),
])
def test_add_user_validation(site, data, message):
    app, repo = site
    admin = signed_in(app, "admin")
    response = admin.post("/admin/pengguna", data={**data, "csrf_token": admin.csrf})
    assert response.status_code == 400 and message in response.text
    assert repo.user_id("siti") is None


def test_role_change_and_deactivation_take_effect_and_are_audited(site):
    app, repo = site
    admin = signed_in(app, "admin")
    viewer = signed_in(app, "viewer")
    viewer_id = repo.user_id("viewer")
    assert viewer.get("/antrian", follow_redirects=False).status_code == 403

    response = admin.post(f"/admin/pengguna/{viewer_id}/peran", data={"role": "reviewer", "csrf_token": admin.csrf})
    assert response.status_code == 200 and "Peran diubah" in response.text
    assert repo.user(viewer_id)["role"] == "reviewer"
    assert viewer.get("/antrian", follow_redirects=False).status_code != 403

    response = admin.post(f"/admin/pengguna/{viewer_id}/aktif", data={"active": "0", "csrf_token": admin.csrf})
    assert "Pengguna dinonaktifkan" in response.text
    assert viewer.get("/dasbor", follow_redirects=False).status_code == 303  # signed out at once
    refused = sign_in(TestClient(app), "viewer")
    assert refused.status_code == 401 and "dinonaktifkan" in refused.text

    audit = admin.get("/admin/audit").text
    assert "Ubah peran" in audit and "role=Pembaca → role=Peninjau" in audit
    assert "active=ya → active=tidak" in audit and "user:viewer" in audit

    admin.post(f"/admin/pengguna/{viewer_id}/aktif", data={"active": "1", "csrf_token": admin.csrf})
    assert sign_in(TestClient(app), "viewer").status_code == 303


def test_admin_resets_a_password(site):
    app, repo = site
    admin = signed_in(app, "admin")
    viewer_id = repo.user_id("viewer")
    response = admin.post(f"/admin/pengguna/{viewer_id}/sandi",
                          data={"password": "pendek", "password2": "pendek", "csrf_token": admin.csrf})
    assert response.status_code == 400 and "minimal 8 karakter" in response.text
    response = admin.post(f"/admin/pengguna/{viewer_id}/sandi",
                          data={"password": "sandi-baru-99", "password2": "sandi-baru-99", "csrf_token": admin.csrf})
    assert "Kata sandi diganti" in response.text
    assert sign_in(TestClient(app), "viewer").status_code == 401
    assert sign_in(TestClient(app), "viewer", "sandi-baru-99").status_code == 303
    audit = admin.get("/admin/audit").text
    assert "Ganti kata sandi" in audit and "sandi-baru-99" not in audit


def test_admin_cannot_deactivate_or_demote_themself(site):
    app, repo = site
    admin = signed_in(app, "admin")
    me = repo.user_id("admin")
    response = admin.post(f"/admin/pengguna/{me}/aktif", data={"active": "0", "csrf_token": admin.csrf})
    assert response.status_code == 400 and "tidak dapat menonaktifkan akun Anda sendiri" in response.text
    response = admin.post(f"/admin/pengguna/{me}/peran", data={"role": "viewer", "csrf_token": admin.csrf})
    assert response.status_code == 400 and "tidak dapat menurunkan" in response.text
    assert repo.user(me)["active"] and repo.user(me)["role"] == "admin"
    assert admin.get("/admin").status_code == 200


def test_invalid_role_and_unknown_user(site):
    app, repo = site
    admin = signed_in(app, "admin")
    viewer_id = repo.user_id("viewer")
    response = admin.post(f"/admin/pengguna/{viewer_id}/peran", data={"role": "root", "csrf_token": admin.csrf})
    assert response.status_code == 400 and "Peran tidak dikenal" in response.text
    assert admin.post("/admin/pengguna/999/aktif", data={"active": "0", "csrf_token": admin.csrf}).status_code == 404


# -- admin: other pages -------------------------------------------------------------------

def test_admin_pages_render(site):
    app, repo = site
    repo.sync_sources([{"name": HOSTILE, "kind": "news", "url": "https://a.example/"}])
    repo.update_source_state(HOSTILE, last_success_at=datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc),
                             last_error="Waktu habis")
    admin = signed_in(app, "admin")
    index = admin.get("/admin").text
    for path in ADMIN_GETS[1:]:
        assert f'href="{path}"' in index
    sources = admin.get("/admin/sumber").text
    assert "&lt;script&gt;" in sources and HOSTILE not in sources
    assert "20 Nov 2026 09.00 WIB" in sources and "Waktu habis" in sources and "Tidak ada di berkas" in sources
    tax = admin.get("/admin/taksonomi").text
    assert "infrastruktur" in tax and "taxonomy.yaml" in tax and "opd_routing.yaml" in tax


# -- roles and CSRF -----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_admin_is_forbidden_to_other_roles(site, role):
    app, repo = site
    client = signed_in(app, role)
    for path in ADMIN_GETS:
        assert client.get(path, follow_redirects=False).status_code == 403, path
    target = repo.user_id("admin")
    posts = [("/admin/pengguna", {"username": "mallory", "role": "admin", "password": "12345678",
                                  "password2": "12345678"}),
             (f"/admin/pengguna/{target}/peran", {"role": "viewer"}),
             (f"/admin/pengguna/{target}/aktif", {"active": "0"}),
             (f"/admin/pengguna/{target}/sandi", {"password": "12345678", "password2": "12345678"})]
    for path, data in posts:
        assert client.post(path, data={**data, "csrf_token": client.csrf}, follow_redirects=False).status_code == 403
    assert repo.user_id("mallory") is None
    assert repo.user(target)["role"] == "admin" and repo.user(target)["active"]


def test_admin_post_without_csrf_is_refused(site):
    app, repo = site
    admin = signed_in(app, "admin")
    viewer_id = repo.user_id("viewer")
    response = admin.post(f"/admin/pengguna/{viewer_id}/aktif", data={"active": "0"})
    assert response.status_code == 403 and "CSRF" in response.text
    response = admin.post("/admin/pengguna", data={"username": "eve", "role": "admin", "password": "12345678",
                                                   "password2": "12345678", "csrf_token": "salah"})
    assert response.status_code == 403
    assert repo.user(viewer_id)["active"] and repo.user_id("eve") is None
