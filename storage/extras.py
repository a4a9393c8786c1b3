"""Database objects that the ORM models (``storage/models.py``) do not describe.

Some of what makes the web pages fast exists on one dialect only, so it is created by the
migrations and left out of the models: the text search index (an FTS5 table with triggers on
SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL; see
``storage/search.py``) and, on PostgreSQL, the review queue's index in queue order (``NULLS
LAST`` cannot be spelt in a SQLite index; SQLite's ``ix_items_queue`` already sorts undated
items last). :func:`in_models` keeps Alembic's model comparison from proposing to drop them.

A migration that rebuilds ``items`` (SQLite batch mode) must create these again (0006 shows how).
"""

from __future__ import annotations

SEARCH_TABLE = "items_search"  # SQLite: FTS5, external content = items
SEARCH_COLUMN = "search_document"  # PostgreSQL: items.search_document, generated tsvector
SEARCH_INDEX = "ix_items_search"  # PostgreSQL: GIN on items.search_document
QUEUE_INDEX = "ix_items_queue_newest"  # PostgreSQL: items (status, published_at DESC NULLS LAST, ...)


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: False for the objects listed in this module."""
    if type_ == "table":
        return not (name and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")))
    if type_ == "index":
        return name not in (SEARCH_INDEX, QUEUE_INDEX)
    if type_ == "column":
        return not (name == SEARCH_COLUMN and parent_names.get("table_name") == "items")
    return True
