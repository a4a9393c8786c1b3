"""Queries for the web interface: the list view (filters, keyset pagination), one item's page,
the SP4N-LAPOR! entry of an approved item, and cases (clusters: view, merge, split).

An item's labels in the list, and what its filters match, are its current labels — the newest
classification's, overridden by the latest review (:func:`storage.reviews._current_labels`) —
which storage keeps on the item's row, indexed. The filters are :class:`storage.filters.ListFilter`'s,
the same as every export's; the text search matches words at the start of words of the title or
text (:mod:`storage.search`). The list is ordered by harvest time and id,
newest first, and paged by keyset — the last row's ``(harvested_at, id)`` — so page 2,000 costs
what page 1 costs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from storage.filters import ListFilter, filter_conditions
from storage.models import Classification, Cluster, Item, LaporEntry, ReviewAction, Source, utcnow
from storage.reviews import _current_labels, _deciding_user
from storage.session import RepositoryBase

PAGE_SIZE = 50


class BrowseQueries(RepositoryBase):
    def list_items(self, filters: ListFilter, *, after: tuple[datetime, int] | None = None,
                   oldest_first: bool = False, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
        """One page of items; ``after`` is the keyset of the previous page's last row."""
        stmt = (select(Item.id, Item.title, Item.url, Item.status, Item.source_kind, Item.published_at,
                       Item.harvested_at, Item.cluster_id, Source.name.label("source"), Item.is_complaint,
                       Classification.complaint_score, Item.category, Item.kecamatan, Item.desa, Item.opd,
                       Item.in_jurisdiction, Item.needs_check)
                .join(Source, Source.id == Item.source_id)
                .outerjoin(Classification, Classification.id == Item.classification_id))
        conditions = []
        if after is not None:
            at, item_id = after
            if oldest_first:
                conditions.append(or_(Item.harvested_at > at, and_(Item.harvested_at == at, Item.id > item_id)))
            else:
                conditions.append(or_(Item.harvested_at < at, and_(Item.harvested_at == at, Item.id < item_id)))
        harvested = Item.harvested_at
        with self._reading() as session:
            filtered, few = filter_conditions(session, filters)
            conditions += filtered
            if few:  # the same order, which no index serves: read the few dated items, sort them
                harvested = func.coalesce(Item.harvested_at, Item.harvested_at)
            order = (harvested.asc(), Item.id.asc()) if oldest_first else (harvested.desc(), Item.id.desc())
            stmt = stmt.where(*conditions).order_by(*order).limit(limit)
            return [dict(row._mapping) for row in session.execute(stmt)]

    def distinct_values(self) -> dict[str, list[str]]:
        """Values the list's filters offer: kecamatan, OPD and source names in use."""
        with self._reading() as session:
            def values(column) -> list[str]:
                return [v for v in session.scalars(select(column).distinct().where(column.is_not(None))
                                                   .order_by(column).limit(500))]
            return {"kecamatan": values(Item.kecamatan), "opd": values(Item.opd), "source": values(Source.name)}

    def item_detail(self, item_id: int) -> dict[str, Any] | None:
        """One item with its source, current labels (after reviews), its newest classification
        (``model``: score, ``needs_check``, version, evidence) and LAPOR! entry."""
        with self._reading() as session:
            row = session.execute(select(Item, Source.name).join(Source, Source.id == Item.source_id)
                                  .where(Item.id == item_id)).first()
            if row is None:
                return None
            item, source = row
            newest = session.scalar(select(Classification).where(Classification.item_id == item_id)
                                    .order_by(Classification.id.desc()).limit(1))
            lapor = session.scalar(select(LaporEntry).where(LaporEntry.item_id == item_id)
                                   .order_by(LaporEntry.id.desc()).limit(1))
            return {
                "id": item.id, "title": item.title, "text": item.text, "url": item.url, "author": item.author,
                "source": source, "source_kind": item.source_kind, "status": item.status,
                "published_at": item.published_at, "harvested_at": item.harvested_at,
                "cluster_id": item.cluster_id, "duplicate_of": item.duplicate_of,
                "labels": _current_labels(session, item_id),
                "complaint_score": newest.complaint_score if newest else None,
                "model_version": newest.model_version if newest else None,
                "needs_check": bool(newest.needs_check) and not newest.is_complaint if newest else False,
                "model": None if newest is None else {
                    "is_complaint": newest.is_complaint, "complaint_score": newest.complaint_score,
                    "needs_check": bool(newest.needs_check), "model_version": newest.model_version,
                    "evidence": newest.evidence or {},
                },
                "lapor_ref": lapor.lapor_ref if lapor else None,
                "lapor_entered_at": lapor.entered_at if lapor else None,
            }

    def enter_into_lapor(self, item_id: int, user: str | int, lapor_ref: str, *, judul: str, isi: str,
                         kategori: str | None, instansi: str | None, anonim: bool = False,
                         rahasia: bool = False) -> int:
        """Record that an approved item was entered into SP4N-LAPOR! with its tracking number:
        a ``lapor_entries`` row, an ``enter`` action in the trail and status ``entered``, in one
        transaction. ``ValueError`` when the item is not approved or the number is empty."""
        lapor_ref = (lapor_ref or "").strip()
        if not lapor_ref:
            raise ValueError("nomor pelacakan LAPOR! kosong")
        if len(lapor_ref) > 64:
            raise ValueError("nomor pelacakan LAPOR! terlalu panjang (maksimal 64 karakter)")
        with self._writing() as session:
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise LookupError(f"no item {item_id}")
            if item.status != "approved":
                raise ValueError("hanya aduan yang sudah disetujui yang dapat dicatat masuk LAPOR!")
            user_id = _deciding_user(session, user)
            labels = _current_labels(session, item_id)
            entry = LaporEntry(item_id=item_id, lapor_ref=lapor_ref, klasifikasi="Pengaduan", judul=judul, isi=isi,
                               kategori=kategori, instansi=instansi, anonim=anonim, rahasia=rahasia,
                               entered_by=user_id, entered_at=utcnow())
            session.add(entry)
            session.add(ReviewAction(item_id=item_id, user_id=user_id, action="enter", from_status="approved",
                                     to_status="entered", note=f"LAPOR! {lapor_ref}", before=labels,
                                     after=labels, at=utcnow()))
            item.status = "entered"
            session.flush()
            return entry.id

    # -- cases --------------------------------------------------------------------------------

    def case_items(self, cluster_id: int) -> list[dict[str, Any]]:
        stmt = (select(Item.id, Item.title, Item.url, Item.status, Item.source_kind, Item.published_at,
                       Item.harvested_at, Item.duplicate_of, Source.name.label("source"))
                .join(Source, Source.id == Item.source_id).where(Item.cluster_id == cluster_id)
                .order_by(func.coalesce(Item.published_at, Item.harvested_at), Item.id))
        with self._reading() as session:
            return [dict(row._mapping) for row in session.execute(stmt)]

    def merge_cases(self, item_ids: list[int]) -> tuple[dict[str, Any], int]:
        """Put the given items (and every item of their cases) into one case; returns
        (before: item id -> case id, the case kept). Needs at least two items."""
        if len(set(item_ids)) < 2:
            raise ValueError("pilih setidaknya dua aduan untuk digabung")
        with self._writing() as session:
            items = session.scalars(select(Item).where(Item.id.in_(item_ids))).all()
            if len(items) != len(set(item_ids)):
                raise LookupError("aduan tidak ditemukan")
            before = {str(i.id): i.cluster_id for i in items}
            clusters = sorted({i.cluster_id for i in items if i.cluster_id is not None})
            if clusters:
                target = clusters[0]
            else:
                cluster = Cluster()
                session.add(cluster)
                session.flush()
                target = cluster.id
            members = session.scalars(select(Item).where(or_(Item.id.in_(item_ids), Item.cluster_id.in_(clusters)))).all()
            for member in members:
                before.setdefault(str(member.id), member.cluster_id)
                member.cluster_id = target
            return before, target

    def split_from_case(self, item_id: int) -> tuple[int | None, int]:
        """Move one item out of its case into a case of its own; returns (old case, new case)."""
        with self._writing() as session:
            item = session.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None:
                raise LookupError(f"no item {item_id}")
            old = item.cluster_id
            cluster = Cluster()
            session.add(cluster)
            session.flush()
            item.cluster_id = cluster.id
            if item.duplicate_of is not None:
                item.duplicate_of = None
            return old, cluster.id
