"""The ``pantau`` command line (Typer).

Exit codes follow CONTRACT.md: 0 success, 2 bad usage or configuration, 1 failure. Progress and
tables are drawn with rich on stderr/stdout; library code never prints.
"""

from __future__ import annotations

import itertools
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pantau.config import ConfigError, load_sources, sources_path
from spiders.dates import JAKARTA, parse_date

app = typer.Typer(help="Pantau: find public complaints in local news and social media for SP4N-LAPOR!",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console()
err = Console(stderr=True)

DB_OPTION = typer.Option(None, "--db", help="SQLAlchemy database URL (default: $PANTAU_DB_URL or sqlite:///pantau.db)")


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def parse_day(value: Optional[str], option: str) -> Optional[datetime]:
    if value is None:
        return None
    parsed = parse_date(value, now=datetime.now(JAKARTA))
    if parsed is None:
        raise fail(f"{option} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01")
    return parsed


@app.command()
def init(db: Optional[str] = DB_OPTION):
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    from storage.db import database_url, upgrade

    url = database_url(db)
    try:
        revision = upgrade(url)
    except Exception as exc:  # the message is what the admin needs; the traceback is not
        raise fail(f"could not create or upgrade the database at {_safe_url(url)}: {exc}", 1)
    out.print(f"Database ready at {_safe_url(url)} (schema {revision}).")


@app.command()
def crawl(
    sources: Optional[Path] = typer.Option(None, "--sources", help="sources file (default: $PANTAU_SOURCES or sources.yaml)"),
    only: Optional[list[str]] = typer.Option(None, "--only", help="crawl only this source (repeatable)"),
    since: Optional[str] = typer.Option(None, "--since", help="skip articles published before this date (default: 30 days ago)"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
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
    with _progress(quiet) as progress:
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


def _progress(quiet: bool):
    import contextlib

    if quiet or not err.is_terminal:
        return contextlib.nullcontext(None)
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description:<18}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total} articles"),
                    TextColumn("new {task.fields[new]} · dup {task.fields[dup]} · errors {task.fields[errors]}"),
                    TimeElapsedColumn(), console=err, transient=False)


