"""The third classifier state, "perlu dicek" (needs check), end to end, as staff meet it.

The model is sure an item is a complaint (it waits in the review queue), sure it is not (it is
"ditolak otomatis": stored, counted, never shown in the queue), or unsure: its score lies below
the complaint threshold but at or above the review floor, so it waits in the queue too, marked
"Perlu dicek" with the model's confidence, until a reviewer approves it (choosing the category
the model did not propose) or rejects it. The dashboard, the exports and the monthly report say
how many of each there are; the item page and the queue explain what the model based it on.
Real SQLite files (and PostgreSQL for the storage parts), real HTTP through the app.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from datetime import datetime, timedelta, timezone
from html import unescape

import openpyxl
import pytest
from alembic import command
from sqlalchemy import insert, select

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from pantau.report import build_report  # noqa: E402
from storage import Repository, make_engine, upgrade  # noqa: E402
from storage.db import _alembic_config, current_revision, head_revision  # noqa: E402
from storage.models import Classification, Item, ReviewAction, Source, User  # noqa: E402
from tests.exportutil import ExportSite, jsonl, run_export  # noqa: E402
from tests.factories import article  # noqa: E402
from tests.webutil import make_site, signed_in  # noqa: E402

UTC = timezone.utc
NOW = datetime.now(UTC)
RECENT = NOW - timedelta(hours=1)  # when the tests' articles were published
HARVESTED = RECENT + timedelta(minutes=5)
HOSTILE = '<script>alert("cue")</script>'


def evidence(complaint_cues=(), category_cues=(), places=(), opd_cue=None) -> dict:
    return {"places": list(places), "ambiguous": [], "complaint_cues": list(complaint_cues),
            "category_cues": list(category_cues), "opd_cue": opd_cue, "outside_authority": None}


def verdict(kind: str, **overrides) -> dict:
    """What ``classify.pipeline.classification`` returns: a sure complaint, an unsure text
    ("check": below the threshold, above the review floor) or a sure non-complaint ("no")."""
    values = {
        "complaint": {"is_complaint": True, "complaint_score": 0.91, "needs_check": False,
                      "category": "infrastruktur", "opd": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten "
                      "Probolinggo", "evidence": evidence(["rusak"], ["jalan"], opd_cue="jalan")},
        "check": {"is_complaint": False, "complaint_score": 0.38, "needs_check": True, "category": None,
                  "opd": None, "evidence": evidence(["mengeluhkan"])},
        "no": {"is_complaint": False, "complaint_score": 0.04, "needs_check": False, "category": None,
               "opd": None, "evidence": evidence()},
    }[kind]
    values.update(kecamatan="Tiris", desa=None, region_code="35.13.07", in_jurisdiction=True,
                  model_version="svm-uji-3")
    values.update(overrides)
    return values


STORIES = {  # key: (n, title, text, verdict, hours ago: all of them minutes old, in this week and month)
    "jalan": (1, "Jalan rusak di Tiris", "Jalan desa rusak berat sejak musim hujan.", "complaint", 0.01),
    "ragu": (2, "Warga Tiris mengeluhkan sesuatu", "Warga mengeluhkan keadaan di balai desa.", "check", 0.02),
    "ragu_lama": (3, "Antrean panjang di kantor desa", "Warga mengeluhkan antrean.", "check", 0.05),
    "festival": (4, "Festival budaya digelar", "Ramai pengunjung dari luar daerah.", "no", 0.03),
    "lomba": (5, "Lomba desa dibuka bupati", "Lomba desa tahunan dimulai.", "no", 0.04),
}


@pytest.fixture
def site(tmp_path):
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    repo.ids = {key: repo.store_article(article(n, title=title, text=text, classification=verdict(kind),
                                                      published_at=NOW - timedelta(hours=hours))).item_id
                for key, (n, title, text, kind, hours) in STORIES.items()}
    yield app, repo
    repo.close()


def text_of(html: str) -> str:
    """What a person reads: the page without its tags, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shown_id(html: str) -> int | None:
    found = re.search(r'action="/antrian/(\d+)/keputusan"', html)
    return int(found.group(1)) if found else None


