"""The classification stage: the complaint classifier labels each new article.

Uses the same model as ``pantau classify`` — the active one (``models/ACTIVE``) or the one
shipped in the package — built for the sources file's ``region``. Classifying happens in the
crawl's worker processes, so it does not slow the crawler's own process: ``pantau crawl``
registers :class:`PageClassifier` as the page analyser (the Scrapy setting
``PANTAU_PAGE_ANALYSER``; the news spider builds it with ``from_crawler``), which classifies each
article right after the worker has read it (one trip between processes per page), and this stage
takes that verdict over when the item says it came from the analyser this stage would be itself
(same class and version, same model, same region). Items that arrive without one (other
spiders, ``scrapy crawl``) are classified here, in the same pool. With
``PANTAU_EXTRACT_WORKERS=0`` everything runs in-process, as it does outside a crawl
(:mod:`pipelines.ingest`: ``process``). Each worker loads the model once.

The item gets ``classification``: the CONTRACT.md fields, ``model_version`` and ``evidence``
(place spans and cue words; character offsets count in ``title + "\\n\\n" + text``, see
:func:`classified_text`). When the model cannot be loaded the crawl goes on: the error is
logged once, items are stored unclassified and ``pantau reclassify`` labels them later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from classify.normalize import classified_text
from scrapy.exceptions import NotConfigured

from pipelines.stage import IngestContext, ScrapyStage
from spiders import workers
from spiders.items import Article

logger = logging.getLogger(__name__)

_loaded: dict[tuple[str, str], Any] = {}


class ModelUnavailable(RuntimeError):
    """The model could not be loaded: nothing can be classified in this crawl."""


class PageClassifier:
    """The page analyser (:class:`spiders.workers.PageAnalyser`): classifies a page's title and
    text in the worker that read it, as the store will keep them — normalised by the functions
    :class:`pipelines.normalize.NormalizePipeline` applies, so the verdict is the one this stage
    would reach on the item. Small and picklable: it travels to the worker with each page."""

    version = 1  # bump when what it reads of a page changes, so no stage trusts an older verdict

    def __init__(self, model_dir: str, region: str | None):
        self.model_dir = model_dir
        self.region = region

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("PANTAU_CLASSIFY", True):
            raise NotConfigured("the classification stage is off")
        try:
            model_dir = str(model_path())
        except (FileNotFoundError, OSError) as exc:  # the classifier stage reports it
            raise NotConfigured(f"no model to classify with: {exc}") from None
        return cls(model_dir, settings.get("PANTAU_REGION"))

    @property
    def key(self) -> str:
        """Names what produced an analysis: this analyser, its version, the model and the region."""
        return f"{type(self).__module__}.{type(self).__qualname__}/{self.version}:{self.model_dir}:{self.region}"

    def __call__(self, title: str | None, text: str | None) -> dict:
        from pipelines.normalize import clean_line, clean_text

        return classify_text(self.model_dir, self.region, classified_text(clean_line(title) or "",
                                                                          clean_text(text or "")))


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


class ClassifyPipeline(ScrapyStage):
    def __init__(self, region: str | None, workers_count: int, enabled: bool = True, stats=None):
        self.region = region
        self.workers = workers_count
        self.enabled = enabled
        self.stats = stats
        self.model_dir: str | None = None
        self.analyser: PageClassifier | None = None  # whose page analyses this stage takes over
        self.failed = False
        self.worker_error_logged = False

    @classmethod
    def from_settings(cls, settings, stats=None):
        # no region: the model's own (the one it was saved for)
        return cls(settings.get("PANTAU_REGION"), settings.getint("PANTAU_EXTRACT_WORKERS", 0),
                   settings.getbool("PANTAU_CLASSIFY", True), stats)

    def open(self):
        if not self.enabled:
            return
        try:
            self.model_dir = str(model_path())
        except (FileNotFoundError, OSError) as exc:
            self._give_up(exc)
            return
        self.analyser = PageClassifier(self.model_dir, self.region)
        if self.workers > 0:  # load the model in the workers while the crawl discovers articles
            for _ in range(self.workers):
                workers.submit(classify_text, self.model_dir, self.region, "", workers=self.workers)

    def process(self, item, context: IngestContext):
        """Classify ``item`` in this process (the plain ingest path)."""
        if not self._needs_classifying(item):
            return item
        try:
            result = classify_text(self.model_dir, self.region, classified_text(item.title, item.text))
        except Exception as exc:
            return self._not_classified(item, exc)
        return self._classified(item, result)

    async def process_item(self, item, spider):
        """Classify ``item`` in the crawl's worker processes (in-process with no workers)."""
        if not self._needs_classifying(item):
            return item
        try:
            result = await workers.run(classify_text, self.model_dir, self.region,
                                       classified_text(item.title, item.text), workers=self.workers)
        except Exception as exc:
            return self._not_classified(item, exc)
        return self._classified(item, result)

    def _needs_classifying(self, item) -> bool:
        """False when there is nothing to do: not an article, the page reader's verdict taken
        over (when it is this stage's own analyser's), or no model to classify with."""
        if not isinstance(item, Article):
            return False
        analysis, item.analysis = item.analysis, None
        if analysis is not None:
            if "error" in analysis:
                self._worker_failed(analysis["error"])
            elif self.analyser is not None and analysis.get("by") == self.analyser.key:
                self._classified(item, analysis["result"])
                return False
        return self.model_dir is not None and not self.failed

    def _classified(self, item, result: dict):
        item.classification = result
        self._count(item)
        return item

    def _not_classified(self, item, exc: Exception):
        if isinstance(exc, ModelUnavailable):  # a broken model must not stop the harvest
            self._give_up(exc)
            return item
        # one text the classifier chokes on: store it unclassified
        logger.error("Could not classify %(url)s: %(error)s", {"url": item.url, "error": repr(exc)})
        if self.stats is not None:
            self.stats.inc_value("pantau/unclassified")
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