def _summary(result, db: Optional[str]) -> None:
    from pipelines.drop_reasons import skipped_text

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
    from storage.repo import Repository

    repo = Repository(db)
    x_sources = repo.x_usage_for_run(result.run_id)
    if x_sources:  # the X API bills every post read: show the reads against the caps
        from spiders.x import PAGE_MIN, post_caps
        from storage.social import usage_month

        def against(read: int, cap: Optional[int], name: str) -> str:
            if not cap:
                return str(read)
            return f"{read} of {cap} ({name}{', reached' if cap - read < PAGE_MIN else ''})"

        month = usage_month()
        try:
            caps = post_caps()
            run_read = against(repo.x_posts_read(run_id=result.run_id), caps.per_run, "PANTAU_X_MAX_POSTS_PER_RUN")
            month_read = against(repo.x_posts_read(month=month), caps.per_month, "PANTAU_X_MAX_POSTS_PER_MONTH")
            out.print(f"X API posts read: {run_read} this run, {month_read} in {month} (UTC)", highlight=False)
        except ValueError as exc:
            out.print(f"X API posts read: {exc}", highlight=False)
        for usage in x_sources:
            run_read = against(usage["run"], usage["max_posts"], "max_posts")
            month_read = against(usage["month"], usage["max_posts_per_month"], "max_posts_per_month")
            out.print(f"  {usage['name']}: {run_read} this run, {month_read} in {month}", highlight=False)
    for name, why in result.skipped:
        err.print(f"[yellow]Skipped {name}:[/] {why}")
    if totals["errors"]:
        errors = repo.errors_for_run(result.run_id)
        err.print(f"[yellow]{len(errors)} page(s) failed[/] (details: `pantau runs`, log {result.log_file}):")
        for error in errors[:10]:
            err.print(f"  {error['source']}: {error['kind']} {error['url']} — {error['message']}", highlight=False)
    repo.close()


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV, XLSX or JSON file with the columns platform, url, author, text, date"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
):
    """Add posts staff collected by hand (Facebook groups, WhatsApp forwards, Instagram comments):
    every row is checked first, then classified, de-duplicated and stored; importing the same
    file again adds nothing."""
    from rich.markup import escape

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
    with _progress(quiet) as progress:
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
            result = run_import(posts, file=str(file), db_url=db, region=_configured_region(),
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


@app.command()
def export(
    format: str = typer.Option("jsonl", "--format", help="jsonl, csv, xlsx (Excel) or open311 (GeoReport v2 JSON)"),
    status: Optional[list[str]] = typer.Option(None, "--status", help="only items with this status: new, approved, rejected, entered, duplicate (repeatable or a comma list)"),
    since: Optional[str] = typer.Option(None, "--since", help="published on or after this date"),
    until: Optional[str] = typer.Option(None, "--until", help="published on or before this date"),
    category: Optional[list[str]] = typer.Option(None, "--category", help="only this category code, e.g. infrastruktur (repeatable or a comma list)"),
    kecamatan: Optional[list[str]] = typer.Option(None, "--kecamatan", help="only this kecamatan, e.g. Kraksaan (repeatable or a comma list)"),
    opd: Optional[list[str]] = typer.Option(None, "--opd", help="only this OPD: id, short or official name from opd_routing.yaml, e.g. pupr (repeatable)"),
    source: Optional[list[str]] = typer.Option(None, "--source", help="only this source name (repeatable or a comma list)"),
    per_opd: bool = typer.Option(False, "--per-opd", help="xlsx: one sheet per OPD plus a summary sheet"),
    no_mask: bool = typer.Option(False, "--no-mask", help="admins only, with --user: keep NIK, phone numbers and e-mail addresses (audited)"),
    user: Optional[str] = typer.Option(None, "--user", help="your admin account name, required by --no-mask"),
    out_file: Optional[Path] = typer.Option(None, "--out", help="write here instead of standard output (required for xlsx)"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
):
    """Write stored items as JSON Lines, CSV or XLSX (Excel-ready, with the SP4N-LAPOR! columns), or
    approved items as Open311 GeoReport v2 JSON. Personal data (NIK, phone, e-mail) is masked."""
    from rich.markup import escape

    from classify.taxonomy import TaxonomyError
    from pantau.export import options
    from pantau.export.lapor import WIB, lapor_mapping
    from pantau.export.records import TRIAGE_LABELS
    from pantau.export.run import write_records

    try:
        options.check_format(format, out=out_file, per_opd=per_opd)
        mapping = lapor_mapping()
        filters = options.ExportFilters(status=options.statuses(status, format),
                                        categories=options.categories(category, mapping))
        filters.opds, opd_names = options.opds(opd, mapping)
        filters.kecamatan, filters.warnings = options.kecamatan(kecamatan, _configured_region())
    except (options.ExportOptionError, TaxonomyError) as exc:
        raise fail(escape(str(exc)))
    filters.since, filters.until = options.days(parse_day(since, "--since"), parse_day(until, "--until"))
    repo = open_repository(db)
    try:
        filters.sources = options.sources(source, repo)
        admin = options.unmasking_admin(repo, user) if no_mask else None
    except options.ExportOptionError as exc:
        raise fail(escape(str(exc)))
    asked = {"--status": filters.status if status else None, "--since": since, "--until": until,
             "--category": filters.categories, "--kecamatan": filters.kecamatan, "--opd": opd_names or None,
             "--source": filters.sources}
    filters.described = {option: value for option, value in asked.items() if value}
    for warning in filters.warnings:
        err.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)

    total = repo.count_export_records(filters.query())
    triage = repo.export_triage_counts(filters.query())
    masking = "personal data masked" if admin is None else f"personal data NOT masked, admin {admin['username']}"
    err.print(f"Exporting {total} item(s) as {format} ({filters.description()}; {masking}).", highlight=False,
              markup=False, soft_wrap=True)
    err.print(f"Not yet reviewed: {triage['complaints_waiting']} complaint(s) and "
              f"{triage['needs_check_waiting']} 'perlu dicek' item(s) (the model was unsure) waiting in the "
              f"review queue; {triage['auto_rejected']} rejected automatically by the model (not a complaint, "
              "never reviewed).", highlight=False, markup=False, soft_wrap=True)
    notes = [("Dibuat", datetime.now(WIB).strftime("%d/%m/%Y %H:%M WIB")), ("Filter", filters.description()),
             ("Data pribadi", "disamarkan (NIK, No. KK, telepon, e-mail)" if admin is None
              else f"TIDAK disamarkan (diekspor oleh admin {admin['username']})"),
             *((label, str(triage[key])) for key, label in TRIAGE_LABELS)]
    show = not quiet and out_file is not None and err.is_terminal and total > 0
    progress = Progress(TextColumn("[bold]export"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=err, transient=True) if show else None
    count = 0

    def tick(done: int) -> None:
        nonlocal count
        count = done
        if progress is not None and (done % 250 == 0 or done == total):
            progress.update(task, completed=done)

    try:
        if progress is not None:
            progress.start()
            task = progress.add_task("export", total=total)
        count = write_records(repo.iter_export_records(filters.query()), format, out=out_file, stream=sys.stdout,
                              mask=admin is None, per_opd=per_opd, notes=notes,
                              progress=tick)
    except OSError as exc:
        raise fail(f"cannot write {out_file}: {exc.strerror or exc}", 1)
    finally:
        if progress is not None:
            progress.stop()
        if admin is not None:  # who took personal data out, what and how much: even a failed run
            repo.audit("export_unmasked", user_id=admin["id"], username=admin["username"], target=f"export:{format}",
                       after={"format": format, "filters": filters.described, "count": count,
                              "out": str(out_file) if out_file else "stdout", "complete": count == total})
    if out_file is not None:
        err.print(f"Wrote {count} record(s) to {out_file}.", highlight=False, markup=False)


@app.command()
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
        table.add_row(str(run["id"]), _when(run["started_at"]), _when(run["finished_at"], "%H:%M"), run["trigger"],
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


def _when(at: Optional[datetime], form: str = "%Y-%m-%d %H:%M WIB") -> str:
    return at.astimezone(JAKARTA).strftime(form) if at else ""


@app.command()
def schedule(
    sources: Optional[Path] = typer.Option(None, "--sources", help="sources file (default: $PANTAU_SOURCES or sources.yaml)"),
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
    from storage.db import database_url, upgrade

    path = sources_path(sources)
    logs = Path(log_dir or os.environ.get("PANTAU_LOG_DIR") or "logs")
    url = database_url(db)
    try:
        load_sources(path)
    except ConfigError as exc:
        raise fail(str(exc))
    try:
        upgrade(url)
    except Exception as exc:
        raise fail(f"could not create or upgrade the database at {_safe_url(url)}: {exc}", 1)
    configure_logging(logs)
    scheduler = CrawlScheduler(path, db_url=url, log_dir=logs, reload_every=reload_every,
                               stop_timeout=stop_timeout, max_parallel=max_parallel, since_days=since_days)
    scheduler.install_signal_handlers()
    raise typer.Exit(scheduler.run())


@app.command()
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
                      _when(row["last_run_at"], short), row["last_run_status"] or "never",
                      _when(row["last_success_at"], short) or "never", _when(row["last_new_at"], short), "; ".join(f"{k}: {v}" for k, v in row["flags"].items()),
                      row["last_error"] or "")
    out.print(table)
    flagged = [row["name"] for row in health if row["flags"]]
    if flagged:
        err.print(f"[yellow]{len(flagged)} source(s) need attention:[/] {', '.join(flagged)}", highlight=False)


@app.command()
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


@app.command("classify")
def classify_command(
    text: Optional[str] = typer.Argument(None, help="the text to classify"),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help='file of {"id": ..., "text": ...} lines; - for stdin'),
    region: Optional[str] = typer.Option(None, "--region", help="Kemendagri code of the kabupaten/kota (default: the sources file's region)"),
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
):
    """Classify one text, or every line of a JSONL file; prints one JSON object per input."""
    from classify.pipeline import classification, load_pipeline

    if (text is None) == (jsonl is None):
        raise fail("give either a TEXT or --jsonl FILE")
    nlp = _load_model(model, region)
    if text is not None:
        rows = [{"id": None, "text": text}]
    else:
        handle = sys.stdin if str(jsonl) == "-" else open(jsonl, encoding="utf-8")
        rows = []
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row.get("text"), str):
                    raise ValueError("no text")
            except (ValueError, AttributeError) as exc:
                raise fail(f"{jsonl}:{number}: expected a JSON object with a \"text\" string ({exc})")
            rows.append(row)
    for row, doc in zip(rows, nlp.pipe(row["text"] for row in rows)):
        result = {"id": row.get("id"), **classification(doc)}
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def _load_model(model: Optional[Path], region: Optional[str]):
    from classify.pipeline import load_pipeline

    try:
        return load_pipeline(model, region=region or _configured_region())
    except FileNotFoundError as exc:
        raise fail(str(exc), 1)
    except Exception as exc:
        raise fail(f"cannot load the model ({exc.__class__.__name__}: {exc}); "
                   "run `pantau train`, or delete models/ACTIVE to use the shipped model", 1)


@app.command()
def reclassify(
    everything: bool = typer.Option(False, "--all", help="re-score every item still awaiting review, not only unclassified ones"),
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
    db: Optional[str] = DB_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
):
    """Classify stored items with the active model: those the crawl stored unclassified, or
    (--all) every item awaiting review, e.g. after `pantau train` activated a better model."""
    from classify.pipeline import classification
    from classify.normalize import classified_text

    repo = open_repository(db)
    nlp = _load_model(model, None)
    total = repo.count_items_to_classify(everything_unreviewed=everything)
    done = complaints = unsure = 0
    with _progress(quiet) as progress:
        task = progress.add_task("reclassify", total=total, new=0, dup=0, errors=0) if progress else None
        rows = repo.items_to_classify(everything_unreviewed=everything)
        while chunk := list(itertools.islice(rows, 200)):
            docs = nlp.pipe(classified_text(title, text) for _, title, text in chunk)
            results = [(item_id, classification(doc)) for (item_id, _, _), doc in zip(chunk, docs)]
            complaints += sum(bool(r["is_complaint"]) for _, r in results)
            unsure += sum(bool(r.get("needs_check")) and not r["is_complaint"] for _, r in results)
            done += repo.add_classifications(results)
            if progress:
                progress.update(task, completed=done)
    out.print(f"Classified {done} item(s) with model {nlp.meta.get('pantau_model_version')}: {complaints} complaint(s), "
              f"{unsure} 'perlu dicek' (the model was unsure; they wait for review too).")


def _office():
    """The office in use (the sources file's region and name; pantau/config.py's defaults without one)."""
    from pantau.office import current_office

    try:
        return current_office()
    except ConfigError as exc:
        raise fail(escape(str(exc)))


def _configured_region() -> str:
    return _office().region


@app.command()
def train(
    region: Optional[str] = typer.Option(None, "--region", help="region the place component is built for"),
    activate: bool = typer.Option(True, "--activate/--no-activate", help="make the new model the active one if it is not worse"),
    ship: bool = typer.Option(False, "--ship", help="write the model into the package (classify/model) for a release"),
    with_reviews: bool = typer.Option(False, "--with-reviews", help="also learn from staff decisions (approved, rejected, edited items) in the database"),
    db: Optional[str] = DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
):
    """Train the complaint and category classifiers on the shipped corpus (and, with
    --with-reviews, staff decisions); write a new model version."""
    from classify.pipeline import train_and_save

    if ship and with_reviews:
        raise fail("--ship builds the package's model from the shipped corpus only; drop --with-reviews")
    reviews = None
    if with_reviews:
        repo = open_repository(db)
        try:
            reviews = repo.review_examples()
        except Exception as exc:
            raise fail(f"could not read the staff decisions: {exc}", 1)
        finally:
            repo.close()
    report = train_and_save(region=region or _configured_region(), activate=activate, log=err.print, ship=ship,
                            reviews=reviews)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    _print_report(report)
    if "reviews" in report:
        _print_reviews(report["reviews"])


def _print_reviews(section: dict) -> None:
    """The second section of `pantau train --with-reviews`: the recent-reviews slice."""
    def value(number) -> str:
        return "-" if number is None else f"{number:.3f}"

    out.print()
    out.print("[bold]Staff decisions[/]", highlight=False)
    if not section["examples"]:
        out.print("No reviewed items in the database yet: the model above is trained on the shipped corpus only. "
                  "Approve, reject or edit items in the web interface, then train again.", highlight=False)
        return
    skipped = ", ".join(f"{reason} {count}" for reason, count in section["skipped"].items())
    out.print(f"{section['examples']} reviewed item(s): {section['used']} trained on (weight {section['weight']:g}), "
              f"{section['held_out']} most recent held out" + (f"; left out: {skipped}" if skipped else ""),
              highlight=False)
    if not section["n"]:
        out.print("Too few decisions to hold any out: no recent-reviews score yet.", highlight=False)
        return
    table = Table(title=f"Recent reviews: the {section['n']} latest decisions (not trained on)")
    for column in ("model", "complaint F1", "complaint accuracy", "category accuracy", "texts"):
        table.add_column(column, justify="left" if column == "model" else "right")
    rows = [("new", section)]
    if section.get("active_model"):
        rows.append((f"active before ({section['active_model']['model_version']})", section["active_model"]))
    for name, row in rows:
        table.add_row(name, value(row["complaint_f1"]), value(row["complaint_accuracy"]),
                      value(row["category_accuracy"]), f"{row['n']} ({row['complaints']} complaints)")
    out.print(table)
    for error in section.get("worst_errors", []):
        out.print(f"  {error['source']} gold={'complaint' if error['gold'] else 'not'} score={error['score']}: "
                  f"{error['text']}", highlight=False)


@app.command()
def evaluate(
    model: Optional[Path] = typer.Option(None, "--model", help="a saved model folder (default: the active model)"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
):
    """Per-class precision/recall/F1, confusion, region accuracy and worst errors on the held-out
    test set; and, when ../shared/realtexts exists (or $PANTAU_REALTEXTS), the same model on real
    texts nobody on the team wrote (bandung dev/test halves, agency replies, SmSA reviews)."""
    from classify.pipeline import evaluate_saved, evaluate_real

    try:
        report = evaluate_saved(model)
        report["real"] = evaluate_real(model)
    except FileNotFoundError as exc:
        raise fail(str(exc), 1)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    _print_report(report)
    _print_real(report["real"])


def _print_real(real: dict | None) -> None:
    from classify.realtexts import missing_message

    if real is None:
        out.print(missing_message())
        return
    table = Table(title=f"Real texts (threshold {real['threshold']:.2f}; not written by the team)")
    for column in ("set", "texts", "precision", "recall", "F1", "ROC AUC"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for half in ("bandung_dev", "bandung_test"):
        row = real[half]
        table.add_row(half.replace("_", " ") + " half", str(row["n"]), f"{row['precision']:.3f}",
                      f"{row['recall']:.3f}", f"{row['f1']:.3f}", f"{row['roc_auc']:.3f}")
    out.print(table)
    out.print(f"Agency replies called complaints: {real['replies_called_complaint']:.1%}; "
              f"SmSA negative reviews called complaints: {real['smsa_fp_rate']:.1%}; "
              f"calibration gap on the dev half: {real['calibration_gap_dev']:.3f}")


def _print_report(report: dict) -> None:
    out.print(f"Model {report['model_version']} on {report['test_records']} held-out texts")
    for title, key in (("Complaint or not", "complaint"), ("Category (complaints only)", "category")):
        table = Table(title=title)
        for column in ("class", "precision", "recall", "F1", "support"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for label, row in report[key].items():
            table.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["support"]))
        out.print(table)
    out.print(f"Category accuracy: {report['category_accuracy']:.3f}")
    for title, key in (("Confusion: complaint (rows: truth, columns: predicted)", "complaint_matrix"),
                       ("Confusion: category (rows: truth, columns: predicted)", "category_matrix")):
        matrix = report.get(key)
        if not matrix:
            continue
        table = Table(title=title)
        table.add_column("")
        short = [label[:6] for label in matrix["labels"]]
        for label in short:
            table.add_column(label, justify="right")
        for label, row in zip(matrix["labels"], matrix["rows"]):
            table.add_row(label, *[str(n) if n else "·" for n in row])
        out.print(table)
    if "region_accuracy" in report:
        out.print(f"Region accuracy: {report['region_accuracy']:.3f} on {report['region_records']} texts with a place label")
    if report.get("category_confusion"):
        out.print("Most confused categories: " + ", ".join(f"{k} ({v})" for k, v in list(report["category_confusion"].items())[:8]))
    for error in report.get("worst_errors", [])[:10]:
        out.print(f"  {error['source']} gold={'complaint' if error['gold'] else 'not'} score={error['score']}: {error['text']}",
                  highlight=False)


user_app = typer.Typer(help="Staff accounts of the web interface.", no_args_is_help=True)
app.add_typer(user_app, name="user")


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
                      user["created_at"].astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M"))
    out.print(table)


@app.command()
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


@app.command()
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


@app.command()
def report(
    month: str = typer.Option(..., "--month", help="the month to report, as YYYY-MM (WIB), e.g. 2026-11"),
    out_file: Path = typer.Option(..., "--out", help="the file to write (.xlsx or .pdf)"),
    format: Optional[str] = typer.Option(None, "--format", help="xlsx or pdf (default: from the --out extension)"),
    db: Optional[str] = DB_OPTION,
):
    """The monthly report for the province: items, complaints, approved, entered into SP4N-LAPOR! and
    rejected by channel, category, kecamatan and OPD, the follow-up rate and deadlines, weekly trend."""
    from pantau.report import MonthError, parse_month, report_format, write_report

    try:
        parse_month(month)
        fmt = report_format(out_file, format)
    except MonthError as exc:
        raise fail(f"--month {exc}")
    except ValueError as exc:
        raise fail(str(exc))
    try:
        written = write_report(open_repository(db), month, out_file, fmt, office=_office())
    except OSError as exc:
        raise fail(f"could not write {out_file}: {exc}", 1)
    err.print(f"Wrote the report for {written.month_label} ({fmt.upper()}) to {out_file}.", highlight=False)


def open_repository(db: Optional[str]):
    """The repository for commands that read data; a clear error if the database is not set up."""
    from storage.db import current_revision, database_url
    from storage.repo import Repository

    url = database_url(db)
    try:
        revision = current_revision(url)
    except Exception as exc:
        raise fail(f"cannot open the database at {_safe_url(url)}: {exc}", 1)
    if revision is None:
        raise fail(f"the database at {_safe_url(url)} is empty; run `pantau init` (or `pantau crawl`) first", 1)
    return Repository(url)


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
