"""The monthly report's figures: what the province asks about, as tables with their charts.

:func:`build_report` reads one month (WIB) through the repository and returns a
:class:`MonthlyReport` — a summary and one :class:`Table` per breakdown, each naming the chart
drawn from its columns — which :mod:`pantau.report.xlsx` and :mod:`pantau.report.pdf` only lay
out. An item belongs to the month by its date (published, else harvested), as on the dashboard.

Counts, per row of every table:

- *Dipanen*: items stored; *Aduan*: items labelled a complaint (``is_complaint``);
- *Disetujui*: approved by a reviewer, including those since entered into LAPOR!;
- *Masuk LAPOR!*: entered into SP4N-LAPOR! (a tracking number was recorded); *Ditolak*: rejected;
- of the items still undecided (status new), the summary tells the complaints and the "perlu dicek"
  items (the model was unsure) waiting in the review queue from those the model rejected on its
  own ("ditolak otomatis": not a complaint, never reviewed);
- the follow-up rate is *Masuk LAPOR!* / *Disetujui*; on time / late follow the deadline rules of
  :mod:`pantau.deadlines` as of the moment the report is made.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pantau.deadlines import LATE, ON_TIME, RUNNING, STAGE_LABELS, WIB, Timeline, follow_up
from pantau.office import Office, current_office

from spiders.dates import BULAN_PANJANG as BULAN  # noqa: E402,I001
# CONTRACT.md source_kind -> the report's channel: X and the other social feeds are one channel.
CHANNELS = (("news", "Situs berita", ("news",)), ("social", "Media sosial (X dan lainnya)", ("x", "social")),
            ("import", "Impor manual", ("import",)))
FUNNEL = (("items", "Dipanen"), ("complaints", "Aduan"), ("approved", "Disetujui"), ("entered", "Masuk LAPOR!"),
          ("rejected", "Ditolak"))
FOLLOW_UP_STATES = ((ON_TIME, "Tepat waktu"), (LATE, "Terlambat"), (RUNNING, "Belum jatuh tempo"))
# What the model made of the items still undecided (repo.triage_counts), as summary rows.
TRIAGE_ROWS = (("complaints_waiting", "Menunggu tinjauan: aduan"),
               ("needs_check_waiting", "Menunggu tinjauan: perlu dicek (model ragu)"),
               ("auto_rejected", "Ditolak otomatis oleh model (tidak ditinjau)"))
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class MonthError(ValueError):
    """A ``--month`` that is not a month written as YYYY-MM."""


def parse_month(value: str) -> date:
    """``"2026-11"`` -> ``date(2026, 11, 1)``; :class:`MonthError` naming the format otherwise."""
    found = _MONTH.fullmatch((value or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise MonthError(f"'{value}' is not a month; write it as YYYY-MM, e.g. 2026-11")
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in WIB."""
    start = datetime(month.year, month.month, 1, tzinfo=WIB)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=WIB)


def month_weeks(month: date) -> list[tuple[date, date]]:
    """Monday-to-Sunday weeks clipped to the month: (first day, last day), in order."""
    start, end = month_bounds(month)
    first, last = start.date(), end.date() - timedelta(days=1)
    weeks, day = [], first
    while day <= last:
        sunday = min(day + timedelta(days=6 - day.weekday()), last)
        weeks.append((day, sunday))
        day = sunday + timedelta(days=1)
    return weeks


def day_label(day: date, *, year: bool = False) -> str:
    return f"{day.day} {BULAN[day.month - 1]}" + (f" {day.year}" if year else "")


