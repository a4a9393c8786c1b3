"""Staff decisions become training examples: ``Repository.record_review`` / ``review_examples``,
``classify.reviews`` (labels, one example per story, the test set held out, the recent slice) and
``pantau train --with-reviews`` end to end.

Storage tests run on SQLite and PostgreSQL (``migrated_db_url``). The end-to-end test trains once
per module (a few seconds) on a database where staff corrected a new kind of post the shipped
model misreads: sarcastic "happy birthday" wishes to a broken road or a dead street light.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from classify.corpus import load_records, split
from classify.reviews import MIN_FOR_RECENT, STAFF_WEIGHT, prepare
from storage import Repository, ReviewExample, upgrade
from tests.crawlutil import REPO, run_pantau
from tests.factories import article

UTC = timezone.utc
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

MODEL_SAYS_COMPLAINT = {
    "is_complaint": True, "complaint_score": 0.93, "category": "infrastruktur", "kecamatan": "Kraksaan",
    "desa": None, "region_code": "35.13.17", "in_jurisdiction": True, "opd": "Dinas PUPR",
    "model_version": "svm-test",
}
MODEL_SAYS_NOT = {
    "is_complaint": False, "complaint_score": 0.08, "category": None, "kecamatan": "Dringu", "desa": None,
    "region_code": "35.13.20", "in_jurisdiction": True, "opd": None, "model_version": "svm-test",
}


def story(n: int, text: str, classification: dict | None = None, title: str | None = None, **extra) -> dict:
    """A news item harvested before the reviews (titled "Berita N" unless ``title`` is given)."""
    return article(n, text=text, classification=classification, title=title if title is not None else f"Berita {n}",
                   published_at=T0 - timedelta(days=1), harvested_at=T0 - timedelta(hours=20), **extra)


@pytest.fixture
def repo(migrated_db_url):
    with Repository(migrated_db_url) as repository:
        repository.add_user("ani", "argon2-hash-of-ani", "reviewer")
        repository.add_user("budi", "argon2-hash-of-budi", "viewer")
        yield repository


@pytest.fixture(scope="module")
def test_split():
    return split(load_records())["test"]


# -- storage: users and the review trail ------------------------------------------------------


def test_users_are_stored_with_a_valid_role_and_unique_name(repo):
    assert repo.user_id("ani") is not None and repo.user_id("nobody") is None
    with pytest.raises(ValueError, match="already exists"):
        repo.add_user("ani", "another-hash", "admin")
    with pytest.raises(ValueError, match="unknown role"):
        repo.add_user("cici", "hash", "superuser")
    assert repo.add_user("cici", "hash", "admin") > repo.user_id("ani")


def test_record_review_moves_the_status_and_appends_before_and_after(repo):
    item = repo.store_article(story(1, "Jalan poros desa rusak parah.", MODEL_SAYS_COMPLAINT)).item_id
    first = repo.record_review(item, "ani", "edit", after={"category": "bencana"}, note="banjir, bukan jalan")
    second = repo.record_review(item, repo.user_id("ani"), "approve", after={})
    assert second > first
    trail = repo.review_actions(item)
    assert [(a["action"], a["from_status"], a["to_status"], a["by"]) for a in trail] == [
        ("edit", "new", "new", "ani"), ("approve", "new", "approved", "ani")]
    edit, approve = trail
    # before: the newest classification; after: every label once the action is done
    assert edit["before"]["category"] == "infrastruktur" and edit["before"]["kecamatan"] == "Kraksaan"
    assert edit["after"] == {**edit["before"], "category": "bencana"} and edit["note"] == "banjir, bukan jalan"
    # the next action starts from the labels the previous one left
    assert approve["before"] == edit["after"] and approve["after"]["category"] == "bencana"
    assert approve["at"].tzinfo is not None
    [record] = [r for r in repo.iter_export_records() if r["id"] == item]
    assert (record["status"], record["reviewed_by"]) == ("approved", "ani")

    repo.record_review(item, "ani", "reopen", after={})
    assert [r["status"] for r in repo.iter_export_records() if r["id"] == item] == ["new"]


def test_rejections_carry_a_reason_and_what_it_implies(repo):
    item = repo.store_article(story(2, "Bupati meresmikan jembatan baru.", MODEL_SAYS_COMPLAINT)).item_id
    with pytest.raises(ValueError, match="needs a reason"):
        repo.record_review(item, "ani", "reject", after={})
    with pytest.raises(ValueError, match="unknown reason"):
        repo.record_review(item, "ani", "reject", after={"reason": "boring"})
    with pytest.raises(ValueError, match="not_complaint"):
        repo.record_review(item, "ani", "reject", after={"reason": "not_complaint", "is_complaint": True})
    repo.record_review(item, "ani", "reject", after={"reason": "not_complaint"})
    [action] = repo.review_actions(item)
    assert action["to_status"] == "rejected"
    assert action["after"]["reason"] == "not_complaint"
    assert (action["after"]["is_complaint"], action["after"]["category"]) == (False, None)

    elsewhere = repo.store_article(story(3, "Banjir di Mayangan, Kota Probolinggo.", MODEL_SAYS_COMPLAINT)).item_id
    repo.record_review(elsewhere, "ani", "reject", after={"reason": "out_of_jurisdiction"})
    [action] = repo.review_actions(elsewhere)
    assert action["after"]["in_jurisdiction"] is False and action["after"]["kecamatan"] is None
    assert action["after"]["is_complaint"] is True  # a complaint about elsewhere is still a complaint


def test_record_review_refuses_bad_input_and_changes_nothing(repo):
    item = repo.store_article(story(4, "Lampu PJU mati sebulan.", MODEL_SAYS_NOT)).item_id
    with pytest.raises(PermissionError, match="viewer"):
        repo.record_review(item, "budi", "approve", after={"category": "infrastruktur"})
    with pytest.raises(LookupError):
        repo.record_review(item, "nobody", "approve", after={"category": "infrastruktur"})
    with pytest.raises(LookupError):
        repo.record_review(10_000, "ani", "approve", after={"category": "infrastruktur"})
    with pytest.raises(ValueError, match="unknown review action"):
        repo.record_review(item, "ani", "delete", after={})
    with pytest.raises(ValueError, match="unknown label"):
        repo.record_review(item, "ani", "edit", after={"urgency": "high"})
    with pytest.raises(ValueError, match="needs its category"):  # the model gave none
        repo.record_review(item, "ani", "approve", after={})
    with pytest.raises(ValueError, match="naive"):
        repo.record_review(item, "ani", "approve", after={"category": "infrastruktur"}, at=datetime(2026, 11, 2))
    assert repo.review_actions(item) == [] and repo.review_examples() == []
    repo.record_review(item, "ani", "approve", after={"category": "infrastruktur"})
    [example] = repo.review_examples()
    assert (example.is_complaint, example.category, example.kecamatan) == (True, "infrastruktur", "Dringu")


def test_review_examples_give_the_latest_decision_per_item(repo):
    a = repo.store_article(story(5, "Sampah menumpuk di pasar.", MODEL_SAYS_NOT, title="Sampah")).item_id
    b = repo.store_article(story(6, "Warga minta jalan diperbaiki.", MODEL_SAYS_COMPLAINT)).item_id
    c = repo.store_article(story(7, "Lomba voli antar desa.", MODEL_SAYS_COMPLAINT)).item_id
    d = repo.store_article(story(8, "Air PDAM keruh.", MODEL_SAYS_COMPLAINT)).item_id
    repo.store_article(story(9, "Belum ditinjau.", MODEL_SAYS_COMPLAINT))
    repo.record_review(a, "ani", "reject", after={"reason": "not_complaint"}, at=T0)
    repo.record_review(a, "ani", "approve", after={"category": "lingkungan"}, at=T0 + timedelta(hours=1))
    repo.record_review(b, "ani", "approve", after={}, at=T0 + timedelta(hours=2))
    repo.record_review(b, "ani", "edit", after={"kecamatan": "Paiton"}, at=T0 + timedelta(hours=3))
    repo.record_review(c, "ani", "reject", after={"reason": "not_complaint"}, at=T0 + timedelta(hours=4))
    repo.record_review(d, "ani", "approve", after={"category": "air_bersih"}, at=T0 + timedelta(hours=5))
    repo.record_review(d, "ani", "reopen", after={}, at=T0 + timedelta(hours=6))  # in question again

    examples = repo.review_examples()
    assert all(isinstance(e, ReviewExample) for e in examples)
    assert [e.item_id for e in examples] == [a, b, c]  # oldest decision first; d was reopened
    first, second, third = examples
    assert (first.action, first.status, first.is_complaint, first.category, first.reason) == (
        "approve", "approved", True, "lingkungan", None)
    assert (first.title, first.text, first.decided_by) == ("Sampah", "Sampah menumpuk di pasar.", "ani")
    assert first.decided_at == T0 + timedelta(hours=1)
    assert (second.action, second.status, second.category, second.kecamatan) == (
        "edit", "approved", "infrastruktur", "Paiton")
    assert (third.is_complaint, third.category, third.reason) == (False, None, "not_complaint")
    assert [e.item_id for e in repo.review_examples(since=T0 + timedelta(hours=3))] == [b, c]


# -- classify.reviews: what is trained on --------------------------------------------------------


def _example(item_id: int, text: str, *, hours: float = 0, action: str = "approve",
             category: str | None = "infrastruktur", is_complaint: bool | None = True, reason: str | None = None,
             cluster_id: int | None = None, duplicate_of: int | None = None, title: str = "") -> ReviewExample:
    status = {"approve": "approved", "reject": "rejected"}.get(action, "new")
    return ReviewExample(
        item_id=item_id, title=title, text=text, source_kind="social", is_complaint=is_complaint, category=category,
        kecamatan=None, desa=None, in_jurisdiction=None, opd=None, reason=reason, action=action, status=status,
        decided_at=T0 + timedelta(hours=hours), decided_by="ani", cluster_id=cluster_id, duplicate_of=duplicate_of,
        content_hash=f"hash-{item_id}")


def test_decisions_map_to_labels_as_labeling_md_says():
    examples = [
        _example(1, "jalan berlubang di depan sekolah belum ditambal", category="infrastruktur"),
        _example(2, "bupati meresmikan pasar baru", action="reject", reason="not_complaint", is_complaint=False,
                 category=None),
        _example(3, "banjir di kota sebelah belum surut warga minta pompa", action="reject",
                 reason="out_of_jurisdiction", category="bencana"),
        _example(4, "berita ini sudah ada", action="reject", reason="duplicate"),
        _example(5, "entah apa ini", action="reject", reason="other"),
        _example(6, "kategori baru dari admin", category="pariwisata"),
        _example(7, "diedit jadi bukan aduan", action="edit", is_complaint=False, category=None),
    ]
    data = prepare(examples, test=[])
    records = {r.id: r for r in data.train + data.recent}
    assert sorted(records) == ["review-1", "review-2", "review-3", "review-7"]
    assert (records["review-1"].is_complaint, records["review-1"].category) == (True, "infrastruktur")
    assert (records["review-2"].is_complaint, records["review-2"].category) == (False, None)
    assert (records["review-3"].is_complaint, records["review-3"].category) == (True, "bencana")
    assert records["review-7"].is_complaint is False
    assert data.skipped == {"rejected_duplicate": 1, "rejected_other": 1, "unknown_category": 1}


def test_one_example_per_story_keeps_the_latest_decision(migrated_db_url):
    with Repository(migrated_db_url) as repo:
        repo.add_user("ani", "hash", "reviewer")
        first = repo.store_article(story(11, "Jembatan gantung di Desa Ranuagung putus, anak sekolah memutar jauh.",
                                           MODEL_SAYS_COMPLAINT))
        copy_text = "Jembatan gantung di Desa Ranuagung putus; anak-anak sekolah harus memutar jauh."
        copy = repo.store_article(story(12, copy_text, MODEL_SAYS_COMPLAINT, near_duplicate_of=first_hash(11)))
        assert copy.cluster_id is not None and copy.duplicate_of == first.item_id
        same_a = repo.store_article(story(13, "Sampah di Pasar Dringu menumpuk!!", MODEL_SAYS_COMPLAINT))
        same_b = repo.store_article(story(14, "sampah di pasar dringu menumpuk", MODEL_SAYS_COMPLAINT))
        other = repo.store_article(story(15, "Lampu PJU di jalan raya Paiton mati sebulan.", MODEL_SAYS_COMPLAINT))
        repo.record_review(first.item_id, "ani", "approve", after={}, at=T0)
        repo.record_review(copy.item_id, "ani", "approve", after={"category": "bencana"}, at=T0 + timedelta(hours=1))
        repo.record_review(same_a.item_id, "ani", "approve", after={"category": "lingkungan"},
                           at=T0 + timedelta(hours=3))
        repo.record_review(same_b.item_id, "ani", "reject", after={"reason": "not_complaint"},
                           at=T0 + timedelta(hours=2))
        repo.record_review(other.item_id, "ani", "approve", after={}, at=T0 + timedelta(hours=4))
        examples = repo.review_examples()
    assert len(examples) == 5
    data = prepare(examples, test=[])
    records = data.train + data.recent
    assert len(records) == 3 and data.skipped == {"same_story": 2}
    by_id = {r.id: r for r in records}
    assert by_id[f"review-{copy.item_id}"].category == "bencana"  # the later decision of the cluster
    assert by_id[f"review-{same_a.item_id}"].category == "lingkungan"  # the later of the same text
    assert f"review-{first.item_id}" not in by_id and f"review-{same_b.item_id}" not in by_id


def first_hash(n: int) -> str:
    return story(n, "Jembatan gantung di Desa Ranuagung putus, anak sekolah memutar jauh.")["content_hash"]


def test_a_test_split_text_reviewed_by_staff_is_not_trained_on(test_split):
    held = next(r for r in test_split if r.is_complaint and len(r.text.split()) >= 20)
    words = held.text.split()
    lightly_edited = " ".join(words[:-1]) + " (red)"  # a news site's copy of it
    examples = [
        _example(1, held.text, category=held.category, hours=0),
        _example(2, lightly_edited, category=held.category, hours=1, title="Judul dari situs lain"),
        _example(3, "Sinyal HP hilang total di desa kami sejak tower roboh, warga harus naik bukit.", hours=2),
        _example(4, "Kepala desa dilantik di pendopo kabupaten.", hours=3, action="reject", reason="not_complaint",
                 is_complaint=False, category=None, cluster_id=9),
        _example(5, held.text.upper(), hours=4, action="reject", reason="not_complaint", is_complaint=False,
                 category=None, cluster_id=9),  # same story as 4: the whole story is dropped
    ]
    data = prepare(examples, test=test_split)
    assert [r.id for r in data.train + data.recent] == ["review-3"]
    assert data.skipped == {"copy_of_test_text": 4}


def test_the_most_recent_fifth_is_held_out():
    def data(n: int):
        return prepare([_example(i, f"keluhan nomor {i} tentang jalan rusak", hours=n - i) for i in range(n)], test=[])

    assert [len(data(n).recent) for n in (1, 4, MIN_FOR_RECENT, 9, 10, 23)] == [0, 0, 1, 2, 2, 5]
    ten = data(10)
    assert len(ten.train) == 8
    # held out: the latest decisions (item i was decided at hour 10 - i)
    assert sorted(r.id for r in ten.recent) == ["review-0", "review-1"]
    assert max(r.id for r in ten.train) == "review-9" and ten.summary()["weight"] == STAFF_WEIGHT


def test_sample_weight_is_optional_and_moves_the_model():
    from scipy import sparse

    from classify.textcat import TextClassifier

    rows = sparse.csr_matrix([[1, 0, 0], [1, 0, 1], [0, 1, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1]] * 3, dtype=float)
    labels = ["a", "a", "b", "b", "a", "b"] * 3
    plain = TextClassifier.train(rows, labels)
    ones = TextClassifier.train(rows, labels, sample_weight=[1.0] * len(labels))
    assert (plain.weights == ones.weights).all() and (plain.platt == ones.platt).all()
    heavy = TextClassifier.train(rows, labels, sample_weight=[1.0] * 5 + [8.0] + [1.0] * 12)
    assert not (heavy.weights == plain.weights).all()


# -- pantau train --with-reviews end to end -----------------------------------------------------

# A new kind of post the shipped model reads as a greeting: sarcastic birthday wishes to a problem.
SARCASTIC = [
    ("Selamat ulang tahun jalan rusak", "Selamat ulang tahun yang ke-5 untuk jalan rusak di desa kami, semoga panjang "
     "umur dan tidak pernah diperbaiki 🎂", "infrastruktur"),
    ("Happy birthday lampu merah", "Selamat ulang tahun ke-3 buat lampu merah perempatan yang mati, semoga kamu tetap "
     "setia padam", "perhubungan"),
    ("Ultah sampah", "Selamat ulang tahun untuk tumpukan sampah di pinggir jalan yang sudah setahun tidak diangkut, "
     "semoga makin tinggi", "lingkungan"),
    ("HUT jembatan", "Selamat hari jadi ke-2 jembatan bambu di desa kami yang makin miring, semoga kuat menahan "
     "anak-anak berangkat sekolah", "infrastruktur"),
    ("Ultah PJU mati", "Happy birthday PJU di jalan raya, sudah setahun mati tapi tetap berdiri gagah, selamat ulang "
     "tahun ya", "infrastruktur"),
    ("Selamat ultah drainase", "Selamat ulang tahun ke-4 saluran air mampet di depan pasar, tiap hujan kamu selalu "
     "kasih kejutan banjir", "infrastruktur"),
    ("Ultah air PDAM", "Selamat ulang tahun buat air PDAM di perumahan kami yang sudah sebulan tidak mengalir, semoga "
     "panjang umur keringnya", "air_bersih"),
]
# Not reviewed: the new model must read it the staff way, the shipped one does not.
NEW_SARCASTIC = ("Selamat ulang tahun ke-6 untuk lubang besar di jalan raya Pajarakan, makin dalam makin sayang, "
                 "semoga tidak pernah ditambal")
CEREMONY = ("Bupati Probolinggo mengucapkan selamat ulang tahun kepada Kabupaten Probolinggo ke-280 dalam upacara di "
            "alun-alun Kraksaan")


def _env(work, db_url: str) -> dict[str, str]:
    return {"PANTAU_MODELS_DIR": str(work / "models"), "PANTAU_DB_URL": db_url, "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin", "COLUMNS": "200"}


@pytest.fixture(scope="module")
def trained_with_reviews(tmp_path_factory, test_split):
    work = tmp_path_factory.mktemp("reviews")
    db_url = f"sqlite:///{work / 'pantau.db'}"
    upgrade(db_url)
    held = next(r for r in test_split if r.is_complaint)
    with Repository(db_url) as repo:
        repo.add_user("ani", "hash", "reviewer")
        decisions = []
        for n, (title, text, category) in enumerate(SARCASTIC):
            item = repo.store_article(story(100 + n, text, MODEL_SAYS_NOT, title=title, source_kind="social"))
            decisions.append((item.item_id, "approve", {"category": category}))
        negatives = ["Bupati meresmikan gedung Mal Pelayanan Publik di Kraksaan didampingi Forkopimda.",
                     "Dinsos menyalurkan BPNT kepada 2.000 keluarga penerima manfaat di Paiton."]
        for n, text in enumerate(negatives):
            item = repo.store_article(story(200 + n, text, MODEL_SAYS_COMPLAINT))
            decisions.append((item.item_id, "reject", {"reason": "not_complaint"}))
        copy = repo.store_article(story(300, held.text, MODEL_SAYS_COMPLAINT))  # a corpus test text, harvested
        decisions.append((copy.item_id, "approve", {"category": held.category}))
        dup = repo.store_article(story(301, "Jalan desa rusak, berita yang sama.", MODEL_SAYS_COMPLAINT))
        decisions.append((dup.item_id, "reject", {"reason": "duplicate"}))
        recent = ["Warga Desa Sumberan mengeluhkan jalan poros desa rusak parah dan berlubang sejak dua tahun lalu.",
                  "Lomba voli antar desa se-Kecamatan Gading berlangsung meriah dan ditonton ratusan warga."]
        item = repo.store_article(story(400, recent[0], MODEL_SAYS_COMPLAINT))
        decisions.append((item.item_id, "approve", {}))
        item = repo.store_article(story(401, recent[1], MODEL_SAYS_COMPLAINT))
        decisions.append((item.item_id, "reject", {"reason": "not_complaint"}))
        for hour, (item_id, action, after) in enumerate(decisions):
            repo.record_review(item_id, "ani", action, after=after, at=T0 + timedelta(hours=hour))
    env = _env(work, db_url)
    result = run_pantau("train", "--with-reviews", "--json", env=env, cwd=work, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return env, work, json.loads(result.stdout), result


def test_train_with_reviews_reports_both_sections(trained_with_reviews):
    _, _, report, result = trained_with_reviews
    assert report["test_records"] > 300 and report["category_accuracy"] > 0.85  # the shipped test set
    reviews = report["reviews"]
    # 13 reviewed: 7 + 2 + 2 recent usable, the test-set copy and the duplicate rejection left out
    assert (reviews["examples"], reviews["used"], reviews["held_out"], reviews["n"]) == (13, 9, 2, 2)
    assert reviews["skipped"] == {"copy_of_test_text": 1, "rejected_duplicate": 1}
    assert reviews["weight"] == STAFF_WEIGHT
    assert reviews["complaints"] == 1 and 0 <= reviews["complaint_accuracy"] <= 1
    assert reviews["active_model"]["n"] == 2  # the model active before, on the same slice
    assert "Staff decisions: 13 reviewed item(s), 9 used for training" in result.stderr


def test_meta_records_the_review_examples(trained_with_reviews):
    _, work, report, _ = trained_with_reviews
    meta = json.loads((work / "models" / report["model_version"] / "textcat" / "meta.json").read_text())
    assert meta["reviews"]["used"] == 9 and meta["reviews"]["held_out"] == 2 and meta["reviews"]["weight"] == 2.0
    parts = split(load_records())
    assert meta["train_records"] == len(parts["train"]) + len(parts["dev"]) + 9
    assert meta["test"]["category_accuracy"] == report["category_accuracy"]


def test_the_model_trained_with_reviews_reads_new_posts_the_staff_way(trained_with_reviews):
    env, work, report, _ = trained_with_reviews
    lines = "".join(json.dumps({"id": key, "text": text}) + "\n"
                    for key, text in (("new", NEW_SARCASTIC), ("ceremony", CEREMONY)))

    def classify(model) -> dict:
        result = run_pantau("classify", "--jsonl", "-", "--model", str(model), env=env, cwd=work, input=lines)
        assert result.returncode == 0, result.stderr
        return {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}

    before = classify(REPO / "classify" / "model")
    after = classify(work / "models" / report["model_version"])
    assert before["new"]["is_complaint"] is False  # the shipped model misreads it
    assert after["new"]["is_complaint"] is True and after["new"]["category"] == "infrastruktur"
    assert after["ceremony"]["is_complaint"] is False  # a real birthday greeting is still not a complaint


def test_train_with_reviews_works_without_any_review(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'empty.db'}"
    env = _env(tmp_path, db_url)
    assert run_pantau("init", env=env, cwd=tmp_path).returncode == 0
    result = run_pantau("train", "--with-reviews", "--no-activate", env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "No staff decisions in the database yet" in result.stderr
    assert "Category accuracy" in result.stdout and "No reviewed items in the database yet" in result.stdout
    assert not (tmp_path / "models" / "ACTIVE").exists()


def test_train_with_reviews_needs_a_database_and_refuses_ship(tmp_path):
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'missing.db'}")
    result = run_pantau("train", "--with-reviews", env=env, cwd=tmp_path)
    assert result.returncode == 1 and "pantau init" in result.stderr
    result = run_pantau("train", "--with-reviews", "--ship", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "--ship" in result.stderr
