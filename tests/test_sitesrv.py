"""The fixture-site server (tests/sitesrv.py) and the committed fixture sites it serves.

The first half checks the server's rules on a throw-away document root: URL → file mapping,
the query rule, the ``{{BASE}}`` placeholder, sidecar headers, handlers, delays, the request
log. The second half checks that the committed sites are served the way their expected.json
says (pages present, failures failing the promised way) and are up to date with make_sites.py.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.plugins.sites import SITE_NAMES, open_site, source_entries, write_sources
from tests.sitesrv import FixtureSite, resolve


def fetch(site: FixtureSite, path: str, method: str = "GET", timeout: float = 10):
    """(status, headers with lower-case names, body) without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=timeout)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


@pytest.fixture
def docroot(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "berita").mkdir(parents=True)
    (root / "kanal").mkdir()
    (root / "index.html").write_text("<h1>Beranda</h1>", encoding="utf-8")
    (root / "kanal" / "index.html").write_text("<h1>Kanal</h1>", encoding="utf-8")
    (root / "kanal" / "index__page=2.html").write_text("<h1>Kanal 2</h1>", encoding="utf-8")
    (root / "indeks.html").write_text("<h1>Indeks 1</h1>", encoding="utf-8")
    (root / "indeks__page=2.html").write_text("<h1>Indeks 2</h1>", encoding="utf-8")
    (root / "berita" / "jalan-rusak.html").write_text(
        '<link rel="canonical" href="{{BASE}}/berita/jalan-rusak"><p>Jalan rusak – “Tiris”</p>',
        encoding="utf-8")  # fmt: skip
    (root / "robots.txt").write_text("Sitemap: {{BASE}}/sitemap.xml\n", encoding="utf-8")
    (root / "sitemap.xml").write_text("<urlset><url><loc>{{BASE}}/berita/jalan-rusak</loc>"
                                      "</url></urlset>", encoding="utf-8")  # fmt: skip
    (root / "data.bin").write_bytes(b"\x00{{BASE}}\xff")
    (root / "pindah.html").write_text("moved", encoding="utf-8")
    (root / "pindah.html.headers").write_text(
        json.dumps({"status": 301, "Location": "{{BASE}}/berita/jalan-rusak"}), encoding="utf-8")
    (root / "latin.html").write_text("<p>café</p>", encoding="utf-8")
    (root / "latin.html.headers").write_text(
        json.dumps({"Content-Type": "text/html; charset=iso-8859-1"}), encoding="utf-8")
    return root


@pytest.fixture
def site(docroot: Path):
    with FixtureSite(docroot) as running:
        yield running


# -- URL → file rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "index.html"),
        ("/kanal/", "kanal/index.html"),
        ("/kanal/?page=2", "kanal/index__page=2.html"),
        ("/kanal/?page=9", "kanal/index.html"),
        ("/indeks", "indeks.html"),
        ("/indeks?page=2", "indeks__page=2.html"),
        ("/indeks?page=2&utm_source=x", "indeks.html"),
        ("/berita/jalan-rusak", "berita/jalan-rusak.html"),
        ("/berita/jalan-rusak?utm_source=fb&utm_medium=share", "berita/jalan-rusak.html"),
        ("/robots.txt", "robots.txt"),
        ("/berita/jalan%2Drusak", "berita/jalan-rusak.html"),
    ],
)
def test_paths_map_to_files(docroot: Path, path: str, expected: str) -> None:
    found = resolve(docroot, path)
    assert found.status == 200
    assert found.file == docroot / expected


def test_directory_without_slash_redirects_and_missing_is_404(docroot: Path) -> None:
    assert resolve(docroot, "/kanal").status == 301
    assert resolve(docroot, "/kanal?page=2").location == "/kanal/?page=2"
    assert resolve(docroot, "/tidak-ada").status == 404
    assert resolve(docroot, "/pindah.html.headers").status == 404  # sidecars are never served
    assert resolve(docroot, "/../secret").status == 404


# -- serving ---------------------------------------------------------------------------------------


def test_static_pages_content_types_and_404(site: FixtureSite) -> None:
    status, headers, body = fetch(site, "/indeks?page=2")
    assert (status, body) == (200, b"<h1>Indeks 2</h1>")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert fetch(site, "/sitemap.xml")[1]["content-type"] == "application/xml"
    assert fetch(site, "/robots.txt")[1]["content-type"] == "text/plain; charset=utf-8"
    status, headers, body = fetch(site, "/berita/tidak-ada")
    assert status == 404 and headers["content-type"].startswith("text/html") and b"404" in body
    status, headers, _ = fetch(site, "/kanal")
    assert (status, headers["location"]) == (301, "/kanal/")


