"""``pantau demo --no-serve``: sample sites and sample X API on 127.0.0.1, a real crawl in a
subprocess into a fresh database, and the printed admin password works."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pantau.demo import SampleSite, SampleXApi, X_TOKEN, load_content

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANTAU_")}
    # pages read in the crawl process (page-reader processes: the end-to-end crawl tests)
    env.update({"PYTHONPATH": str(REPO), "COLUMNS": "200", "PANTAU_EXTRACT_WORKERS": "0"})
    return subprocess.run([sys.executable, "-m", "pantau", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def test_demo_crawls_every_sample_source_and_prints_a_working_password(tmp_path: Path):
    from review.security import verify_password
    from storage.repo import Repository

    folder = tmp_path / "demo"
    result = run("demo", "--no-serve", "--dir", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"Masuk dengan nama pengguna demo, kata sandi (\S+)", result.stdout)
    assert match, result.stdout
    password = match.group(1)
    db_url = f"sqlite:///{folder / 'pantau.db'}"
    with Repository(db_url) as repo:
        user = repo.user_for_login("demo")
        assert user is not None and user["role"] == "admin" and user["active"]
        assert verify_password(user["password_hash"], password)
        assert not verify_password(user["password_hash"], password + "x")

    exported = run("export", "--format", "jsonl", "--db", db_url, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    content = load_content()
    by_source: dict[str, list[dict]] = {}
    for record in records:
        by_source.setdefault(record["source"], []).append(record)
    for site in content["sites"]:  # every article of every sample site
        assert len(by_source.get(site["name"], [])) == len(site["articles"]), site["name"]
        assert all(r["source_kind"] == "news" for r in by_source[site["name"]])
    x_records = by_source.get(content["x"]["name"], [])
    assert len(x_records) == len(content["x"]["posts"])  # read across next_token pages
    assert all(r["source_kind"] == "x" for r in x_records)
    assert any(r["author"] for r in x_records)  # user expansion
    complaints = [r for r in records if r["is_complaint"] and r["kecamatan"]]
    assert complaints, records
    assert any(r["kecamatan"] == "Tiris" and "Ranuagung" in r["title"] for r in complaints)
    assert not any(r["is_complaint"] for r in records if r["title"].startswith("Bupati Probolinggo Meresmikan"))

    # the sources file written for the crawl points at the sample servers
    sources = (folder / "sources.yaml").read_text(encoding="utf-8")
    assert "kind: x" in sources and "api_base: http://127.0.0.1:" in sources

    # a second demo in the same folder starts from a fresh database
    again = run("demo", "--no-serve", "--dir", str(folder), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    exported = run("export", "--format", "jsonl", "--db", db_url, cwd=tmp_path)
    assert len([line for line in exported.stdout.splitlines() if line.strip()]) == len(records)


def test_sample_servers_answer_like_a_news_site_and_the_x_api():
    import urllib.error
    import urllib.request

    content = load_content()
    site = SampleSite(content["sites"][0]).start()
    api = SampleXApi(content["x"]["posts"], page_size=5).start()
    try:
        home = urllib.request.urlopen(site.url + "/").read().decode()
        assert "{{BASE}}" not in home and site.url in home
        robots = urllib.request.urlopen(site.url + "/robots.txt").read().decode()
        assert f"Sitemap: {site.url}/sitemap.xml" in robots
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(site.url + "/tidak-ada")
        assert missing.value.code == 404

        def search(**params) -> dict:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            request = urllib.request.Request(f"{api.url}/2/tweets/search/recent?{query}",
                                             headers={"Authorization": f"Bearer {X_TOKEN}"})
            return json.loads(urllib.request.urlopen(request).read())

        first = search(query="probolinggo", max_results=10, expansions="author_id")
        assert len(first["data"]) == 5 and first["includes"]["users"]
        second = search(query="probolinggo", max_results=10, next_token=first["meta"]["next_token"])
        assert not {p["id"] for p in first["data"]} & {p["id"] for p in second["data"]}
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{api.url}/2/tweets/search/recent?query=x&max_results=10")
        assert denied.value.code == 401
    finally:
        site.stop()
        api.stop()
