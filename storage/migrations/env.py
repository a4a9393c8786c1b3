"""Alembic environment for Pantau's schema.

Used both by :func:`storage.db.upgrade` (which hands over an open connection through
``config.attributes["connection"]``, already inside a transaction) and by the ``alembic`` command
line with ``storage/alembic.ini`` (which connects to ``$PANTAU_DB_URL`` or ``pantau.db``). SQLite
cannot ALTER most things in place, so there migrations run in batch mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.db import database_url, make_engine
from storage.models import Base
from storage.extras import in_models

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        include_name=in_models,  # objects on one dialect only, outside the models
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) instead of running it."""
    url = config.get_main_option("sqlalchemy.url") or database_url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as conn:
            _run_on(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
