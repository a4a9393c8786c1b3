"""Shared pytest configuration: database fixtures and local fixture-site servers."""

pytest_plugins = ["tests.plugins.db", "tests.plugins.sites"]
