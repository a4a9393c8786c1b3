"""The admin's taxonomy and OPD routing page, through real HTTP requests: an admin changes a
category's SP4N-LAPOR! kategori and default OPD, adds an OPD, edits a rule's cues; the change
lands in PANTAU_TAXONOMY_DIR (comments kept), in the audit trail with the values before and after,
and in every page at once. Bad input changes nothing; only admins may do it. The shipped files in
classify/data are checked to be untouched after every test."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

import pytest

from classify.taxonomy import DATA_DIR, ROUTING_FILE, TAXONOMY_FILE, default_taxonomy
from tests.webutil import make_site, signed_in

TEXT = "Lampu taman di alun-alun desa mati sejak sepekan, warga mengeluh gelap."


def shipped_digest() -> dict[str, str]:
    return {name: hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() for name in (TAXONOMY_FILE, ROUTING_FILE)}


@pytest.fixture
def site(tmp_path, monkeypatch):
    shipped = shipped_digest()
    folder = tmp_path / "taksonomi"
    monkeypatch.setenv("PANTAU_TAXONOMY_DIR", str(folder))
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield app, repo, folder
    repo.close()
    assert shipped_digest() == shipped, "a test changed the shipped taxonomy files"


def form_of(page: str, action: str) -> dict[str, str]:
    """The values a browser would send from the form posting to ``action``."""
    start = page.index(f'action="{action}"')
    form = page[start:page.index("</form>", start)]
    values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    values.update(re.findall(r'<input name="(\w+)"[^>]*value="([^"]*)"', form))
    values.update(re.findall(r'<textarea name="(\w+)"[^>]*>([^<]*)</textarea>', form))
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        values[name] = chosen.group(1) if chosen else ""
    if re.search(r'name="confirmed" value="1"\s+checked', form):
        values["confirmed"] = "1"
    return {name: unescape(value) for name, value in values.items()}


def unescape(value: str) -> str:
    return (value.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


def row(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</tr>", start)]


def test_admin_changes_a_categorys_lapor_kategori_and_default_opd(site):
    app, repo, folder = site
    admin = signed_in(app, "admin")
    page = admin.get("/admin/taksonomi/kategori/kesehatan")
    assert page.status_code == 200
    form = form_of(page.text, "/admin/taksonomi/kategori/kesehatan")
    assert form["lapor_kategori"] == "KESEHATAN" and form["default_opd"] == "dinkes"
    assert 'hx-get="/admin/taksonomi/subkategori"' in page.text
    options = admin.get("/admin/taksonomi/subkategori", params={"lapor_kategori": "SOSIAL DAN KESEJAHTERAAN"})
    assert '<option value="BANTUAN SOSIAL">' in options.text and "PELAYANAN KESEHATAN" not in options.text

    form.update(lapor_kategori="SOSIAL DAN KESEJAHTERAAN", lapor_subkategori="BANTUAN SOSIAL", default_opd="dinsos")
    done = admin.post("/admin/taksonomi/kategori/kesehatan", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/admin/taksonomi?ok=kategori")
    overview = admin.get(done.headers["location"]).text
    assert "Kategori disimpan." in overview
    shown = row(overview, "kategori-kesehatan")
    assert "SOSIAL DAN KESEJAHTERAAN › BANTUAN SOSIAL" in shown and "Dinas Sosial Kabupaten Probolinggo" in shown

    text = (folder / TAXONOMY_FILE).read_text(encoding="utf-8")
    assert "    lapor_kategori: SOSIAL DAN KESEJAHTERAAN\n    lapor_subkategori: BANTUAN SOSIAL\n" \
           "    default_opd: dinsos\n" in text
    shipped = (DATA_DIR / TAXONOMY_FILE).read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == \
           [line for line in shipped.splitlines() if line.lstrip().startswith("#")]
    assert not (folder / ROUTING_FILE).exists()

    entry = repo.audit_entries(1)[0]
    assert (entry["action"], entry["username"], entry["target"]) == ("taxonomy_category", "admin", "kategori:kesehatan")
    assert entry["before"] == {"lapor_kategori": "KESEHATAN", "lapor_subkategori": "PELAYANAN KESEHATAN",
                               "default_opd": "dinkes"}
    assert entry["after"] == {"lapor_kategori": "SOSIAL DAN KESEJAHTERAAN", "lapor_subkategori": "BANTUAN SOSIAL",
                              "default_opd": "dinsos"}
    audit = admin.get("/admin/audit").text
    assert "Ubah kategori" in audit and "default_opd=dinkes" in audit and "default_opd=dinsos" in audit


def test_the_lapor_panel_uses_the_new_kategori_at_once(site):
    app, repo, _ = site
    now = datetime.now(timezone.utc)
    text = "Puskesmas menolak pasien BPJS, warga kecewa."
    item = repo.store_article({
        "source": "kabar", "source_kind": "news", "url": "https://kabar.example/1", "title": "Pasien ditolak",
        "text": text, "published_at": now, "harvested_at": now,
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
        "classification": {"is_complaint": True, "complaint_score": 0.9, "category": "kesehatan",
                           "kecamatan": "Kraksaan", "desa": None, "region_code": None, "in_jurisdiction": True,
                           "opd": "Dinas Kesehatan", "model_version": "uji"}}).item_id
    repo.record_review(item, "reviewer", "approve", after={})
    admin = signed_in(app, "admin")

    def panel_kategori() -> str:
        page = admin.get(f"/aduan/{item}").text
        return re.search(r'<textarea id="lapor-kategori"[^>]*>([^<]*)</textarea>', page).group(1)

    assert panel_kategori() == "KESEHATAN › PELAYANAN KESEHATAN"
    form = form_of(admin.get("/admin/taksonomi/kategori/kesehatan").text, "/admin/taksonomi/kategori/kesehatan")
    form.update(lapor_kategori="KETENAGAKERJAAN", lapor_subkategori="")
    assert admin.post("/admin/taksonomi/kategori/kesehatan", data=form, follow_redirects=False).status_code == 303
    assert panel_kategori() == "KETENAGAKERJAAN"


def test_a_subkategori_not_under_the_kategori_is_refused_and_nothing_changes(site):
    app, repo, folder = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi/kategori/bansos").text, "/admin/taksonomi/kategori/bansos")
    form.update(lapor_kategori="KESEHATAN", lapor_subkategori="BANTUAN SOSIAL")
    refused = admin.post("/admin/taksonomi/kategori/bansos", data=form)
    assert refused.status_code == 400
    assert "Perubahan tidak disimpan" in refused.text and "categories.bansos.lapor_subkategori" in refused.text
    assert "unknown subkategori of &#39;KESEHATAN&#39;" in refused.text
    assert "BANTUAN SOSIAL (bukan subkategori dari kategori ini)" in refused.text   # the form keeps the input
    assert not folder.exists() or not any(folder.iterdir())
    assert default_taxonomy().category("bansos").lapor_kategori == "SOSIAL DAN KESEJAHTERAAN"
    assert [e["action"] for e in repo.audit_entries(5)] == ["login"]


def test_hostile_values_are_escaped_and_stay_text(site):
    app, _, folder = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi/kategori/lainnya").text, "/admin/taksonomi/kategori/lainnya")
    hostile = '<script>alert("x")</script>\ndefault_opd: bpbd'
    form.update(label=hostile, description="x: y # z")
    assert admin.post("/admin/taksonomi/kategori/lainnya", data=form, follow_redirects=False).status_code == 303
    category = default_taxonomy().category("lainnya")
    assert category.label == '<script>alert("x")</script> default_opd: bpbd' and category.default_opd == "diskominfo"
    assert category.description == "x: y # z"
    page = admin.get("/admin/taksonomi").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    too_long = admin.post("/admin/taksonomi/kategori/lainnya", data={**form_of(
        admin.get("/admin/taksonomi/kategori/lainnya").text, "/admin/taksonomi/kategori/lainnya"), "label": "x" * 500})
    assert too_long.status_code == 400 and "paling banyak 120 karakter" in too_long.text


def test_adding_an_opd_then_choosing_it_as_default_opd(site):
    app, repo, folder = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi").text, "/admin/taksonomi/opd")
    form.update(id="dinas_perikanan", name="Dinas Perikanan Kabupaten Probolinggo", short="Diskan")
    form.pop("confirmed")   # "name checked" left unticked
    done = admin.post("/admin/taksonomi/opd", data=form, follow_redirects=False)
    assert done.status_code == 303 and "ok=opd_baru" in done.headers["location"]
    shown = row(admin.get("/admin/taksonomi").text, "opd-dinas_perikanan")
    assert "Dinas Perikanan Kabupaten Probolinggo" in shown and "Nama resmi perlu dicek" in shown
    entry = repo.audit_entries(1)[0]
    assert (entry["action"], entry["target"], entry["before"]) == ("taxonomy_opd_add", "opd:dinas_perikanan", None)
    assert entry["after"] == {"name": "Dinas Perikanan Kabupaten Probolinggo", "short": "Diskan", "confirmed": False}

    again = admin.post("/admin/taksonomi/opd", data={**form_of(admin.get("/admin/taksonomi").text,
                                                               "/admin/taksonomi/opd"),
                                                      "id": "dinas_perikanan", "name": "X", "short": "X"})
    assert again.status_code == 400 and "sudah dipakai" in again.text
    blank = form_of(admin.get("/admin/taksonomi").text, "/admin/taksonomi/opd")
    bad = admin.post("/admin/taksonomi/opd", data={**blank, "id": "Dinas-Baru", "name": "X", "short": "X"})
    assert bad.status_code == 400 and "ID OPD" in bad.text and 'value="Dinas-Baru"' in bad.text

    page = admin.get("/admin/taksonomi/kategori/pertanian").text
    assert '<option value="dinas_perikanan"' in page
    form = form_of(page, "/admin/taksonomi/kategori/pertanian")
    form["default_opd"] = "dinas_perikanan"
    assert admin.post("/admin/taksonomi/kategori/pertanian", data=form, follow_redirects=False).status_code == 303
    assert default_taxonomy().category("pertanian").default_opd == "dinas_perikanan"
    assert default_taxonomy().route_opd("pertanian", "Warga mengeluh.").opd_id == "dinas_perikanan"
    assert "Dinas Perikanan Kabupaten Probolinggo" in row(admin.get("/admin/taksonomi").text, "kategori-pertanian")


def test_editing_an_opd_audits_only_the_changed_fields(site):
    app, repo, folder = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi/opd/dishub").text, "/admin/taksonomi/opd/dishub")
    assert "confirmed" not in form
    form.update(confirmed="1", short="Dinas Perhubungan")
    assert admin.post("/admin/taksonomi/opd/dishub", data=form, follow_redirects=False).status_code == 303
    entry = repo.audit_entries(1)[0]
    assert (entry["action"], entry["target"]) == ("taxonomy_opd", "opd:dishub")
    assert (entry["before"], entry["after"]) == ({"short": "Dishub", "confirmed": False},
                                                 {"short": "Dinas Perhubungan", "confirmed": True})
    same = admin.post("/admin/taksonomi/opd/dishub", data=form_of(admin.get("/admin/taksonomi/opd/dishub").text,
                                                                  "/admin/taksonomi/opd/dishub"),
                      follow_redirects=False)
    assert same.headers["location"].startswith("/admin/taksonomi?ok=sama")
    assert repo.audit_entries(1)[0]["id"] == entry["id"]   # nothing changed, nothing audited


def test_editing_a_rules_cues_changes_the_suggested_opd(site):
    app, repo, folder = site
    tax = default_taxonomy()
    rule = next(r for r in tax.rules if "pju" in r.cues)
    before = tax.route_opd("infrastruktur", TEXT)
    assert before.opd_id != rule.opd
    admin = signed_in(app, "admin")
    action = f"/admin/taksonomi/aturan/{rule.number}"
    form = form_of(admin.get(action).text, action)
    assert form["cues"].splitlines() == list(rule.cues) and form["opd"] == rule.opd
    form["cues"] += "\nlampu taman, Lampu Hias"
    done = admin.post(action, data=form, follow_redirects=False)
    assert done.status_code == 303 and "ok=aturan" in done.headers["location"]
    after = default_taxonomy().route_opd("infrastruktur", TEXT)
    assert (after.opd_id, after.cue) == (rule.opd, "lampu taman")
    entry = repo.audit_entries(1)[0]
    assert (entry["action"], entry["target"]) == ("taxonomy_rule", f"aturan:{rule.number}")
    assert entry["before"] == {"cues": list(rule.cues)}
    assert entry["after"] == {"cues": [*rule.cues, "lampu taman", "lampu hias"]}
    assert "lampu taman, lampu hias" in row(admin.get("/admin/taksonomi").text, f"aturan-{rule.number}")
    audit = admin.get("/admin/audit").text
    assert "Ubah aturan penerusan OPD" in audit and "cues=pju, lampu pju" in audit
    assert "lampu taman, lampu hias" in audit

    empty = admin.post(action, data={**form_of(admin.get(action).text, action), "cues": " , "})
    assert empty.status_code == 400 and "paling sedikit satu kata kunci" in empty.text


def test_a_stale_form_is_refused(site):
    app, _, _ = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi/opd/pupr").text, "/admin/taksonomi/opd/pupr")
    other = form_of(admin.get("/admin/taksonomi/opd/dlh").text, "/admin/taksonomi/opd/dlh")
    assert admin.post("/admin/taksonomi/opd/dlh", data={**other, "short": "DLH Kab."},
                      follow_redirects=False).status_code == 303
    stale = admin.post("/admin/taksonomi/opd/pupr", data={**form, "short": "PUPR"})
    assert stale.status_code == 400 and "Muat ulang halaman" in stale.text
    assert default_taxonomy().opd("pupr").short == "Dinas PUPR"


def test_an_unwritable_folder_is_explained(tmp_path, monkeypatch, site):
    app, _, _ = site
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    monkeypatch.setenv("PANTAU_TAXONOMY_DIR", str(blocker / "taksonomi"))
    admin = signed_in(app, "admin")
    page = admin.get("/admin/taksonomi").text
    assert "PANTAU_TAXONOMY_DIR" in page and "tidak dapat ditulis" in page
    form = form_of(admin.get("/admin/taksonomi/opd/pupr").text, "/admin/taksonomi/opd/pupr")
    refused = admin.post("/admin/taksonomi/opd/pupr", data={**form, "short": "PUPR"})
    assert refused.status_code == 400 and "Atur PANTAU_TAXONOMY_DIR ke folder yang dapat ditulis" in refused.text


def test_only_admins_may_see_or_change_the_taxonomy(site):
    app, repo, folder = site
    admin = signed_in(app, "admin")
    form = form_of(admin.get("/admin/taksonomi/kategori/bansos").text, "/admin/taksonomi/kategori/bansos")
    form["default_opd"] = "dpmd"
    for role in ("viewer", "reviewer"):
        client = signed_in(app, role)
        assert client.get("/admin/taksonomi").status_code == 403
        assert client.get("/admin/taksonomi/kategori/bansos").status_code == 403
        refused = client.post("/admin/taksonomi/kategori/bansos", data={**form, "csrf_token": client.csrf})
        assert refused.status_code == 403
    from fastapi.testclient import TestClient

    anonymous = TestClient(app)
    away = anonymous.get("/admin/taksonomi/aturan/1", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login?next=")
    assert anonymous.post("/admin/taksonomi/kategori/bansos", data=form).status_code in (401, 403)
    assert admin.post("/admin/taksonomi/kategori/bansos", data={**form, "csrf_token": ""}).status_code == 403
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert admin.post("/admin/taksonomi/kategori/bansos", data=no_token).status_code == 403
    assert not folder.exists()
    assert default_taxonomy().category("bansos").default_opd == "dinsos"
    assert all(e["action"] in ("login",) for e in repo.audit_entries())


def test_unknown_entries_are_404(site):
    app, _, _ = site
    admin = signed_in(app, "admin")
    assert admin.get("/admin/taksonomi/kategori/tidak_ada").status_code == 404
    assert admin.get("/admin/taksonomi/opd/tidak_ada").status_code == 404
    assert admin.get("/admin/taksonomi/aturan/999").status_code == 404
    assert admin.get("/admin/taksonomi/aturan/0").status_code == 404


def test_in_a_browser_the_subkategori_list_follows_the_kategori(site):
    """Real Chromium: choosing another LAPOR! kategori refreshes the subkategori choices (HTMX,
    under the page's Content-Security-Policy) and the saved category shows on the overview."""
    from tests.browser import chromium, web_server
    from tests.webutil import PASSWORD

    app, repo, folder = site
    with web_server(repo) as base, chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text)   # e.g. a CSP refusal
                if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
                else None)
        page.goto(base + "/login?next=/admin/taksonomi/kategori/kesehatan")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/taksonomi/kategori/kesehatan")
        assert page.locator("#lapor-subkategori").input_value() == "PELAYANAN KESEHATAN"
        page.select_option("select[name=lapor_kategori]", "SOSIAL DAN KESEJAHTERAAN")
        page.wait_for_selector("#lapor-subkategori option[value='BANTUAN SOSIAL']", state="attached")
        assert page.locator("#lapor-subkategori option[value='PELAYANAN KESEHATAN']").count() == 0
        page.select_option("#lapor-subkategori", "BANTUAN SOSIAL")
        page.select_option("select[name=default_opd]", "dinsos")
        page.click("button.primary")
        page.wait_for_url("**/admin/taksonomi?ok=kategori*")
        assert page.locator(".notice").inner_text() == "Kategori disimpan."
        assert "SOSIAL DAN KESEJAHTERAAN › BANTUAN SOSIAL" in page.locator("#kategori-kesehatan").inner_text()
        assert errors == []
    assert default_taxonomy().category("kesehatan").lapor_subkategori == "BANTUAN SOSIAL"
