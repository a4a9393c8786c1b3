"""The classification stage: the complaint classifier labels each new article.

Uses the same model as ``pantau classify`` — the active one (``models/ACTIVE``) or the one
shipped in the package — built for the sources file's ``region``. The article's title and
text go through the spaCy pipeline in the crawl's worker processes (the pool that reads
pages), so classifying does not slow the crawler's own process; with
``PANTAU_EXTRACT_WORKERS=0`` it runs in-process. Each worker loads the model once.

The item gets ``classification``: the CONTRACT.md fields, ``model_version`` and ``evidence``
(place spans and cue words; character offsets count in ``title + "\\n\\n" + text``, see
:func:`classified_text`). When the model cannot be loaded the crawl goes on: the error is
logged once, items are stored unclassified and ``pantau reclassify`` labels them later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from spiders import workers
from spiders.items import Article

logger = logging.getLogger(__name__)

_loaded: dict[tuple[str, str], Any] = {}


class ModelUnavailable(RuntimeError):
    """The model could not be loaded: nothing can be classified in this crawl."""


def classified_text(title: str | None, text: str | None) -> str:
    """What the classifier reads of an article; evidence offsets count in this string."""
    return f"{title or ''}\n\n{text or ''}".strip()


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
    def __init__(self, region: str, workers_count: int, enabled: bool = True, stats=None):
        self.region = region
        self.workers = workers_count
        self.enabled = enabled
        self.stats = stats
        self.model_dir: str | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("PANTAU_REGION", "35.13"), settings.getint("PANTAU_EXTRACT_WORKERS", 0),
                   settings.getbool("PANTAU_CLASSIFY", True), crawler.stats)

    def open_spider(self, spider):
        if not self.enabled:
            return
        try:
            self.model_dir = str(model_path())
        except (FileNotFoundError, OSError) as exc:
            self._give_up(exc)

    async def process_item(self, item, spider):
        if not isinstance(item, Article) or self.model_dir is None or self.failed:
            return item
        text = classified_text(item.title, item.text)
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
        if self.stats is not None:
            self.stats.inc_value("pantau/classified")
            if item.classification.get("is_complaint"):
                self.stats.inc_value("pantau/complaints")
        return item

    def _give_up(self, exc: BaseException) -> None:
        self.failed = True
        logger.error("The classifier is unavailable (%(error)s): items are stored unclassified; "
                     "run `pantau reclassify` once `pantau classify` works again.",
                     {"error": f"{exc.__class__.__name__}: {exc}"})
