"""Publication dates as Indonesian news sites write them, turned into aware datetimes.

Sites give dates in machine form (ISO 8601 in meta tags and JSON-LD, RFC 2822 in feeds) and in
Indonesian prose (``Rabu (9/11/22)``, ``8 Januari 2025 - 16:57 WIB``, ``2 jam yang lalu``).
:func:`parse_date` reads one such value; :func:`find_date` finds the first one inside a longer
string (a byline, a dateline). Cheap regular expressions handle the common forms and keep the
site's own zone (WIB +07:00, WITA +08:00, WIT +09:00); dateparser is only the last resort for
short leftovers. Day-first is assumed for numeric dates, a date without a time is midnight in
Jakarta, and results before 1990 are rejected as misreadings.

Nothing is published after it is crawled: a value later than ``now`` (the crawl time) plus
:data:`CLOCK_SLACK` is taken as a zone mistake of the site (WIB wall-clock time labelled "Z", a
WITA or WIT time written without a zone) and its figures are read as the wall clock of WIB, then
WITA, then WIT, whichever first puts it before the crawl; a value later than that is a misreading
and rejected. :func:`read_date` also tells whether a value gave a time of day and a zone, so a
page reader can tell a precise value from a bare day. Nothing here raises on bad input: junk
gives ``None``.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# The one time zone of Pantau (WIB): every layer takes it from here, the lowest module that needs it
# (spiders date what they read; pipelines, storage callers, exports and the web show it).
JAKARTA = ZoneInfo("Asia/Jakarta")
# Month names as Indonesian readers write them (exports, reports, the web pages).
BULAN_PANJANG = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                 "November", "Desember")
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")
ZONES: dict[str, tzinfo] = {
    "wib": JAKARTA, "wita": WITA, "wit": WIT,
    "utc": timezone.utc, "gmt": timezone.utc, "z": timezone.utc,
}
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
# How far after the crawl time a page's date may lie (clocks a little off, a crawl started minutes ago).
CLOCK_SLACK = timedelta(minutes=10)
# How far in the future a date typed by hand into an import may lie (spiders.intake).
FUTURE_SLACK = timedelta(days=1)
# Zones a future-looking wall-clock time is read in, nearest first (site clocks are Indonesian).
_REPAIR_ZONES = (JAKARTA, WITA, WIT)

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "agus": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_MONTH = "(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![a-z])"
_TIME = (
    r"(?P<H>[01]?\d|2[0-3])[:.](?P<M>[0-5]\d)(?:[:.](?P<S>[0-5]\d)(?:\.\d+)?)?(?!\d)"
    r"(?:\s*(?P<ampm>[ap])\.?m\b\.?)?"
)
# "+07:00", "+0700"; a bare hour offset only straight after GMT/UTC ("GMT+7"), never "2026 -12 warga".
_ZONE = r"(?:(?P<zone>wita|wib|wit|utc|gmt|z)(?![a-z]))?\s*(?P<off>[+-]\d{2}:?\d{2}(?!\d)|(?<=gmt|utc)[+-]\d{1,2}(?!\d))?"
# Between a date and its time: "9 Nov 2022 17:51", "8 Januari 2025 - 16:57", "20 Nov, pukul 09.15".
_GLUE = r"(?:T|\s*(?:(?:[,|/@•·–—)-]|pukul|pkl\.?|jam|at\b)\s*)+|\s+)"
_TAIL = rf"(?:{_GLUE}{_TIME})?(?:\s*{_ZONE})?"
_FLAGS = re.IGNORECASE

_ABSOLUTE = [
    # 9 Nov 2022, 09-Nov-2022, 8 Januari, 2025
    re.compile(rf"(?<![\w.])(?P<d>[0-3]?\d)(?:st|nd|rd|th)?[\s./-]*{_MONTH}[\s.,/-]*(?P<y>(?:19|20)\d\d)(?!\d){_TAIL}", _FLAGS),
    # November 20, 2026 (English meta text, "Posted on ...")
    re.compile(rf"(?<![\w]){_MONTH}\s*(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d){_TAIL}", _FLAGS),
    # 2026-11-20, 2026/11/20 09:15
    re.compile(rf"(?<![\d/.-])(?P<y>(?:19|20)\d\d)(?P<sep>[-/.])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?![\d/]){_TAIL}", _FLAGS),
    # 9/11/22, 9-11-2022, 20.11.2026 (day first; dots only with a four-digit year)
    re.compile(rf"(?<![\d/.-])(?P<d>[0-3]?\d)(?P<sep>[-/])(?P<m>[01]?\d)(?P=sep)(?P<y>\d\d(?:\d\d)?)(?![\d/]){_TAIL}", _FLAGS),
    re.compile(rf"(?<![\d/.-])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?![\d.]){_TAIL}", _FLAGS),
]
_NUMBER_WORDS = {"se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
                 "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10, "a": 1, "an": 1, "one": 1}
_UNITS = {
    "detik": "seconds", "second": "seconds", "sec": "seconds",
    "menit": "minutes", "minute": "minutes", "min": "minutes", "mnt": "minutes",
    "jam": "hours", "hour": "hours", "hr": "hours",
    "hari": "days", "day": "days",
    "minggu": "weeks", "pekan": "weeks", "week": "weeks",
    "bulan": "months", "month": "months",
    "tahun": "years", "year": "years",
}
_RELATIVE = re.compile(
    r"(?<![\w])(?P<n>\d+|se(?=[a-z])|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|an?|one)\s*"
    r"(?P<unit>detik|menit|mnt|jam|hari|minggu|pekan|bulan|tahun|seconds?|secs?|minutes?|mins?"
    r"|hours?|hrs?|days?|weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|silam|ago)\b",
    _FLAGS,
)
_DAY_WORD = re.compile(
    rf"(?<![\w])(?P<word>kemarin|kemaren|hari\s+ini|baru\s+saja|yesterday|today|just\s+now)\b{_TAIL}", _FLAGS
)
_ISO_START = re.compile(r"^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)|\d{8}T\d{4})")
_RFC2822 = re.compile(r"^[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
_PREFIXES = re.compile(
    r"\b(?:diperbarui|diupdate|dipublikasikan|diterbitkan|dipublish|diposting|ditulis|terbit|"
    r"update[ds]?|published|posted(?:\s+on)?|last\s+updated|on)\b\s*(?:pada|on)?\s*:?",
    _FLAGS,
)
_WEEKDAYS = re.compile(
    r"\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|sen|sel|rab|kam|jum|sab|min|mon|tue|wed|thu|fri|sat|sun)\b"
    r"(?=\s*[,(|/-]|\s+\d)",
    _FLAGS,
)


@dataclass(frozen=True)
class DateReading:
    """One date value as read: the instant, and how much the text said about it."""

    value: datetime  # timezone-aware
    has_time: bool  # a time of day was written (else midnight of the day)
    has_zone: bool  # the zone was written (else the site is taken to be in WIB)
    exact: bool = False  # a well-formed machine value (ISO 8601, RFC 2822)
    relative: bool = False  # counted back from ``now`` ("2 jam yang lalu", "kemarin"): as precise as its unit


def parse_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """Read one date value (meta content, feed date, byline date) as an aware datetime.

    ``now`` (aware, or naive Jakarta time) anchors relative dates and the plausibility window;
    it defaults to the current time.
    """
    reading = read_date(text, now=now)
    return reading.value if reading else None


def read_date(text: str, *, now: datetime | None = None) -> DateReading | None:
    """:func:`parse_date`, telling also whether the value gave a time of day and a zone."""
    if not isinstance(text, str):
        return None
    value = " ".join(text.split())
    if not value or len(value) > 300:
        return None
    current = _now(now)
    try:
        parsed = (
            _parse_machine(value)
            or _parse_absolute(value, current)
            or _parse_relative(value, current)
            or _parse_with_dateparser(value, current)
        )
    except (ValueError, OverflowError, TypeError) as exc:  # impossible dates, e.g. 31/02
        logger.debug("Unreadable date %(value)r: %(error)s", {"value": value, "error": exc})
        return None
    return _plausible(parsed, current)


def find_date(text: str, *, now: datetime | None = None) -> datetime | None:
    """Return the first plausible date written inside ``text`` (a dateline, byline or meta line)."""
    return next((reading.value for _start, _end, reading in find_dates(text, now=now)), None)


def find_dates(text: str, *, now: datetime | None = None) -> Iterator[tuple[int, int, DateReading]]:
    """Every plausible date written inside ``text``, in order, as (start, end, reading).

    Offsets are into ``text`` with its whitespace collapsed; spans do not overlap.
    """
    if not isinstance(text, str) or not text:
        return
    value = " ".join(text[:5000].split())
    current = _now(now)
    spans = []
    for pattern in (*_ABSOLUTE, _RELATIVE, _DAY_WORD):
        spans.extend((m.start(), m.end()) for m in pattern.finditer(value))
    taken = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < taken:
            continue
        reading = read_date(value[start:end], now=current)
        if reading is not None:
            taken = end
            yield start, end, reading


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(JAKARTA)
    if now.tzinfo is None:
        return now.replace(tzinfo=JAKARTA)
    return now.astimezone(JAKARTA)


def _plausible(reading: DateReading | None, now: datetime) -> DateReading | None:
    if reading is None:
        return None
    value = reading.value if reading.value.tzinfo else reading.value.replace(tzinfo=JAKARTA)
    if value < EARLIEST:
        return None
    latest = now + CLOCK_SLACK
    if value > latest:  # a wall-clock time in the wrong zone, else a misreading
        wall = value.replace(tzinfo=None)
        value = next((shifted for zone in _REPAIR_ZONES if (shifted := wall.replace(tzinfo=zone)) <= latest), None)
        if value is None or value < EARLIEST:
            return None
        logger.debug("Future date %(wall)s read as %(value)s", {"wall": wall, "value": value})
    return DateReading(value, reading.has_time, reading.has_zone, reading.exact, reading.relative)


def _parse_machine(value: str) -> DateReading | None:
    """ISO 8601 (meta tags, JSON-LD, sitemaps) and RFC 2822 (RSS) values."""
    if _ISO_START.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace(" +", "+").replace(" -", "-"))
        except ValueError:
            return None  # e.g. "2026-11-20 09:15 WIB": the general patterns read it
        has_time = len(value) > 10
        return DateReading(parsed if parsed.tzinfo else parsed.replace(tzinfo=JAKARTA), has_time,
                           parsed.tzinfo is not None, exact=True)
    if _RFC2822.match(value):
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        zoned = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)  # "-0000"
        return DateReading(zoned, True, True, exact=True)
    return None


def _parse_absolute(value: str, now: datetime) -> DateReading | None:
    best = None
    for pattern in _ABSOLUTE:
        match = pattern.search(value)
        if match and (best is None or match.start() < best.start()):
            best = match
    if best is None:
        return None
    parts = best.groupdict()
    month = MONTHS[parts["mon"].lower()] if parts.get("mon") else int(parts["m"])
    year = int(parts["y"])
    if year < 100:  # two-digit years: 22 -> 2022, 98 -> 1998 (then rejected as too old)
        year += 2000 if 2000 + year <= now.year + 1 else 1900
    clock = parts
    if parts["H"] is None:  # "17:51 WIB, 9 Nov 2022": a time written before the date
        loose = re.search(rf"(?<![\d.:]){_TIME}(?:\s*{_ZONE})?", value[: best.start()], _FLAGS)
        if loose:
            clock = {**loose.groupdict(), "zone": parts["zone"] or loose["zone"], "off": parts["off"] or loose["off"]}
    hour, minute, second = _clock(clock)
    parsed = datetime(year, month, int(parts["d"]), hour, minute, second, tzinfo=_zone(clock))
    return DateReading(parsed, clock.get("H") is not None, bool(clock.get("zone") or clock.get("off")))


def _clock(parts: dict) -> tuple[int, int, int]:
    if parts.get("H") is None:
        return 0, 0, 0
    hour = int(parts["H"])
    ampm = (parts.get("ampm") or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    return hour, int(parts["M"]), int(parts["S"] or 0)


def _zone(parts: dict) -> tzinfo:
    offset = parts.get("off")
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        if hours == 7 and minutes == 0 and sign == 1:
            return JAKARTA
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    zone = (parts.get("zone") or "").lower()
    return ZONES.get(zone, JAKARTA)


def _strip_decorations(value: str) -> str:
    """Drop "Diperbarui", weekday names, brackets and separators around a date expression."""
    value = _WEEKDAYS.sub(" ", _PREFIXES.sub(" ", value))
    return " ".join(re.sub(r"[()\[\]|·•]", " ", value).split()).strip(" ,-–—:")


def _parse_relative(value: str, now: datetime) -> DateReading | None:
    """A relative expression making up the whole value ("2 jam yang lalu", "Kemarin, 10.30 WIB")."""
    value = _strip_decorations(value)
    match = _RELATIVE.fullmatch(value)
    if match:
        raw = match["n"].lower()
        amount = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        unit = match["unit"].lower()
        unit = _UNITS[unit if unit in _UNITS else unit.rstrip("s")]
        days = {"months": 30 * amount, "years": 365 * amount}.get(unit)
        delta = timedelta(days=days) if days is not None else timedelta(**{unit: amount})
        return DateReading((now - delta).replace(microsecond=0), unit in ("seconds", "minutes", "hours"), True,
                           relative=True)
    match = _DAY_WORD.fullmatch(value)
    if match:
        word = match["word"].lower()
        if word.startswith(("baru", "just")):
            return DateReading(now.replace(microsecond=0), True, True, relative=True)
        day = now - timedelta(days=1) if word.startswith(("kemar", "yester")) else now
        hour, minute, second = _clock(match.groupdict())
        # Without a clock time the day is what is known: midnight, like any date without time.
        parsed = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=_zone(match.groupdict()))
        return DateReading(parsed, match["H"] is not None, bool(match["zone"] or match["off"]), relative=True)
    return None


def _parse_with_dateparser(value: str, now: datetime) -> DateReading | None:
    """Last resort for short leftovers the patterns above do not know."""
    cleaned = _strip_decorations(value)
    if not cleaned or len(cleaned) > 60 or not re.search(r"\d", cleaned):
        return None
    zone_match = re.search(r"\b(wita|wib|wit)\b", cleaned, _FLAGS)
    if zone_match:
        cleaned = cleaned.replace(zone_match.group(0), " ")
    base = now.replace(tzinfo=None, second=0, microsecond=0)
    parser = _date_data_parser(base)
    try:
        parsed = parser.get_date_data(cleaned).date_obj
    except Exception:  # dateparser raises assorted errors on odd input
        logger.debug("dateparser failed on %(value)r", {"value": cleaned})
        return None
    if parsed is None:
        return None
    if zone_match:  # the wall-clock figures are the site's own
        parsed = parsed.replace(tzinfo=ZONES[zone_match.group(1).lower()])
    return DateReading(parsed, bool(re.search(r"\d[:.]\d\d", cleaned)), zone_match is not None)


@functools.lru_cache(maxsize=4)
def _date_data_parser(relative_base: datetime):
    from dateparser.date import DateDataParser  # imported lazily: slow to import, rarely needed

    return DateDataParser(
        languages=["id"],
        settings={
            "TIMEZONE": JAKARTA.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": relative_base,
            "PREFER_DATES_FROM": "past",
        },
    )
