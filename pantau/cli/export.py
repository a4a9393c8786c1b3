"""What leaves Pantau: ``pantau export`` (stored items as JSON Lines, CSV, XLSX or Open311) and
``pantau report`` (the monthly report as XLSX or PDF).

The options are checked in :mod:`pantau.export.options`, written by :mod:`pantau.export.run`,
and the report built by :mod:`pantau.report`; these commands print and set exit codes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pantau.cli.common import DB_OPTION, QUIET_OPTION_HELP, configured_region, err, fail, office, open_repository, parse_day


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
    quiet: bool = typer.Option(False, "--quiet", help=QUIET_OPTION_HELP),
):
    """Write stored items as JSON Lines, CSV or XLSX (Excel-ready, with the SP4N-LAPOR! columns), or
    approved items as Open311 GeoReport v2 JSON. Personal data (NIK, phone, e-mail) is masked."""
    from classify.taxonomy import TaxonomyError
    from pantau.export import options
    from pantau.export.lapor import lapor_mapping
    from pantau.export.run import audit_unmasked, export_notes, write_records

    try:
        options.check_format(format, out=out_file, per_opd=per_opd)
        mapping = lapor_mapping()
        filters = options.ExportFilters(status=options.statuses(status, format),
                                        categories=options.categories(category, mapping))
        filters.opds, opd_names = options.opds(opd, mapping)
        filters.kecamatan, filters.warnings = options.kecamatan(kecamatan, configured_region())
    except (options.ExportOptionError, TaxonomyError) as exc:
        raise fail(escape(str(exc)))
    filters.since, filters.until = options.days(parse_day(since, "--since"), parse_day(until, "--until"))
    repo = open_repository(db)
    try:
        filters.sources = options.sources(source, repo)
        admin = options.unmasking_admin(repo, user) if no_mask else None
    except options.ExportOptionError as exc:
        raise fail(escape(str(exc)))
    options.describe(filters, status_given=bool(status), since=since, until=until, opd_names=opd_names)
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
    notes = export_notes(filters.description(), triage, admin)
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
                              mask=admin is None, per_opd=per_opd, notes=notes, progress=tick)
    except OSError as exc:
        raise fail(f"cannot write {out_file}: {exc.strerror or exc}", 1)
    finally:
        if progress is not None:
            progress.stop()
        if admin is not None:  # who took personal data out, what and how much: even a failed run
            audit_unmasked(repo, admin, format=format, described=filters.described, count=count, total=total,
                           out=out_file)
    if out_file is not None:
        err.print(f"Wrote {count} record(s) to {out_file}.", highlight=False, markup=False)


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
        written = write_report(open_repository(db), month, out_file, fmt, office=office())
    except OSError as exc:
        raise fail(f"could not write {out_file}: {exc}", 1)
    err.print(f"Wrote the report for {written.month_label} ({fmt.upper()}) to {out_file}.", highlight=False)
