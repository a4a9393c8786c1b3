"""Bad input to the classifier: a result or a clear error, never a crash or a hang."""

from __future__ import annotations

import json

import pytest

from classify.pipeline import classification, load_pipeline
from tests.crawlutil import REPO, run_pantau

CONTRACT = {"is_complaint", "complaint_score", "needs_check", "category", "kecamatan", "desa", "region_code",
            "in_jurisdiction", "opd", "model_version"}


@pytest.fixture(scope="module")
def classify():
    nlp = load_pipeline()
    return lambda text: classification(nlp(text))


@pytest.mark.parametrize("text", [
    "", "   \n\t ", "😡😡😡🔥🔥", "…!!!???", "جالان رسك بارە 道路损坏 ถนนเสีย Дорога",
])
def test_empty_emoji_and_foreign_script_texts_get_a_plain_not_complaint(classify, text):
    result = classify(text)
    assert CONTRACT <= set(result)
    assert result["is_complaint"] is False and result["category"] is None
    assert 0.0 <= result["complaint_score"] <= 1.0


def test_control_and_zero_width_characters_do_not_hide_the_words(classify):
    plain = classify("lampu jalan mati sudah seminggu, gelap sekali")
    dirty = classify("\x00lampu\u200b jalan\ufeff mati\x01 sudah seminggu,\u200d gelap sekali")
    assert abs(plain["complaint_score"] - dirty["complaint_score"]) < 0.05
    assert plain["is_complaint"] == dirty["is_complaint"]


def test_a_text_of_more_than_a_megabyte_is_classified_from_its_beginning(classify):
    head = "Warga Desa Tegalwatu Kecamatan Tiris mengeluhkan jalan poros desa rusak parah sejak setahun. "
    result = classify(head + "lorem ipsum dolor " * 80_000)  # 1.4 MB
    assert CONTRACT <= set(result)
    assert result["kecamatan"] == "Tiris"  # read, not refused


def test_a_corrupt_active_model_is_a_clear_error_from_the_cli(tmp_path):
    models = tmp_path / "models"
    (models / "svm-broken" / "textcat").mkdir(parents=True)
    (models / "svm-broken" / "config.cfg").write_text("[nlp]\nlang = \"id\"\n???", encoding="utf-8")
    (models / "ACTIVE").write_text("svm-broken\n", encoding="utf-8")
    env = {"PANTAU_MODELS_DIR": str(models), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    result = run_pantau("classify", "--jsonl", "-", env=env, cwd=tmp_path, input=json.dumps({"id": 1, "text": "x"}))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "svm-broken" in result.stderr or "model" in result.stderr.lower()
