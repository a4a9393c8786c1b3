"""Storing harvested articles, with de-duplication the database can enforce.

An article is stored at most once per canonical URL and once per content hash; a near-duplicate
(decided upstream by MinHash) is stored but points to the first record of its story and joins
that story's cluster. Each article is one transaction, and a unique-constraint race with another
writer ends as "already stored", never as an exception.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Classification, Cluster, Item, SeenUrl, Source, utcnow
from storage.reviews import _store_current_labels
from storage.session import RepositoryBase, insert_ignoring, require_aware

logger = logging.getLogger(__name__)

CLASSIFICATION_FIELDS = (
    "is_complaint",
    "complaint_score",
    "category",
    "kecamatan",
    "desa",
    "region_code",
    "in_jurisdiction",
    "opd",
)


@dataclass(frozen=True)
class StoreResult:
    """What :meth:`ItemQueries.store_article` did.

    ``reason`` is ``new``, ``same_case`` (a new report joining an incident's cluster) or
    ``near_duplicate`` when a row was created, ``same_url`` or
    ``same_content`` when the article was already stored (``item_id`` is then that item).
    """

    item_id: int
    created: bool
    reason: str
    duplicate_of: int | None
    cluster_id: int | None


_FIND_EXISTING = select(
    Item.id, Item.url, Item.fetched_url, Item.source_id, Item.duplicate_of, Item.cluster_id
).where(or_(Item.url == bindparam("url"), Item.content_hash == bindparam("digest")))
_INSERT_ITEM = insert(Item.__table__)


def _existing_result(item: Item, reason: str) -> StoreResult:
    return StoreResult(item.id, False, reason, item.duplicate_of, item.cluster_id)


def _offset_minutes(published_at: datetime | None) -> int | None:
    if published_at is None:
        return None
    offset = published_at.utcoffset()
    assert offset is not None  # require_aware ran first
    return int(offset.total_seconds() // 60)


class ItemQueries(RepositoryBase):
    def store_article(self, article: Mapping[str, Any], run_id: int | None = None) -> StoreResult:
        """Store one harvested article (keys as in ``spiders.items.Article``) unless it is
        already stored under the same URL or content; see :class:`StoreResult`."""
        require_aware(article.get("published_at"), "published_at")
        require_aware(article.get("harvested_at"), "harvested_at")
        try:
            with self._writing() as session:
                return self._store(session, article, run_id)
        except IntegrityError:
            # Another writer stored the same URL or content between our check and our insert.
            with self._reading() as session:
                existing = self._find_existing(session, article)
            if existing is None:
                raise  # a real integrity problem, not a duplicate
            item, reason = existing
            logger.debug(
                "Lost a race storing %(url)s: already item %(id)s",
                {"url": article["url"], "id": item.id},
            )
            return _existing_result(item, reason)

    def _find_existing(
        self, session: Session, article: Mapping[str, Any]
    ) -> tuple[Item, str] | None:
        # Plain rows from a statement built once: this runs for every harvested article.
        found = session.execute(_FIND_EXISTING, {"url": article["url"], "digest": _content_hash(article)}).all()
        for item in found:  # a URL match wins over a content match
            if item.url == article["url"]:
                return item, "same_url"
        return (found[0], "same_content") if found else None

    def _store(
        self, session: Session, article: Mapping[str, Any], run_id: int | None
    ) -> StoreResult:
        source_kind = article.get("source_kind") or "news"
        source_id = self._ensure_source(session, article["source"], kind=source_kind)

        existing = self._find_existing(session, article)
        if existing is not None:
            item, reason = existing
            # Remember this source's URLs for the copy so the next crawl does not fetch it again.
            self._remember_urls(session, source_id, item, article, reason)
            return _existing_result(item, reason)

        values: dict[str, Any] = {
            "source_id": source_id,
            "source_kind": source_kind,
            "url": article["url"],
            "fetched_url": _distinct_fetched_url(article),
            "title": article.get("title") or "",
            "text": article.get("text") or "",
            "author": article.get("author"),
            "published_at": article.get("published_at"),
            "published_offset_minutes": _offset_minutes(article.get("published_at")),
            "harvested_at": article.get("harvested_at") or utcnow(),
            "language": article.get("language"),
            "content_hash": _content_hash(article),
            "minhash": article.get("minhash"),
            "raw": dict(article.get("raw") or {}),
            "crawl_run_id": run_id,
            "status": "new",
            "duplicate_of": None,
            "cluster_id": None,
        }
        reason = "new"
        first = self._first_copy(session, article.get("near_duplicate_of"))
        if first is not None:
            values.update(duplicate_of=first.duplicate_of or first.id, cluster_id=_cluster_of(session, first),
                          status="duplicate", similarity=article.get("similarity"))
            reason = "near_duplicate"
        elif article.get("case_of"):
            # another report of the same incident (pipelines.cluster): same case, its own item
            case = session.get(Item, article["case_of"], with_for_update=True)
            if case is not None:
                values["cluster_id"] = _cluster_of(session, case)
                reason = "same_case"
        # A Core insert: the ORM's unit of work costs more than the insert itself here.
        item_id = session.execute(_INSERT_ITEM, values).inserted_primary_key[0]

        classification = article.get("classification")
        if classification:
            row = _classification_row(item_id, classification)
            session.add(row)
            session.flush()
            _store_current_labels(session, {item_id: row})
        return StoreResult(item_id, True, reason, values["duplicate_of"], values["cluster_id"])

    @staticmethod
    def _first_copy(session: Session, content_hash: str | None) -> Item | None:
        """The stored item a near-duplicate was matched to, locked so that two copies arriving
        at once do not both give it a cluster."""
        if not content_hash:
            return None
        return session.scalar(
            select(Item).where(Item.content_hash == content_hash).with_for_update()
        )

    @staticmethod
    def _remember_urls(
        session: Session, source_id: int, item: Item, article: Mapping[str, Any], reason: str
    ) -> None:
        known = {item.url, item.fetched_url} if item.source_id == source_id else set()
        urls = {article["url"], article.get("fetched_url")} - known - {None}
        insert_ignoring(
            session,
            SeenUrl,
            [{"source_id": source_id, "url": url, "reason": reason} for url in sorted(urls)],
            conflict=["source_id", "url"],
        )

    def item_id_for_hash(self, content_hash: str) -> int | None:
        with self._reading() as session:
            return session.scalar(select(Item.id).where(Item.content_hash == content_hash))

    def item_id_for_url(self, url: str) -> int | None:
        """The item stored under this canonical URL, or else fetched from it."""
        with self._reading() as session:
            item_id = session.scalar(select(Item.id).where(Item.url == url))
            if item_id is None:
                item_id = session.scalar(
                    select(Item.id).where(Item.fetched_url == url).order_by(Item.id).limit(1)
                )
            return item_id

    def iter_signatures(self, since: datetime | None = None) -> Iterator[tuple[str, bytes]]:
        """(content_hash, minhash) of items with a MinHash, harvested or published since
        ``since`` (all when None), oldest first, streamed."""
        require_aware(since, "since")
        stmt = select(Item.content_hash, Item.minhash).where(Item.minhash.is_not(None))
        if since is not None:
            stmt = stmt.where(or_(Item.harvested_at >= since, Item.published_at >= since))
        with self._reading() as session:
            rows = session.execute(stmt.order_by(Item.id), execution_options={"yield_per": 1000})
            for content_hash, minhash in rows:
                yield content_hash, bytes(minhash)

    def items_to_classify(self, *, everything_unreviewed: bool = False, batch: int = 500
                          ) -> Iterator[tuple[int, str, str]]:
        """(id, title, text) of items without a classification — or, with
        ``everything_unreviewed``, of every item still waiting for review (status ``new``) —
        oldest first, streamed in keyset pages so new rows never shift a page."""
        last = 0
        while True:
            stmt = select(Item.id, Item.title, Item.text).where(Item.id > last)
            if everything_unreviewed:
                stmt = stmt.where(Item.status == "new")
            else:
                stmt = stmt.where(~select(Classification.id).where(Classification.item_id == Item.id).exists())
            with self._reading() as session:
                rows = session.execute(stmt.order_by(Item.id).limit(batch)).all()
            if not rows:
                return
            yield from ((row.id, row.title, row.text) for row in rows)
            last = rows[-1].id

    def count_items_to_classify(self, *, everything_unreviewed: bool = False) -> int:
        stmt = select(func.count(Item.id))
        if everything_unreviewed:
            stmt = stmt.where(Item.status == "new")
        else:
            stmt = stmt.where(~select(Classification.id).where(Classification.item_id == Item.id).exists())
        with self._reading() as session:
            return session.scalar(stmt) or 0

    def add_classifications(self, rows: list[tuple[int, Mapping[str, Any]]]) -> int:
        """Append classifications (the newest row per item is the current one), one transaction;
        the items' current labels follow (a reviewer's labels still win over the model's)."""
        with self._writing() as session:
            added = [_classification_row(item_id, c) for item_id, c in rows]
            session.add_all(added)
            session.flush()
            _store_current_labels(session, {row.item_id: row for row in added})
        return len(rows)

    def case_candidates(self, *, region_prefix: str, category: str, start: datetime, end: datetime,
                        limit: int = 200) -> list[dict[str, Any]]:
        """Stored complaints of ``category`` whose place code starts with ``region_prefix`` (a
        kecamatan code) and whose date (published, else harvested) lies in ``start``..``end``,
        by their current classification: the candidates for one case (pipelines.cluster)."""
        require_aware(start, "start")
        require_aware(end, "end")
        latest = (select(Classification.item_id, func.max(Classification.id).label("id"))
                  .group_by(Classification.item_id).subquery())
        when = func.coalesce(Item.published_at, Item.harvested_at)
        stmt = (
            select(Item.id, Item.cluster_id, Item.title, Item.text, Item.duplicate_of,
                   Classification.region_code, Classification.evidence)
            .join(latest, latest.c.item_id == Item.id)
            .join(Classification, Classification.id == latest.c.id)
            .where(Classification.is_complaint.is_(True), Classification.category == category,
                   Classification.region_code.like(region_prefix + "%"), when >= start, when <= end,
                   Item.duplicate_of.is_(None))
            .order_by(Item.id).limit(limit)
        )
        with self._reading() as session:
            return [dict(row._mapping) for row in session.execute(stmt)]

    def count_items(self, source_name: str | None = None) -> int:
        stmt = select(func.count(Item.id))
        if source_name is not None:
            stmt = stmt.join(Source, Source.id == Item.source_id).where(Source.name == source_name)
        with self._reading() as session:
            return session.scalar(stmt) or 0


def _cluster_of(session: Session, item: Item) -> int:
    """The cluster of a stored item, created when it has none yet."""
    if item.cluster_id is None:
        cluster = Cluster()
        session.add(cluster)
        session.flush()
        item.cluster_id = cluster.id
        session.flush()
    return item.cluster_id


def content_hash(text: str) -> str:
    """What makes two texts the *same content* (``items.content_hash``, unique): the SHA-256 of
    the text lowercased with its whitespace collapsed. The one definition: the dedupe pipeline
    hashes with it, and storage with it when a caller stored an article without one."""
    normalised = " ".join(text.lower().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _content_hash(article: Mapping[str, Any]) -> str:
    return article.get("content_hash") or content_hash(article.get("text") or "")


def _distinct_fetched_url(article: Mapping[str, Any]) -> str | None:
    fetched = article.get("fetched_url")
    return fetched if fetched and fetched != article["url"] else None


def _classification_row(item_id: int, classification: Mapping[str, Any]) -> Classification:
    return Classification(
        item_id=item_id,
        model_version=classification.get("model_version") or "unknown",
        evidence=classification.get("evidence"),
        # "perlu dicek" (a classification made before the model had a review floor has no such
        # key): only ever for what is not a complaint, so the three states stay apart
        needs_check=bool(classification.get("needs_check")) and not classification.get("is_complaint"),
        **{name: classification.get(name) for name in CLASSIFICATION_FIELDS},
    )
