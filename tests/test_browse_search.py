"""The list's text search and label filters as staff use them, on SQLite and PostgreSQL.

Search finds words at the start of words of the title or the text, in any case and order, and
needs every word; whatever is typed into the box (quotes, OR, NEAR, stars, minus signs, SQL)
is plain words, never an error. The category filter, the list's labels and the dashboard follow
each item's current labels: the newest classification's, or the reviewer's once edited. An
existing database upgraded from revision 0005 gets all of this for the items it already holds.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import insert, select

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

import storage.filters  # noqa: E402
import storage.search  # noqa: E402
from review.app import create_app  # noqa: E402
from review.security import hash_password  # noqa: E402
from storage import Repository, make_engine, upgrade  # noqa: E402
from storage.filters import ListFilter  # noqa: E402
from storage.db import _alembic_config  # noqa: E402
from storage.models import Classification, Item, ReviewAction, Source, User  # noqa: E402
from storage.search import query_words  # noqa: E402
from tests.factories import article  # noqa: E402

UTC = timezone.utc
NOW = datetime.now(UTC)
PASSWORD = "sandi-cari-123"

TEXTS = {
    1: ("Jalan rusak di Desa Ranuagung", "Warga Tiris mengeluhkan jalan berlubang sejak Oktober."),
    2: ("Lampu PJU mati", "Penerangan jalan umum di Kraksaan padam dua minggu, warga khawatir."),
    3: ("PDAM: air tidak mengalir", "Pelanggan di Paiton mengeluh air PDAM mati tiga hari."),
    4: ("Bupati meresmikan pasar", "Pasar baru di Leces diresmikan; pedagang menyambut gembira."),
    5: ("Banjir rendam sawah", "Sungai meluap, sawah warga Gading terendam dan gagal panen."),
}
CATEGORIES = {1: "infrastruktur", 2: "energi", 3: "air_bersih", 4: None, 5: "bencana"}


def classification(category: str | None, kecamatan: str = "Tiris", version: str = "uji-1") -> dict:
    return {"is_complaint": category is not None, "complaint_score": 0.9 if category else 0.1,
            "category": category, "kecamatan": kecamatan, "desa": None, "region_code": None,
            "in_jurisdiction": True, "opd": "pupr" if category == "infrastruktur" else None,
            "model_version": version}


@pytest.fixture
def repo(migrated_db_url):
    with Repository(migrated_db_url) as repository:
        repository.add_user("ani", hash_password(PASSWORD), "reviewer")
        ids = {n: repository.store_article(article(n, title=title, text=text, classification=classification(CATEGORIES[n]),
                                                             published_at=NOW - timedelta(hours=n))).item_id
               for n, (title, text) in TEXTS.items()}
        repository.ids = ids
        yield repository


def found(repo, q: str, **filters) -> set[int]:
    """The story numbers (keys of TEXTS) the list shows for a search."""
    by_id = {item_id: n for n, item_id in repo.ids.items()}
    return {by_id[row["id"]] for row in repo.list_items(ListFilter(q=q, **filters), limit=100)}


# -- search -----------------------------------------------------------------------------------

def test_search_finds_words_in_title_or_text_whatever_their_case(repo):
    assert found(repo, "ranuagung") == {1}  # title
    assert found(repo, "BERLUBANG") == {1}  # text
    assert found(repo, "Pdam") == {3}
    assert found(repo, "warga") == {1, 2, 5}


def test_search_matches_the_start_of_words_and_needs_every_word(repo):
    assert found(repo, "jal") == {1, 2}  # jalan
    assert found(repo, "lan") == set()  # only the start of a word
    assert found(repo, "jalan warga") == {1, 2}
    assert found(repo, "warga jalan") == {1, 2}  # any order
    assert found(repo, "jalan sawah") == set()
    assert found(repo, "air mati paiton") == {3}


def test_search_combines_with_the_filters(repo):
    assert found(repo, "warga", category="bencana") == {5}
    assert found(repo, "warga", status="approved") == set()


@pytest.mark.parametrize("query, expected", [
    ('"', None),
    ("*", None),
    ("'; DROP TABLE items; --", set()),
    ('"jalan', {1, 2}),
    ("jalan*", {1, 2}),
    ("-jalan", {1, 2}),  # not "without jalan": a minus sign is no operator here
    ("jalan OR sawah", set()),  # OR is a word like any other, and every word must match
    ("pasar AND leces", set()),
    ("NEAR(jalan warga)", set()),
    ("NEAR(", set()),
    ("title:jalan", set()),  # no column filters
    ("jalan:*", {1, 2}),
    ("PDAM: air", {3}),
    ("(air) & !mati | pasar", set()),
    ("{warga tiris}^", {1}),
    ("\x00jalan %_", {1, 2}),
    ("jálan", {1, 2}),  # accents are ignored on SQLite; PostgreSQL keeps them, so: checked below
    ("warga " * 200, {1, 2, 5}),
])
def test_hostile_queries_are_plain_words(repo, query, expected):
    rows = repo.list_items(ListFilter(q=query), limit=100)  # never an error
    if query == "jálan":
        assert {row["id"] for row in rows} <= {repo.ids[1], repo.ids[2]}
        return
    if expected is None:  # nothing to search for: the unfiltered list
        assert len(rows) == len(TEXTS)
    else:
        assert found(repo, query) == expected
    assert repo.count_items() == len(TEXTS)


def test_query_words():
    assert query_words('  Jalan  "RUSAK" jalan -x NEAR( a*b ') == ["jalan", "rusak", "x", "near", "a", "b"]
    assert query_words("'; drop table") == ["drop", "table"]
    assert query_words(None) == [] and query_words('"*:-()') == []
    assert len(query_words(" ".join(f"kata{n}" for n in range(50)))) == storage.search.MAX_WORDS


def test_many_matches_are_read_in_list_order_with_the_same_result(repo, monkeypatch):
    """Past FEW_MATCHES the search tests rows while reading the list instead of fetching ids."""
    expected = {q: found(repo, q) for q in ("warga", "jalan warga", "air", "sawah", "zzz")}
    monkeypatch.setattr(storage.search, "FEW_MATCHES", 1)
    assert {q: found(repo, q) for q in expected} == expected
    newest_first = [row["id"] for row in repo.list_items(ListFilter(q="warga"), limit=2)]
    assert newest_first == [repo.ids[1], repo.ids[2]]


def test_search_finds_items_stored_later_and_new_words(repo):
    later = repo.store_article(article(9, title="Jembatan Kedungsumur ambruk", text="Akses warga terputus.",
                                       classification=classification("infrastruktur"), published_at=NOW - timedelta(hours=9))).item_id
    assert later in {row["id"] for row in repo.list_items(ListFilter(q="kedungsumur"))}
    assert [row["id"] for row in repo.list_items(ListFilter(q="warga"), limit=1)] == [repo.ids[1]]


# -- labels: filters, list, dashboard ----------------------------------------------------------

def categories(repo, category: str) -> set[int]:
    by_id = {item_id: n for n, item_id in repo.ids.items()}
    return {by_id.get(row["id"], row["id"]) for row in repo.list_items(ListFilter(category=category), limit=100)}


def test_category_filter_follows_the_newest_classification_and_the_reviewer(repo):
    assert categories(repo, "infrastruktur") == {1}
    # a newer model files story 2 under infrastruktur too
    repo.add_classifications([(repo.ids[2], classification("infrastruktur", version="uji-2"))])
    assert categories(repo, "infrastruktur") == {1, 2} and categories(repo, "energi") == set()
    # a reviewer corrects story 1 in review
    repo.record_review(repo.ids[1], "ani", "edit", after={"category": "perhubungan"})
    assert categories(repo, "infrastruktur") == {2} and categories(repo, "perhubungan") == {1}
    row = next(r for r in repo.list_items(ListFilter(category="perhubungan")) if r["id"] == repo.ids[1])
    assert (row["category"], row["kecamatan"], row["complaint_score"]) == ("perhubungan", "Tiris", 0.9)
    # the reviewer's label outlives a later run of the model
    repo.add_classifications([(repo.ids[1], classification("infrastruktur", version="uji-3"))])
    assert categories(repo, "perhubungan") == {1} and categories(repo, "infrastruktur") == {2}
    # rejected as not a complaint: no category any more
    repo.record_review(repo.ids[2], "ani", "reject", after={"reason": "not_complaint"})
    assert categories(repo, "infrastruktur") == set()
    rejected = repo.list_items(ListFilter(status="rejected"))
    assert [(r["id"], r["category"], r["is_complaint"]) for r in rejected] == [(repo.ids[2], None, False)]


def test_the_dashboard_counts_reviewed_labels(repo):
    start, end = NOW - timedelta(days=1), NOW + timedelta(minutes=1)
    assert repo.dashboard_counts(start, end)["category"]["infrastruktur"] == 1
    repo.record_review(repo.ids[3], "ani", "approve", after={"category": "infrastruktur", "kecamatan": "Paiton"})
    counts = repo.dashboard_counts(start, end)
    assert counts["total"] == len(TEXTS)
    assert counts["category"]["infrastruktur"] == 2 and "air_bersih" not in counts["category"]
    assert counts["status"]["approved"] == 1 and counts["kecamatan"]["Paiton"] == 1
    assert repo.count_items_between(start, end) == len(TEXTS)
    assert repo.count_items_between(NOW - timedelta(hours=2, minutes=30), end) == 2  # stories 1 and 2


def test_date_filter_reads_few_or_many_dated_items_alike(repo, monkeypatch):
    since = NOW - timedelta(hours=3, minutes=30)
    expected = [repo.ids[1], repo.ids[2], repo.ids[3]]
    assert [r["id"] for r in repo.list_items(ListFilter(since=since))] == expected
    monkeypatch.setattr(storage.filters, "FEW_DATED", 1)
    assert [r["id"] for r in repo.list_items(ListFilter(since=since))] == expected
    assert [r["id"] for r in repo.list_items(ListFilter(since=since), oldest_first=True)] == expected[::-1]


def test_filter_choices_are_the_current_labels(repo):
    repo.record_review(repo.ids[5], "ani", "edit", after={"kecamatan": "Krucil"})
    choices = repo.distinct_values()
    assert "Krucil" in choices["kecamatan"] and "pupr" in choices["opd"]
    assert [r["id"] for r in repo.list_items(ListFilter(kecamatan="Krucil"))] == [repo.ids[5]]


# -- through the web page ----------------------------------------------------------------------

def test_the_list_page_searches_and_survives_hostile_input(repo):
    client = TestClient(create_app(repo=repo, secret="s" * 32))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "ani", "password": PASSWORD, "csrf_token": token})
    page = client.get("/aduan", params={"q": "jalan WARGA"})
    assert page.status_code == 200
    assert sorted(int(n) for n in re.findall(r'<td><a href="/aduan/(\d+)">', page.text)) == \
        sorted([repo.ids[1], repo.ids[2]])
    for hostile in ('"', "a OR b", "*", "-x", "NEAR(", "'; drop table items; --", ":", "\x00"):
        assert client.get("/aduan", params={"q": hostile}).status_code == 200
    echoed = client.get("/aduan", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in echoed and "&lt;script&gt;alert(1)" in echoed
    narrowed = client.get("/aduan", params={"q": "ranuagung", "kategori": "infrastruktur"}).text
    assert re.findall(r'<td><a href="/aduan/(\d+)">', narrowed) == [str(repo.ids[1])]


# -- upgrading an existing database ------------------------------------------------------------

def test_upgrade_from_0005_fills_labels_and_search_for_existing_items(db_url):
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
        old_columns = ("id", "source_id", "source_kind", "url", "title", "text", "published_at", "harvested_at",
                       "content_hash", "status", "raw")
        items = Item.__table__
        with engine.begin() as conn:
            conn.execute(insert(Source.__table__).values(id=1, name="kabarbromo", kind="news", config={},
                                                         enabled=True, created_at=NOW, updated_at=NOW))
            conn.execute(insert(User.__table__).values(id=1, username="ani", password_hash="x", role="reviewer",
                                                       active=True, created_at=NOW))
            for n, (title, text) in TEXTS.items():
                values = {"id": n, "source_id": 1, "source_kind": "news", "url": f"https://k.example/{n}",
                          "title": title, "text": text, "published_at": NOW - timedelta(hours=n),
                          "harvested_at": NOW - timedelta(hours=n), "content_hash": f"{n:064x}",
                          "status": "new", "raw": {}}
                conn.execute(insert(items).values({k: values[k] for k in old_columns}))
                for version in ("uji-1", "uji-2"):  # the newer classification counts
                    label = classification(CATEGORIES[n] if version == "uji-2" else "lainnya", version=version)
                    conn.execute(insert(Classification.__table__).values(item_id=n, evidence=None, created_at=NOW,
                                                                         **label))
            conn.execute(insert(ReviewAction.__table__).values(
                item_id=2, user_id=1, action="edit", from_status="new", to_status="new", at=NOW,
                before=None, after={**classification("energi"), "category": "perhubungan", "kecamatan": "Maron"}))
            conn.execute(insert(ReviewAction.__table__).values(
                item_id=5, user_id=1, action="approve", from_status="new", to_status="approved", at=NOW,
                before=None, after={"category": "bencana", "kecamatan": "Gading"}))  # an older, partial after
            if conn.dialect.name == "postgresql":
                for table in ("items", "classifications", "sources", "users"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT max(id) FROM {table}))")
    finally:
        engine.dispose()
    upgrade(db_url)
    with Repository(db_url) as repo:
        repo.ids = {n: n for n in TEXTS}
        assert categories(repo, "infrastruktur") == {1}
        assert categories(repo, "perhubungan") == {2} and categories(repo, "energi") == set()
        assert categories(repo, "lainnya") == set()
        assert [r["kecamatan"] for r in repo.list_items(ListFilter(category="bencana"))] == ["Gading"]
        assert found(repo, "jalan warga") == {1, 2}
        assert found(repo, "pdam") == {3}
        with repo.engine.connect() as conn:
            newest = dict(conn.execute(select(Item.id, Item.classification_id)).all())
            assert newest == dict(conn.execute(select(Classification.item_id, Classification.id)
                                               .where(Classification.model_version == "uji-2")).all())
        # stored after the upgrade: searchable and labelled too
        later = repo.store_article(article(9, title="Jembatan ambruk", text="Akses warga terputus.",
                                           classification=classification("infrastruktur"),
                                           published_at=NOW - timedelta(hours=9))).item_id
        assert later in {r["id"] for r in repo.list_items(ListFilter(q="jembatan", category="infrastruktur"))}