def walk(client, start: str = "/antrian") -> list[int]:
    """The item ids met by following "Berikutnya" (j) from ``start`` to the end."""
    page = client.get(start).text
    seen = [shown_id(page)]
    while (found := re.search(r'href="(/antrian\?id=\d+[^"]*)" data-key="j"', page)) is not None:
        page = client.get(unescape(found.group(1))).text
        seen.append(shown_id(page))
    return seen


# -- storage ----------------------------------------------------------------------------------

def test_storage_keeps_the_flag_on_classifications_and_items(migrated_db_url):
    """On SQLite and PostgreSQL: the flag is stored, copied onto the item, follows a newer
    classification, survives a review, and a dict without the key means false."""
    with Repository(migrated_db_url) as repo:
        repo.add_user("ani", "x", "reviewer")
        unsure = repo.store_article(article(1, title="Ragu", text="Warga mengeluhkan.", classification=verdict("check"),
                                               published_at=RECENT)).item_id
        legacy_label = {key: value for key, value in verdict("no").items() if key != "needs_check"}
        legacy = repo.store_article(article(2, title="Lama", text="Tanpa kunci.", classification=legacy_label,
                                               published_at=RECENT)).item_id
        with repo.engine.connect() as conn:
            flags = dict(conn.execute(select(Item.id, Item.needs_check)).all())
            assert flags == {unsure: True, legacy: False}
            assert conn.execute(select(Classification.needs_check).where(Classification.item_id == unsure)
                                ).scalar_one() is True
        assert repo.queue_item(unsure)["model"]["needs_check"] is True and repo.queue_item(unsure)["in_queue"]
        assert not repo.queue_item(legacy)["in_queue"]
        # a retrained model is sure now: the item leaves the "perlu dicek" queue
        repo.add_classifications([(unsure, verdict("no"))])
        assert repo.queue_first(only_needs_check=True) is None and repo.queue_first() is None
        repo.add_classifications([(unsure, verdict("check"))])
        assert repo.queue_first(only_needs_check=True) == unsure
        # a reviewer's decision settles the item but leaves the model's verdict as it was
        repo.record_review(unsure, "ani", "approve", after={"category": "pelayanan_publik"})
        [record] = [r for r in repo.iter_export_records() if r["id"] == unsure]
        assert record["needs_check"] is True and record["is_complaint"] is True and record["status"] == "approved"
        assert repo.queue_first() is None


# -- the review queue -------------------------------------------------------------------------

def test_the_queue_shows_unsure_items_with_badge_and_score_but_not_auto_rejected_ones(site):
    app, repo = site
    client = signed_in(app, "reviewer")
    ids = repo.ids
    # newest first, complaints and "perlu dicek" items together; the sure non-complaints never
    assert walk(client) == [ids["jalan"], ids["ragu"], ids["ragu_lama"]]
    page = client.get(f"/antrian?id={ids['ragu']}").text
    shown = text_of(page)
    assert "Perlu dicek Keyakinan model 38%" in shown
    assert 'class="badge perlu-dicek"' in page
    assert "3 item menunggu tinjauan, 2 di antaranya perlu dicek." in shown
    assert "Semua (3)" in shown and "Perlu dicek (2)" in shown
    # a sure complaint carries no such badge
    assert "Perlu dicek Keyakinan" not in text_of(client.get(f"/antrian?id={ids['jalan']}").text)
    # the sure non-complaints are in no page of the queue
    for item in walk(client):
        shown = text_of(client.get(f"/antrian?id={item}").text)
        assert STORIES["festival"][1] not in shown and STORIES["lomba"][1] not in shown
    assert repo.queue_count() == 3 and repo.queue_count(only_needs_check=True) == 2


