"""spiders/dates.py: dates as Indonesian news sites write them, with the site's own zone."""

from datetime import datetime, timedelta, timezone

import pytest

from spiders.dates import JAKARTA, find_date, find_dates, parse_date, read_date

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
WIT = timezone(timedelta(hours=9))
UTC = timezone.utc
# The crawl happens on Friday 27 November 2026 at 10:00 in Probolinggo.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what Indonesian portals print
        ("9 Nov 2022 17:51 WIB", datetime(2022, 11, 9, 17, 51, tzinfo=WIB)),
        ("Rabu (9/11/22)", datetime(2022, 11, 9, tzinfo=WIB)),
        ("Rabu, 9/11/2022 17:51", datetime(2022, 11, 9, 17, 51, tzinfo=WIB)),
        ("8 Januari 2025 - 16:57 WIB", datetime(2025, 1, 8, 16, 57, tzinfo=WIB)),
        ("Diperbarui 8 Januari 2025 - 16:57 WIB", datetime(2025, 1, 8, 16, 57, tzinfo=WIB)),
        ("Dipublikasikan: Jumat, 20 November 2026 08:00", datetime(2026, 11, 20, 8, 0, tzinfo=WIB)),
        ("Kamis, 20 November 2026 | 09:15 WITA", datetime(2026, 11, 20, 9, 15, tzinfo=WITA)),
        ("Kamis, 20 November 2026 09:15 WIT", datetime(2026, 11, 20, 9, 15, tzinfo=WIT)),
        ("20 Nov 2026, 09.15 WIB", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("20/11/2026 pukul 09.15 WIB", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("Terbit: 20-11-2026", datetime(2026, 11, 20, tzinfo=WIB)),
        ("17:51 WIB, 9 Nov 2022", datetime(2022, 11, 9, 17, 51, tzinfo=WIB)),
        ("Senin, 24 Agustus 2026", datetime(2026, 8, 24, tzinfo=WIB)),
        ("Posted on November 20, 2026", datetime(2026, 11, 20, tzinfo=WIB)),
        ("Posted on November 20, 2026 at 9:15 pm", datetime(2026, 11, 20, 21, 15, tzinfo=WIB)),
        ("Jumat, 20 Nopember 2026 10:00", datetime(2026, 11, 20, 10, 0, tzinfo=WIB)),
        # machine formats: meta tags, JSON-LD, feeds, sitemaps
        ("2026-11-20T09:15:00+07:00", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("2026-11-20T09:15:00.000+0800", datetime(2026, 11, 20, 9, 15, tzinfo=WITA)),
        ("2026-11-20T02:15:00Z", datetime(2026, 11, 20, 2, 15, tzinfo=UTC)),
        ("2026-11-20 09:15:00", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=WIB)),
        ("Fri, 20 Nov 2026 09:15:00 +0700", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("Fri, 20 Nov 2026 02:15:00 GMT", datetime(2026, 11, 20, 2, 15, tzinfo=UTC)),
        ("Jum, 20 Nov 2026 09:15:00 +0800", datetime(2026, 11, 20, 9, 15, tzinfo=WITA)),
        ("20 Nov 2026 09:15 GMT+7", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("20/11/2026 09:15 +08:00", datetime(2026, 11, 20, 9, 15, tzinfo=WITA)),
        ("20/11/2026 -12 warga", datetime(2026, 11, 20, tzinfo=WIB)),
    ],
)
def test_absolute_dates_keep_the_sites_offset(text, expected):
    parsed = parse_date(text, now=NOW)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "month"),
    [("3 Jan 2025", 1), ("3 Peb 2025", 2), ("3 Maret 2025", 3), ("3 Mei 2025", 5), ("3 Juni 2025", 6),
     ("3 Juli 2025", 7), ("3 Agt 2025", 8), ("3 Agu 2025", 8), ("3 Agustus 2025", 8), ("3 Sept 2025", 9),
     ("3 Okt 2025", 10), ("3 Nop 2025", 11), ("3 Des 2025", 12), ("3 Desember 2025", 12)],
)
def test_indonesian_month_names_and_abbreviations(text, month):
    assert parse_date(text, now=NOW) == datetime(2025, month, 3, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 jam yang lalu", datetime(2026, 11, 27, 8, 0, tzinfo=JAKARTA)),
        ("15 menit lalu", datetime(2026, 11, 27, 9, 45, tzinfo=JAKARTA)),
        ("sejam yang lalu", datetime(2026, 11, 27, 9, 0, tzinfo=JAKARTA)),
        ("3 hari yang lalu", datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)),
        ("1 minggu lalu", datetime(2026, 11, 20, 10, 0, tzinfo=JAKARTA)),
        ("5 hours ago", datetime(2026, 11, 27, 5, 0, tzinfo=JAKARTA)),
        ("kemarin", datetime(2026, 11, 26, 0, 0, tzinfo=JAKARTA)),
        ("Kemarin, 10.30 WIB", datetime(2026, 11, 26, 10, 30, tzinfo=JAKARTA)),
        ("Hari ini 08:05", datetime(2026, 11, 27, 8, 5, tzinfo=JAKARTA)),
    ],
)
def test_relative_dates_count_back_from_the_crawl_time(text, expected):
    assert parse_date(text, now=NOW) == expected


def test_naive_now_is_jakarta_wall_time():
    assert parse_date("2 jam yang lalu", now=datetime(2026, 11, 27, 10, 0)) == datetime(2026, 11, 27, 8, 0, tzinfo=JAKARTA)


