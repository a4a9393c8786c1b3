"""Queries for the web interface: the review queue, one item with its suggestions, decisions and undo, the SP4N-LAPOR! entry."""

from __future__ import annotations

from storage.session import RepositoryBase


class QueueQueries(RepositoryBase):
    pass
