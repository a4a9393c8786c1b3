"""Database fixtures: a fresh SQLite file, or a fresh PostgreSQL schema, per test.

``db_url`` runs a test on both backends; ``sqlite_url`` and ``postgres_url`` pick one;
``migrated_db_url`` is ``db_url`` with the schema already created. Fixtures of a wider scope
(a module's crawl, run once and asserted on by several tests) parametrize over ``BACKENDS`` and
take their database from :func:`fresh_database`. PostgreSQL is the server on
127.0.0.1:5432 (override with ``$PANTAU_TEST_PG_URL``); each test gets its own schema through
``search_path``, dropped afterwards. Without a server the PostgreSQL variants are skipped, except
on CI (``CI=true``), where a missing server must not silently shrink the test run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage.db import upgrade

_PG_CANDIDATES = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


def _pg_candidates() -> list[str]:
    configured = os.environ.get("PANTAU_TEST_PG_URL")
    return [configured] if configured else list(_PG_CANDIDATES)


def _try_connect(url: str, create_missing: bool = True) -> Engine:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        engine.dispose()
        missing_database = f'database "{make_url(url).database}" does not exist' in str(exc.orig)
        if not (missing_database and create_missing):
            raise
        _create_database(url)
        return _try_connect(url, create_missing=False)
    return engine


def _create_database(url: str) -> None:
    """Create the test database through the maintenance database ``postgres``."""
    parsed = make_url(url)
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        maintenance.dispose()


@pytest.fixture(scope="session")
def _postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the test database, used to create and drop test schemas."""
    failures = []
    for url in _pg_candidates():
        try:
            engine = _try_connect(url)
        except OperationalError as exc:
            failures.append(f"{url}: {str(exc.orig).strip()}")
            continue
        yield engine
        engine.dispose()
        return
    message = "PostgreSQL is not reachable; tried " + "; ".join(failures)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL tests must run on CI)", pytrace=False)
    pytest.skip(message)


@contextmanager
def _schema(admin: Engine) -> Iterator[str]:
    """A PostgreSQL URL whose connections live in a schema of their own, dropped afterwards."""
    schema = f"pantau_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # A connection leaked by a failing test must not hang the whole session.
            conn.exec_driver_sql("SET lock_timeout = '10s'")
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_url(_postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL URL whose connections live in a schema of their own, dropped afterwards."""
    with _schema(_postgres_admin) as url:
        yield url


# For fixtures of any scope: ``@pytest.fixture(scope="module", params=BACKENDS)``.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """An empty database on ``backend`` ("sqlite": a file in ``folder``; "postgresql": a schema
    of its own, dropped afterwards), for a fixture parametrized over ``BACKENDS``."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'pantau.db'}"
        return
    with _schema(request.getfixturevalue("_postgres_admin")) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'pantau.db'}"


@pytest.fixture(params=BACKENDS)
def db_url(request) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """``db_url`` with Pantau's schema created."""
    upgrade(db_url)
    return db_url
