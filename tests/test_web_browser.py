"""End to end in real headless Chromium: a reviewer signs in and works through the pages; hostile
harvested text stays inert (no script runs, no dialog opens, the text is shown as text)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from review.security import hash_password
from storage.db import upgrade
from storage.repo import Repository
from tests.browser import chromium, web_server
from tests.factories import article

PASSWORD = "sandi-e2e-2026"
TITLES = ("Lampu PJU di Paiton mati sebulan", "Puskesmas Dringu tutup saat jam layanan",
          "Sampah menumpuk di pasar Kraksaan")
NOW = datetime.now(timezone.utc)
HOSTILE = '<script>alert("xss")</script><img src=x onerror="alert(1)"> Jalan rusak di Tiris'
COMPLAINT = {"is_complaint": True, "complaint_score": 0.93, "category": "infrastruktur", "kecamatan": "Tiris",
             "desa": "Ranuagung", "region_code": "35.13.02.2005", "in_jurisdiction": True,
             "opd": "Dinas Pekerjaan Umum dan Penataan Ruang", "model_version": "e2e"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    repo.add_user("ani", hash_password(PASSWORD), "reviewer")
    repo.e2e_hostile = repo.store_article(article(1, title=HOSTILE, text="Jalan di Desa Ranuagung Kecamatan Tiris berlubang "
                                          "besar dan belum diperbaiki sejak musim hujan.",
                                          classification=COMPLAINT, published_at=NOW - timedelta(hours=30))).item_id
    ids = {}
    for n, (title, hours) in enumerate([(TITLES[0], 1), (TITLES[1], 2), (TITLES[2], 2.5)], start=2):
        ids[title] = repo.store_article(article(n, title=title, text=f"{title}. Warga meminta segera ditangani.",
                                                classification=COMPLAINT, published_at=NOW - timedelta(hours=hours))).item_id
    repo.e2e_ids = ids
    with web_server(repo) as base, chromium() as browser:
        yield base, browser, repo
    repo.close()


def sign_in(page, base: str, username: str = "ani", password: str = PASSWORD) -> None:
    page.goto(base + "/")
    assert "/login" in page.url  # an anonymous visitor lands on the login page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_sign_in_and_out(site):
    base, browser, _ = site
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, base, password="salah-sekali")
    assert page.locator(".alert").inner_text() == "Nama pengguna atau kata sandi salah."
    sign_in(page, base)
    assert "/login" not in page.url
    assert page.locator(".who").inner_text().startswith("ani")
    page.click("text=Keluar")
    page.wait_for_url("**/login")
    page.close()


def press(page, key: str) -> None:
    """A key press once HTMX has settled the last swap (as a person's next key press would be)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.wait_for_timeout(50)
    page.keyboard.press(key)


def last_status(repo, item_id: int) -> str | None:
    trail = repo.review_actions(item_id)
    return trail[-1]["to_status"] if trail else "new"


def test_keyboard_review_of_several_items_with_edit_and_undo(site):
    base, browser, repo = site
    ids = repo.e2e_ids
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, base)
    page.wait_for_url("**/antrian")
    title = page.locator("#queue .item-title")
    assert title.inner_text() == TITLES[0]  # newest first
    assert page.locator("#queue select[name=category]").input_value() == "infrastruktur"  # pre-filled

    press(page, "a")  # approve and next
    page.wait_for_function("t => document.querySelector('#queue .item-title').textContent === t", arg=TITLES[1])
    assert last_status(repo, ids[TITLES[0]]) == "approved"

    press(page, "e")  # edit: the category field gets the focus
    assert page.evaluate("document.activeElement.name") == "category"
    page.select_option("#queue select[name=category]", "kesehatan")
    page.keyboard.press("Escape")
    press(page, "a")
    page.wait_for_function("t => document.querySelector('#queue .item-title').textContent === t", arg=TITLES[2])
    assert last_status(repo, ids[TITLES[1]]) == "approved"
    assert repo.review_actions(ids[TITLES[1]])[-1]["after"]["category"] == "kesehatan"

    press(page, "x")  # reject and next
    page.wait_for_function("t => document.querySelector('#queue .item-title').textContent !== t", arg=TITLES[2])
    assert last_status(repo, ids[TITLES[2]]) == "rejected"
    assert page.locator(".queue-recent li").count() == 3  # the last decisions stay visible

    press(page, "u")  # undo: the rejected item is back, undecided
    page.wait_for_function("t => document.querySelector('#queue .item-title').textContent === t", arg=TITLES[2])
    assert last_status(repo, ids[TITLES[2]]) == "new"

    press(page, "?")
    assert page.locator("#queue-help").is_visible()
    page.close()


