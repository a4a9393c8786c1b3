"""Follow-up deadlines of a complaint entered into SP4N-LAPOR!, in Indonesian working days.

``../shared/DOMAIN.md`` ("SP4N-LAPOR! facts", Deadlines): a report is *verified and forwarded
within 3 working days*; *the agency replies within 5 working days*; it *closes automatically 10
working days after a reply*. The three stages follow one another, so each runs from the end of
the one before:

- **Verifikasi** (Admin Koordinator verifies and forwards the report to the OPD): 3 working days
  after the day the report was entered into LAPOR!;
- **Tanggapan OPD** (the agency's reply): 5 working days after the verification — the day one
  was recorded, else the verification deadline;
- **Tutup otomatis** (LAPOR! closes the report unless the reporter responds): 10 working days
  after the reply — the day one was recorded, else the reply deadline. Nobody owes anything by
  this date, so it is shown for information and never counted late.

Working days are Monday to Friday minus the *libur nasional* and *cuti bersama* of the SKB 3
Menteri, from the PyPI package ``lokal-id`` (``lokal.add_working_days`` and friends with
``cuti_bersama=True``: government offices close on cuti bersama, and LAPOR! is run by them). The
package holds the official lists for 2026 and 2027 only; for any other year weekends alone are
skipped and the deadline is marked ``approximate``. Days are calendar days in WIB (Asia/Jakarta):
a report entered at 23.30 WIB on Friday counts from that Friday, and a deadline falls at the end
of its day.

**When a stage counts as met.** Pantau does not see what happens inside LAPOR!; it knows what
staff record (:mod:`storage.followup`):

- a follow-up noted from LAPOR! — *diverifikasi* or *ditanggapi* — on the day LAPOR! shows it; a
  reply implies the verification happened by then;
- a status change of the item away from ``entered`` (rejected, reopened, ...): the office took the
  report out of follow-up, so every stage not met yet is taken as settled that day.

A stage met on or before its deadline is *tepat waktu*; met after it, or not met when the deadline
day has passed, *terlambat*; otherwise it is still running (*berjalan*). Without recorded
follow-ups a report therefore turns *terlambat* after its deadline: the list tells staff to look
in LAPOR! and note what they find.

This module is pure (no database, no web): the list view, the item page and the monthly report
all compute deadlines with :func:`follow_up`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import lokal

from spiders.dates import JAKARTA as WIB

logger = logging.getLogger(__name__)

VERIFICATION_DAYS = 3
REPLY_DAYS = 5
AUTO_CLOSE_DAYS = 10
# Government offices are closed on cuti bersama (lokal's own default, spelled out on purpose).
CUTI_BERSAMA_IS_OFF = True

ON_TIME, LATE, RUNNING, PASSED = "tepat_waktu", "terlambat", "berjalan", "lewat"
STATE_LABELS = {ON_TIME: "tepat waktu", LATE: "terlambat", RUNNING: "berjalan", PASSED: "sudah lewat"}
STAGE_LABELS = {"verifikasi": "Verifikasi", "tanggapan": "Tanggapan OPD", "tutup": "Tutup otomatis"}

_warned_years: set[int] = set()


def wib_day(value: datetime | date) -> date:
    """The calendar day in WIB of an aware datetime (a date is returned as it is)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware one")
        return value.astimezone(WIB).date()
    return value


def has_holiday_data(year: int) -> bool:
    return year in lokal.HOLIDAY_YEARS


def is_working_day(day: date) -> bool:
    """Monday–Friday and neither libur nasional nor cuti bersama (weekends only outside the years
    ``lokal-id`` knows)."""
    if has_holiday_data(day.year):
        return lokal.is_working_day(day, cuti_bersama=CUTI_BERSAMA_IS_OFF)
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning("No official holiday list for %(year)s in lokal-id %(known)s: deadlines in that year "
                       "skip weekends only", {"year": day.year, "known": lokal.HOLIDAY_YEARS})
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days after ``start`` (``start`` itself is day 0, whatever it is)."""
    if all(has_holiday_data(year) for year in range(start.year, start.year + 2)):
        # lokal walks day by day and may cross into the next year: both years must be known.
        return lokal.add_working_days(start, days, cuti_bersama=CUTI_BERSAMA_IS_OFF)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    if last < first:
        return 0
    if all(has_holiday_data(year) for year in range(first.year, last.year + 1)):
        return lokal.count_working_days(first, last, cuti_bersama=CUTI_BERSAMA_IS_OFF)
    return sum(1 for n in range((last - first).days + 1) if is_working_day(first + timedelta(days=n)))


def _approximate(first: date, last: date) -> bool:
    return not all(has_holiday_data(year) for year in range(first.year, last.year + 1))


@dataclass(frozen=True)
class Timeline:
    """What Pantau knows of a report's life in LAPOR! (aware datetimes)."""

    entered_at: datetime
    verified_at: datetime | None = None
    replied_at: datetime | None = None
    left_entered_at: datetime | None = None  # the first status change away from ``entered``

    @classmethod
    def from_record(cls, record) -> Timeline:
        """From a mapping with these keys, such as ``Repository.lapor_timelines()`` returns."""
        return cls(record["entered_at"], record.get("verified_at"), record.get("replied_at"),
                   record.get("left_entered_at"))


