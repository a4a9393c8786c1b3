"""Queries for the web interface: dashboard figures (by category, kecamatan, OPD, channel, status) and admin data."""

from __future__ import annotations

from storage.session import RepositoryBase


class DashboardQueries(RepositoryBase):
    pass
