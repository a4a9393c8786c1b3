"""SP4N-LAPOR! follow-up deadlines (pantau/deadlines.py): 3 / 5 / 10 working days across weekends,
libur nasional and cuti bersama of 2026 as lokal-id lists them, and when a stage counts as met."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import lokal
import pytest

from pantau.deadlines import (LATE, ON_TIME, PASSED, RUNNING, WIB, Timeline, add_working_days, follow_up,
                              is_working_day, working_days_between)


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_the_library_knows_2026_holidays_including_cuti_bersama():
    names = {h.date: (h.name, h.type) for h in lokal.get_holidays(2026).holidays}
    assert names["2026-12-25"] == ("Kelahiran Yesus Kristus", "libur_nasional")
    assert names["2026-12-24"][1] == "cuti_bersama"
    idul_fitri = sorted(d for d, (name, _) in names.items() if name.startswith("Idulfitri"))
    assert idul_fitri == ["2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24"]
    # Cuti bersama is a day off for government offices: our calendar says so.
    assert not is_working_day(date(2026, 12, 24)) and not is_working_day(date(2026, 3, 23))
    assert is_working_day(date(2026, 12, 23)) and not is_working_day(date(2026, 11, 28))  # a Saturday


@pytest.mark.parametrize("entered, verification, reply, close", [
    # An ordinary week: Friday -> Wednesday, then the following Wednesday, then two weeks on.
    (date(2026, 11, 20), date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 16)),
    # Friday before a long weekend: Sat, Sun, Mon 1 June (Hari Lahir Pancasila) are off.
    (date(2026, 5, 29), date(2026, 6, 4), date(2026, 6, 11), date(2026, 6, 26)),  # 16 June: 1 Muharam
    # Before Christmas: 24 Dec (cuti bersama) and 25 Dec (libur nasional) are off; into 2027, where
    # 1 January and 5 January (Isra Mikraj) are off too.
    (date(2026, 12, 23), date(2026, 12, 30), date(2027, 1, 8), date(2027, 1, 22)),
    # Before Nyepi and Idul Fitri: 18-24 March 2026 are all off; 3 April is Good Friday.
    (date(2026, 3, 17), date(2026, 3, 27), date(2026, 4, 6), date(2026, 4, 20)),
])
def test_deadlines_chain_in_working_days(entered, verification, reply, close):
    result = follow_up(Timeline(wib(entered.year, entered.month, entered.day, 10)), today=entered)
    assert result.verification.due == verification
    assert result.reply.due == reply          # 5 working days after the verification deadline
    assert result.auto_close.due == close     # 10 working days after the reply deadline
    assert working_days_between(entered + timedelta(days=1), verification) == 3
    assert working_days_between(verification + timedelta(days=1), reply) == 5
    assert not result.verification.approximate


def test_the_entry_day_is_the_wib_calendar_day():
    # 23.30 WIB on Friday 20 November is 16.30 UTC the same day; 00.30 WIB Saturday is Friday in UTC.
    friday_night = follow_up(Timeline(wib(2026, 11, 20, 23, 30)), today=date(2026, 11, 21))
    saturday = follow_up(Timeline(datetime(2026, 11, 20, 17, 30, tzinfo=timezone.utc)), today=date(2026, 11, 21))
    assert friday_night.entered_on == date(2026, 11, 20) and friday_night.verification.due == date(2026, 11, 25)
    assert saturday.entered_on == date(2026, 11, 21) and saturday.verification.due == date(2026, 11, 25)


def test_a_stage_is_on_time_late_or_running():
    entered = wib(2026, 11, 20, 10)  # verification due Wed 25 Nov
    running = follow_up(Timeline(entered), today=date(2026, 11, 23))
    assert running.verification.state == RUNNING and running.verification.days_left == 2
    assert running.next is running.verification and not running.late
    due_today = follow_up(Timeline(entered), today=date(2026, 11, 25))
    assert due_today.verification.state == RUNNING and due_today.verification.days_left == 0
    late = follow_up(Timeline(entered), today=date(2026, 11, 30))
    assert late.verification.state == LATE and late.verification.days_late == 3  # Thu, Fri, Mon
    assert late.late and late.next is late.verification
    verified = follow_up(Timeline(entered, verified_at=wib(2026, 11, 24, 9)), today=date(2026, 11, 30))
    assert verified.verification.state == ON_TIME and verified.verification.met_on == date(2026, 11, 24)
    # The OPD's 5 days run from the day it was verified: 24 Nov -> 1 Dec.
    assert verified.reply.start == date(2026, 11, 24) and verified.reply.due == date(2026, 12, 1)
    assert verified.next is verified.reply and verified.reply.state == RUNNING


def test_a_reply_meets_both_stages_and_starts_the_automatic_closure():
    entered = wib(2026, 11, 20, 10)
    on_time = follow_up(Timeline(entered, replied_at=wib(2026, 11, 24, 14)), today=date(2026, 12, 7))
    assert on_time.verification.state == ON_TIME and on_time.verification.met_on == date(2026, 11, 24)
    assert on_time.reply.state == ON_TIME and on_time.reply.met_on == date(2026, 11, 24)
    # Only a reply noted (4 Dec): the verification is inferred (late), and the reply is measured
    # from the verification deadline (25 Nov -> 2 Dec), since the real verification day is unknown.
    late_reply = follow_up(Timeline(entered, replied_at=wib(2026, 12, 4, 14)), today=date(2026, 12, 7))
    assert late_reply.verification.state == LATE and late_reply.verification.met_on == date(2026, 12, 4)
    assert late_reply.reply.due == date(2026, 12, 2) and late_reply.reply.state == LATE
    assert late_reply.reply.days_late == 2  # Thu 3 and Fri 4 December
    assert late_reply.auto_close.start == date(2026, 12, 4)
    assert late_reply.auto_close.due == date(2026, 12, 18)
    assert late_reply.next is late_reply.auto_close and late_reply.late
    closed = follow_up(Timeline(entered, verified_at=wib(2026, 11, 23, 9), replied_at=wib(2026, 11, 27, 9)),
                       today=date(2027, 1, 4))
    assert closed.auto_close.state == PASSED and closed.next is None and not closed.late


def test_leaving_entered_settles_every_open_stage_that_day():
    entered = wib(2026, 11, 20, 10)
    settled = follow_up(Timeline(entered, left_entered_at=wib(2026, 11, 24, 15)), today=date(2027, 1, 4))
    assert settled.verification.state == ON_TIME and settled.reply.state == ON_TIME
    assert settled.next is None and settled.settled_on == date(2026, 11, 24)
    too_late = follow_up(Timeline(entered, left_entered_at=wib(2026, 12, 10, 15)), today=date(2027, 1, 4))
    assert too_late.verification.state == LATE and too_late.reply.state == LATE


def test_years_without_an_official_list_skip_weekends_and_say_so():
    assert 2028 not in lokal.HOLIDAY_YEARS
    # Wed 29 Dec 2027 + 3: Thu 30, Fri 31, Mon 3 Jan 2028 (2028's holidays unknown).
    result = follow_up(Timeline(wib(2027, 12, 29, 10)), today=date(2027, 12, 29))
    assert result.verification.due == date(2028, 1, 3) and result.verification.approximate
    assert add_working_days(date(2030, 6, 7), 1) == date(2030, 6, 10)  # Friday -> Monday
    assert not follow_up(Timeline(wib(2026, 11, 2, 10)), today=date(2026, 11, 2)).verification.approximate


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        follow_up(Timeline(datetime(2026, 11, 20, 10)), today=date(2026, 11, 20))
