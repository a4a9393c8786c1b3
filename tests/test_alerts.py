"""Source health and alerts (pantau/alerts.py, storage/health.py): a source failing three runs in
a row, or bringing nothing new for a week, is flagged on the dashboard, in ``pantau status`` and
in ``/health``'s count, and announced exactly once per incident to a (local, fake) Telegram chat
and e-mail inbox; recovery closes the incident, and the next trouble is announced again. Secrets
never reach the log."""

from __future__ import annotations

import json
import logging
import warnings
from datetime import datetime, timedelta, timezone

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from pantau.alerts import EmailNotifier, TelegramNotifier, check_sources, notifiers_from_env  # noqa: E402
from storage.repo import Repository  # noqa: E402
from tests.fakealerts import FakeSmtp, FakeTelegram  # noqa: E402
from tests.webutil import make_site, signed_in  # noqa: E402

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def repo(migrated_db_url):
    with Repository(migrated_db_url) as repository:
        repository.sync_sources([{"name": "kabarbromo", "url": "https://kabarbromo.example/"},
                                 {"name": "wartadesa", "url": "https://wartadesa.example/"}])
        yield repository


@pytest.fixture
def channels():
    with FakeTelegram() as telegram, FakeSmtp() as smtp:
        yield telegram, smtp, notifiers_from_env({**telegram.env(), **smtp.env()})


def record(repo, name: str, status: str, at: datetime = T0, *, new: int = 0, message: str | None = None) -> int:
    """One finished crawl of ``name`` whose own outcome ended at ``at``."""
    run_id = repo.start_run([name], None, trigger="schedule")
    repo.record_run_source(run_id, name, status=status, pages=1, new=new, duplicates=0,
                           errors=1 if status == "failed" else 0, started_at=at - timedelta(seconds=30),
                           finished_at=at, message=message)
    repo.finish_run(run_id, status, pages=1, new=new, duplicates=0, errors=0,
                    exit_code=1 if status == "failed" else 0)
    return run_id


def flagged(repo, now: datetime = T0) -> dict[str, list[str]]:
    return {s["name"]: sorted(s["flags"]) for s in repo.problem_sources(now)}


def test_three_failures_in_a_row_send_one_telegram_message_and_one_email_per_incident(repo, channels):
    telegram, smtp, notifiers = channels
    assert [n.name for n in notifiers] == ["telegram", "email"]
    record(repo, "kabarbromo", "ok", new=4)
    for _ in range(2):
        record(repo, "kabarbromo", "failed", message="DNS lookup failed")
        assert check_sources(repo, notifiers) == []
    assert flagged(repo) == {} and telegram.messages == [] and smtp.messages == []

    record(repo, "kabarbromo", "failed", message="DNS lookup failed")
    events = check_sources(repo, notifiers)
    assert {(e["event"], e.get("channel")) for e in events} == {("opened", None), ("notified", "telegram"),
                                                              ("notified", "email")}
    assert flagged(repo) == {"kabarbromo": ["failing"]}
    assert len(telegram.messages) == 1 and len(smtp.messages) == 1
    text = telegram.messages[0]["text"]
    assert telegram.messages[0]["chat_id"] == "-100777"
    assert "kabarbromo" in text and "gagal 3 kali berturut-turut" in text and "DNS lookup failed" in text
    assert "kabarbromo" in smtp.messages[0]["Subject"]
    assert smtp.messages[0]["To"] == "diskominfo@probolinggokab.example"

    record(repo, "kabarbromo", "interrupted")  # an operator's stop neither breaks nor extends the streak
    record(repo, "kabarbromo", "failed")
    assert check_sources(repo, notifiers) == []  # the incident is open and announced: nothing again
    assert len(telegram.messages) == 1 and len(smtp.messages) == 1
    assert repo.source_health(T0)[0]["failure_streak"] == 4

    record(repo, "kabarbromo", "partial", new=1)  # recovery closes the incident
    assert [e["event"] for e in check_sources(repo, notifiers)] == ["resolved"]
    assert flagged(repo) == {}
    assert [a["resolved_at"] is not None for a in repo.alerts()] == [True]

    for _ in range(3):
        record(repo, "kabarbromo", "failed")
    check_sources(repo, notifiers)
    check_sources(repo, notifiers)
    assert len(telegram.messages) == 2 and len(smtp.messages) == 2  # a new incident, announced once


