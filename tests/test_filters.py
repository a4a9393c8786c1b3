"""One filter, one meaning: the web's list (``/aduan``) and ``pantau export`` select the same items
for the same filter (``storage/filters.py``), on the export tests' database (tests/exportutil.py)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest
from typer.testing import CliRunner

from pantau.cli import app as cli
from review.app import create_app
from spiders.dates import JAKARTA
from storage.filters import ListFilter, day_range
from tests.exportutil import build_site
from tests.webutil import sign_in

# (the list's query string, the same filter as `pantau export` options, the items it selects)
SAME_FILTER = [
    ({"kecamatan": "tiris"}, ["--kecamatan", "TIRIS"], {"jalan"}),  # any case
    ({"dari": "2026-11-18", "sampai": "2026-11-20"}, ["--since", "2026-11-18", "--until", "2026-11-20"],
     {"jalan", "hostile", "tweet"}),  # the last day is included (jalan: 20 Nov, 09.15 WITA)
    ({"sampai": "2026-11-19"}, ["--until", "2026-11-19"], {"bansos", "hostile", "tweet"}),
    ({"opd": "dinsos"}, ["--opd", "dinsos"], {"bansos"}),  # stored as the short name "Dinas Sosial"
    ({"opd": "Dinas Sosial Kabupaten Probolinggo"}, ["--opd", "Dinas Sosial Kabupaten Probolinggo"], {"bansos"}),
    ({"kategori": "bansos"}, ["--category", "bansos"], {"bansos"}),  # the reviewer's category, not the model's
    ({"status": "approved", "sumber": "kabarbromo"}, ["--status", "approved", "--source", "kabarbromo"],
     {"bansos", "listrik"}),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = build_site(tmp_path_factory.mktemp("filters"))
    yield built
    built.repo.close()


@pytest.fixture(scope="module")
def browser(site):
    from fastapi.testclient import TestClient

    client = TestClient(create_app(repo=site.repo, secret="k" * 32))
    assert sign_in(client, "vera", "sandi-ekspor-1").status_code == 303
    return client


def listed(browser, site, params) -> set[str]:
    page = browser.get("/aduan", params=params)
    assert page.status_code == 200, page.text
    names = {item_id: name for name, item_id in site.ids.items()}
    return {names[int(n)] for n in re.findall(r'<td><a href="/aduan/(\d+)">', page.text)}


def exported(site, options) -> set[str]:
    result = CliRunner().invoke(cli, ["export", "--db", site.url, "--quiet", *options])
    assert result.exit_code == 0, result.output
    names = {item_id: name for name, item_id in site.ids.items()}
    return {names[json.loads(line)["id"]] for line in result.stdout.splitlines() if line.strip()}


@pytest.mark.parametrize("params, options, expected", SAME_FILTER,
                         ids=[" ".join(options) for _, options, _ in SAME_FILTER])
def test_the_list_and_the_export_select_the_same_items(browser, site, params, options, expected):
    assert listed(browser, site, params) == expected
    assert exported(site, options) == expected


def test_one_filter_object_serves_the_list_and_the_export(site):
    since, until = day_range(date(2026, 11, 18), date(2026, 11, 20), JAKARTA)
    chosen = ListFilter(kecamatan=["TIRIS", " paiton "], since=since, until=until)
    listed_ids = {row["id"] for row in site.repo.list_items(chosen, limit=100)}
    exported_ids = {record["id"] for record in site.repo.iter_export_records(chosen)}
    assert listed_ids == exported_ids == {site.ids["jalan"], site.ids["hostile"]}
    assert site.repo.count_export_records(chosen) == 2


def test_whole_days_run_from_midnight_to_the_midnight_after_the_last():
    since, until = day_range(date(2026, 11, 18), date(2026, 11, 20), JAKARTA)
    assert since == datetime(2026, 11, 17, 17, 0, tzinfo=timezone.utc)
    assert until == datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    assert day_range(None, None, JAKARTA) == (None, None)


def test_a_filter_without_a_time_zone_is_refused(site):
    with pytest.raises(ValueError):
        list(site.repo.iter_export_records(ListFilter(since=datetime(2026, 11, 18))))