def moment_label(moment: datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{day_label(local.date(), year=True)} {local:%H.%M} WIB"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "int"  # text | int | percent | date
    width: int = 14    # characters, for the spreadsheet


@dataclass(frozen=True)
class Chart:
    """A chart drawn from a table: categories from one column, a series per listed column."""

    kind: str                    # bar (vertical), barh (horizontal), stacked (horizontal), line, pie
    title: str
    series: tuple[int, ...]      # column indexes of the series
    categories: int = 0          # column index of the category labels
    y_title: str = "Jumlah"
    colors: tuple[str, ...] = ()  # RRGGBB per series; default: the writer's palette


@dataclass
class Table:
    key: str                     # short name: the spreadsheet's sheet
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class MonthlyReport:
    month: date
    region: str                          # the kabupaten/kota's name, "Kabupaten Lumajang"
    generated_at: datetime
    summary: list[tuple[str, Any, str]]  # (label, value, kind as in Column)
    tables: list[Table]
    notes: list[str]
    empty: bool

    @property
    def month_label(self) -> str:
        return f"{BULAN[self.month.month - 1]} {self.month.year}"

    @property
    def title(self) -> str:
        return f"Laporan Bulanan Pantau — {self.month_label}"

    @property
    def period_label(self) -> str:
        start, end = month_bounds(self.month)
        last = end.date() - timedelta(days=1)
        return f"1–{last.day} {self.month_label} (WIB)"


# -- counting -----------------------------------------------------------------------------------


def _funnel(rows: list[dict[str, Any]]) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        n = row["count"]
        counts["items"] += n
        counts["complaints"] += n if row["is_complaint"] else 0
        counts["approved"] += n if row["status"] in ("approved", "entered") or row["in_lapor"] else 0
        counts["entered"] += n if row["in_lapor"] else 0
        counts["rejected"] += n if row["status"] == "rejected" else 0
        counts[f"status:{row['status']}"] += n
    return counts


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _follow_up_state(item: dict[str, Any], now: datetime) -> tuple[str, Any]:
    """One report's state over its owed deadlines: late if any is, on time if all are met on time."""
    result = follow_up(Timeline.from_record(item), now)
    states = [deadline.state for deadline in result.owed]
    state = LATE if LATE in states else ON_TIME if all(s == ON_TIME for s in states) else RUNNING
    return state, result


# -- the report ---------------------------------------------------------------------------------


def build_report(repo, month: date | str, *, now: datetime | None = None, taxonomy=None,
                 office: Office | None = None) -> MonthlyReport:
    """The monthly report of ``month`` (a ``date`` in it, or ``"YYYY-MM"``) from ``repo``, for
    ``office``'s kabupaten/kota (default: :func:`~pantau.office.current_office`)."""
    region = (office or current_office()).region_name
    if isinstance(month, str):
        month = parse_month(month)
    month = month.replace(day=1)
    now = now or datetime.now(WIB)
    if taxonomy is None:
        from classify.taxonomy import default_taxonomy

        taxonomy = default_taxonomy()
    start, end = month_bounds(month)
    rows = repo.report_counts(start, end)
    lapor_items = repo.report_lapor_items(start, end)
    followed = [(item, *_follow_up_state(item, now)) for item in lapor_items]
    funnel = _funnel(rows)

    tables = [
        _status_table(funnel),
        _channel_table(rows),
        _category_table(rows, taxonomy),
        _label_table(rows, "kecamatan", "Kecamatan", "Aduan menurut kecamatan", lambda v: v or "Tidak diketahui"),
        _opd_table(rows, followed, taxonomy),
        _trend_table(repo, month),
        _follow_up_table(funnel, followed),
        _lapor_list(followed, taxonomy),
    ]
    states = Counter(state for _, state, _ in followed)
    summary = [(label, funnel[key], "int") for key, label in FUNNEL]
    triage = repo.triage_counts(start, end)
    summary += [
        ("Menunggu tinjauan", funnel["status:new"], "int"),
        *((label, triage[key], "int") for key, label in TRIAGE_ROWS),
        ("Disetujui, belum masuk LAPOR!", funnel["approved"] - funnel["entered"], "int"),
        ("Duplikat", funnel["status:duplicate"], "int"),
        ("Tingkat tindak lanjut (Masuk LAPOR! / Disetujui)", _rate(funnel["entered"], funnel["approved"]),
         "percent"),
        *((f"Tindak lanjut: {label.lower()}", states[state], "int") for state, label in FOLLOW_UP_STATES),
    ]
    notes = []
    empty = funnel["items"] == 0
    if empty:
        notes.append(f"Tidak ada item pada {day_label(start.date(), year=True)}–"
                     f"{day_label((end - timedelta(days=1)).date(), year=True)}: semua angka bernilai nol.")
    notes.append("Tanggal item = tanggal terbit, atau tanggal dipanen bila tanggal terbit tidak diketahui; "
                 "batas bulan dan minggu menurut WIB.")
    notes.append("Disetujui termasuk aduan yang sudah dimasukkan ke SP4N-LAPOR!; tingkat tindak lanjut = "
                 "Masuk LAPOR! dibagi Disetujui.")
    notes.append("Dari item yang menunggu tinjauan: aduan dan item perlu dicek (model ragu: skornya di bawah "
                 "ambang aduan tetapi di atas ambang tinjauan) ada di antrian tinjauan; ditolak otomatis = "
                 "model yakin bukan aduan dan belum pernah ditinjau siapa pun.")
    notes.append(f"Tenggat tindak lanjut dihitung per {moment_label(now)} dalam hari kerja (tanpa Sabtu, Minggu, "
                 "libur nasional dan cuti bersama): verifikasi 3 hari kerja setelah masuk LAPOR!, tanggapan OPD "
                 "5 hari kerja setelah verifikasi, tutup otomatis 10 hari kerja setelah tanggapan.")
    return MonthlyReport(month, region, now, summary, tables, notes, empty)


def _funnel_columns(first: str, width: int = 30) -> list[Column]:
    return [Column(first, "text", width), *(Column(label) for _, label in FUNNEL)]


def _funnel_row(label: str, counts: Counter) -> list[Any]:
    return [label, *(counts[key] for key, _ in FUNNEL)]


def _total(table_rows: list[list[Any]], label: str = "Jumlah") -> list[Any]:
    columns = zip(*[row[1:] for row in table_rows]) if table_rows else []
    return [label, *(sum(v for v in values if isinstance(v, (int, float))) for values in columns)]


STATUS_ROWS = (("new", "Menunggu tinjauan"), ("approved", "Disetujui, belum masuk LAPOR!"),
               ("entered", "Masuk LAPOR!"), ("rejected", "Ditolak"), ("duplicate", "Duplikat"))


def _status_table(funnel: Counter) -> Table:
    table_rows = [[label, funnel[f"status:{status}"]] for status, label in STATUS_ROWS]
    return Table("Status", "Item menurut status saat ini", [Column("Status", "text", 32), Column("Item")],
                 table_rows, _total(table_rows), Chart("pie", "Item menurut status", (1,)),
                 ["Status saat laporan dibuat; setiap item dihitung sekali."])


def _channel_table(rows: list[dict[str, Any]]) -> Table:
    table_rows = []
    for _, label, kinds in CHANNELS:
        table_rows.append(_funnel_row(label, _funnel([r for r in rows if r["source_kind"] in kinds])))
    return Table("Kanal", "Item dan aduan menurut kanal sumber", _funnel_columns("Kanal sumber"), table_rows,
                 _total(table_rows), Chart("bar", "Menurut kanal sumber", (1, 2, 3, 4, 5)),
                 ["Media sosial = X (Twitter) dan umpan media sosial lain; impor manual = unggahan staf "
                  "(pantau import)."])


def _complaint_columns(first: str, width: int = 34) -> list[Column]:
    return [Column(first, "text", width), *(Column(label) for key, label in FUNNEL if key != "items")]


def _complaint_row(label: str, counts: Counter) -> list[Any]:
    return [label, *(counts[key] for key, _ in FUNNEL if key != "items")]


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[Any, Counter]:
    groups: dict[Any, list] = defaultdict(list)
    for row in rows:
        if row["is_complaint"]:
            groups[row[key]].append(row)
    return {value: _funnel(members) for value, members in groups.items()}


def _sorted_rows(table_rows: list[list[Any]]) -> list[list[Any]]:
    return sorted(table_rows, key=lambda row: (-row[1], -row[3], row[0].lower()))


def _category_table(rows: list[dict[str, Any]], taxonomy) -> Table:
    groups = _grouped(rows, "category")
    labels = {c.code: c.label for c in taxonomy.categories}
    table_rows = [_complaint_row(label, groups.get(code, Counter())) for code, label in labels.items()]
    table_rows += [_complaint_row(code or "Tanpa kategori", counts) for code, counts in groups.items()
                   if code not in labels]
    return Table("Kategori", "Aduan menurut kategori", _complaint_columns("Kategori"), _sorted_rows(table_rows),
                 None, Chart("barh", "Aduan menurut kategori", (1, 3)),
                 ["Hanya item yang berlabel aduan; kategori menurut taksonomi Pantau."])


def _label_table(rows, key: str, first: str, title: str, name) -> Table:
    groups = _grouped(rows, key)
    table_rows = _sorted_rows([_complaint_row(name(value), counts) for value, counts in groups.items()])
    return Table(first, title, _complaint_columns(first), table_rows, _total(table_rows) if table_rows else None,
                 Chart("barh", title, (1, 3)), ["Hanya item yang berlabel aduan."])


def _opd_name(taxonomy, opd_id: str | None) -> str:
    if not opd_id:
        return "Belum ditentukan"
    opd = taxonomy.opd_for_label(opd_id)  # stored labels are names; older ones ids
    return opd.name if opd else opd_id


def _opd_table(rows, followed, taxonomy) -> Table:
    groups = _grouped(rows, "opd")
    states: dict[Any, Counter] = defaultdict(Counter)
    for item, state, _ in followed:
        states[item["opd"]][state] += 1
    table_rows = [_complaint_row(_opd_name(taxonomy, value), counts) + [states[value][ON_TIME], states[value][LATE]]
                  for value, counts in groups.items()]
    # An OPD whose entered reports are no longer labelled complaints still shows its deadlines.
    table_rows += [[_opd_name(taxonomy, value), 0, 0, 0, 0, counts[ON_TIME], counts[LATE]]
                   for value, counts in states.items() if value not in groups]
    table_rows = _sorted_rows(table_rows)
    columns = _complaint_columns("OPD (nama resmi)", 46) + [Column("Tepat waktu"), Column("Terlambat")]
    return Table("OPD", "Aduan menurut OPD", columns, table_rows, _total(table_rows) if table_rows else None,
                 Chart("barh", "Aduan menurut OPD", (1, 3)),
                 ["OPD = instansi yang disarankan atau ditetapkan peninjau; tepat waktu/terlambat = laporan di "
                  "LAPOR! menurut tenggat verifikasi dan tanggapan."])


def _trend_table(repo, month: date) -> Table:
    table_rows = []
    for number, (first, last) in enumerate(month_weeks(month), 1):
        start = datetime(first.year, first.month, first.day, tzinfo=WIB)
        counts = _funnel(repo.report_counts(start, start + timedelta(days=(last - first).days + 1)))
        period = day_label(first) if first == last else f"{first.day}–{day_label(last)}"
        iso_week = first.isocalendar().week
        table_rows.append([f"Minggu ke-{number}", period, iso_week, *(counts[key] for key, _ in FUNNEL)])
    columns = [Column("Minggu", "text", 14), Column("Tanggal", "text", 16), Column("Minggu ISO", "int", 12),
               *(Column(label) for _, label in FUNNEL)]
    return Table("Tren mingguan", "Tren mingguan dalam bulan", columns, table_rows,
                 ["Jumlah", "", "", *(sum(row[i] for row in table_rows) for i in range(3, 3 + len(FUNNEL)))],
                 Chart("line", "Tren mingguan", (3, 4, 6)),
                 ["Minggu Senin–Minggu, dipotong pada awal dan akhir bulan (WIB)."])


def _follow_up_table(funnel: Counter, followed) -> Table:
    stage_counts: dict[str, Counter] = {"verifikasi": Counter(), "tanggapan": Counter()}
    for _, _, result in followed:
        for deadline in result.owed:
            stage_counts[deadline.stage][deadline.state] += 1
    overall = Counter(state for _, state, _ in followed)
    table_rows = [[f"{STAGE_LABELS[stage]} ({days} hari kerja)", *(counts[s] for s, _ in FOLLOW_UP_STATES),
                   sum(counts.values())]
                  for (stage, counts), days in zip(stage_counts.items(), (3, 5))]
    table_rows.append(["Per laporan (semua tahap)", *(overall[s] for s, _ in FOLLOW_UP_STATES), len(followed)])
    columns = [Column("Tahap", "text", 34), *(Column(label) for _, label in FOLLOW_UP_STATES), Column("Jumlah")]
    rate = _rate(funnel["entered"], funnel["approved"])
    return Table("Tindak lanjut", "Tindak lanjut di SP4N-LAPOR!", columns, table_rows, None,
                 Chart("stacked", "Tenggat tindak lanjut", (1, 2, 3), colors=("70AD47", "C00000", "A5A5A5")),
                 [f"Disetujui: {funnel['approved']}; masuk LAPOR!: {funnel['entered']}; tingkat tindak lanjut: "
                  + (f"{rate * 100:.1f}%".replace(".", ",") if rate is not None else "– (belum ada yang disetujui)")
                  + ".",
                  "Tahap terpenuhi pada tanggal staf mencatat verifikasi/tanggapan dari LAPOR! di Pantau, atau "
                  "saat status aduan berubah dari 'Masuk LAPOR!'. Tepat waktu = terpenuhi paling lambat pada "
                  "tanggal batas; terlambat = terpenuhi sesudahnya, atau belum terpenuhi padahal batasnya lewat.",
                  "Per laporan: terlambat bila salah satu tahap terlambat; tepat waktu bila kedua tahap tepat "
                  "waktu."])


def _lapor_list(followed, taxonomy) -> Table:
    table_rows = []
    for item, state, result in followed:
        pending = result.next if result.next is not None and result.next.stage != "tutup" else None
        shown = next((d for d in result.owed if d.late), None) or pending or result.reply
        table_rows.append([item["lapor_ref"] or "–", item["id"], _opd_name(taxonomy, item["opd"]),
                           result.entered_on, result.verification.due, result.reply.due,
                           shown.label + ": " + shown.state_label
                           + (f" {shown.days_late} hari kerja" if shown.late else ""),
                           dict(FOLLOW_UP_STATES)[state]])
    columns = [Column("Nomor LAPOR!", "text", 18), Column("Aduan #", "int", 9), Column("OPD", "text", 40),
               Column("Masuk LAPOR!", "date", 14), Column("Batas verifikasi", "date", 16),
               Column("Batas tanggapan", "date", 16), Column("Tahap", "text", 34), Column("Status", "text", 18)]
    return Table("Rincian LAPOR!", "Rincian laporan di SP4N-LAPOR!", columns, table_rows,
                 notes=["Satu baris per aduan bulan ini yang dimasukkan ke SP4N-LAPOR!."] if table_rows
                 else ["Belum ada aduan bulan ini yang dimasukkan ke SP4N-LAPOR!."])
