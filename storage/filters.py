"""One filter for stored items: what the web's list (``/aduan``) and every export select.

A :class:`ListFilter` is built by the web's query string (``review/routes/items.py``) and by
``pantau export``'s options (``pantau/export/options.py``); :func:`filter_conditions` turns it
into SQL, once, for :meth:`BrowseQueries.list_items` and the export queries, so one filter means
the same items on the page and in the file:

- every value field takes one value or several (any of them matches);
- ``category``, ``status``, ``source_kind`` and ``source`` are exact codes and names;
- ``kecamatan`` and ``opd`` are labels a reviewer may have typed: compared without case, with
  spaces collapsed (give every spelling of an agency — id, short and official name — to match
  them all: ``Taxonomy.opd_spellings``);
- ``since`` (inclusive) and ``until`` (exclusive) are instants compared with the item's date: when
  it was published, else when it was harvested. :func:`day_range` gives them for whole days, the
  last day included, as both the list's *dari*/*sampai* and ``--since``/``--until`` mean them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from storage.dashboard import item_date
from storage.models import Item, Source
from storage.search import matching, query_words
from storage.session import require_aware

FEW_DATED = 5000  # see _dated_between

Values = str | Iterable[str] | None


@dataclass
class ListFilter:
    status: Values = None
    category: Values = None
    kecamatan: Values = None
    opd: Values = None
    source_kind: Values = None
    source: Values = None
    in_jurisdiction: bool | None = None
    since: datetime | None = None  # dated (published, else harvested) at or after
    until: datetime | None = None  # before
    q: str | None = None
    complaints_only: bool = False

    @classmethod
    def from_export_options(cls, status: Values = None, since: datetime | None = None,
                            until: datetime | None = None, sources: Values = None, categories: Values = None,
                            kecamatan: Values = None, opds: Values = None, **rest: Any) -> ListFilter:
        """The filter of the export queries' keywords (``status``, ``since``, ``until``,
        ``sources``, ``categories``, ``kecamatan``, ``opds``; and any field of this class)."""
        return cls(status=status, since=since, until=until, source=sources, category=categories,
                   kecamatan=kecamatan, opd=opds, **rest)


def day_range(first: date | None, last: date | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """(``since``, ``until``) for the days ``first`` .. ``last`` in ``zone``, both included: from
    ``first``'s midnight to the midnight after ``last``."""
    since = datetime.combine(first, time(), tzinfo=zone) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone) if last else None
    return since, until


def _values(values: Values) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


def _lowered(values: Iterable[str]) -> list[str]:
    return sorted({" ".join(value.split()).lower() for value in values})


def _dated_between(session: Session, since: datetime | None, until: datetime | None) -> tuple[Any, bool]:
    """Items dated (published, else harvested) in ``since`` .. ``until``, and whether they are
    few (at most :data:`FEW_DATED`, counted from the index on the date).

    Neither planner knows that the date and the list's order (harvest time) go together: given
    a few items of a week long ago, it would read the list from the top until it met them, and
    given a whole year SQLite would read and sort every item in it. So few items are read from
    the date index and sorted (the caller orders by a form no index serves); for more, the
    condition is spelt so that no index serves it (``coalesce(published_at, harvested_at,
    NULL)``, the same date) and the page is read in list order, where 50 of them come soon."""
    def between(when):
        return and_(*([when >= since] if since else []), *([when < until] if until else []))

    indexed = between(item_date())
    in_range = session.scalar(select(func.count()).select_from(
        select(Item.id).where(indexed).limit(FEW_DATED + 1).subquery()))
    if in_range <= FEW_DATED:
        return indexed, True
    return between(func.coalesce(Item.published_at, Item.harvested_at, None)), False


def filter_conditions(session: Session, filters: ListFilter) -> tuple[list[ColumnElement], bool]:
    """The SQL conditions of ``filters`` on a select of :class:`Item` joined to its
    :class:`Source`, and whether the dated items are few (then the caller's ordering should
    not be one an index serves; see :func:`_dated_between`)."""
    require_aware(filters.since, "since")
    require_aware(filters.until, "until")
    conditions: list[ColumnElement] = []
    for column, values in ((Item.status, filters.status), (Item.source_kind, filters.source_kind),
                           (Source.name, filters.source), (Item.category, filters.category)):
        if (chosen := _values(values)) is not None:
            conditions.append(column.in_(chosen))
    for column, values in ((Item.kecamatan, filters.kecamatan), (Item.opd, filters.opd)):
        if (chosen := _values(values)) is not None:
            conditions.append(func.lower(column).in_(_lowered(chosen)))
    if filters.in_jurisdiction is not None:
        conditions.append(Item.in_jurisdiction.is_(filters.in_jurisdiction))
    if filters.complaints_only:
        conditions.append(Item.is_complaint.is_(True))
    few = False
    if filters.since or filters.until:
        dated, few = _dated_between(session, filters.since, filters.until)
        conditions.append(dated)
    words = query_words(filters.q)
    if words:
        conditions.append(matching(session, words))
    return conditions, few
