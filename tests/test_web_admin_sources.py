"""The admin's sources page: switch a source off and on and add a news site by its address,
through real HTTP requests. The change lands in the sources file the crawler reads, in the
database at once, and in the audit trail; only admins may do it, and bad input changes nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from pantau.config import load_sources
from tests.webutil import make_site, signed_in

SOURCES = '''\
region: "35.13"
sources:
  # Portal berita kabupaten.
  - name: kabarbromo
    url: https://kabarbromo.example/
    every: 30m
'''


@pytest.fixture
def site(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    monkeypatch.setenv("PANTAU_SOURCES", str(path))
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield app, repo, path
    repo.close()


def row_of(page: str, name: str) -> str:
    start = page.index(f"<td>{name}</td>")
    return page[start:page.index("</tr>", start)]


def test_admin_switches_a_source_off_and_on(site):
    app, repo, path = site
    for n in range(3):
        text = f"Warga mengeluhkan jalan rusak nomor {n} yang belum diperbaiki."
        repo.store_article({"source": "kabarbromo", "source_kind": "news", "url": f"https://kabarbromo.example/{n}",
                            "title": f"Jalan rusak {n}", "text": text, "published_at": None,
                            "harvested_at": datetime.now(timezone.utc),
                            "content_hash": hashlib.sha256(text.encode()).hexdigest(), "classification": None})
    admin = signed_in(app, "admin")
    page = admin.get("/admin/sumber").text
    assert "kabarbromo.example" in page and ">Matikan<" in row_of(page, "kabarbromo")
    assert "<td>3</td>" in row_of(page, "kabarbromo")  # its stored items

    done = admin.post("/admin/sumber/kabarbromo/aktif", data={"enabled": "0", "csrf_token": admin.csrf})
    assert done.status_code == 200 and "Sumber dimatikan" in done.text
    assert ">Aktifkan<" in row_of(done.text, "kabarbromo")
    assert load_sources(path).select() == []
    assert "# Portal berita kabupaten." in path.read_text(encoding="utf-8")
    assert [s["enabled"] for s in repo.sources_overview() if s["name"] == "kabarbromo"] == [False]
    entry = repo.audit_entries(1)[0]
    assert (entry["action"], entry["username"], entry["target"]) == ("source_enabled", "admin", "source:kabarbromo")
    assert (entry["before"], entry["after"]) == ({"enabled": True}, {"enabled": False})

    admin.post("/admin/sumber/kabarbromo/aktif", data={"enabled": "1", "csrf_token": admin.csrf})
    assert [s.name for s in load_sources(path).select()] == ["kabarbromo"]
    assert len(repo.audit_entries(10, action="source_enabled")) == 2


def test_admin_adds_a_site_by_address(site):
    app, repo, path = site
    admin = signed_in(app, "admin")
    done = admin.post("/admin/sumber", data={"url": "https://beritaprobolinggo.example/", "every": "3h",
                                             "csrf_token": admin.csrf})
    assert done.status_code == 200 and "Situs ditambahkan" in done.text
    assert "beritaprobolinggo.example" in row_of(done.text, "beritaprobolinggo")
    added = load_sources(path).get("beritaprobolinggo")
    assert added.url == "https://beritaprobolinggo.example/" and added.every.total_seconds() == 3 * 3600
    assert "# Ditambahkan lewat web oleh admin" in path.read_text(encoding="utf-8")
    entry = repo.audit_entries(1, action="source_add")[0]
    assert entry["after"]["url"] == "https://beritaprobolinggo.example/" and entry["username"] == "admin"
    assert "Tambah sumber" in admin.get("/admin/audit").text


@pytest.mark.parametrize("form, message", [
    ({"url": "https://www.kabarbromo.example/berita"}, "sudah dipantau sebagai sumber “kabarbromo”"),
    ({"url": "javascript:alert(1)"}, "bukan alamat situs web"),
    ({"url": "https://lain.example/", "name": "<script>"}, "Nama sumber"),
    ({"url": "https://lain.example/", "every": "1s"}, "Pilih interval"),
])
def test_bad_additions_are_refused_with_the_form_kept(site, form, message):
    app, repo, path = site
    admin = signed_in(app, "admin")
    refused = admin.post("/admin/sumber", data={**form, "csrf_token": admin.csrf})
    assert refused.status_code == 400 and message in refused.text
    assert "<script>" not in refused.text.split("<main", 1)[-1]
    assert path.read_text(encoding="utf-8") == SOURCES
    assert repo.audit_entries(10, action="source_add") == []


def test_only_admins_change_sources_and_csrf_is_required(site):
    app, repo, path = site
    for role in ("viewer", "reviewer"):
        client = signed_in(app, role)
        assert client.get("/admin/sumber").status_code == 403
        refused = client.post("/admin/sumber/kabarbromo/aktif", data={"enabled": "0", "csrf_token": client.csrf})
        assert refused.status_code == 403
        refused = client.post("/admin/sumber", data={"url": "https://lain.example/", "csrf_token": client.csrf})
        assert refused.status_code == 403
    admin = signed_in(app, "admin")
    assert admin.post("/admin/sumber/kabarbromo/aktif", data={"enabled": "0"}).status_code == 403
    assert path.read_text(encoding="utf-8") == SOURCES
    assert repo.audit_entries(10, action="source_enabled") == []


def test_a_broken_sources_file_is_reported_not_overwritten(site):
    app, repo, path = site
    broken = SOURCES + "    colour: blue\n"
    path.write_text(broken, encoding="utf-8")
    admin = signed_in(app, "admin")
    page = admin.get("/admin/sumber")
    assert page.status_code == 200 and "Berkas sumber tidak dapat dibaca" in page.text and "colour" in page.text
    refused = admin.post("/admin/sumber", data={"url": "https://lain.example/", "csrf_token": admin.csrf})
    assert refused.status_code == 400 and "perbaiki dulu" in refused.text
    assert path.read_text(encoding="utf-8") == broken


def test_password_reset_ends_the_users_sessions_but_not_the_admins_own(site):
    app, repo, _ = site
    reviewer = signed_in(app, "reviewer")
    assert reviewer.get("/antrian", follow_redirects=False).status_code == 200
    admin = signed_in(app, "admin")
    target = repo.user_id("reviewer")
    done = admin.post(f"/admin/pengguna/{target}/sandi", data={"password": "sandi-baru-123", "password2": "sandi-baru-123",
                                                               "csrf_token": admin.csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert reviewer.get("/antrian", follow_redirects=False).headers["location"].startswith("/login")
    own = repo.user_id("admin")
    admin.post(f"/admin/pengguna/{own}/sandi", data={"password": "sandi-admin-456", "password2": "sandi-admin-456",
                                                    "csrf_token": admin.csrf})
    assert admin.get("/admin/pengguna", follow_redirects=False).status_code == 200
