"""Pantau's staff web interface (``pantau serve``): FastAPI, server-rendered Jinja2, HTMX.

Reads and writes only through :class:`storage.repo.Repository`; never imports ``spiders`` or
``pipelines``. All text shown to staff is Indonesian.
"""
