"""The query API the rest of Pantau uses: :class:`Repository`.

Spiders' pipelines, the CLI and the web interface talk to the database only through this class;
no other package builds SQL. It is assembled from one part per concern (sources, crawl runs,
items, export, users and reviews, social media API cursors and usage) so each module stays
small. Every method is its own short transaction, and every datetime goes in and comes out
timezone-aware.
"""

from __future__ import annotations

from storage.articles import ItemQueries, StoreResult
from storage.export import EXPORT_FIELDS, ExportQueries
from storage.reviews import ReviewExample, ReviewQueries
from storage.runs import CrawlRunQueries
from storage.social import SocialQueries
from storage.staff import StaffQueries
from storage.synthetic import SyntheticQueries
from storage.browse import BrowseQueries
from storage.dashboard import DashboardQueries
from storage.followup import FollowUpQueries
from storage.health import SourceHealthQueries
from storage.report import ReportQueries
from storage.queue import QueueQueries
from storage.sources import SourceQueries

__all__ = ["EXPORT_FIELDS", "Repository", "ReviewExample", "StoreResult"]


class Repository(SourceQueries, CrawlRunQueries, ItemQueries, ExportQueries, ReviewQueries,
                 SocialQueries, StaffQueries, QueueQueries, BrowseQueries, DashboardQueries, SyntheticQueries,
                 FollowUpQueries, ReportQueries, SourceHealthQueries):
    """Pantau's database: ``Repository(url)`` (default ``$PANTAU_DB_URL`` or ``pantau.db``) or
    ``Repository(engine=...)`` to share an engine. The schema must exist: run
    :func:`storage.db.upgrade` (``pantau init``) first.

    Usable as a context manager; :meth:`close` releases the connections of an engine the
    repository created itself.
    """
