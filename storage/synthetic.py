"""Synthetic items in bulk, for benchmarks of the web interface (100,000 items in seconds).

Not used by the crawl: real items go through :meth:`storage.articles.ItemQueries.store_article`.
Rows are inserted with executemany in batches (multi-row INSERTs), with one classification each
and the item's current labels filled in as storage keeps them; statuses, dates, categories and
kecamatan are spread so filters and pages look like a year of real harvests.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql

from storage.models import Classification, Item, Source
from storage.session import RepositoryBase

KECAMATAN = ("Tiris", "Kraksaan", "Paiton", "Dringu", "Sukapura", "Leces", "Krejengan", "Gading", "Besuk",
             "Pajarakan", "Maron", "Bantaran", "Kuripan", "Sumberasih", "Tongas", "Lumbang")
STATUSES = ("new",) * 6 + ("approved", "approved", "rejected", "entered")


class SyntheticQueries(RepositoryBase):
    def seed_synthetic_items(self, count: int, *, routing: Mapping[str, str | None], seed: int = 7,
                             batch: int = 5000, now: datetime | None = None) -> int:
        """Insert ``count`` items (and classifications) over the past year; returns how many.
        ``routing``: category code → the OPD label its complaints get (the taxonomy's, which
        storage does not read: ``{c.code: c.default_opd for c in taxonomy.categories}``)."""
        categories = tuple(routing)
        rng = random.Random(seed)
        now = now or datetime.now(timezone.utc)
        with self._writing() as session:
            sources = []
            for name, kind in (("bench-news", "news"), ("bench-x", "x"), ("bench-social", "social")):
                source_id = session.scalar(select(Source.id).where(Source.name == name))
                if source_id is None:
                    source = Source(name=name, kind=kind, config={})
                    session.add(source)
                    session.flush()
                    source_id = source.id
                sources.append((source_id, kind))
            start = session.scalar(select(func.max(Item.id))) or 0
            first_label = session.scalar(select(func.max(Classification.id))) or 0
        done = 0
        while done < count:
            size = min(batch, count - done)
            items, labels = [], []
            for offset in range(size):
                n = start + done + offset + 1
                source_id, kind = rng.choice(sources)
                published = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
                complaint = rng.random() < 0.7
                kecamatan = rng.choice(KECAMATAN)
                title = f"Warga {kecamatan} mengeluhkan masalah nomor {n}" if complaint else f"Kegiatan {n} di {kecamatan}"
                text = f"{title}. " + " ".join(rng.choice(("jalan", "rusak", "air", "mati", "warga", "desa", "lampu",
                                                            "sekolah", "pasar", "bantuan")) for _ in range(60))
                items.append({"id": n, "source_id": source_id, "source_kind": kind,
                              "url": f"https://bench.example/{kind}/{n}", "title": title, "text": text,
                              "published_at": published, "published_offset_minutes": 420,
                              "harvested_at": published + timedelta(minutes=30), "language": "id",
                              "content_hash": hashlib.sha256(f"bench:{n}".encode()).hexdigest(),
                              "status": rng.choice(STATUSES) if complaint else rng.choice(("new", "rejected")),
                              "raw": {}})
                category = rng.choice(categories) if complaint else None
                current = {"is_complaint": complaint, "category": category, "kecamatan": kecamatan, "desa": None,
                           "in_jurisdiction": rng.random() > 0.05, "opd": routing.get(category)}
                label_id = first_label + done + offset + 1
                score = round(rng.uniform(0.6, 0.99) if complaint else rng.uniform(0.01, 0.4), 3)
                unsure = not complaint and score >= 0.3  # "perlu dicek": below the threshold, above the floor
                items[-1].update(classification_id=label_id, needs_check=unsure, **current)
                labels.append({"id": label_id, "item_id": n, "model_version": "bench", **current,
                               "complaint_score": score, "needs_check": unsure,
                               "region_code": None, "evidence": None, "created_at": published + timedelta(minutes=31)})
            with self._writing() as session:
                session.execute(insert(Item), items)
                session.execute(insert(Classification), labels)
            done += size
        if self.engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind. And leave the tables as autovacuum would
            # shortly after a bulk load: statistics for the planner, the visibility map for
            # index-only scans.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("items", "classifications"):
                    conn.execute(sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
                conn.execute(sql("VACUUM (ANALYZE) items, classifications"))
        return done