def test_a_hostile_title_is_shown_as_text_and_never_runs(site):
    base, browser, repo = site
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base)
    for path in (f"/antrian?id={repo.e2e_hostile}", "/aduan", f"/aduan/{repo.e2e_hostile}"):
        page.goto(base + path)
        assert '<script>alert("xss")</script>' in page.locator("#main").inner_text(), path
        assert page.locator("#main img[src=x]").count() == 0, path
    page.wait_for_timeout(300)
    assert dialogs == []
    page.close()


def test_lapor_panel_copy_and_tracking_number(site):
    base, browser, repo = site
    item = repo.e2e_ids[TITLES[0]]  # approved in the keyboard test
    if last_status(repo, item) != "approved":
        repo.record_review(item, "ani", "approve", after={"category": "infrastruktur"})
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/aduan/{item}")
    assert page.locator("#lapor-judul").input_value() == TITLES[0]
    assert "Kabupaten Probolinggo" in page.locator("#lapor-lokasi").input_value()
    page.click("button[data-copy='#lapor-judul']")
    page.wait_for_function("() => document.querySelector(\"button[data-copy='#lapor-judul']\").textContent.startsWith('Tersalin')")
    assert page.evaluate("navigator.clipboard.readText()") == TITLES[0]
    page.fill("input[name=lapor_ref]", "PBL-2611-0007")
    page.click("text=Tandai sudah masuk LAPOR!")
    page.wait_for_load_state()
    assert "Sudah masuk LAPOR! dengan nomor PBL-2611-0007" in page.locator(".lapor").inner_text()
    assert repo.item_detail(item)["status"] == "entered"
    context.close()


def test_an_unsure_item_is_marked_perlu_dicek_and_decided_like_any_other(site, tmp_path):
    """The model's third state in the browser: the "Perlu dicek" tab shows the item it was unsure
    about, with the badge and its confidence; approving needs the category the model did not
    propose; an item the model rejected on its own never shows up."""
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    repo.add_user("ani", hash_password(PASSWORD), "reviewer")
    unsure = {**COMPLAINT, "is_complaint": False, "complaint_score": 0.38, "needs_check": True, "category": None,
              "opd": None, "evidence": {"complaint_cues": ["mengeluhkan"], "category_cues": [], "places": [],
                                        "opd_cue": None}}
    sure_not = {**unsure, "complaint_score": 0.03, "needs_check": False}
    complaint = repo.store_article(article(11, title="Jembatan Tiris ambrol", text="Warga meminta segera diperbaiki.",
                                         classification=COMPLAINT, published_at=NOW - timedelta(hours=1))).item_id
    check = repo.store_article(article(12, title="Warga mengeluhkan balai desa", text="Balai desa tutup saat jam layanan.",
                                       classification=unsure, published_at=NOW - timedelta(hours=2))).item_id
    repo.store_article(article(13, title="Festival layang-layang digelar", text="Ramai pengunjung.", classification=sure_not,
                               published_at=NOW - timedelta(hours=0.5)))
    _, browser, _ = site  # the module's Chromium; a database and server of its own
    try:
        with web_server(repo) as base:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            sign_in(page, base)
            page.goto(base + "/antrian")
            assert page.locator("#queue .item-title").inner_text() == "Jembatan Tiris ambrol"
            assert page.locator("#queue .check-note").count() == 0  # a sure complaint: no badge
            page.click("#queue .queue-tabs >> text=Perlu dicek (1)")
            page.wait_for_url("**/antrian?saring=perlu-dicek")
            assert page.locator("#queue .item-title").inner_text() == "Warga mengeluhkan balai desa"
            note = page.locator("#queue .check-note")
            assert note.locator(".badge").inner_text() == "Perlu dicek" and note.is_visible()
            assert "Keyakinan model 38%" in note.inner_text()
            assert page.locator("#queue select[name=category]").input_value() == ""  # no category proposed

            press(page, "a")  # approving without a category is refused, with the reason
            page.wait_for_selector("#queue .alert")
            assert page.locator("#queue .alert").inner_text() == "Pilih kategori sebelum menyetujui aduan."
            assert last_status(repo, check) == "new"
            page.select_option("#queue select[name=category]", "pelayanan_publik")
            press(page, "a")
            page.wait_for_selector("text=Tidak ada yang perlu dicek")
            assert last_status(repo, check) == "approved"
            assert repo.review_actions(check)[-1]["after"]["category"] == "pelayanan_publik"
            assert page.url.endswith("saring=perlu-dicek")  # the filter stays

            page.click("#queue .queue-tabs >> text=Semua (1)")
            page.wait_for_url("**/antrian")
            assert page.locator("#queue .item-title").inner_text() == "Jembatan Tiris ambrol"
            press(page, "x")  # the last one rejected: nothing waits, the auto-rejected item never showed
            page.wait_for_selector("text=Antrian kosong")
            assert last_status(repo, complaint) == "rejected"
            assert "Festival layang-layang" not in page.locator("#main").inner_text()
            page.close()
    finally:
        repo.close()