def test_base_placeholder_is_filled_in_text_and_headers_only(site: FixtureSite) -> None:
    assert site.url == f"http://127.0.0.1:{site.port}"
    assert fetch(site, "/robots.txt")[2] == f"Sitemap: {site.url}/sitemap.xml\n".encode()
    assert f"<loc>{site.url}/berita/jalan-rusak</loc>".encode() in fetch(site, "/sitemap.xml")[2]
    page = fetch(site, "/berita/jalan-rusak")[2].decode("utf-8")
    assert f'href="{site.url}/berita/jalan-rusak"' in page and "“Tiris”" in page
    assert fetch(site, "/data.bin")[2] == b"\x00{{BASE}}\xff"  # binary bodies are untouched
    status, headers, _ = fetch(site, "/pindah")
    assert (status, headers["location"]) == (301, f"{site.url}/berita/jalan-rusak")


def test_sidecar_overrides_the_content_type(site: FixtureSite) -> None:
    status, headers, body = fetch(site, "/latin")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=iso-8859-1"
    assert body == "<p>café</p>".encode()  # the bytes stay UTF-8: the header lies


def test_head_has_headers_but_no_body(site: FixtureSite) -> None:
    status, headers, body = fetch(site, "/indeks", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(b"<h1>Indeks 1</h1>")


def test_request_log_records_paths_with_query_in_order(site: FixtureSite) -> None:
    site.clear_requests()
    for path in ("/", "/indeks", "/indeks?page=2", "/berita/jalan-rusak?utm_source=fb"):
        fetch(site, path)
    fetch(site, "/indeks", method="HEAD")
    assert site.requests == ["/", "/indeks", "/indeks?page=2", "/berita/jalan-rusak?utm_source=fb",
                             "/indeks"]  # fmt: skip
    assert site.count("/indeks") == 3
    assert site.count("/indeks?page=") == 1
    assert [r.method for r in site.request_log][-1] == "HEAD"
    site.clear_requests()
    assert site.requests == [] and site.count("/") == 0


def test_handlers_get_path_and_query_and_longest_prefix_wins(docroot: Path) -> None:
    seen = []

    def api(path, query):
        seen.append((path, query))
        return 200, {"Content-Type": "application/json", "X-Total": "{{BASE}}"}, json.dumps(
            {"link": "{{BASE}}/berita/jalan-rusak"}).encode()

    def specific(path, query):
        return 418, {}, b"teko"

    def broken(path, query):
        raise RuntimeError("boom")

    handlers = {"/api/": api, "/api/khusus": specific, "/rusak": broken}
    with FixtureSite(docroot, handlers=handlers) as site:
        status, headers, body = fetch(site, "/api/posts?per_page=5&page=2&page=3")
        assert status == 200
        assert json.loads(body) == {"link": f"{site.url}/berita/jalan-rusak"}
        assert headers["x-total"] == site.url
        assert seen == [("/api/posts", {"per_page": "5", "page": "3"})]
        status, headers, body = fetch(site, "/api/khusus/1")
        assert (status, body) == (418, b"teko")
        assert headers["content-type"].startswith("text/html")
        status, _, body = fetch(site, "/rusak")
        assert status == 500 and b"boom" in body


def test_delays_and_stopping_does_not_wait_for_sleepers(docroot: Path) -> None:
    site = FixtureSite(docroot, path_delays={"/indeks": 0.3, "/berita/": 30}).start()
    try:
        started = time.monotonic()
        fetch(site, "/indeks")
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        fetch(site, "/")
        assert time.monotonic() - started < 0.25
        site.delay = 0.2
        started = time.monotonic()
        fetch(site, "/")
        assert time.monotonic() - started >= 0.2
        sleeper = threading.Thread(target=lambda: _swallow(fetch, site, "/berita/jalan-rusak"),
                                   daemon=True)  # fmt: skip
        sleeper.start()
        time.sleep(0.2)
    finally:
        started = time.monotonic()
        site.stop()
    assert time.monotonic() - started < 5


def _swallow(function, *args):
    try:
        function(*args)
    except OSError:
        pass


# -- the committed fixture sites ----------------------------------------------------------------


@pytest.fixture(scope="module", params=SITE_NAMES)
def committed(request):
    with open_site(request.param) as running:
        yield running


def test_expected_articles_are_served_with_their_headline(committed: FixtureSite) -> None:
    for name, source in committed.expected["sources"].items():
        assert 200 == fetch(committed, source["url_path"])[0], name
        for article in source["articles"]:
            path = article.get("redirected_from", article["url_path"])
            for _hop in range(5):
                status, headers, body = fetch(committed, path)
                if status not in (301, 302):
                    break
                path = urlsplit(headers["location"]).path
            assert status == 200, article["url_path"]
            assert path == article["url_path"]
            assert article["title"] in body.decode("utf-8", "replace")
            assert b"{{BASE}}" not in body
            assert 2 <= len(article["text_contains"]) <= 3
        for old in source["old_articles"]:
            assert fetch(committed, old)[0] == 200


def test_errors_site_fails_the_promised_way(errors_site: FixtureSite) -> None:
    source = errors_site.expected["sources"]["rusak"]
    kinds = {e["url_path"]: e for e in source["errors"]}
    for path, error in kinds.items():
        if error["kind"] == "http":
            assert fetch(errors_site, path)[0] == error["status"]
        elif error["kind"] == "not_html":
            status, headers, body = fetch(errors_site, path)
            assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF-")
        elif error["kind"] == "too_large":
            status, headers, _ = fetch(errors_site, path, method="HEAD")
            assert status == 200 and int(headers["content-length"]) > 2 * 1024 * 1024
        elif error["kind"] == "redirect":
            seen = []
            for _hop in range(4):
                status, headers, _ = fetch(errors_site, path)
                assert status in (301, 302)
                seen.append(path)
                path = urlsplit(headers["location"]).path
            assert len(set(seen)) == 2  # a loop, not a long chain
        elif error["kind"] == "timeout":
            assert errors_site.path_delays[path] >= 20
        elif error["kind"] == "robots":
            robots = fetch(errors_site, "/robots.txt")[2].decode()
            assert "Disallow: /privat/" in robots and path.startswith("/privat/")
    article = next(a for a in source["articles"] if a.get("served_as") == "wrong_charset")
    status, headers, body = fetch(errors_site, article["url_path"])
    assert headers["content-type"].endswith("iso-8859-1")
    assert "“banjir rob”".encode("utf-8") in body and "Café".encode("utf-8") in body
    bad = next(a for a in source["articles"] if a.get("served_as") == "bad_bytes")
    with pytest.raises(UnicodeDecodeError):
        fetch(errors_site, bad["url_path"])[2].decode("utf-8")


def test_portal_index_is_paginated_newest_first(portal: FixtureSite) -> None:
    home = fetch(portal, "/")[2].decode()
    assert 'href="/indeks?page=2"' in home and "Selanjutnya" in home
    page3 = fetch(portal, "/indeks?page=3")[2].decode()
    assert 'href="/indeks?page=4"' in page3
    assert 'href="/indeks?page=4"' not in fetch(portal, "/indeks?page=2")[2].decode()
    for path in portal.expected["sources"]["suarapantura"]["never_requested"]:
        assert fetch(portal, path)[0] == 200
    for path in portal.expected["sources"]["suarapantura"]["absent"]:
        assert fetch(portal, path)[0] == 404


def test_wordpress_api_pages_and_filters(wpsite: FixtureSite) -> None:
    status, headers, body = fetch(wpsite, "/wp-json/wp/v2/posts?per_page=4&page=1"
                                          "&after=2026-10-01T00:00:00&orderby=date")  # fmt: skip
    posts = json.loads(body)
    expected = wpsite.expected["sources"]["kabarbromo"]["articles"]
    assert status == 200
    assert headers["x-wp-total"] == str(len(expected))
    assert headers["x-wp-totalpages"] == str(-(-len(expected) // 4))
    assert 'rel="next"' in headers["link"] and wpsite.url in headers["link"]
    assert [p["link"] for p in posts] == [wpsite.url + a["url_path"] for a in expected[:4]]
    assert posts[0]["title"]["rendered"] == expected[0]["title"]
    assert posts[0]["date"] == expected[0]["published_at"][:19]
    last = int(headers["x-wp-totalpages"])
    assert fetch(wpsite, f"/wp-json/wp/v2/posts?per_page=4&page={last + 1}"
                         "&after=2026-10-01T00:00:00")[0] == 400  # fmt: skip
    assert fetch(wpsite, "/wp-json/wp/v2/posts?per_page=101")[0] == 400
    everything = json.loads(fetch(wpsite, "/wp-json/wp/v2/posts?per_page=100")[2])
    assert len(everything) == len(expected) + len(
        wpsite.expected["sources"]["kabarbromo"]["old_articles"])
    index = json.loads(fetch(wpsite, "/wp-json/")[2])
    assert "wp/v2" in index["namespaces"]


def test_committed_sites_are_up_to_date() -> None:
    from tests.fixtures.make_sites import build_site, stale_files

    for name in SITE_NAMES:
        assert stale_files(name, build_site(name)) == [], (
            f"{name}: run .venv/bin/python tests/fixtures/make_sites.py {name}")


def test_write_sources_writes_a_sources_file(tmp_path: Path, shared_site: FixtureSite) -> None:
    import yaml

    path = write_sources(tmp_path / "sources.yaml", source_entries(shared_site, delay=0))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["region"] == "35.13"
    assert [s["url"] for s in document["sources"]] == [
        shared_site.url + "/probolinggo/", shared_site.url + "/probolinggokota/"]
    assert all(s["delay"] == 0 for s in document["sources"])
