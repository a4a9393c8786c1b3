"""Setting up and running an office's installation: ``pantau init``, ``pantau user add|list``,
``pantau serve``, ``pantau backup`` and ``pantau demo``.

The commands that start the web interface (serve, user add's password hash, demo) are why the
CLI is the one place above ``review`` (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from pantau.cli.common import DB_OPTION, err, fail, open_repository, out, safe_url, upgrade_database, when


def init(db: Optional[str] = DB_OPTION):
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    from storage.db import database_url

    url = database_url(db)
    revision = upgrade_database(url)
    out.print(f"Database ready at {safe_url(url)} (schema {revision}).")


user_app = typer.Typer(help="Staff accounts of the web interface.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="the user name staff type to sign in"),
    role: str = typer.Option(..., "--role", help="viewer (reads), reviewer (also decides) or admin (also manages)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    db: Optional[str] = DB_OPTION,
):
    """Create a user of the web interface (the password is asked for, or read from stdin)."""
    from review.security import hash_password

    if role not in ("viewer", "reviewer", "admin"):
        raise fail(f"--role {role!r} is not a role; use viewer, reviewer or admin")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        password_hash = hash_password(password)
    except ValueError:
        raise fail("the password needs at least 8 characters")
    repo = open_repository(db)
    try:
        user_id = repo.add_user(name, password_hash, role)
    except ValueError as exc:
        raise fail(str(exc))
    repo.audit("user_add", username=name.strip(), target=f"user:{name.strip()}", after={"role": role, "active": True})
    out.print(f"User {name.strip()!r} ({role}) created with id {user_id}.", highlight=False)


@user_app.command("list")
def user_list(db: Optional[str] = DB_OPTION):
    """List the users of the web interface."""
    repo = open_repository(db)
    table = Table("user", "role", "active", "created")
    for user in repo.users():
        table.add_row(user["username"], user["role"], "yes" if user["active"] else "no",
                      when(user["created_at"], "%Y-%m-%d %H:%M"))
    out.print(table)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (0.0.0.0: the whole network)"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    db: Optional[str] = DB_OPTION,
):
    """Start the staff web interface (set PANTAU_SECRET_KEY so sessions survive restarts)."""
    import uvicorn

    from review.app import create_app

    repo = open_repository(db)
    if not repo.users():
        err.print("[yellow]No users yet:[/] create one with `pantau user add NAME --role admin`.")
    out.print(f"Pantau web interface on http://{host}:{port}/ (Ctrl+C stops it)", highlight=False)
    uvicorn.run(create_app(repo=repo), host=host, port=port, log_level="info", proxy_headers=False)


def backup(
    out_file: Optional[Path] = typer.Option(None, "--out", help="the backup file (default: backups/pantau-YYYYMMDD-HHMMSS.db)"),
    db: Optional[str] = DB_OPTION,
):
    """A consistent copy of the database, safe while crawls and the web interface are running
    (SQLite: online backup, then an integrity check of the copy; PostgreSQL: pg_dump)."""
    from pantau.backup import BackupError
    from pantau.backup import backup as make_backup
    from storage.db import database_url

    url = database_url(db)
    try:
        result = make_backup(url, out_file)
    except BackupError as exc:
        raise fail(str(exc), 1)
    if result.path is None:
        err.print("pg_dump is not installed here. Back up PostgreSQL with:", highlight=False)
        out.print(result.guidance, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    details = f"integrity {result.integrity}, {result.items} item(s)" if result.backend == "sqlite" else "pg_dump custom format"
    out.print(f"Backup written to {result.path} ({result.size:,} bytes; {details}).", highlight=False)


def demo(
    folder: Path = typer.Option(Path("pantau-demo"), "--dir", help="demo folder: database, sources file, logs"),
    host: str = typer.Option("127.0.0.1", "--host", help="address of the web interface"),
    port: int = typer.Option(8000, "--port", help="TCP port of the web interface"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="start the web interface after the crawl"),
):
    """Offline demo: serve sample news sites and a sample X API on 127.0.0.1, crawl them into a
    fresh database in --dir, create the admin account `demo` and start the web interface."""
    from pantau.demo import run_demo

    raise typer.Exit(run_demo(folder, host=host, port=port, serve=serve,
                              say=lambda text: out.print(text, highlight=False, markup=False, soft_wrap=True)))
