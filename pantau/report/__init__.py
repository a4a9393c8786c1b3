"""The monthly report for the province (``pantau report --month YYYY-MM --out FILE``).

:mod:`pantau.report.figures` counts one month through the repository; :mod:`pantau.report.xlsx`
and :mod:`pantau.report.pdf` lay the same figures out as an Excel workbook with native charts or
as a PDF with vector charts. :func:`write_report` is what the command line calls.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pantau.office import Office
from pantau.report.figures import MonthError, MonthlyReport, build_report, parse_month

FORMATS = ("xlsx", "pdf")

__all__ = ["FORMATS", "MonthError", "MonthlyReport", "build_report", "parse_month", "report_format",
           "write_report"]


def report_format(out: Path, requested: str | None) -> str:
    """``requested`` if given, else the output file's extension; ``ValueError`` naming the choices."""
    chosen = (requested or out.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        given = f"--format '{requested}'" if requested else f"the file extension of '{out.name}'"
        raise ValueError(f"{given} is not a report format; use --format xlsx or --format pdf "
                         "(or an .xlsx / .pdf file name)")
    return chosen


def write_report(repo, month: str, out: Path, fmt: str, *, now: datetime | None = None,
                 office: Office | None = None) -> MonthlyReport:
    """Build the report of ``month`` (``YYYY-MM``) for ``office`` (default: the office in use)
    and write it to ``out`` as ``fmt``."""
    report = build_report(repo, parse_month(month), now=now, office=office)
    if fmt == "pdf":
        from pantau.report.pdf import write_pdf

        write_pdf(report, out)
    else:
        from pantau.report.xlsx import write_xlsx

        write_xlsx(report, out)
    return report
