"""A real crawl of an outlet whose stories live on a channel subdomain and whose feed sits on
another (``daerah.`` and ``rss.kabarselatan.test`` beside ``www.``): with ``subdomains: true``
the source stores them, without it the crawl keeps to the source's host as it always did.

The hosts are served by :class:`tests.vhosts.VirtualHosts` (an HTTP proxy on 127.0.0.1; see
its docstring for why), from our own pages in ``tests/fixtures/subdomains/``. The same crawl
checks the rest of point 4 of issue 15 where a user would see it: the feed item whose
``<link>`` goes through a redirect service is stored under its ``<guid>`` on the outlet, the
item known only by ``/?p=318`` is stored under the page's canonical URL and not fetched again,
and no terms-of-use, pedoman or redaksi page is ever requested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawlutil import crawl_env, export_records, run_pantau, write_sources_file
from tests.vhosts import VirtualHosts

pytestmark = pytest.mark.crawl
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "subdomains"
WWW, DAERAH, RSS = "http://www.kabarselatan.test", "http://daerah.kabarselatan.test", "http://rss.kabarselatan.test"

ON_WWW = {
    f"{WWW}/2026/12/03/warga-tiris-keluhkan-jalan-rusak-menuju-sekolah/": "Warga Tiris Keluhkan Jalan Rusak Menuju Sekolah",
    f"{WWW}/2026/12/02/air-pdam-mati-tiga-hari-di-kraksaan/": "Air PDAM Mati Tiga Hari di Kraksaan",
}
ON_CHANNEL = {
    f"{DAERAH}/read/2026/12/04/104512/banjir-rob-di-dringu-rendam-rumah-warga":
        "Banjir Rob di Dringu Rendam Puluhan Rumah Warga",
    # only in the feed, whose <link> for it is a redirect service's
    f"{DAERAH}/read/2026/12/05/110000/jembatan-gantung-di-krucil-putus-warga-memutar":
        "Jembatan Gantung di Krucil Putus, Warga Harus Memutar Lima Kilometer",
}
# only in the feed, as /?p=318, which redirects here (WordPress with pretty permalinks)
REDIRECTED = {f"{WWW}/2026/12/01/lampu-jalan-di-sumberasih-padam-sebulan/": "Lampu Jalan di Sumberasih Padam Sebulan"}
# only in the feed, as /?p=325, served there without a redirect; its rel=canonical names this
SHORTLINKED = {f"{WWW}/2026/11/30/sampah-menumpuk-di-pasar-semampir-kraksaan/": "Sampah Menumpuk di Pasar Semampir Kraksaan"}
SHORTLINKS = {f"{WWW}/?p=318", f"{WWW}/?p=325"}
STATIC_PAGES = {f"{WWW}/terms_of_use/", f"{WWW}/pedoman-media-siber/", f"{WWW}/redaksi/"}
FIRST_SENTENCES = {
    f"{DAERAH}/read/2026/12/05/110000/jembatan-gantung-di-krucil-putus-warga-memutar":
        "Jembatan gantung penghubung dua dusun di Desa Guyangan, Kecamatan Krucil, putus",
    f"{WWW}/2026/12/01/lampu-jalan-di-sumberasih-padam-sebulan/":
        "Lampu penerangan jalan umum di sepanjang jalan Desa Sumberasih padam",
}


@dataclass
class Crawls:
    wide: list[dict]  # the source with subdomains: true, after its first crawl
    wide_first: list[str]  # what that first crawl requested
    wide_again: list[str]  # what its second crawl requested
    wide_after_again: list[dict]
    narrow: list[dict]  # the same source without the key
    narrow_first: list[str]
    narrow_hosts: set[str]


def crawl(hosts: VirtualHosts, work: Path) -> tuple[list[dict], list[str], set[str]]:
    env = hosts.proxy_env(crawl_env(work))
    hosts.clear_requests()
    result = run_pantau("crawl", "--since", "2026-11-01", env=env, cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    requests = list(hosts.requests)
    return export_records(env, work), requests, hosts.requested_hosts()


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> Crawls:
    with VirtualHosts(FIXTURE) as hosts:
        work = {}
        for label, extra in (("wide", {"subdomains": True}), ("narrow", {})):
            work[label] = tmp_path_factory.mktemp(f"subdomains-{label}")
            write_sources_file(work[label] / "sources.yaml",
                               [{"name": "kabarselatan", "url": f"{WWW}/", "delay": 0, **extra}])
        wide, wide_first, _ = crawl(hosts, work["wide"])
        wide_after_again, wide_again, _ = crawl(hosts, work["wide"])
        narrow, narrow_first, narrow_hosts = crawl(hosts, work["narrow"])
    return Crawls(wide, wide_first, wide_again, wide_after_again, narrow, narrow_first, narrow_hosts)


def titles(records: list[dict]) -> dict[str, str]:
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "an article was stored twice"
    return {r["url"]: r["title"] for r in records}


def test_subdomains_true_crawls_the_channel_subdomain_and_the_default_does_not(crawls):
    stored = titles(crawls.wide)
    assert {url: stored.get(url) for url in {**ON_WWW, **ON_CHANNEL, **REDIRECTED}} == {**ON_WWW, **ON_CHANNEL, **REDIRECTED}
    assert set(stored) <= {**ON_WWW, **ON_CHANNEL, **REDIRECTED, **SHORTLINKED}.keys()
    assert f"{RSS}/terbaru.xml" in crawls.wide_first  # the outlet's feed on its own subdomain was read
    assert "klik.pengalih.test" not in {url.split("/")[2] for url in crawls.wide_first}  # its guid, not the redirect
    by_url = {r["url"]: r for r in crawls.wide}
    for url, sentence in FIRST_SENTENCES.items():
        assert by_url[url]["text"].startswith(sentence), url
    for record in crawls.wide:
        assert record["published_at"].startswith(("2026-11-30T", "2026-12-0")) and record["published_at"].endswith("+07:00")
        assert not any(junk in record["text"] for junk in ("Terpopuler", "Terms of Use", "Hak cipta"))

    # the same source without `subdomains`: exactly as before, the source's host only
    assert titles(crawls.narrow) == ON_WWW
    assert crawls.narrow_hosts == {"www.kabarselatan.test"}


def test_static_pages_are_never_requested(crawls):
    assert not STATIC_PAGES & set(crawls.wide_first + crawls.wide_again + crawls.narrow_first)


def test_a_shortlinked_article_is_stored_once_under_its_canonical_url(crawls):
    assert SHORTLINKS <= set(crawls.wide_first)
    assert not set(titles(crawls.wide)) & SHORTLINKS
    stored_again = set(ON_WWW) | set(ON_CHANNEL) | set(REDIRECTED) | SHORTLINKS
    assert not stored_again & set(crawls.wide_again), "a second crawl fetched a stored article again"
    assert titles(crawls.wide_after_again) == titles(crawls.wide)


def test_a_shortlink_served_without_a_redirect_is_stored_under_its_canonical_url(crawls):
    assert titles(crawls.wide).items() >= SHORTLINKED.items()
