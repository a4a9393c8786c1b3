"""Queries for the web interface: the list view (filters, keyset pagination, bulk decisions) and cases (merge, split)."""

from __future__ import annotations

from storage.session import RepositoryBase


class BrowseQueries(RepositoryBase):
    pass
