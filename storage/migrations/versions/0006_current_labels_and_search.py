"""Items carry their current labels; indexes for the list's filters, the dashboard and text search.

With 100,000 items the list filtered by category, the text search and the dashboard took
0.5–0.7 s each (SQLite): each query found every item's newest classification, searched with
``LIKE '%…%'`` and filtered on dates by an unindexed expression.

- ``items.classification_id``, ``is_complaint``, ``category``, ``kecamatan``, ``desa``,
  ``in_jurisdiction``, ``opd``: the item's current labels — its newest classification's,
  overridden by its latest review — kept in step by ``storage`` from now on and filled in here.
- ``ix_items_{status,category,kecamatan,opd}_harvested``: each filter in the list's order
  (newest harvest first), so a filtered page reads its 50 rows from an index.
- ``ix_items_dated`` on ``coalesce(published_at, harvested_at)``, the item's date, which the
  dashboard counts by and the list filters by, followed by the columns of the date and those
  the dashboard counts by (status, source_kind, category, kecamatan, opd): the dashboard's
  counts read the index alone (a month at 100,000 items: ~60 ms of scattered row reads → a few ms).
- Text search (see ``storage/search.py``): on SQLite the external-content FTS5 table
  ``items_search`` with triggers that keep it in step with ``items`` (a later migration that
  rebuilds ``items`` in batch mode must create the triggers again); on PostgreSQL the generated
  column ``items.search_document`` = ``to_tsvector('simple', title || ' ' || text)`` with a GIN
  index (adding it rewrites the table once: some seconds per 100,000 items).
- PostgreSQL only: ``ix_items_queue_newest`` on ``items (status, published_at DESC NULLS LAST,
  harvested_at DESC, id DESC)``, the review queue's order. PostgreSQL sorts NULLs last going up,
  so 0005's index served neither direction of the queue there (the next item: ~120 ms at
  100,000 items, now ~2 ms); SQLite cannot spell NULLS LAST in an index and needs none.

The objects on one dialect only are listed in ``storage/extras.py``.

Plain ``ADD COLUMN`` (nullable, no table rebuild), so existing triggers stay in place.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LABELS = ("is_complaint", "category", "kecamatan", "desa", "in_jurisdiction", "opd")
COLUMN_TYPES = {
    "classification_id": sa.Integer(),
    "is_complaint": sa.Boolean(),
    "category": sa.String(length=64),
    "kecamatan": sa.String(length=128),
    "desa": sa.String(length=128),
    "in_jurisdiction": sa.Boolean(),
    "opd": sa.Text(),
}
DATED_COLUMNS = ["published_at", "harvested_at", "status", "source_kind", "category", "kecamatan", "opd"]
FILTER_INDEXES = {f"ix_items_{name}_harvested": [name, "harvested_at", "id"]
                  for name in ("status", "category", "kecamatan", "opd")}

_reviews = sa.table("review_actions", sa.column("id", sa.Integer()), sa.column("item_id", sa.Integer()),
                    sa.column("after", sa.JSON()))
_items = sa.table("items", sa.column("id", sa.Integer()), *(sa.column(n, t) for n, t in COLUMN_TYPES.items()))


def upgrade() -> None:
    for name, type_ in COLUMN_TYPES.items():
        op.add_column("items", sa.Column(name, type_, nullable=True))
    _fill_current_labels()
    for name, columns in FILTER_INDEXES.items():
        op.create_index(name, "items", columns, unique=False)
    op.create_index("ix_items_dated", "items", [sa.text("coalesce(published_at, harvested_at)"), *DATED_COLUMNS],
                    unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _create_fts5()
    elif dialect == "postgresql":
        op.execute("ALTER TABLE items ADD COLUMN search_document tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || text)) STORED")
        op.execute("CREATE INDEX ix_items_search ON items USING gin (search_document)")
        op.execute("CREATE INDEX ix_items_queue_newest ON items "
                   "(status, published_at DESC NULLS LAST, harvested_at DESC, id DESC)")
    else:
        raise NotImplementedError(f"no full-text search for {dialect}")


def _fill_current_labels() -> None:
    """Newest classification's labels for every item, then the latest review's ``after`` on top
    (usually far fewer items, so done row by row here)."""
    op.execute("UPDATE items SET classification_id = "
               "(SELECT max(c.id) FROM classifications c WHERE c.item_id = items.id)")
    copied = ", ".join(f"{name} = (SELECT c.{name} FROM classifications c WHERE c.id = items.classification_id)"
                       for name in LABELS)
    op.execute(f"UPDATE items SET {copied} WHERE classification_id IS NOT NULL")
    bind = op.get_bind()
    newest = sa.select(sa.func.max(_reviews.c.id)).group_by(_reviews.c.item_id)
    reviewed = bind.execute(sa.select(_reviews.c.item_id, _reviews.c.after).where(_reviews.c.id.in_(newest))).all()
    for start in range(0, len(reviewed), 500):
        chunk = reviewed[start:start + 500]
        current = {row.id: dict(row._mapping) for row in bind.execute(
            sa.select(_items.c.id, *(_items.c[name] for name in LABELS))
            .where(_items.c.id.in_([item_id for item_id, _ in chunk])))}
        updates = []
        for item_id, after in chunk:
            labels = current[item_id]
            labels.update({key: value for key, value in (after or {}).items() if key in LABELS})
            updates.append({"item": item_id, **{name: labels[name] for name in LABELS}})
        bind.execute(sa.update(_items).where(_items.c.id == sa.bindparam("item"))
                     .values({name: sa.bindparam(name) for name in LABELS}), updates)


def _create_fts5() -> None:
    op.execute("CREATE VIRTUAL TABLE items_search USING fts5(title, text, content='items', content_rowid='id', "
               "tokenize='unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN "
               "INSERT INTO items_search(rowid, title, text) VALUES (new.id, new.title, new.text); END")
    op.execute("CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN "
               "INSERT INTO items_search(items_search, rowid, title, text) "
               "VALUES ('delete', old.id, old.title, old.text); END")
    op.execute("CREATE TRIGGER items_search_update AFTER UPDATE OF title, text ON items BEGIN "
               "INSERT INTO items_search(items_search, rowid, title, text) "
               "VALUES ('delete', old.id, old.title, old.text); "
               "INSERT INTO items_search(rowid, title, text) VALUES (new.id, new.title, new.text); END")
    op.execute("INSERT INTO items_search(items_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS items_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS items_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_items_queue_newest")
        op.execute("DROP INDEX IF EXISTS ix_items_search")
        op.execute("ALTER TABLE items DROP COLUMN IF EXISTS search_document")
    op.drop_index("ix_items_dated", table_name="items")
    for name in FILTER_INDEXES:
        op.drop_index(name, table_name="items")
    for name in reversed(COLUMN_TYPES):
        op.drop_column("items", name)
