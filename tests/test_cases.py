"""Cross-source cases: reports of one incident share a cluster; unrelated complaints do not.

Real parts end to end below the spider: the shipped classifier labels each report, the
cluster stage looks for related stored reports in a real SQLite database, and the store
writes them, as in a crawl.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from classify.pipeline import classification, load_pipeline
from classify.normalize import classified_text
from pipelines.cluster import ClusterPipeline
from pipelines.store import StorePipeline
from spiders.items import Article
from storage import upgrade
from storage.repo import Repository

WIB = timezone(timedelta(hours=7))
DAY = datetime(2026, 11, 20, 9, 0, tzinfo=WIB)


class Stats:
    """Counts the pipelines keep (Scrapy's stats collector needs a running crawler)."""

    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count

    def get_value(self, key, default=None):
        return self.values.get(key, default)

    def set_value(self, key, value):
        self.values[key] = value


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(region="35.13")


@pytest.fixture
def harvest(tmp_path, nlp):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    cluster, store = ClusterPipeline(url, 3, 0.3), StorePipeline(url, Stats())
    cluster.open_spider(None)
    store.open_spider(None)
    repo = Repository(url)
    ids = iter(range(1, 1000))

    def add(source: str, kind: str, title: str, text: str, when: datetime) -> dict:
        article = Article(source=source, url=f"https://example.id/{source}/{next(ids)}", title=title, text=text,
                          published_at=when, source_kind=kind, harvested_at=when)
        article.content_hash = f"{hash((title, text)):x}"
        article.classification = classification(nlp(classified_text(title, text)))
        cluster.process_item(article, None)
        store.process_item(article, None)
        return article.classification

    yield add, repo
    cluster.close_spider(None)
    store.close_spider(None)


NEWS_TITLE = "Jalan Poros Desa Ranuagung Rusak Parah, Warga Tiris Minta Segera Diperbaiki"
NEWS_TEXT = ("TIRIS – Warga Desa Ranuagung, Kecamatan Tiris, mengeluhkan jalan poros desa yang rusak parah. "
             "Aspal mengelupas dan lubang menganga di sepanjang hampir satu kilometer, sehingga pengendara "
             "motor kerap terjatuh saat hujan. Warga meminta Dinas PUPR segera memperbaiki jalan tersebut.")
POST = ("jalan di ranuagung tiris makin bolong2 parah 😡 kemarin motor tetangga jatuh kena lubang pas hujan. "
        "pak bupati kapan diaspal?")


def clusters(repo: Repository) -> dict[str, int | None]:
    return {r["url"]: r["cluster_id"] for r in list(repo.iter_export_records())}


def test_a_post_and_a_news_story_about_one_incident_share_a_case(harvest):
    add, repo = harvest
    news = add("kabarbromo", "news", NEWS_TITLE, NEWS_TEXT, DAY)
    post = add("x-probolinggo", "x", POST.split(" 😡")[0], POST, DAY + timedelta(days=1))
    assert (news["category"], news["desa"]) == ("infrastruktur", "Ranuagung")
    assert (post["category"], post["desa"]) == ("infrastruktur", "Ranuagung")
    stored = {r["source"]: r for r in list(repo.iter_export_records())}
    assert stored["kabarbromo"]["cluster_id"] is not None
    assert stored["kabarbromo"]["cluster_id"] == stored["x-probolinggo"]["cluster_id"]
    # both stay items of their own to review: a case is not a duplicate
    assert stored["x-probolinggo"]["duplicate_of"] is None
    assert {r["status"] for r in stored.values()} == {"new"}


def test_unrelated_complaints_in_the_same_kecamatan_stay_apart(harvest):
    add, repo = harvest
    add("kabarbromo", "news", NEWS_TITLE, NEWS_TEXT, DAY)
    water = add("x-probolinggo", "x", "PDAM Ranuagung mati",
                "air pdam di ranuagung tiris mati 3 hari, warga terpaksa beli air jeriken. tolong pdam segera perbaiki",
                DAY + timedelta(days=1))
    other_desa = add("x-probolinggo", "x", "jalan tlogoargo rusak",
                     "jalan desa tlogoargo tiris rusak parah berlubang, motor sering jatuh kalau hujan. mohon diaspal",
                     DAY + timedelta(days=1))
    later = add("x-probolinggo", "x", "jalan ranuagung lagi",
                "jalan di ranuagung tiris makin bolong parah, motor jatuh lagi kena lubang. kapan diaspal?",
                DAY + timedelta(days=12))
    assert water["category"] == "air_bersih"
    assert other_desa["desa"] == "Tlogoargo" and later["desa"] == "Ranuagung"
    stored = list(repo.iter_export_records())
    assert all(r["cluster_id"] is None for r in stored), [(r["title"], r["cluster_id"]) for r in stored]
