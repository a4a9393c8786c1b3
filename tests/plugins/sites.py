"""Pytest fixtures that serve the fixture news sites on 127.0.0.1.

Session-scoped servers (one per xdist worker): ``wpsite`` (Kabar Bromo, WordPress-like),
``portal`` (Suara Pantura, listing pages only), ``shared_site`` (one host, two outlets under
``/probolinggo/`` and ``/probolinggokota/``) and ``errors_site`` (Warta Sumberasih, broken
pages). Each yields a running :class:`tests.sitesrv.FixtureSite` whose ``.expected`` is the
site's parsed ``expected.json`` (format in ``tests/fixtures/make_sites.py``). Their request logs
are shared by every test of the session: call ``site.clear_requests()`` first when a test
asserts on them, or start a private server with the ``fixture_site`` factory (also the way to
set ``delay``). ``write_sources`` writes a sources.yaml for ``pantau crawl --sources``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sitesrv import FixtureSite

SITES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
SITE_NAMES = ("wpsite", "portal", "shared", "errors")


def site_options(name: str) -> dict[str, Any]:
    """The handlers and path delays a site needs (from its ``handlers.py``, if it has one)."""
    if not (SITES_DIR / name / "handlers.py").is_file():
        return {}
    module = importlib.import_module(f"tests.fixtures.sites.{name}.handlers")
    return module.server_options(SITES_DIR / name)


def open_site(name: str, **overrides: Any) -> FixtureSite:
    """A (not yet started) server for the committed site ``name``; ``overrides`` are passed
    to :class:`FixtureSite` (``delay=``, ``path_delays=``, extra ``handlers=``)."""
    if name not in SITE_NAMES:
        raise ValueError(f"unknown fixture site {name!r}; choose from {', '.join(SITE_NAMES)}")
    site_dir = SITES_DIR / name
    options = site_options(name)
    for key in ("handlers", "path_delays"):
        if key in overrides:
            options[key] = {**options.get(key, {}), **overrides.pop(key)}
    options.update(overrides)
    site = FixtureSite(site_dir / "www", **options)
    site.expected = json.loads((site_dir / "expected.json").read_text(encoding="utf-8"))
    return site


def source_entries(site: FixtureSite, **extra: Any) -> list[dict[str, Any]]:
    """sources.yaml entries for every source of ``site.expected`` (``extra`` added to each)."""
    return [
        {"name": name, "url": site.url + source["url_path"], **extra}
        for name, source in site.expected["sources"].items()
    ]


def write_sources(path: Path | str, entries: list[dict[str, Any]], region: str = "35.13") -> Path:
    """Write a sources file (see CONTRACT.md) with ``entries`` and return its path."""
    path = Path(path)
    document = {"region": region, "sources": list(entries)}
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")  # fmt: skip
    return path


def _serve(name: str) -> Iterator[FixtureSite]:
    with open_site(name) as site:
        yield site


@pytest.fixture(scope="session")
def wpsite() -> Iterator[FixtureSite]:
    """Kabar Bromo: feed, sitemap index, Google News sitemap, WP REST API, JSON-LD."""
    yield from _serve("wpsite")


@pytest.fixture(scope="session")
def portal() -> Iterator[FixtureSite]:
    """Suara Pantura: no feed/sitemap/JSON-LD; Indonesian date text; paginated /indeks."""
    yield from _serve("portal")


@pytest.fixture(scope="session")
def shared_site() -> Iterator[FixtureSite]:
    """Radar Tapal Kuda: /probolinggo/ and /probolinggokota/ editions on one host."""
    yield from _serve("shared")


@pytest.fixture(scope="session")
def errors_site() -> Iterator[FixtureSite]:
    """Warta Sumberasih: charset trouble, 404/500, slow, redirects, huge page, PDF, robots."""
    yield from _serve("errors")


@pytest.fixture
def fixture_site() -> Iterator[Callable[..., FixtureSite]]:
    """Factory for a private, running server: ``fixture_site("portal", delay=0.2)``.

    Stopped at the end of the test; its request log holds only this test's requests.
    """
    started: list[FixtureSite] = []

    def start(name: str, **overrides: Any) -> FixtureSite:
        site = open_site(name, **overrides).start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()
