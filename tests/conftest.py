"""Shared pytest configuration: database fixtures, local fixture-site servers, and test order."""

import os

import pytest

# The command line's console takes its width when it is first made: commands run in-process
# (tests/crawlutil.py's pantau_in_process) print as the subprocesses do, 200 columns wide.
os.environ["COLUMNS"] = "200"

pytest_plugins = ["tests.plugins.db", "tests.plugins.sites"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The modules of real crawls (``pytest.mark.crawl``) first, each module's tests kept together
    in their order: with ``--dist loadfile`` (pyproject) the longest modules start first and the
    short ones fill in around them, so no worker is left with a long crawl at the end."""
    crawl_modules = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("crawl")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in crawl_modules)
