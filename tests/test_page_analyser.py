"""The page analyser is a component, not a string plus a checksum: ``pantau crawl`` registers the
classifier stage's own :class:`~pipelines.classify.PageClassifier`, the spider builds it with
``from_crawler``, its verdict travels on the item with the analyser's key, and the classifier
stage takes a verdict over only from the analyser it would be itself."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from types import SimpleNamespace

from scrapy.utils.test import get_crawler

from pantau.crawl import _classify_while_reading, crawl_settings
from pipelines.classify import ClassifyPipeline, PageClassifier
from spiders import workers
from spiders.items import Article

TITLE = "Jalan Desa Ranuagung Rusak Parah, Warga Minta Segera Diperbaiki"
TEXT = ("Warga Desa Ranuagung, Kecamatan Tiris, mengeluhkan jalan desa yang rusak parah sejak "
        "musim hujan. Lubang besar membuat pengendara motor sering terjatuh. Warga meminta Dinas "
        "PUPR segera memperbaiki jalan tersebut.")


def _settings(tmp_path, **overrides):
    settings = crawl_settings(db_url=f"sqlite:///{tmp_path / 'p.db'}", sources_file=None, run_id=None,
                              log_file=None, overrides={"PANTAU_EXTRACT_WORKERS": 0, **overrides})
    _classify_while_reading(settings)
    return settings


def _article(analysis=None) -> Article:
    return Article(source="kabarbromo", url="https://kabarbromo.example/jalan", title=TITLE, text=TEXT,
                   published_at=datetime(2026, 11, 2, tzinfo=timezone.utc), analysis=analysis)


def _stage(settings) -> ClassifyPipeline:
    stage = ClassifyPipeline.from_crawler(get_crawler(settings_dict=settings.copy_to_dict()))
    stage.open_spider(None)
    return stage


def test_the_crawl_registers_the_classifier_as_an_object_the_spider_builds(tmp_path):
    settings = _settings(tmp_path)
    assert settings["PANTAU_PAGE_ANALYSER"] is PageClassifier
    analyser = workers.page_analyser(get_crawler(settings_dict=settings.copy_to_dict()))
    assert isinstance(analyser, PageClassifier)
    verdict = analyser(TITLE, TEXT)
    assert verdict["is_complaint"] is True and verdict["category"] == "infrastruktur"


def test_no_analyser_when_classification_is_off(tmp_path):
    settings = _settings(tmp_path, PANTAU_CLASSIFY=False)
    assert workers.page_analyser(get_crawler(settings_dict=settings.copy_to_dict())) is None


def test_the_reader_hands_the_verdict_on_with_the_analysers_key_and_keeps_the_page_when_it_fails(tmp_path):
    analyser = workers.page_analyser(get_crawler(settings_dict=_settings(tmp_path).copy_to_dict()))
    page = SimpleNamespace(is_article=True, title=TITLE, text=TEXT)
    _, encoding, analysis = workers.read_then_analyse(lambda: (page, "utf-8"), analyser)
    assert encoding == "utf-8" and analysis["by"] == analyser.key
    assert analysis["result"]["kecamatan"] == "Tiris"

    broken = PageClassifier(str(tmp_path / "no-model"), None)
    kept, _, analysis = workers.read_then_analyse(lambda: (page, "utf-8"), broken)
    assert kept is page and analysis["by"] == broken.key and "error" in analysis


def test_the_stage_takes_over_a_verdict_of_its_own_analyser(tmp_path):
    stage = _stage(_settings(tmp_path))
    verdict = dict(stage.analyser(TITLE, TEXT), model_version="read-in-the-worker")
    item = asyncio.run(stage.process_item(_article({"by": stage.analyser.key, "result": verdict}), None))
    assert item.classification["model_version"] == "read-in-the-worker"
    assert item.analysis is None  # never stored


def test_the_stage_classifies_itself_when_the_verdict_came_from_another_analyser_version(tmp_path):
    stage = _stage(_settings(tmp_path))
    verdict = dict(stage.analyser(TITLE, TEXT), model_version="read-in-the-worker")
    older = PageClassifier(stage.analyser.model_dir, stage.analyser.region)
    older.version = PageClassifier.version - 1
    item = asyncio.run(stage.process_item(_article({"by": older.key, "result": verdict}), None))
    assert item.classification["model_version"] != "read-in-the-worker"
    assert item.classification["is_complaint"] is True and item.classification["kecamatan"] == "Tiris"