def test_the_perlu_dicek_filter_pages_through_unsure_items_only(site):
    app, repo = site
    ids = repo.ids
    client = signed_in(app, "reviewer")
    assert walk(client, "/antrian?saring=perlu-dicek") == [ids["ragu"], ids["ragu_lama"]]
    page = client.get(f"/antrian?id={ids['ragu_lama']}&saring=perlu-dicek").text
    assert f'href="/antrian?id={ids["ragu"]}&amp;saring=perlu-dicek" data-key="k"' in page
    assert 'aria-current="page">Perlu dicek (2)' in page
    assert "2 item perlu dicek menunggu tinjauan." in text_of(page)
    # skipping keeps to the filter, and wraps around inside it
    answer = client.post(f"/antrian/{ids['ragu_lama']}/keputusan", follow_redirects=False,
                         data={"csrf_token": client.csrf, "action": "skip", "saring": "perlu-dicek"})
    assert answer.headers["location"] == f"/antrian?id={ids['ragu']}&saring=perlu-dicek"
    # the storage's keyset agrees both ways
    assert repo.queue_neighbour(ids["ragu"], only_needs_check=True, wrap=False) == ids["ragu_lama"]
    assert repo.queue_neighbour(ids["ragu_lama"], forward=False, only_needs_check=True, wrap=False) == ids["ragu"]
    assert repo.queue_neighbour(ids["jalan"], only_needs_check=True, wrap=False) == ids["ragu"]


