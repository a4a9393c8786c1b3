"""Routes: the dashboard: this week and month by category, kecamatan, OPD, channel and status, with what
the model made of the undecided items (complaints and "perlu dicek" waiting, auto-rejected); latest runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request

from pipelines.drop_reasons import skipped_text
from review.charts import hbar_chart, trend_chart
from review.security import CurrentUser, require
from review.web import BULAN, SOURCE_KIND_LABELS, STATUS_LABELS, WIB, category_label, opd_short, render

router = APIRouter()
TREND_WEEKS = 8
RUN_STATUS_LABELS = {"running": "Berjalan", "ok": "Berhasil", "partial": "Sebagian", "failed": "Gagal",
                     "interrupted": "Terputus", "pending": "Menunggu", "skipped": "Dilewati"}
DIMENSION_TITLES = (("category", "Kategori"), ("kecamatan", "Kecamatan"), ("opd", "OPD"),
                    ("source_kind", "Kanal sumber"), ("status", "Status"))


def _label(dimension: str, value: str | None) -> str:
    if dimension == "category":
        return category_label(value) if value else "Tanpa kategori"
    if dimension == "kecamatan":
        return value or "Tidak diketahui"
    if dimension == "opd":
        if not value:
            return "Belum ditentukan"
        return opd_short(value)
    if dimension == "source_kind":
        return SOURCE_KIND_LABELS.get(value, value or "–")
    return STATUS_LABELS.get(value, value or "–")


def periods(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """This week (from Monday 00.00 WIB) and this month (from the 1st, 00.00 WIB) up to now."""
    local = now.astimezone(WIB)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    end = local + timedelta(seconds=1)
    return {"week": (week, end), "month": (month, end)}


def _day(value: datetime) -> str:
    return f"{value.day} {BULAN[value.month - 1]}"


@router.get("/dasbor")
def dashboard(request: Request, user: CurrentUser = Depends(require("viewer"))):
    repo = request.app.state.repo
    now = datetime.now(WIB)
    sections = []
    for key, heading in (("week", "Minggu ini"), ("month", "Bulan ini")):
        start, end = periods(now)[key]
        counts = repo.dashboard_counts(start, end)
        charts = []
        for dimension, title in DIMENSION_TITLES:
            rows = [(_label(dimension, value), n) for value, n in counts[dimension].items()]
            # the chart shows a label without its explanation in brackets; the table has it whole
            short = [(label.split(" (")[0] or label, n) for label, n in rows]
            charts.append({"title": title, "rows": rows,
                           "svg": hbar_chart(f"{title} — {heading.lower()}", short)})
        sections.append({"key": key, "heading": heading, "start": start, "total": counts["total"],
                         "charts": charts, "triage": repo.triage_counts(start, end)})
    week_start = periods(now)["week"][0]
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        start = week_start - timedelta(weeks=back)
        trend.append((_day(start), repo.count_items_between(start, start + timedelta(weeks=1))))
    return render(request, "dashboard.html", {
        "sections": sections,
        "trend": trend,
        "trend_svg": trend_chart(f"Aduan per minggu, {TREND_WEEKS} minggu terakhir", trend),
        "runs": repo.recent_runs(10),
        "problem_sources": repo.problem_sources(),
        "run_labels": RUN_STATUS_LABELS,
        "skipped_text": skipped_text,  # "12 halaman dilewati: daftar/indeks (10), ..."
        "now": now,
    }, user=user)
