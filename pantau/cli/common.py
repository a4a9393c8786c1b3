"""What every command module shares: the consoles, the ``--db`` option, errors with exit codes,
dates typed on the command line, and the database and office a command works on.

Exit codes follow CONTRACT.md: 0 success, 2 bad usage or configuration, 1 failure. Progress and
tables are drawn with rich on stderr/stdout; library code never prints.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pantau.config import ConfigError
from spiders.dates import JAKARTA, parse_date

out = Console()
err = Console(stderr=True)

DB_OPTION = typer.Option(None, "--db", help="SQLAlchemy database URL (default: $PANTAU_DB_URL or sqlite:///pantau.db)")
SOURCES_OPTION_HELP = "sources file (default: $PANTAU_SOURCES or sources.yaml)"
QUIET_OPTION_HELP = "no progress display"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``Error: message`` on stderr; raise the returned exit (2 by default: bad usage)."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def parse_day(value: Optional[str], option: str) -> Optional[datetime]:
    if value is None:
        return None
    parsed = parse_date(value, now=datetime.now(JAKARTA))
    if parsed is None:
        raise fail(f"{option} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01")
    return parsed


def when(at: Optional[datetime], form: str = "%Y-%m-%d %H:%M WIB") -> str:
    """A stored instant in WIB for a table ('' when there is none)."""
    return at.astimezone(JAKARTA).strftime(form) if at else ""


def progress_display(quiet: bool):
    """A rich progress display on stderr, or a null context when quiet or not on a terminal."""
    if quiet or not err.is_terminal:
        return contextlib.nullcontext(None)
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description:<18}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total} articles"),
                    TextColumn("new {task.fields[new]} · dup {task.fields[dup]} · errors {task.fields[errors]}"),
                    TimeElapsedColumn(), console=err, transient=False)


def open_repository(db: Optional[str]):
    """The repository for commands that read data; a clear error if the database is not set up."""
    from storage.db import current_revision, database_url
    from storage.repo import Repository

    url = database_url(db)
    try:
        revision = current_revision(url)
    except Exception as exc:
        raise fail(f"cannot open the database at {safe_url(url)}: {exc}", 1)
    if revision is None:
        raise fail(f"the database at {safe_url(url)} is empty; run `pantau init` (or `pantau crawl`) first", 1)
    return Repository(url)


def upgrade_database(url: str) -> str:
    """Create or upgrade the database at ``url`` (its schema revision), or fail with exit code 1."""
    from storage.db import upgrade

    try:
        return upgrade(url)
    except Exception as exc:  # the message is what the admin needs; the traceback is not
        raise fail(f"could not create or upgrade the database at {safe_url(url)}: {exc}", 1)


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def office():
    """The office in use (the sources file's region and name; pantau/config.py's defaults without one)."""
    from pantau.office import current_office

    try:
        return current_office()
    except ConfigError as exc:
        raise fail(escape(str(exc)))


def configured_region() -> str:
    return office().region