def test_a_source_with_nothing_new_for_a_week_is_flagged_once_until_it_brings_news(repo, channels):
    telegram, smtp, notifiers = channels
    record(repo, "wartadesa", "ok", T0, new=3)
    for day in range(1, 7):
        record(repo, "wartadesa", "ok", T0 + timedelta(days=day))
    assert flagged(repo, T0 + timedelta(days=6, hours=1)) == {}
    record(repo, "wartadesa", "ok", T0 + timedelta(days=7, hours=2))
    now = T0 + timedelta(days=7, hours=3)
    assert flagged(repo, now) == {"wartadesa": ["silent"]}
    assert "7 hari" in repo.problem_sources(now)[0]["flags"]["silent"]
    check_sources(repo, notifiers, now=now)
    check_sources(repo, notifiers, now=now + timedelta(hours=1))
    assert len(telegram.messages) == 1 and len(smtp.messages) == 1
    assert "tidak menghasilkan berita baru" in telegram.messages[0]["text"]
    record(repo, "wartadesa", "ok", T0 + timedelta(days=8), new=1)
    assert [e["event"] for e in check_sources(repo, notifiers, now=T0 + timedelta(days=8, hours=1))] == ["resolved"]


def test_a_source_switched_off_is_not_flagged(repo):
    for _ in range(3):
        record(repo, "kabarbromo", "failed")
    assert flagged(repo) == {"kabarbromo": ["failing"]}
    repo.sync_sources([{"name": "kabarbromo", "url": "https://kabarbromo.example/", "enabled": False}])
    assert flagged(repo) == {}


def test_alerts_are_off_by_default_and_a_failed_send_is_retried_without_leaking_the_secrets(repo, caplog):
    assert notifiers_from_env({}) == []
    for _ in range(3):
        record(repo, "kabarbromo", "failed")
    caplog.set_level(logging.INFO)
    with FakeTelegram() as telegram:
        telegram.fail_with = 500
        broken_mail = EmailNotifier(host="127.0.0.1", port=1, recipients=["a@b.example"], user="pantau",
                                    password="sandi-smtp-rahasia")
        notifiers = [TelegramNotifier(telegram.token, "-1", telegram.url), broken_mail]
        events = check_sources(repo, notifiers)
        assert [e["event"] for e in events] == ["opened", "failed_to_send", "failed_to_send"]
        assert repo.open_alerts()[0]["notified_at"] is None
        telegram.fail_with = None
        events = check_sources(repo, notifiers)
        assert [e["event"] for e in events] == ["notified", "failed_to_send"]
        assert len(telegram.messages) == 1
        assert check_sources(repo, notifiers) == []  # one channel got through: announced
    assert "Telegram answered HTTP 500" in caplog.text
    assert telegram.token not in caplog.text and "sandi-smtp-rahasia" not in caplog.text
    assert "Source kabarbromo is flagged" in caplog.text


def test_dashboard_health_and_status_show_the_flagged_source(tmp_path):
    from tests.crawlutil import crawl_env, run_pantau

    db_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    app, repo = make_site(db_url)
    repo.sync_sources([{"name": "kabarbromo", "url": "https://kabarbromo.example/"},
                       {"name": "wartadesa", "url": "https://wartadesa.example/"}])
    record(repo, "wartadesa", "ok", datetime.now(timezone.utc), new=2)
    health = TestClient(app).get("/health").json()
    assert health["status"] == "ok" and health["problem_sources"] == 0
    assert 0 <= health["last_crawl_age_seconds"] < 60
    page = signed_in(app, "viewer").get("/dasbor").text
    assert "Sumber bermasalah" not in page
    for _ in range(3):
        record(repo, "kabarbromo", "failed", datetime.now(timezone.utc), message="HTTP 503")
    page = signed_in(app, "viewer").get("/dasbor").text
    section = page.split('id="sumber-bermasalah"')[1].split("</section>")[0]
    assert "kabarbromo" in section and "gagal 3 kali berturut-turut" in section and "wartadesa" not in section
    health = TestClient(app).get("/health").json()
    assert health["problem_sources"] == 1 and "kabarbromo" not in str(health)

    env = crawl_env(tmp_path, db_url)
    status = run_pantau("status", "--json", env=env, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    rows = {row["name"]: row for row in json.loads(status.stdout)}
    assert rows["kabarbromo"]["flags"]["failing"].startswith("gagal 3 kali")
    assert rows["kabarbromo"]["last_run_status"] == "failed" and rows["kabarbromo"]["last_success_at"] is None
    assert rows["wartadesa"]["flags"] == {} and rows["wartadesa"]["last_run_status"] == "ok"
    table = run_pantau("status", "--db", db_url, env=env, cwd=tmp_path)
    assert table.returncode == 0 and "1 source(s) need attention: kabarbromo" in table.stderr
    repo.close()