def test_utc_now_is_converted_before_counting_back():
    now_utc = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
    assert parse_date("kemarin", now=now_utc) == datetime(2026, 11, 26, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "bukan tanggal", "Redaksi", "kemarin lusa dulu", "2 jam yang lalu sekali", "dibaca 3 menit lalu oleh warga", "Rp 12.500", "31/02/2026", "9/11/1980", "20 Nov 2030",
     "13/13/2026", "99:99", "x" * 400, None, 20261120],
)
def test_junk_impossible_too_old_and_future_dates_give_none(text):
    assert parse_date(text, now=NOW) is None


def test_a_clock_a_few_minutes_ahead_is_tolerated_but_not_tomorrow():
    assert parse_date("27 November 2026 10:08 WIB", now=NOW) == datetime(2026, 11, 27, 10, 8, tzinfo=WIB)
    # Published tomorrow is impossible for a page crawled today, even as a bare day.
    assert parse_date("28 November 2026", now=NOW) is None
    assert parse_date("5 Desember 2026", now=NOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # WIB wall-clock time labelled as UTC by the site's CMS: 09:40 "Z" would be 16:40 WIB, after the crawl
        ("2026-11-27T09:40:00Z", datetime(2026, 11, 27, 9, 40, tzinfo=WIB)),
        # a WITA site writing its time without a zone: 10:30 in WIB is after the crawl, 10:30 WITA is not
        ("2026-11-27 10:30:00", datetime(2026, 11, 27, 10, 30, tzinfo=WITA)),
        ("Jumat, 27 November 2026 11:20", datetime(2026, 11, 27, 11, 20, tzinfo=WIT)),
    ],
)
def test_a_time_after_the_crawl_is_read_as_the_wall_clock_of_an_indonesian_zone(text, expected):
    parsed = parse_date(text, now=NOW)
    assert parsed == expected
    assert parsed <= NOW + timedelta(minutes=10)


@pytest.mark.parametrize("text", ["2026-11-27T12:30:00+07:00", "2026-11-27T23:00:00Z", "Jumat, 27 November 2026 13:00 WIB"])
def test_a_time_after_the_crawl_in_every_indonesian_zone_is_rejected(text):
    assert parse_date(text, now=NOW) is None


def test_read_date_tells_a_bare_day_and_a_malformed_value_from_a_precise_one():
    precise = read_date("2026-11-20T09:15:00+07:00", now=NOW)
    assert (precise.has_time, precise.has_zone, precise.exact) == (True, True, True)
    naive = read_date("2026-11-20 09:15:00", now=NOW)
    assert (naive.has_time, naive.has_zone, naive.exact) == (True, False, True)
    for text in ("2026-11-20", "2026-11-20 T09:15:00Z", "2026-11-20T09-15-00Z", "20 Nov 2026 at <span>09:15 WIB</span>"):
        reading = read_date(text, now=NOW)
        assert reading.value == datetime(2026, 11, 20, tzinfo=WIB) and not reading.has_time, text
    shown = read_date("Jumat, 20 November 2026 | 09:15 WITA", now=NOW)
    assert (shown.value, shown.has_time, shown.has_zone, shown.exact) == (datetime(2026, 11, 20, 9, 15, tzinfo=WITA), True, True, False)


def test_find_dates_gives_every_date_of_a_line_with_its_place():
    line = "Dipublikasikan Jumat, 20 November 2026 08:00 WIB | Diperbarui 20 November 2026 11:30 WIB"
    found = list(find_dates(line, now=NOW))
    assert [reading.value for _s, _e, reading in found] == [datetime(2026, 11, 20, 8, 0, tzinfo=WIB),
                                                            datetime(2026, 11, 20, 11, 30, tzinfo=WIB)]
    assert line[found[1][0]:found[1][1]].startswith("20 November 2026 11:30")


def test_every_result_is_timezone_aware():
    for text in ("20 Nov 2026", "2026-11-20 09:15", "kemarin", "Selasa, 24 November"):
        parsed = parse_date(text, now=NOW)
        assert parsed is not None and parsed.tzinfo is not None, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KRAKSAAN – Rabu (9/11/22) warga Desa Tegalsiwalan mendatangi balai desa", datetime(2022, 11, 9, tzinfo=WIB)),
        ("Oleh Ahmad | Diperbarui 8 Januari 2025 - 16:57 WIB | 3 menit baca", datetime(2025, 1, 8, 16, 57, tzinfo=WIB)),
        ("Penulis: Budi · 3 menit baca · 2 jam yang lalu", datetime(2026, 11, 27, 8, 0, tzinfo=JAKARTA)),
        ("Reporter: Lutfi | Kamis, 20 November 2026 | 09:15 WITA | Dibaca 1.204 kali", datetime(2026, 11, 20, 9, 15, tzinfo=WITA)),
        # the first expression is implausible (future), the next one is taken
        ("Agenda 1 Januari 2030 dibahas pada 20 November 2026", datetime(2026, 11, 20, tzinfo=WIB)),
    ],
)
def test_find_date_takes_the_first_plausible_date_in_a_line(text, expected):
    assert find_date(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["", "Sebanyak 12.500 warga menerima bantuan", "Versi 2.5.10 dirilis", "3 menit baca"])
def test_find_date_without_a_date_gives_none(text):
    assert find_date(text, now=NOW) is None
