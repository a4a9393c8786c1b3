"""Pantau's database layer: schema, migrations and the :class:`Repository` query API.

Everything that touches SQL lives in this package, and it imports nothing from the rest of
Pantau. ``upgrade()`` creates or migrates the schema; ``Repository`` reads and writes it.
"""

from storage.articles import StoreResult
from storage.db import DEFAULT_DB_URL, current_revision, database_url, make_engine, upgrade
from storage.export import EXPORT_FIELDS
from storage.repo import Repository

__all__ = [
    "DEFAULT_DB_URL",
    "EXPORT_FIELDS",
    "Repository",
    "StoreResult",
    "current_revision",
    "database_url",
    "make_engine",
    "upgrade",
]
