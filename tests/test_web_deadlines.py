"""SP4N-LAPOR! deadlines in the web interface: the list's Tenggat column and the item page's table,
and noting a follow-up seen in LAPOR! — through real HTTP requests on a real SQLite database."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pytest

import storage.browse
from pantau.deadlines import WIB, Timeline, follow_up
from review.web import tanggal
from tests.webutil import make_site, signed_in

NOW = datetime.now(timezone.utc)


def stored(repo, n: int, title: str) -> int:
    text = f"{title}. Warga meminta perbaikan segera, nomor {n}."
    classification = {"is_complaint": True, "complaint_score": 0.9, "category": "infrastruktur",
                      "kecamatan": "Tiris", "desa": None, "region_code": None, "in_jurisdiction": True,
                      "opd": "pupr", "model_version": "uji"}
    return repo.store_article({"source": "kabar", "source_kind": "news", "url": f"https://kabar.example/{n}",
                               "title": title, "text": text, "published_at": NOW - timedelta(days=40, hours=n),
                               "harvested_at": NOW - timedelta(hours=n), "classification": classification,
                               "content_hash": hashlib.sha256(text.encode()).hexdigest()}).item_id


def entered(repo, item_id: int, ref: str) -> None:
    repo.record_review(item_id, "reviewer", "approve", after={})
    repo.enter_into_lapor(item_id, "reviewer", ref, judul="j", isi="i", kategori=None, instansi=None)


def row_of(page: str, item_id: int) -> str:
    found = re.search(rf'<tr>\s*<td>[^<]*</td>\s*<td><a href="/aduan/{item_id}">.*?</tr>', page, re.S)
    assert found, f"item {item_id} not listed"
    return found.group(0)


@pytest.fixture
def site(sqlite_url):
    app, repo = make_site(sqlite_url)
    yield app, repo
    repo.close()


def test_the_list_shows_the_next_deadline_of_entered_items(site, monkeypatch):
    app, repo = site
    fresh, old, waiting = (stored(repo, 1, "Jalan rusak di Ranuagung"), stored(repo, 2, "Jembatan putus di Tiris"),
                           stored(repo, 3, "Lampu jalan mati"))
    entered(repo, fresh, "PBL-0001")
    month_ago = NOW - timedelta(days=30)
    monkeypatch.setattr(storage.browse, "utcnow", lambda: month_ago)
    entered(repo, old, "PBL-0002")
    today = datetime.now(WIB).date()
    expected = follow_up(Timeline(repo.lapor_timelines([fresh])[fresh]["entered_at"]), today).verification

    page = signed_in(app, "viewer").get("/aduan").text
    assert "Tenggat" in page
    cell = row_of(page, fresh)
    assert f"Verifikasi: {tanggal(expected.due)}" in cell and "terlambat" not in cell
    assert f"{expected.days_left} hari kerja lagi" in cell or "batasnya hari ini" in cell
    late = row_of(page, old)
    assert 'class="tenggat late"' in late and '<span class="badge late">terlambat' in late
    assert "Tenggat" not in row_of(page, waiting) and 'class="tenggat' not in row_of(page, waiting)


def test_noting_a_follow_up_meets_the_stage(site):
    app, repo = site
    item = stored(repo, 4, "Drainase tersumbat di Kraksaan")
    entered(repo, item, "PBL-0004")
    viewer, reviewer = signed_in(app, "viewer"), signed_in(app, "reviewer")
    page = viewer.get(f"/aduan/{item}").text
    assert "Tenggat tindak lanjut LAPOR!" in page and 'data-stage="verifikasi"' in page
    assert "Catat tindak lanjut" not in page  # viewers only read
    today = datetime.now(WIB).date().isoformat()
    refused = viewer.post(f"/aduan/{item}/lapor/tindak-lanjut",
                          data={"tahap": "verified", "tanggal": today, "csrf_token": viewer.csrf})
    assert refused.status_code == 403
    future = (datetime.now(WIB).date() + timedelta(days=2)).isoformat()
    for data in ({"tahap": "verified", "tanggal": "kemarin"}, {"tahap": "closed", "tanggal": today},
                 {"tahap": "verified", "tanggal": future}):
        bad = reviewer.post(f"/aduan/{item}/lapor/tindak-lanjut", data={**data, "csrf_token": reviewer.csrf})
        assert bad.status_code == 400, data
    assert "Catat tindak lanjut" in reviewer.get(f"/aduan/{item}").text
    done = reviewer.post(f"/aduan/{item}/lapor/tindak-lanjut",
                         data={"tahap": "verified", "tanggal": today, "catatan": "diteruskan ke PUPR",
                               "csrf_token": reviewer.csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert repo.lapor_timelines([item])[item]["verified_at"] is not None
    assert repo.item_detail(item)["status"] == "entered"
    assert [a["action"] for a in repo.review_actions(item)] == ["approve", "enter", "lapor_verified"]
    row = re.search(r'<tr data-stage="verifikasi">.*?</tr>', reviewer.get(f"/aduan/{item}").text, re.S).group(0)
    assert "tepat waktu" in row
    assert "Tanggapan OPD:" in row_of(viewer.get("/aduan").text, item)  # the next stage is now due
