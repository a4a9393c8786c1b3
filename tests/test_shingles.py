"""``classify/shingles.py``: the one rule for (near-)copies, under the two parameter sets, and the
one content hash and classified text the stages share."""

from datetime import datetime, timedelta, timezone

import pytest

from classify.normalize import classified_text
from classify.shingles import CORPUS, STORED, NearCopyIndex, SignatureIndex, normalised, shingles
from pipelines.dedupe import DedupePipeline, content_hash
from spiders.items import Article
from storage import Repository, upgrade

STORY = ("Warga Dusun Krajan, Desa Ngadisari, Kecamatan Sukapura, mengeluhkan lampu penerangan jalan "
         "menuju terminal yang padam sejak dua bulan lalu. Pengendara dari arah Tongas harus melintas "
         "dalam gelap di tikungan tajam dekat jurang, dan dua sepeda motor sudah tergelincir pekan ini.")
# The same story as a second outlet runs it: a new opening, one word swapped, the rest as written.
RETOLD = ("Keluhan datang dari Sukapura. Warga Dusun Krajan, Desa Ngadisari, Kecamatan Sukapura, mengeluhkan "
          "lampu penerangan jalan menuju terminal yang padam sejak dua bulan lalu. Pengendara dari arah "
          "Tongas harus melintas dalam gelap di tikungan tajam dekat jurang, dan dua sepeda motor sudah "
          "terjatuh pekan ini.")
OTHER = ("Petani bawang di Desa Sapikerep mengeluhkan harga pupuk bersubsidi yang di kios resmi dijual di "
         "atas harga eceran tertinggi, sementara jatah dari kelompok tani hanya cukup untuk separuh lahan.")


@pytest.mark.parametrize("params", [STORED, CORPUS], ids=["stored", "corpus"])
def test_a_retold_story_is_a_near_copy_and_another_story_is_not(params):
    index = SignatureIndex(0.5, params)
    index.add("story", params.signature(STORY))
    index.add("other", params.signature(OTHER))
    assert [key for key, _ in index.matches(params.signature(RETOLD))] == ["story"]
    assert index.best_match(params.signature(OTHER))[0] == "other"


def test_matches_come_most_similar_first():
    index = SignatureIndex(0.3, STORED)
    index.add("retold", STORED.signature(RETOLD))
    index.add("story", STORED.signature(STORY))
    found = index.matches(STORED.signature(STORY))
    assert [key for key, _ in found] == ["story", "retold"]
    assert found[0][1] == 1.0 > found[1][1]


def test_each_parameter_set_has_its_own_floor_for_short_texts():
    five_shingles = "jalan di desa kami rusak parah sekali"  # 7 words: 5 shingles
    assert STORED.signature(five_shingles) is not None
    assert STORED.signature("jalan di desa kami rusak parah") is None  # 4 shingles
    assert CORPUS.signature(five_shingles) is None  # under 8 words: compared only exactly
    assert CORPUS.signature(five_shingles + " sekali lagi") is not None


def test_signatures_of_the_two_sets_cannot_be_compared_by_mistake():
    with pytest.raises(ValueError):
        STORED.signature(STORY).jaccard(CORPUS.signature(STORY))


def test_a_stored_signature_reads_back_the_same():
    signature = STORED.signature(STORY)
    assert STORED.from_bytes(STORED.to_bytes(signature)).jaccard(signature) == 1.0
    assert len(STORED.to_bytes(signature)) == 4 * STORED.num_perm


def test_words_and_shingles_ignore_case_punctuation_and_spacing():
    assert normalised("Jalan  RUSAK,\n di Tiris!") == "jalan rusak di tiris"
    assert shingles("Jalan rusak di Tiris") == {b"jalan rusak di", b"rusak di tiris"}
    assert shingles("Tolong!") == {b"tolong"}
    assert shingles("...") == set()


def test_near_copy_index_knows_short_copies_exactly_and_long_ones_nearly():
    index = NearCopyIndex([STORY, "Jalan ambles di Tiris, tolong."], 0.5)
    assert RETOLD in index
    assert "jalan AMBLES di tiris tolong" in index
    assert "Jalan ambles di Krucil, tolong." not in index
    assert OTHER not in index


def test_storage_hashes_an_article_given_without_a_hash_as_the_dedupe_stage_does(tmp_path):
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    upgrade(url)
    repo = Repository(url)
    at = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    stored = repo.store_article({"source": "kabarbromo", "source_kind": "news", "url": "https://kabarbromo.example/1",
                                 "title": "Lampu jalan padam", "text": STORY, "published_at": at,
                                 "harvested_at": at + timedelta(minutes=5)})
    # The same text as another site prints it, upper case and spacing aside, is the same content.
    crawled = Article(source="kabarbromo", url="https://kabarbromo.example/2", title="Lampu jalan padam",
                      text="  " + STORY.upper().replace(" ", "  "), published_at=at)
    pipeline = DedupePipeline(url, 0.5, 120)
    pipeline.open_spider(None)
    pipeline.process_item(crawled, None)
    assert crawled.content_hash == content_hash(STORY)
    assert repo.item_id_for_hash(crawled.content_hash) == stored.item_id
    again = repo.store_article({"source": "kabarbromo", "source_kind": "news", "url": crawled.url,
                                "title": crawled.title, "text": crawled.text, "published_at": at,
                                "harvested_at": at + timedelta(hours=1), "content_hash": crawled.content_hash})
    assert (again.created, again.reason, again.item_id) == (False, "same_content", stored.item_id)


def test_the_classifier_reads_title_then_text():
    assert classified_text("Jalan rusak", "Warga mengeluh.") == "Jalan rusak\n\nWarga mengeluh."
    assert classified_text(None, "Warga mengeluh.") == "Warga mengeluh."
    assert classified_text("Jalan rusak", None) == "Jalan rusak"
