"""The review queue (/antrian) through the browser's eyes: FastAPI's TestClient on a real SQLite file."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from review.app import create_app
from classify.normalize import classified_text
from review.routes.queue import highlight, paragraphs
from review.security import hash_password
from storage import Repository, upgrade
from tests.factories import article

UTC = timezone.utc
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
PASSWORD = "rahasia-sekali-123"


def complaint(**overrides) -> dict:
    values = {
        "is_complaint": True, "complaint_score": 0.87, "category": "infrastruktur", "kecamatan": "Kraksaan",
        "desa": None, "region_code": "35.13.17", "in_jurisdiction": True,
        "opd": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Probolinggo", "model_version": "svm-test",
        "evidence": {"places": [], "ambiguous": [], "complaint_cues": ["rusak"], "category_cues": [],
                     "opd_cue": None, "outside_authority": None},
    }
    values.update(overrides)
    return values


@pytest.fixture
def repo(tmp_path):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    with Repository(url) as repository:
        repository.add_user("ani", hash_password(PASSWORD), "reviewer")
        repository.add_user("budi", hash_password(PASSWORD), "viewer")
        yield repository


@pytest.fixture
def app(repo):
    return create_app(repo=repo, secret="test-secret")


def sign_in(app, username: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                         "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def csrf(client: TestClient, path: str = "/antrian") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def shown_id(html: str) -> int | None:
    found = re.search(r'action="/antrian/(\d+)/keputusan"', html)
    return int(found.group(1)) if found else None


def selected_category(html: str) -> str | None:
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected', select)
    return found.group(1) if found else None


@pytest.fixture
def items(repo):
    """Three complaints (newest: 'baru'), one non-complaint and one already approved."""
    def stored(n: int, title: str, text: str, label: dict, hours_ago: float) -> int:
        return repo.store_article(article(n, title=title, text=text, classification=label,
                                          published_at=T0 - timedelta(hours=hours_ago), harvested_at=T0)).item_id

    ids = {
        "lama": stored(1, "Lampu jalan mati di Dringu", "Sudah sebulan gelap.", complaint(category="energi"), 30),
        "baru": stored(2, "Jalan rusak parah di Kraksaan", "Jalan desa rusak dan berlubang.", complaint(), 2),
        "tengah": stored(3, "Sampah menumpuk di pasar", "Bau sampah sampai ke rumah.",
                         complaint(category="lingkungan"), 10),
        "bukan": stored(4, "Festival budaya digelar", "Ramai pengunjung.",
                        complaint(is_complaint=False, complaint_score=0.1, category=None), 1),
    }
    return ids


def test_the_newest_complaint_is_shown_first_with_its_suggestions(app, items):
    client = sign_in(app, "ani")
    page = client.get("/antrian")
    assert page.status_code == 200
    assert shown_id(page.text) == items["baru"]
    assert 'Jalan <mark class="cue">rusak</mark> parah di Kraksaan' in page.text
    assert selected_category(page.text) == "infrastruktur"
    assert 'value="Kraksaan"' in page.text and "87%" in page.text
    assert 'rel="noopener noreferrer" target="_blank"' in page.text
    assert '<mark class="cue">rusak</mark>' in page.text
    assert "kabarbromo" in page.text and "Berita" in page.text
    assert '<script src="/static/queue.js" defer></script>' in page.text
    assert "<kbd>a</kbd>" in page.text
    assert "Festival budaya" not in page.text  # not a complaint: not in the queue


def test_approving_stores_the_edited_labels_and_moves_to_the_next(app, repo, items):
    client = sign_in(app, "ani")
    token = csrf(client)
    answer = client.post(f"/antrian/{items['baru']}/keputusan", follow_redirects=False, data={
        "csrf_token": token, "action": "approve", "category": "bencana", "kecamatan": "Kraksaan",
        "desa": "Sidopekso", "opd": "Badan Penanggulangan Bencana Daerah Kabupaten Probolinggo",
        "in_jurisdiction": "ya", "reason": "not_complaint"})
    assert answer.status_code == 303
    assert shown_id(client.get(answer.headers["location"]).text) == items["tengah"]
    trail = repo.review_actions(items["baru"])
    assert [(a["action"], a["to_status"], a["by"]) for a in trail] == [("approve", "approved", "ani")]
    assert trail[-1]["after"]["category"] == "bencana" and trail[-1]["after"]["desa"] == "Sidopekso"
    assert "reason" not in trail[-1]["after"]
    [record] = [r for r in repo.iter_export_records(status="approved")]
    assert record["id"] == items["baru"] and record["reviewed_by"] == "ani"
    # the queue now starts with the next newest, and the decision is listed beside it
    page = client.get("/antrian")
    assert shown_id(page.text) == items["tengah"]
    assert f'href="/antrian?id={items["baru"]}"' in page.text


def test_htmx_decision_returns_the_next_item_fragment(app, repo, items):
    client = sign_in(app, "ani")
    token = csrf(client)
    answer = client.post(f"/antrian/{items['baru']}/keputusan", headers={"HX-Request": "true", "X-CSRF-Token": token},
                         data={"action": "approve", "category": "infrastruktur"})
    assert answer.status_code == 200
    assert "<html" not in answer.text and 'id="queue"' in answer.text
    assert shown_id(answer.text) == items["tengah"]
    assert answer.headers["HX-Push-Url"] == f"/antrian?id={items['tengah']}"


def test_reject_with_a_reason_and_undo_brings_it_back(app, repo, items):
    client = sign_in(app, "ani")
    token = csrf(client)
    answer = client.post(f"/antrian/{items['baru']}/keputusan", follow_redirects=False, data={
        "csrf_token": token, "action": "reject", "reason": "not_complaint", "category": "infrastruktur"})
    assert answer.status_code == 303
    trail = repo.review_actions(items["baru"])
    assert trail[-1]["to_status"] == "rejected" and trail[-1]["after"]["reason"] == "not_complaint"
    assert trail[-1]["after"]["is_complaint"] is False and trail[-1]["after"]["category"] is None

    answer = client.post("/antrian/urungkan", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert shown_id(page.text) == items["baru"]
    assert [a["action"] for a in repo.review_actions(items["baru"])] == ["reject", "reopen"]
    assert repo.queue_item(items["baru"])["status"] == "new"
    assert shown_id(client.get("/antrian").text) == items["baru"]
    # nothing left to undo
    assert client.post("/antrian/urungkan", data={"csrf_token": token}).status_code == 409


def test_skip_records_nothing_and_keyboard_navigation_links(app, repo, items):
    client = sign_in(app, "ani")
    token = csrf(client)
    page = client.get("/antrian").text
    assert f'href="/antrian?id={items["tengah"]}" data-key="j"' in page
    answer = client.post(f"/antrian/{items['baru']}/keputusan", data={"csrf_token": token, "action": "skip"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/antrian?id={items['tengah']}"
    assert repo.review_actions(items["baru"]) == []
    middle = client.get(f"/antrian?id={items['tengah']}").text
    assert f'href="/antrian?id={items["baru"]}" data-key="k"' in middle
    assert f'href="/antrian?id={items["lama"]}" data-key="j"' in middle


def test_approve_without_category_is_refused_with_a_message(app, repo, items):
    client = sign_in(app, "ani")
    answer = client.post(f"/antrian/{items['baru']}/keputusan",
                         data={"csrf_token": csrf(client), "action": "approve", "category": ""})
    assert answer.status_code == 422 and "Pilih kategori" in answer.text
    assert repo.review_actions(items["baru"]) == []


def test_a_viewer_may_not_use_the_queue(app, items):
    client = sign_in(app, "budi")
    assert client.get("/antrian").status_code == 403
    token = csrf(client, "/login")
    answer = client.post(f"/antrian/{items['baru']}/keputusan", data={"csrf_token": token, "action": "approve",
                                                                      "category": "infrastruktur"})
    assert answer.status_code == 403
    assert client.post("/antrian/urungkan", data={"csrf_token": token}).status_code == 403


def test_post_without_csrf_is_refused(app, repo, items):
    client = sign_in(app, "ani")
    answer = client.post(f"/antrian/{items['baru']}/keputusan", data={"action": "approve",
                                                                      "category": "infrastruktur"})
    assert answer.status_code == 403
    assert repo.review_actions(items["baru"]) == []


def test_harvested_markup_is_escaped(app, repo):
    title = '<script>alert("x")</script> Jalan rusak'
    item = repo.store_article(article(9, title=title, text='Teks <img src=x onerror=alert(1)> rusak di Kraksaan.',
                                      classification=complaint(), published_at=T0 - timedelta(hours=1),
                                      harvested_at=T0)).item_id
    client = sign_in(app, "ani")
    page = client.get(f"/antrian?id={item}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_empty_queue_says_so(app, repo):
    client = sign_in(app, "ani")
    page = client.get("/antrian")
    assert page.status_code == 200 and "Antrian kosong" in page.text
    assert shown_id(page.text) is None


def test_unknown_item_is_404(app, items):
    client = sign_in(app, "ani")
    assert client.get("/antrian?id=99999").status_code == 404


def test_highlight_marks_places_by_span_and_cues_by_word():
    title, text = "Jalan rusak di Kraksaan", "Warga Desa Sidopekso mengeluh jalannya rusak."
    full = classified_text(title, text)
    start = full.index("Sidopekso")
    evidence = {"places": [{"start": start, "end": start + 9, "text": "Sidopekso", "kind": "desa", "name": "x"},
                           {"start": 0, "end": 3, "text": "Kraksaan", "kind": "kecamatan", "name": "y"}],
                "complaint_cues": ["rusak", "mengeluh"], "category_cues": ["<b>"]}
    segments = highlight(full, evidence)
    assert "".join(s for s, _ in segments) == full
    marked = [(s, k) for s, k in segments if k]
    assert ("Sidopekso", "place") in marked and ("Kraksaan", "place") in marked
    assert marked.count(("rusak", "cue")) == 2 and ("mengeluh", "cue") in marked
    assert ("jalannya", "cue") not in marked
    assert len(paragraphs(segments)) == 2
    assert highlight("teks", None) == [("teks", None)]


def test_queue_order_and_neighbours_on_both_databases(migrated_db_url):
    """Newest published first, ties by harvest time then id, undated last; j/k walk it both ways."""
    with Repository(migrated_db_url) as repo:
        spec = [  # n, hours before T0 published (None: undated), hours harvested before T0
            (1, 5, 1), (2, 5, 2), (3, 1, 0), (4, None, 3), (5, None, 1), (6, 5, 1), (7, 20, 0)]
        ids = {}
        for n, published, harvested in spec:
            values = article(n, title=f"Aduan {n}", text=f"Jalan rusak nomor {n}.", classification=complaint(),
                             published_at=None if published is None else T0 - timedelta(hours=published),
                             harvested_at=T0 - timedelta(hours=harvested))
            ids[n] = repo.store_article(values).item_id
        repo.store_article(article(8, title="Bukan", text="Bukan aduan.", classification=complaint(is_complaint=False),
                                   published_at=T0, harvested_at=T0))
        expected = [ids[n] for n in (3, 6, 1, 2, 7, 5, 4)]
        walked = [repo.queue_first()]
        while (following := repo.queue_neighbour(walked[-1], wrap=False)) is not None:
            walked.append(following)
        assert walked == expected
        back = [expected[-1]]
        while (previous := repo.queue_neighbour(back[-1], forward=False, wrap=False)) is not None:
            back.append(previous)
        assert back == expected[::-1]
        assert repo.queue_neighbour(expected[-1]) == expected[0]  # wraps to the top
        assert repo.queue_count() == 7
