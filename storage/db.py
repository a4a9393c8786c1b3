"""Database URLs, engines and schema migrations.

Resolves which database Pantau talks to (argument, ``$PANTAU_DB_URL``, or ``pantau.db`` in the
working directory), builds engines tuned for each dialect, and runs the Alembic migrations that
ship inside this package, so ``pantau init`` works from any directory and from an installed wheel.
A crawler and the web server write to the same database at once, so SQLite engines run in WAL
mode with a generous busy timeout and take the write lock at the start of write transactions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url

DEFAULT_DB_URL = "sqlite:///pantau.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Execution option read by the SQLite "begin" hook below: "IMMEDIATE" for write transactions.
SQLITE_BEGIN_OPTION = "sqlite_begin"

# Any constant works; it only has to be the same for every Pantau process sharing a server.
_MIGRATION_LOCK_KEY = 0x70616E746175  # "pantau"

_SQLITE_PRAGMAS = (
    # busy_timeout first: switching to WAL needs a lock another process may briefly hold.
    "PRAGMA busy_timeout=30000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``$PANTAU_DB_URL``, else ``sqlite:///pantau.db``."""
    return url or os.environ.get("PANTAU_DB_URL") or DEFAULT_DB_URL


def _engine_url(url: str | None) -> URL:
    parsed = make_url(database_url(url))
    # Only psycopg 3 is installed; plain and Heroku-style URLs would pick psycopg2.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (see :func:`database_url`) with Pantau's connection settings."""
    parsed = _engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, json_serializer=_json_dumps)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Long-running schedulers outlive server restarts and idle-connection reapers.
        return create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps)
    return create_engine(parsed, json_serializer=_json_dumps)


def _json_dumps(value: object) -> str:
    # Keep Indonesian text readable in the database; stringify stray datetimes instead of failing.
    return json.dumps(value, ensure_ascii=False, default=str)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of pysqlite's implicit, late BEGIN,
        # so write transactions can ask for the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred transaction that reads and then writes fails at once with "database is
        # locked" when another writer committed in between (the busy timeout cannot help);
        # BEGIN IMMEDIATE waits for the lock instead.
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _alembic_config() -> Config:
    config = Config()
    # ConfigParser interpolation would trip over a '%' in the install path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest schema revision shipped with this package."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revisions"
    return head


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Create or upgrade the schema to the newest revision (or to ``revision``, e.g. to test a
    later migration on a database of an older schema); safe to repeat. Returns the revision."""
    engine = make_engine(url)
    try:
        with engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}).begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two `pantau init` at once would otherwise race to create the same tables.
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    assert revision is not None
    return revision


def current_revision(url: str | None = None) -> str | None:
    """The schema revision the database is at, or ``None`` for a database never initialised."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
