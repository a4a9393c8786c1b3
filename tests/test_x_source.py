"""The X source (``kind: x``, spiders/x.py): real ``pantau crawl`` processes against a fake X API.

``tests/xapi.py`` serves the recent search on 127.0.0.1 and records every request and every post
id it returned, so these tests see what the office's paid API budget would: posts stored once
with their links, handles and times, classified like news; a second run that asks only for newer
posts and reads nothing again; rate limits waited out; caps that stop reading and are reported;
a wrong token, no token, no credits, a failing or unreachable API, each with a clear message;
and a run that fails midway resumed by the next one with nothing lost or read twice. The bearer
token never appears in a log or in the output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pantau.config import ConfigError, parse_sources
from spiders.x import SearchCursor, post_time
from storage.repo import Repository
from tests.crawlutil import closed_port, crawl_env, export_records, run_pantau, write_sources_file
from tests.xapi import FakeXApi

pytestmark = pytest.mark.crawl
TOKEN = "AAAAtest-bearer-9f3c2e7d51"  # must never show up in a log or in the output
SOURCE = "x-probolinggo"

# (username, display name, minutes ago, text) — newest first
POSTS = [
    ("ranuagung_id", "Warga Ranuagung", 20,
     "Jalan di Desa Ranuagung Kecamatan Tiris rusak parah, lubangnya dalam, sudah dua motor jatuh minggu ini. "
     "Tolong segera diperbaiki @PemkabProbolinggo"),
    ("siti_kraksaan", "Siti", 35, "Air PDAM di Kraksaan mati sudah 3 hari, warga terpaksa beli air galon. "
                                  "Kapan normal lagi min?"),
    ("paiton_malam", "Dimas", 50, "PJU mati total di jalan raya Paiton, gelap"),
    ("kedaikopi", "Kedai Kopi", 65, "Promo akhir tahun! Diskon 50% semua menu di kedai kopi kami di Kraksaan, "
                                    "buruan datang &amp; ajak teman"),
    ("pasar_semampir", "Pedagang", 80, "Sampah menumpuk di pasar Semampir Kraksaan sudah seminggu tidak diangkut, "
                                       "baunya menyengat sampai ke rumah warga"),
    ("bantaran_warga", "Pak Slamet", 95, "Bantuan BLT dana desa di Desa Sumberbendo Kecamatan Bantaran belum cair "
                                         "padahal desa lain sudah, kami warga miskin butuh"),
    ("dringu_sehat", "Bu Ani", 110, "Antrean di Puskesmas Dringu lama sekali, dari jam 7 sampai jam 12 belum "
                                    "dipanggil, petugasnya cuma satu"),
    ("infoprob", "Info Probolinggo", 125, "Bupati Probolinggo meresmikan gedung baru Mal Pelayanan Publik hari ini"),
    ("pajarakan_lantas", "Rudi", 140, "Lampu lalu lintas di perempatan Pajarakan mati sejak kemarin, kendaraan "
                                      "saling serobot rawan kecelakaan"),
    ("kalibuntu", "Karang Taruna Kalibuntu", 155,
     "Banjir setinggi lutut merendam rumah warga Desa Kalibuntu Kecamatan Kraksaan setelah hujan deras semalam, "
     "mohon bantuan\nFoto menyusul"),
    ("parkir_alun", "Yuda", 170, "Pungutan liar parkir di alun-alun Kraksaan Rp10.000 per motor, padahal tarif "
                                 "resmi cuma Rp2.000"),
    ("voli_prob", "Voli Probolinggo", 185, "Selamat kepada tim voli Kabupaten Probolinggo yang juara Porprov Jatim"),
]
KRAKSAAN = {"id": "5e1bd2f1c7a8b001", "full_name": "Kraksaan, Indonesia", "name": "Kraksaan", "country_code": "ID",
            "place_type": "city"}


def make_api(page_size: int = 5, posts=POSTS) -> FakeXApi:
    api = FakeXApi(TOKEN, page_size=page_size).start()
    for username, name, minutes, text in posts:
        api.add_post(text, username, name=name, minutes_ago=minutes,
                     place=KRAKSAAN if username == "pasar_semampir" else None)
    return api


@pytest.fixture
def api_factory():
    started: list[FakeXApi] = []

    def factory(**kwargs) -> FakeXApi:
        started.append(make_api(**kwargs))
        return started[-1]

    yield factory
    for api in started:
        api.stop()


def x_entry(api: FakeXApi, **extra) -> dict:
    return {"name": SOURCE, "kind": "x", "query": "-is:retweet", "api_base": api.url, **extra}


def x_env(work: Path, token: str | None = TOKEN, **extra: str) -> dict[str, str]:
    env = crawl_env(work)
    env["PANTAU_EXTRACT_WORKERS"] = "0"  # a few short posts: classifying in-process starts faster
    if token is not None:
        env["PANTAU_X_BEARER_TOKEN"] = token
    env.update(extra)
    return env


def crawl(env: dict, work: Path):
    return run_pantau("crawl", "--quiet", env=env, cwd=work, timeout=120)


def searches(api: FakeXApi, start: int = 0) -> list[dict[str, str]]:
    return [request.params for request in api.requests[start:]]


def stored(env: dict, work: Path, source: str = SOURCE) -> dict[str, dict]:
    records = [r for r in export_records(env, work) if r["source"] == source]
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "a post was stored twice"
    return {r["url"]: r for r in records}


def assert_token_kept_secret(work: Path, *results, token: str = TOKEN) -> None:
    for result in results:
        assert token not in result.stdout and token not in result.stderr
    logs = list((work / "logs").glob("*.log"))
    assert logs
    for log in logs:
        assert token not in log.read_text(encoding="utf-8"), log


def newest_ids(api: FakeXApi, count: int) -> list[str]:
    return sorted((post["id"] for post in api.posts), key=int, reverse=True)[:count]


# -- a normal source: three pages, then nothing new, then two new posts ------------------------

@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    api = make_api(page_size=5)
    work = tmp_path_factory.mktemp("x-basic")
    write_sources_file(work / "sources.yaml", [x_entry(api)])
    env = x_env(work, PANTAU_LOG_LEVEL="DEBUG")  # tweepy logs request headers at DEBUG
    first = crawl(env, work)
    after_first = len(api.requests)
    second = crawl(env, work)
    after_second = len(api.requests)
    new_ids = [api.add_post("Jembatan gantung di Desa Andungbiru Kecamatan Tiris putus, anak-anak sekolah "
                            "harus memutar 5 km", "andungbiru", minutes_ago=5),
               api.add_post("Sinyal hilang lagi di Sukapura", "bromo_view", minutes_ago=2, lang="in")]
    third = crawl(env, work)
    yield {"api": api, "work": work, "env": env, "runs": (first, second, third),
           "marks": (after_first, after_second), "new_ids": new_ids}
    api.stop()


def test_posts_are_stored_with_links_handles_times_and_classification(basic):
    api, (first, _, _) = basic["api"], basic["runs"]
    assert first.returncode == 0, first.stderr[-3000:]
    records = stored(basic["env"], basic["work"])
    by_id = {post["id"]: post for post in api.posts}
    for post_id in newest_ids(api, len(api.posts)):
        username = next(u for u in api.users.values() if u["id"] == by_id[post_id]["author_id"])["username"]
        url = f"https://x.com/{username}/status/{post_id}"
        assert url in records, url
        record = records[url]
        assert record["source_kind"] == "x" and record["author"] == f"@{username}"
        assert record["published_at"] == by_id[post_id]["created_at"].replace(".000Z", "+00:00")
        assert record["model_version"]
    texts = {r["text"]: r for r in records.values()}
    road = texts[POSTS[0][3]]
    assert road["is_complaint"] is True and road["category"] == "infrastruktur"
    assert road["kecamatan"] == "Tiris" and road["desa"] == "Ranuagung" and road["in_jurisdiction"] is True
    assert road["title"].startswith("Jalan di Desa Ranuagung")
    assert texts[POSTS[1][3]]["category"] == "air_bersih"
    for promo_or_news in (POSTS[7][3], POSTS[11][3]):
        assert texts[promo_or_news]["is_complaint"] is False
    assert "PJU mati total di jalan raya Paiton, gelap" in texts  # a short post is kept
    assert "buruan datang & ajak teman" in texts[POSTS[3][3].replace("&amp;", "&")]["text"]
    flood = texts[POSTS[9][3]]
    assert flood["title"] == "Banjir setinggi lutut merendam rumah warga Desa Kalibuntu Kecamatan Kraksaan " \
                             "setelah hujan deras semalam, mohon bantuan"


def test_posts_keep_their_metadata(basic):
    import sqlite3  # the export record does not carry ``raw``; read what the store kept

    path = basic["env"]["PANTAU_DB_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        raws = [json.loads(raw) for (raw,) in db.execute("SELECT raw FROM items")]
    market = next(raw for raw in raws if raw.get("username") == "pasar_semampir")
    assert market["author_name"] == "Pedagang" and market["lang"] == "in" and market["platform"] == "x"
    assert market["public_metrics"]["like_count"] == 3
    assert market["place"]["full_name"] == "Kraksaan, Indonesia"


def test_first_run_asks_for_the_recent_window_with_the_expansions(basic):
    api, (after_first, _) = basic["api"], basic["marks"]
    first_run = searches(api)[:after_first]
    assert len(first_run) == 3  # 12 posts, 5 per page
    assert "since_id" not in first_run[0] and "start_time" in first_run[0]
    assert first_run[0]["max_results"] == "100" and first_run[0]["query"] == "-is:retweet"
    assert set(first_run[0]["expansions"].split(",")) >= {"author_id", "geo.place_id"}
    assert set(first_run[0]["tweet.fields"].split(",")) >= {"created_at", "lang", "public_metrics", "author_id", "geo"}
    assert [r.get("next_token") is None for r in first_run] == [True, False, False]


def test_a_second_run_reads_nothing_again_and_a_third_only_the_new_posts(basic):
    api, (_, second, third) = basic["api"], basic["runs"]
    after_first, after_second = basic["marks"]
    assert second.returncode == 0 and third.returncode == 0, third.stderr[-3000:]
    newest_before = max((p["id"] for p in api.posts if p["id"] not in basic["new_ids"]), key=int)
    second_run = api.requests[after_first:after_second]
    assert [r.params.get("since_id") for r in second_run] == [newest_before]
    assert [r.ids for r in second_run] == [[]]
    third_run = api.requests[after_second:]
    assert [r.params.get("since_id") for r in third_run] == [newest_before]
    assert sorted(third_run[0].ids) == sorted(basic["new_ids"])
    served = api.served_ids
    assert len(served) == len(set(served)) == len(api.posts)  # every post read exactly once
    assert len(stored(basic["env"], basic["work"])) == len(api.posts)


def test_the_summary_reports_posts_read_against_the_caps(basic):
    first, second, _ = basic["runs"]
    assert re.search(r"X API posts read: 12 of 500 \(PANTAU_X_MAX_POSTS_PER_RUN\) this run, 12 of 10000", first.stdout)
    assert f"{SOURCE}: 12 this run, 12 in" in first.stdout
    assert re.search(r"X API posts read: 0 of 500 \(PANTAU_X_MAX_POSTS_PER_RUN\) this run, 12 of 10000", second.stdout)


def test_the_token_is_never_logged_even_at_debug_level(basic):
    assert_token_kept_secret(basic["work"], *basic["runs"])
    log = (basic["work"] / "logs" / "crawl-1.log").read_text(encoding="utf-8")
    assert "Bearer ***" in log  # tweepy's request log was written, with the token masked


# -- rate limits, caps and failures ----------------------------------------------------------

def test_a_rate_limit_is_waited_out_and_the_search_goes_on(api_factory, tmp_path):
    api = api_factory(page_size=5)
    api.fail(429, page=2, reset_in=1)
    write_sources_file(tmp_path / "sources.yaml", [x_entry(api)])
    env = x_env(tmp_path)
    result = crawl(env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [(r.page, r.status) for r in api.requests] == [(1, 200), (2, 429), (2, 200), (3, 200)]
    assert len(stored(env, tmp_path)) == len(POSTS)
    log = (tmp_path / "logs" / "crawl-1.log").read_text(encoding="utf-8")
    waited = re.search(r"X API rate limit reached; waiting (\d+) s until it resets", log)
    assert waited and 1 <= int(waited.group(1)) <= 3
    assert_token_kept_secret(tmp_path, result)


def test_caps_stop_reading_and_the_next_run_goes_on_where_it_stopped(api_factory, tmp_path):
    posts = [(f"warga{i:02d}", f"Warga {i}", 10 + 3 * i, f"Laporan nomor {i} tentang {topic} di kecamatan {place}")
             for i, (topic, place) in enumerate([(t, p) for t in ("jalan berlubang", "air PDAM keruh", "sampah liar",
                                                                   "lampu jalan padam")
                                                 for p in ("Tiris", "Kraksaan", "Paiton", "Dringu", "Gading",
                                                           "Maron", "Leces", "Besuk", "Krejengan", "Pakuniran")])]
    api = api_factory(page_size=10, posts=posts)
    write_sources_file(tmp_path / "sources.yaml", [x_entry(api, max_posts_per_month=30)])
    env = x_env(tmp_path, PANTAU_X_MAX_POSTS_PER_RUN="20")
    first = crawl(env, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert [len(r.ids) for r in api.requests] == [10, 10]
    assert "20 of 20 (PANTAU_X_MAX_POSTS_PER_RUN, reached) this run" in first.stdout
    assert "stopped reading at PANTAU_X_MAX_POSTS_PER_RUN=20" in (tmp_path / "logs" / "crawl-1.log").read_text()
    oldest_read = min(api.served_ids, key=int)

    second = crawl(env, tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    resumed = api.requests[2:]
    assert [r.params.get("until_id") for r in resumed] == [oldest_read]  # the rest of the first search
    assert [len(r.ids) for r in resumed] == [10]
    assert "30 of 30 (max_posts_per_month, reached) in" in second.stdout
    served = api.served_ids
    assert len(served) == len(set(served)) == 30
    assert set(stored(env, tmp_path)) == {api.post_url(post_id) for post_id in newest_ids(api, 30)}


def test_the_api_failing_midway_is_resumed_with_nothing_lost_or_read_twice(api_factory, tmp_path):
    api = api_factory(page_size=5)
    api.fail(503, page=2, times=None)
    write_sources_file(tmp_path / "sources.yaml", [x_entry(api)])
    env = x_env(tmp_path)
    first = crawl(env, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]  # partly done is not a failed run
    assert [(r.page, r.status) for r in api.requests] == [(1, 200), (2, 503), (2, 503)]  # RETRY_TIMES=1
    said = " ".join(first.stderr.split())
    assert "the X API failed (503 Service Unavailable), also after 1 retry; the next run goes on from here" in said
    runs = json.loads(run_pantau("runs", "--json", env=env, cwd=tmp_path).stdout)
    assert runs[0]["sources"][0]["status"] == "partial"
    page_one = api.requests[0].ids
    assert set(stored(env, tmp_path)) == {api.post_url(i) for i in page_one}

    api.clear_failures()
    new_id = api.add_post("Tanggul sungai di Desa Randutatah Paiton jebol, air masuk ke sawah warga", "randutatah",
                          minutes_ago=1)
    second = crawl(env, tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    resumed = api.requests[3:]
    assert resumed[0].params.get("until_id") == min(page_one, key=int) and "since_id" not in resumed[0].params
    assert resumed[-1].params.get("since_id") == max(page_one, key=int) and resumed[-1].ids == [new_id]
    served = api.served_ids
    assert len(served) == len(set(served)) == len(api.posts)
    assert set(stored(env, tmp_path)) == {api.post_url(post["id"]) for post in api.posts}
    assert_token_kept_secret(tmp_path, first, second)


def test_no_credits_and_an_unreachable_api_each_stop_their_source_with_a_clear_message(api_factory, tmp_path):
    api = api_factory()
    api.fail(402, times=None)
    write_sources_file(tmp_path / "sources.yaml", [
        x_entry(api), {**x_entry(api), "name": "x-mati", "api_base": f"http://127.0.0.1:{closed_port()}"}])
    env = x_env(tmp_path)
    result = crawl(env, tmp_path)
    assert result.returncode == 1  # every source failed
    assert len(api.requests) == 1  # a 402 is not retried
    said = " ".join(result.stderr.split())
    assert "the X API wants payment (402 Payment Required" in said and "the account's credits are used up" in said
    assert "could not reach the X API at http://127.0.0.1:" in said and "also after 1 retry" in said
    with Repository(env["PANTAU_DB_URL"]) as repo:
        assert "credits" in repo.source_state(SOURCE)["last_error"]
        assert "could not reach the X API" in repo.source_state("x-mati")["last_error"]


# -- tokens ------------------------------------------------------------------------------------

def news_entry(wpsite) -> dict:
    return {"name": "kabarbromo", "kind": "rss", "url": wpsite.url + "/feed/", "delay": 0}


def test_a_wrong_token_fails_the_x_source_and_the_others_go_on(api_factory, wpsite, tmp_path):
    api = api_factory()
    write_sources_file(tmp_path / "sources.yaml", [x_entry(api), news_entry(wpsite)])
    env = x_env(tmp_path, token="wrong-token-0000")
    result = crawl(env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(api.requests) == 1 and api.requests[0].status == 401  # no retry storm
    assert "the X API refused the bearer token (401 Unauthorized): PANTAU_X_BEARER_TOKEN is wrong" in \
        " ".join(result.stderr.split())
    runs = json.loads(run_pantau("runs", "--json", env=env, cwd=tmp_path).stdout)
    statuses = {s["name"]: s["status"] for s in runs[0]["sources"]}
    assert statuses == {SOURCE: "failed", "kabarbromo": "ok"}
    with Repository(env["PANTAU_DB_URL"]) as repo:
        assert "PANTAU_X_BEARER_TOKEN" in repo.source_state(SOURCE)["last_error"]
    assert len(stored(env, tmp_path, "kabarbromo")) == 5
    assert_token_kept_secret(tmp_path, result, token="wrong-token-0000")


def test_without_a_token_the_x_source_is_skipped_with_a_warning(api_factory, wpsite, tmp_path):
    api = api_factory()
    write_sources_file(tmp_path / "sources.yaml", [x_entry(api), news_entry(wpsite)])
    env = x_env(tmp_path, token=None)
    result = crawl(env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Skipped {SOURCE}" in result.stderr and "PANTAU_X_BEARER_TOKEN is not set" in result.stderr
    assert api.requests == []
    assert len(stored(env, tmp_path, "kabarbromo")) == 5


# -- the cursor and the sources file -----------------------------------------------------------

def test_the_cursor_moves_past_a_search_only_when_it_is_read_to_the_end():
    cursor = SearchCursor.from_dict(None)
    cursor.page_read([50, 48, 47])  # newest first
    assert cursor.as_dict() == {"newest_id": "50", "until_id": "47"}
    cursor.page_read([45, 44])
    assert (cursor.since_id, cursor.until_id) == (None, 44)  # stopped here: the next run reads below 44
    cursor.search_done()
    assert cursor.as_dict() == {"since_id": "50"}
    cursor.page_read([])  # nothing new
    cursor.search_done()
    assert SearchCursor.from_dict(cursor.as_dict()) == SearchCursor(since_id=50)
    assert post_time(2126598225916854297).year == 2026


def test_post_caps_in_the_sources_file_are_checked():
    config = parse_sources("sources:\n  - name: x\n    kind: x\n    query: probolinggo\n"
                           "    max_posts: 200\n    max_posts_per_month: 3000\n")
    assert (config.sources[0].max_posts, config.sources[0].max_posts_per_month) == (200, 3000)
    with pytest.raises(ConfigError, match="max_posts.*at least 10"):
        parse_sources("sources:\n  - name: x\n    kind: x\n    query: q\n    max_posts: 5\n")
    with pytest.raises(ConfigError, match="max_posts_per_month.*needs 'kind: x'"):
        parse_sources("sources:\n  - name: a\n    url: https://a.id/\n    max_posts_per_month: 100\n")