def test_a_reviewer_approves_an_unsure_item_after_choosing_its_category(site):
    app, repo = site
    ids = repo.ids
    client = signed_in(app, "reviewer")
    page = client.get(f"/antrian?id={ids['ragu']}&saring=perlu-dicek").text
    select_html = re.search(r'<select name="category".*?</select>', page, re.S).group(0)
    assert " selected" not in select_html  # the model proposed no category
    refused = client.post(f"/antrian/{ids['ragu']}/keputusan",
                          data={"csrf_token": client.csrf, "action": "approve", "category": "",
                                "saring": "perlu-dicek"})
    assert refused.status_code == 422 and "Pilih kategori sebelum menyetujui aduan." in text_of(refused.text)
    assert repo.review_actions(ids["ragu"]) == []
    answer = client.post(f"/antrian/{ids['ragu']}/keputusan", follow_redirects=False, data={
        "csrf_token": client.csrf, "action": "approve", "category": "pelayanan_publik", "kecamatan": "Tiris",
        "saring": "perlu-dicek"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/antrian?id={ids['ragu_lama']}&saring=perlu-dicek"
    trail = repo.review_actions(ids["ragu"])
    assert [(a["action"], a["to_status"]) for a in trail] == [("approve", "approved")]
    assert trail[-1]["after"]["is_complaint"] is True and trail[-1]["after"]["category"] == "pelayanan_publik"
    following = client.get(answer.headers["location"]).text
    assert shown_id(following) == ids["ragu_lama"] and "Perlu dicek (1)" in text_of(following)
    assert ids["ragu"] not in walk(client)


def test_a_reviewer_rejects_an_unsure_item_and_can_undo_it(site):
    app, repo = site
    ids = repo.ids
    client = signed_in(app, "reviewer")
    answer = client.post(f"/antrian/{ids['ragu_lama']}/keputusan", headers={"HX-Request": "true",
                                                                          "X-CSRF-Token": client.csrf},
                         data={"action": "reject", "reason": "not_complaint", "saring": "perlu-dicek"})
    assert answer.status_code == 200 and "Ditolak." in text_of(answer.text)
    assert answer.headers["HX-Push-Url"] == f"/antrian?id={ids['ragu']}&saring=perlu-dicek"
    assert repo.review_actions(ids["ragu_lama"])[-1]["to_status"] == "rejected"
    assert walk(client, "/antrian?saring=perlu-dicek") == [ids["ragu"]]
    undone = client.post("/antrian/urungkan", data={"csrf_token": client.csrf, "saring": "perlu-dicek"},
                         follow_redirects=False)
    assert undone.headers["location"] == f"/antrian?id={ids['ragu_lama']}&saring=perlu-dicek"
    assert walk(client, "/antrian?saring=perlu-dicek") == [ids["ragu"], ids["ragu_lama"]]


def test_an_empty_perlu_dicek_filter_says_so(tmp_path):
    app, repo = make_site(f"sqlite:///{tmp_path / 'pantau.db'}")
    try:
        repo.store_article(article(1, title="Jalan rusak", text="Rusak.", classification=verdict("complaint"), published_at=RECENT))
        client = signed_in(app, "reviewer")
        page = text_of(client.get("/antrian?saring=perlu-dicek").text)
        assert "Tidak ada yang perlu dicek" in page and "Perlu dicek (0)" in page
    finally:
        repo.close()


# -- the explanation --------------------------------------------------------------------------

def test_item_page_and_queue_explain_the_verdict_escaped(site):
    app, repo = site
    title, text = "Jalan berlubang di Desa Ranuagung", "Warga Kecamatan Tiris mengeluhkan jalan berlubang."
    full = f"{title}\n\n{text}"
    spans = [{"start": full.index("Ranuagung"), "end": full.index("Ranuagung") + 9, "text": "Ranuagung",
              "kind": "desa", "name": "Ranuagung"},
             {"start": full.index("Tiris"), "end": full.index("Tiris") + 5, "text": "Tiris", "kind": "kecamatan",
              "name": "Tiris"},
             {"start": 0, "end": 3, "text": HOSTILE, "kind": "desa", "name": HOSTILE}]
    label = verdict("complaint", model_version="svm-2026-12-05",
                    evidence=evidence(["berlubang", "mengeluhkan", HOSTILE], ["jalan"], spans, opd_cue="jalan"))
    item = repo.store_article(article(9, title=title, text=text, classification=label, published_at=RECENT)).item_id
    client = signed_in(app, "viewer")
    page = client.get(f"/aduan/{item}").text
    explained = text_of(page[page.index('class="explain"'):])
    assert "Kata pendorong skor aduan berlubang mengeluhkan" in explained
    assert "Kata penentu kategori jalan" in explained
    assert "Ranuagung — desa/kelurahan: Ranuagung" in explained and "Tiris — kecamatan: Tiris" in explained
    assert "Petunjuk OPD kata «jalan»" in explained
    assert "Versi model svm-2026-12-05" in explained
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    # the queue shows the same explanation beside the highlighted text
    queue = signed_in(app, "reviewer").get(f"/antrian?id={item}").text
    assert "<script>alert" not in queue
    assert "Versi model svm-2026-12-05" in text_of(queue[queue.index('class="explain"'):])
    assert '<mark class="place">Ranuagung</mark>' in queue


def test_item_page_and_list_mark_an_unsure_item(site):
    app, repo = site
    client = signed_in(app, "viewer")
    page = text_of(client.get(f"/aduan/{repo.ids['ragu']}").text)
    assert "Baru Perlu dicek" in page and "38% aduan (svm-uji-3) · Perlu dicek" in page
    assert "Kata pendorong skor aduan mengeluhkan" in page
    listed = client.get("/aduan").text
    row = re.search(rf'<tr>(?:(?!</tr>).)*href="/aduan/{repo.ids["ragu"]}".*?</tr>', listed, re.S).group(0)
    assert "Perlu dicek" in text_of(row)
    festival = re.search(rf'<tr>(?:(?!</tr>).)*href="/aduan/{repo.ids["festival"]}".*?</tr>', listed, re.S).group(0)
    assert "bukan aduan" in text_of(festival) and "Perlu dicek" not in text_of(festival)


# -- counts: dashboard, export, report --------------------------------------------------------

def test_dashboard_counts_auto_rejected_and_perlu_dicek(site):
    app, repo = site
    repo.record_review(repo.ids["lomba"], "reviewer", "reject", after={"reason": "not_complaint"})
    repo.record_review(repo.ids["lomba"], "reviewer", "reopen", after={})  # seen by a person: not automatic
    page = signed_in(app, "reviewer").get("/dasbor").text
    start = page.index('id="month"')
    month = text_of(page[start:page.index("</section>", start)])
    assert "Aduan menunggu tinjauan 1" in month
    assert "Perlu dicek (model ragu) 2 Tinjau" in month
    assert "Ditolak otomatis oleh model 1" in month
    assert '<a href="/antrian?saring=perlu-dicek">Tinjau</a>' in page
    assert repo.triage_counts() == {"complaints_waiting": 1, "needs_check_waiting": 2, "auto_rejected": 1}


def test_exports_carry_needs_check_and_say_how_many_wait(site, tmp_path):
    app, repo = site
    ids = repo.ids
    export = ExportSite(repo.engine.url.render_as_string(hide_password=False), tmp_path, ids, repo)
    result = run_export(export, "--format", "jsonl")
    records = {r["id"]: r for r in jsonl(result)}
    assert {key: records[item]["needs_check"] for key, item in ids.items()} == {
        "jalan": False, "ragu": True, "ragu_lama": True, "festival": False, "lomba": False}
    assert list(records[ids["ragu"]])[-1] == "needs_check"  # added after the contract's fields
    assert ("Not yet reviewed: 1 complaint(s) and 2 'perlu dicek' item(s) (the model was unsure) waiting in the "
            "review queue; 2 rejected automatically by the model") in " ".join(result.stderr.split())

    out = tmp_path / "aduan.csv"
    assert run_export(export, "--format", "csv", "--out", str(out)).returncode == 0
    reader = csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    header = next(reader)
    rows = {int(row[0]): dict(zip(header, row)) for row in reader}
    assert header[-1] == "needs_check"
    assert rows[ids["ragu"]]["needs_check"] == "true" and rows[ids["festival"]]["needs_check"] == "false"

    out = tmp_path / "aduan.xlsx"
    assert run_export(export, "--format", "xlsx", "--per-opd", "--out", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    values = {}
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        for cells in sheet.iter_rows(min_row=2, values_only=True):
            row = dict(zip(header, cells))
            values[row["id"]] = row["needs_check"]
    assert values[ids["ragu"]] is True and values[ids["jalan"]] is False
    notes = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row and row[0]}
    assert notes["Aduan menunggu tinjauan"] == "1"
    assert notes["Perlu dicek (model ragu), menunggu tinjauan"] == "2"
    assert notes["Ditolak otomatis oleh model (bukan aduan, belum pernah ditinjau)"] == "2"
    # the counts follow the export's filters
    assert repo.export_triage_counts(status=["approved"]) == {"complaints_waiting": 0, "needs_check_waiting": 0,
                                                              "auto_rejected": 0}


def test_the_monthly_report_summary_counts_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    with Repository(url) as repo:
        november = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
        for key, (n, title, text, kind, hours) in STORIES.items():
            repo.store_article(article(n, title=title, text=text, classification=verdict(kind),
                                       published_at=november + timedelta(hours=n), harvested_at=HARVESTED))
        repo.store_article(article(8, title="Desember", text="Warga mengeluhkan.", classification=verdict("check"),
                                   published_at=datetime(2026, 12, 2, 9, 0, tzinfo=UTC), harvested_at=HARVESTED))  # not November's
        report = build_report(repo, "2026-11", now=datetime(2026, 12, 15, 9, 0, tzinfo=UTC))
    summary = {label: value for label, value, _ in report.summary}
    assert summary["Menunggu tinjauan"] == 5
    assert summary["Menunggu tinjauan: aduan"] == 1
    assert summary["Menunggu tinjauan: perlu dicek (model ragu)"] == 2
    assert summary["Ditolak otomatis oleh model (tidak ditinjau)"] == 2
    assert any("ditolak otomatis" in note for note in report.notes)


# -- upgrading an existing database ------------------------------------------------------------

def test_upgrade_from_0007_keeps_data_and_flags_old_rows_false(db_url):
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0007")
        old_items = ("id", "source_id", "source_kind", "url", "title", "text", "published_at", "harvested_at",
                     "content_hash", "status", "raw", "classification_id", "is_complaint", "category", "kecamatan")
        old_labels = ("item_id", "model_version", "is_complaint", "complaint_score", "category", "kecamatan",
                      "evidence", "created_at")
        with engine.begin() as conn:
            conn.execute(insert(Source.__table__).values(id=1, name="kabarbromo", kind="news", config={},
                                                         enabled=True, created_at=NOW, updated_at=NOW))
            conn.execute(insert(User.__table__).values(id=1, username="ani", password_hash="x", role="reviewer",
                                                       active=True, created_at=NOW))
            for n, complaint in ((1, True), (2, False), (3, True)):
                conn.execute(insert(Item.__table__).values({key: value for key, value in {
                    "id": n, "source_id": 1, "source_kind": "news", "url": f"https://k.example/{n}",
                    "title": f"Berita {n}", "text": f"Isi berita {n}.", "published_at": NOW - timedelta(hours=n),
                    "harvested_at": NOW - timedelta(hours=n), "content_hash": f"{n:064x}", "status": "new",
                    "raw": {}, "classification_id": n, "is_complaint": complaint,  # 3: the reviewer's label
                    "category": {1: "infrastruktur", 2: None, 3: "bencana"}[n], "kecamatan": "Tiris"}.items()
                    if key in old_items}))
                conn.execute(insert(Classification.__table__).values({key: value for key, value in {
                    "id": n, "item_id": n, "model_version": "lama-1", "is_complaint": complaint,
                    "complaint_score": 0.9 if complaint else 0.3, "category": "infrastruktur" if complaint else None,
                    "kecamatan": "Tiris", "evidence": {"complaint_cues": ["rusak"]}, "created_at": NOW}.items()
                    if key in old_labels}))
            conn.execute(insert(ReviewAction.__table__).values(
                item_id=3, user_id=1, action="approve", from_status="new", to_status="approved", at=NOW,
                before=None, after={"is_complaint": True, "category": "bencana"}))
            conn.execute(Item.__table__.update().where(Item.__table__.c.id == 3).values(status="approved"))
            if conn.dialect.name == "postgresql":
                for table in ("items", "classifications", "sources", "users", "review_actions"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT max(id) FROM {table}))")
    finally:
        engine.dispose()
    assert upgrade(db_url) == head_revision() == current_revision(db_url)
    with Repository(db_url) as repo:
        records = {r["id"]: r for r in repo.iter_export_records()}
        assert set(records) == {1, 2, 3}
        assert [records[n]["needs_check"] for n in (1, 2, 3)] == [False, False, False]
        assert records[3]["category"] == "bencana" and records[3]["reviewed_by"] == "ani"
        assert records[1]["complaint_score"] == pytest.approx(0.9) and records[1]["model_version"] == "lama-1"
        assert repo.queue_first() == 1 and repo.queue_count() == 1  # the old complaint still waits
        assert repo.triage_counts() == {"complaints_waiting": 1, "needs_check_waiting": 0, "auto_rejected": 1}
        with repo.engine.connect() as conn:
            assert set(conn.execute(select(Classification.needs_check)).scalars()) == {False}
        # after the upgrade a model that is unsure sends the item to the queue
        later = repo.store_article(article(9, title="Ragu", text="Warga mengeluhkan.", classification=verdict("check"),
                                           published_at=RECENT)).item_id
        assert repo.queue_first(only_needs_check=True) == later
        assert repo.queue_count() == 2


def test_export_record_keys_are_the_contracts_then_needs_check(site):
    _, repo = site
    record = next(iter(repo.iter_export_records()))
    keys = list(record)
    assert keys[-1] == "needs_check" and keys[:-1][-3:] == ["lapor_ref", "reviewed_by", "reviewed_at"]
    assert json.loads(json.dumps(record, default=str))["needs_check"] in (True, False)


def test_the_explanation_shows_each_models_score_when_the_text_was_short(site):
    app, repo = site
    short = evidence(["mati"])
    short["scores"] = {"tfidf": 0.41, "encoder": 0.77}
    long = evidence(["rusak"])
    long["scores"] = {"tfidf": 0.83, "encoder": None}
    broken = evidence(["bolong"])
    broken["scores"] = {"tfidf": "<b>x</b>", "encoder": 7}
    ids = [repo.store_article(article(20 + n, title=f"Judul {n}", text=text,
                                         classification=verdict("complaint", evidence=ev), published_at=RECENT)).item_id
           for n, (text, ev) in enumerate([("lampu mati", short), ("jalan rusak " * 200, long),
                                           ("jalan bolong", broken)])]
    client = signed_in(app, "viewer")

    def explained(item):
        page = client.get(f"/aduan/{item}").text
        return text_of(page[page.index('class="explain"'):])

    assert "Skor tiap model kata (TF-IDF) 41% · makna kalimat (e5) 77%" in explained(ids[0])
    assert "Skor tiap model kata (TF-IDF) 83%" in explained(ids[1]) and "e5" not in explained(ids[1])
    assert "Skor tiap model" not in explained(ids[2])  # nothing of a shape it does not know