@dataclass(frozen=True)
class Deadline:
    stage: str           # verifikasi | tanggapan | tutup
    working_days: int
    start: date          # the day counting starts from (day 0)
    due: date            # the last day on time
    met_on: date | None  # the day the stage was met, as far as Pantau knows
    state: str           # tepat_waktu | terlambat | berjalan (tutup: berjalan | lewat)
    approximate: bool    # a year without the official holiday list was involved
    days_left: int       # working days after today up to the due day (0 when due or past)
    days_late: int       # working days after the due day up to the day met, or today

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def late(self) -> bool:
        return self.state == LATE


@dataclass(frozen=True)
class FollowUp:
    """The three deadlines of one report, as of ``today``."""

    entered_on: date
    verification: Deadline
    reply: Deadline
    auto_close: Deadline
    settled_on: date | None  # the item left ``entered`` on this day

    @property
    def owed(self) -> tuple[Deadline, Deadline]:
        """The deadlines someone owes (counted on time / late)."""
        return self.verification, self.reply

    @property
    def next(self) -> Deadline | None:
        """The first owed deadline not met yet; else the automatic closure while it is ahead."""
        for deadline in self.owed:
            if deadline.met_on is None:
                return deadline
        return self.auto_close if self.auto_close.state == RUNNING and self.settled_on is None else None

    @property
    def late(self) -> bool:
        return any(deadline.late for deadline in self.owed)


def _deadline(stage: str, days: int, start: date, met_on: date | None, today: date, *, owed: bool = True) -> Deadline:
    due = add_working_days(start, days)
    if not owed:
        state = PASSED if today > due else RUNNING
    elif met_on is not None:
        state = ON_TIME if met_on <= due else LATE
    else:
        state = LATE if today > due else RUNNING
    until = met_on if met_on is not None else today
    days_late = working_days_between(due + timedelta(days=1), until) if state == LATE else 0
    days_left = working_days_between(today + timedelta(days=1), due) if met_on is None and today < due else 0
    return Deadline(stage, days, start, due, met_on, state, _approximate(start, due), days_left, days_late)


def _first(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def follow_up(timeline: Timeline, today: date | datetime | None = None) -> FollowUp:
    """The verification, reply and auto-close deadlines of an entered report, as of ``today``
    (a WIB day; default: today in WIB). See the module docstring for the rules."""
    today = wib_day(today) if today is not None else datetime.now(WIB).date()
    entered = wib_day(timeline.entered_at)
    verified = wib_day(timeline.verified_at) if timeline.verified_at else None
    replied = wib_day(timeline.replied_at) if timeline.replied_at else None
    settled = wib_day(timeline.left_entered_at) if timeline.left_entered_at else None
    # Nothing is met before the report was entered (a back-dated note counts from the entry day).
    verified_on = _first(verified, replied, settled)
    replied_on = _first(replied, settled)
    verified_on = max(verified_on, entered) if verified_on else None
    replied_on = max(replied_on, entered) if replied_on else None

    verification = _deadline("verifikasi", VERIFICATION_DAYS, entered, verified_on, today)
    # The next stage runs from the day the previous one was *recorded*; a stage only inferred (from
    # a later stage or a status change) may have happened any time before, so its deadline is used.
    reply_start = max(verified, entered) if verified else verification.due
    reply = _deadline("tanggapan", REPLY_DAYS, reply_start, replied_on, today)
    close_start = max(replied, entered) if replied else reply.due
    auto_close = _deadline("tutup", AUTO_CLOSE_DAYS, close_start, None, today, owed=False)
    return FollowUp(entered, verification, reply, auto_close, settled)
