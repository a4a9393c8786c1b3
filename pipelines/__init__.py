"""The ingest sequence every item goes through on its way into storage.

:data:`STAGES` is its one home: ``pantau.settings`` makes Scrapy's ``ITEM_PIPELINES`` of it (a
crawl), and :func:`pipelines.ingest.ingest` runs the same stages without Scrapy (an import, a
test), so crawled articles, X posts, feed-bridge posts and hand-imported rows are normalised,
de-duplicated, classified and stored by the same code.
"""

STAGES = (
    "pipelines.normalize.NormalizePipeline",  # tidy text and dates; skip what is not an item
    "pipelines.dedupe.DedupePipeline",  # content hash, near-duplicate signature
    "pipelines.classify.ClassifyPipeline",  # the complaint classifier
    "pipelines.cluster.ClusterPipeline",  # reports of one incident share a case
    "pipelines.store.StorePipeline",  # one transaction per item, idempotent
)


def item_pipelines() -> dict[str, int]:
    """:data:`STAGES` as Scrapy's ``ITEM_PIPELINES`` (100, 200, ... in order)."""
    return {path: 100 * (number + 1) for number, path in enumerate(STAGES)}
