"""The classification stage: the complaint classifier labels each new article.

Uses the same model as ``pantau classify`` — the active one (``models/ACTIVE``) or the one
shipped in the package — built for the sources file's ``region``. Classifying happens in the
crawl's worker processes, so it does not slow the crawler's own process: ``pantau crawl``
makes :func:`analyse_page` the page analyser, which classifies each article right after the
worker has read it (one trip between processes per page), and this stage takes that verdict
over. Items that arrive without one (other spiders, ``scrapy crawl``) are classified here, in
the same pool. With ``PANTAU_EXTRACT_WORKERS=0`` everything runs in-process. Each worker loads
the model once.

The item gets ``classification``: the CONTRACT.md fields, ``model_version`` and ``evidence``
(place spans and cue words; character offsets count in ``title + "\\n\\n" + text``, see
:func:`classified_text`). When the model cannot be loaded the crawl goes on: the error is
logged once, items are stored unclassified and ``pantau reclassify`` labels them later.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

from classify.normalize import classified_text
from spiders import workers
from spiders.items import Article

logger = logging.getLogger(__name__)

_loaded: dict[tuple[str, str], Any] = {}


class ModelUnavailable(RuntimeError):
    """The model could not be loaded: nothing can be classified in this crawl."""


def analyse_page(title: str | None, text: str | None, model_dir: str, region: str) -> dict:
    """The page analyser: classify a page's title and text as the store will keep them
    (normalised like :class:`pipelines.normalize.NormalizePipeline` does), with a checksum of
    what was read so the stage can tell the verdict still fits the item."""
    from pipelines.normalize import clean_line, clean_text

    basis = classified_text(clean_line(title) or "", clean_text(text or ""))
    result = classify_text(model_dir, region, basis)
    result["_basis"] = zlib.crc32(basis.encode("utf-8"))
    return result


def model_path() -> Path:
    from classify.pipeline import active_model_dir

    return active_model_dir()


def classify_text(model_dir: str, region: str, text: str) -> dict:
    """Classify one text with the model in ``model_dir`` (loaded once per process)."""
    from classify.pipeline import classification, load_pipeline

    key = (model_dir, region)
    nlp = _loaded.get(key)
    if nlp is None:
        try:
            nlp = _loaded[key] = load_pipeline(Path(model_dir), region=region)
        except Exception as exc:
            raise ModelUnavailable(f"cannot load the model in {model_dir}: {exc.__class__.__name__}: {exc}") from None
    return classification(nlp(text))


class ClassifyPipeline:
    def __init__(self, region: str | None, workers_count: int, enabled: bool = True, stats=None):
        self.region = region
        self.workers = workers_count
        self.enabled = enabled
        self.stats = stats
        self.model_dir: str | None = None
        self.failed = False
        self.worker_error_logged = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        # no region: the model's own (the one it was saved for)
        return cls(settings.get("PANTAU_REGION"), settings.getint("PANTAU_EXTRACT_WORKERS", 0),
                   settings.getbool("PANTAU_CLASSIFY", True), crawler.stats)

    def open_spider(self, spider):
        if not self.enabled:
            return
        try:
            self.model_dir = str(model_path())
        except (FileNotFoundError, OSError) as exc:
            self._give_up(exc)
            return
        if self.workers > 0:  # load the model in the workers while the crawl discovers articles
            for _ in range(self.workers):
                workers.submit(classify_text, self.model_dir, self.region, "", workers=self.workers)

    async def process_item(self, item, spider):
        if not isinstance(item, Article):
            return item
        text = classified_text(item.title, item.text)
        analysis, item.analysis = item.analysis, None
        if analysis is not None:
            if "error" in analysis:
                self._worker_failed(analysis["error"])
            elif analysis.pop("_basis", None) == zlib.crc32(text.encode("utf-8")):
                item.classification = analysis
                self._count(item)
                return item
        if self.model_dir is None or self.failed:
            return item
        try:
            item.classification = await workers.run(classify_text, self.model_dir, self.region, text,
                                                    workers=self.workers)
        except ModelUnavailable as exc:  # a broken model must not stop the harvest
            self._give_up(exc)
            return item
        except Exception as exc:  # one text the classifier chokes on: store it unclassified
            logger.error("Could not classify %(url)s: %(error)s", {"url": item.url, "error": repr(exc)})
            if self.stats is not None:
                self.stats.inc_value("pantau/unclassified")
            return item
        self._count(item)
        return item

    def _count(self, item) -> None:
        if self.stats is not None:
            self.stats.inc_value("pantau/classified")
            if item.classification.get("is_complaint"):
                self.stats.inc_value("pantau/complaints")

    def _worker_failed(self, error: str) -> None:
        if not self.worker_error_logged:
            self.worker_error_logged = True
            logger.warning("Classifying in the page readers failed (%(error)s); trying in the classifier "
                           "stage instead.", {"error": error})

    def _give_up(self, exc: BaseException) -> None:
        self.failed = True
        logger.error("The classifier is unavailable (%(error)s): items are stored unclassified; "
                     "run `pantau reclassify` once `pantau classify` works again.",
                     {"error": f"{exc.__class__.__name__}: {exc}"})
