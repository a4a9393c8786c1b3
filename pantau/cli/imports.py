"""``pantau import``: posts staff collected by hand (CSV, XLSX or JSON), checked by
:func:`spiders.intake.read_import` and stored by :func:`pantau.intake.run_import`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from pantau.cli.common import DB_OPTION, QUIET_OPTION_HELP, configured_region, err, fail, out, progress_display


def import_command(
    file: Path = typer.Argument(..., help="CSV, XLSX or JSON file with the columns platform, url, author, text, date"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help=QUIET_OPTION_HELP),
):
    """Add posts staff collected by hand (Facebook groups, WhatsApp forwards, Instagram comments):
    every row is checked first, then classified, de-duplicated and stored; importing the same
    file again adds nothing."""
    from pantau.intake import ImportMonitor, run_import
    from spiders.intake import ImportProblems, import_source, read_import

    try:
        posts = read_import(file)
    except ImportProblems as exc:
        if exc.bad_rows:  # each row's problem on its own line, then what it means
            for problem in exc.problems:
                err.print(problem, markup=False, highlight=False, soft_wrap=True)
            raise fail(escape(str(exc)))
        for problem in exc.problems[:-1]:
            err.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise fail(escape(exc.problems[-1]))
    err.print(f"Importing {len(posts)} row(s) from {escape(str(file))}.", highlight=False)
    with progress_display(quiet) as progress:
        tasks: dict[str, int] = {}
        rows: dict[str, int] = {}
        for post in posts:
            name = import_source(post.platform).name
            rows[name] = rows.get(name, 0) + 1

        def show(state) -> None:
            total = rows.get(state.name, 1)
            if state.name not in tasks:
                tasks[state.name] = progress.add_task(state.name, total=total, new=0, dup=0, errors=0)
            done = total if state.finished else min(state.new + state.duplicates, total)
            progress.update(tasks[state.name], completed=done, new=state.new, dup=state.duplicates,
                            errors=state.errors)

        try:
            result = run_import(posts, file=str(file), db_url=db, region=configured_region(),
                                monitor=ImportMonitor(on_change=show if progress is not None else None))
        except Exception as exc:
            raise fail(f"the import stopped: {escape(str(exc))}", 1)
    table = Table(title=f"Import run #{result.run_id}: {result.status}")
    columns = ("platform", "rows", "new", "already present", "stored as duplicate", "not stored", "complaints",
               "errors")
    for column in columns:
        table.add_column(column, justify="left" if column == "platform" else "right")
    keys = ("rows", "new", "already_present", "repeats", "not_stored", "complaints", "errors")
    for outcome in result.platforms:
        table.add_row(outcome.platform, *(str(outcome.count(k)) for k in keys))
    table.add_row("[bold]total", *(str(result.total(k)) for k in keys), end_section=True)
    out.print(table)
    out.print(f"Read {result.total('rows')} row(s) from {escape(result.file)}: {result.total('new')} new, "
              f"{result.total('already_present')} already present, {result.total('repeats')} stored as "
              f"duplicates of an earlier story, {result.total('complaints')} complaint(s).",
              highlight=False, soft_wrap=True)
    if result.total("not_stored"):
        err.print(f"[yellow]{result.total('not_stored')} row(s) not stored[/] (too little text to be a post; "
                  f"details in {escape(str(result.log_file))}).", highlight=False)
    if result.total("errors"):
        err.print(f"[yellow]{result.total('errors')} row(s) could not be stored[/] (details: `pantau runs`, "
                  f"log {escape(str(result.log_file))}).", highlight=False)
    raise typer.Exit(1 if result.status == "failed" else 0)
