"""Harvesting and its health: ``pantau crawl`` (once), ``pantau schedule`` (each source on its
interval until stopped), ``pantau runs`` (recent runs) and ``pantau status`` (each source).

The work is in :mod:`pantau.crawl` (:func:`~pantau.crawl.run_crawl`) and :mod:`pantau.schedule`;
these commands check options, draw progress and print tables.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from pantau.cli.common import (DB_OPTION, QUIET_OPTION_HELP, SOURCES_OPTION_HELP, err, fail, open_repository, out,
                               parse_day, progress_display, upgrade_database, when)
from pantau.config import ConfigError, load_sources, sources_path
from spiders.dates import JAKARTA


def crawl(
    sources: Optional[Path] = typer.Option(None, "--sources", help=SOURCES_OPTION_HELP),
    only: Optional[list[str]] = typer.Option(None, "--only", help="crawl only this source (repeatable)"),
    since: Optional[str] = typer.Option(None, "--since", help="skip articles published before this date (default: 30 days ago)"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help=QUIET_OPTION_HELP),
    distributed: Optional[str] = typer.Option(
        None, "--distributed", envvar="PANTAU_REDIS_URL", metavar="REDIS_URL",
        help="share the crawl with every worker started with the same Redis URL and job (PostgreSQL only)"),
    job: Optional[str] = typer.Option(None, "--job", help="with --distributed: the crawl job to join (default: the region code)"),
):
    """Harvest once from every enabled source, de-duplicate and store; print a summary."""
    from pantau.crawl import CrawlMonitor, run_crawl
    from pantau.distributed import DistributedSetupError

    path = sources_path(sources)
    try:
        config = load_sources(path)
        selected = config.select(only)
    except ConfigError as exc:
        raise fail(str(exc))
    if not selected:
        raise fail(f"{path}: no enabled sources to crawl")
    since_at = parse_day(since, "--since") or datetime.now(JAKARTA) - timedelta(days=30)
    err.print(f"Crawling {len(selected)} source(s) from {path}, articles since {since_at.date()}.")
    with progress_display(quiet) as progress:
        tasks: dict[str, int] = {}

        def show(state) -> None:
            if state.name not in tasks:
                tasks[state.name] = progress.add_task(state.name, total=None, new=0, dup=0, errors=0)
            total = max(state.queued, 1) if not state.finished else max(state.done, 1)
            progress.update(tasks[state.name], total=total, completed=state.done if not state.finished else total,
                            description=f"{state.name}", new=state.new, dup=state.duplicates, errors=state.errors)
            if state.finished:
                progress.stop_task(tasks[state.name])

        try:
            result = run_crawl(selected, since=since_at, db_url=db, sources_file=path, region=config.region,
                               monitor=CrawlMonitor(on_change=show if progress is not None else None),
                               distributed=distributed, job=job)
        except DistributedSetupError as exc:
            raise fail(str(exc), exc.code)
        except Exception as exc:
            raise fail(f"the crawl stopped: {exc}", 1)
    _summary(result, db)
    raise typer.Exit(1 if result.status == "failed" else 0)


def _summary(result, db: Optional[str]) -> None:
    from pantau.crawl import x_usage_lines
    from pipelines.drop_reasons import skipped_text
    from storage.repo import Repository

    table = Table(title=f"Crawl run #{result.run_id}: {result.status}")
    for column in ("source", "status", "pages", "new", "duplicates", "skipped", "complaints", "errors", "time"):
        table.add_column(column, justify="right" if column not in ("source", "status") else "left")
    for state in result.sources:
        table.add_row(state.name, state.status, str(state.pages), str(state.new), str(state.duplicates),
                      str(state.skipped), str(state.complaints), str(state.errors), f"{state.seconds:.1f}s")
    for name, why in result.skipped:
        table.add_row(name, "skipped", "-", "-", "-", "-", "-", "-", "-")
    totals = result.totals
    table.add_row("[bold]total", "", str(totals["pages"]), str(totals["new"]), str(totals["duplicates"]),
                  str(totals["skipped"]), str(totals["complaints"]), str(totals["errors"]), "", end_section=True)
    out.print(table)
    for state in result.sources:  # why pages were not stored: "12 halaman dilewati: daftar/indeks (10), ..."
        if state.skipped:
            out.print(f"{state.name}: {skipped_text(state.skipped, state.skipped_reasons)}", highlight=False,
                      markup=False)
    repo = Repository(db)
    for line in x_usage_lines(repo, result.run_id):
        out.print(line, highlight=False)
    for name, why in result.skipped:
        err.print(f"[yellow]Skipped {name}:[/] {why}")
    if totals["errors"]:
        errors = repo.errors_for_run(result.run_id)
        err.print(f"[yellow]{len(errors)} page(s) failed[/] (details: `pantau runs`, log {result.log_file}):")
        for error in errors[:10]:
            err.print(f"  {error['source']}: {error['kind']} {error['url']} — {error['message']}", highlight=False)
    repo.close()


def runs(
    limit: int = typer.Option(20, "--limit", help="how many recent runs"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    db: Optional[str] = DB_OPTION,
):
    """Recent crawl runs with their counts and errors."""
    recent = open_repository(db).recent_runs(limit)
    if as_json:
        out.print_json(json.dumps(recent, default=str, ensure_ascii=False))
        return
    from pipelines.drop_reasons import skipped_text

    table = Table(title="Recent crawl runs")
    for column in ("run", "started", "ended", "trigger", "status", "exit", "sources", "pages", "new", "duplicates",
                   "skipped", "errors", "log"):
        table.add_column(column, overflow="fold")
    for run in recent:
        table.add_row(str(run["id"]), when(run["started_at"]), when(run["finished_at"], "%H:%M"), run["trigger"],
                      run["status"], "" if run["exit_code"] is None else str(run["exit_code"]),
                      ", ".join(s["name"] for s in run["sources"]), str(run["pages"]), str(run["new"]),
                      str(run["duplicates"]), str(run["skipped"]), str(run["errors"]), run["log_file"] or "")
    out.print(table)
    for run in recent[:3]:
        for source in run["sources"]:
            if source["skipped"]:
                out.print(f"  run {run['id']} {source['name']}: "
                          f"{skipped_text(source['skipped'], source['skipped_reasons'])}", highlight=False, markup=False)
        for sample in run.get("error_samples", []):
            out.print(f"  run {run['id']} {sample['source']}: {sample['kind']} {sample['url']} — {sample['message']}",
                      highlight=False)


def schedule(
    sources: Optional[Path] = typer.Option(None, "--sources", help=SOURCES_OPTION_HELP),
    db: Optional[str] = DB_OPTION,
    log_dir: Optional[Path] = typer.Option(None, "--log-dir", help="scheduler and crawl logs (default: $PANTAU_LOG_DIR or logs/)"),
    reload_every: float = typer.Option(10.0, "--reload-every", help="seconds between checks of the sources file for changes"),
    stop_timeout: float = typer.Option(90.0, "--stop-timeout", help="seconds running crawls get to finish after SIGTERM/Ctrl+C"),
    max_parallel: int = typer.Option(4, "--max-parallel", help="most crawls running at once"),
    since_days: float = typer.Option(30, "--since-days", help="each crawl skips articles published more than this many days ago"),
):
    """Crawl each enabled source on its own `every:` interval until stopped (SIGTERM or Ctrl+C
    stops it cleanly); picks up changes to the sources file without a restart."""
    import os

    from pantau.schedule import CrawlScheduler, configure_logging
    from storage.db import database_url

    path = sources_path(sources)
    logs = Path(log_dir or os.environ.get("PANTAU_LOG_DIR") or "logs")
    url = database_url(db)
    try:
        load_sources(path)
    except ConfigError as exc:
        raise fail(str(exc))
    upgrade_database(url)
    configure_logging(logs)
    scheduler = CrawlScheduler(path, db_url=url, log_dir=logs, reload_every=reload_every,
                               stop_timeout=stop_timeout, max_parallel=max_parallel, since_days=since_days)
    scheduler.install_signal_handlers()
    raise typer.Exit(scheduler.run())


def status(
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    db: Optional[str] = DB_OPTION,
):
    """Each source's last success, last run and last error, and whether it is flagged (failing
    three runs in a row, or nothing new for a week)."""
    from pantau.schedule import interval_text

    repo = open_repository(db)
    health = repo.source_health()
    if as_json:
        out.print_json(json.dumps(health, default=str, ensure_ascii=False))
        return
    table = Table(title="Sources (times in WIB)")
    for column in ("source", "on", "every", "last run", "status", "last success", "last new", "flag", "last error"):
        table.add_column(column, overflow="fold")
    short = "%d-%m-%y %H:%M"  # fits beside the others in an 80-column terminal
    for row in health:
        every = row["every_seconds"]
        table.add_row(row["name"], "yes" if row["enabled"] else "no", interval_text(timedelta(seconds=every)) if every else "",
                      when(row["last_run_at"], short), row["last_run_status"] or "never",
                      when(row["last_success_at"], short) or "never", when(row["last_new_at"], short),
                      "; ".join(f"{k}: {v}" for k, v in row["flags"].items()), row["last_error"] or "")
    out.print(table)
    flagged = [row["name"] for row in health if row["flags"]]
    if flagged:
        err.print(f"[yellow]{len(flagged)} source(s) need attention:[/] {', '.join(flagged)}", highlight=False)
