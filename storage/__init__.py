"""Pantau's database layer: schema, migrations and the :class:`Repository` query API.

Everything that touches SQL lives in this package, and it imports nothing from the rest of
Pantau. ``upgrade()`` creates or migrates the schema; ``Repository`` reads and writes it.
"""

from storage.articles import StoreResult
from storage.db import DEFAULT_DB_URL, current_revision, database_url, make_engine, upgrade
from storage.export import EXPORT_FIELDS
from storage.repo import Repository
from storage.reviews import LABEL_KEYS, REJECT_REASONS, REVIEW_ACTIONS, ReviewExample

__all__ = [
    "DEFAULT_DB_URL",
    "EXPORT_FIELDS",
    "LABEL_KEYS",
    "REJECT_REASONS",
    "REVIEW_ACTIONS",
    "Repository",
    "ReviewExample",
    "StoreResult",
    "current_revision",
    "database_url",
    "make_engine",
    "upgrade",
]
