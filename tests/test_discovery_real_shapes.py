"""Discovery on the shapes real outlets have: channel subdomains, feed items whose <link> goes
through a redirect service, ``/?p=N`` pagination next to WordPress shortlinks, and static pages
(terms, redaksi, pedoman media siber) linked from every page. Our own fixture markup."""

from datetime import datetime

import pytest

from spiders import discovery
from spiders.dates import JAKARTA
from spiders.extract import read_article
from spiders.urls import Scope

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=JAKARTA)
HOME = "https://www.kabarselatan.co.id/"


def rss(items: str, channel_link: str = HOME) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel>
<title>Kabar Selatan - Berita Terbaru</title><link>{channel_link}</link>
<description>Berita Kabupaten Probolinggo</description>
{items}
</channel></rss>""".encode()


def item(*, link: str | None = None, guid: str | None = None, permalink: bool = True, extra: str = "") -> str:
    parts = ["<item><title>Warga Tiris Keluhkan Jalan Rusak</title>",
             "<pubDate>Mon, 30 Nov 2026 03:15:00 +0000</pubDate>"]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f'<guid isPermaLink="{"true" if permalink else "false"}">{guid}</guid>')
    return "".join(parts) + extra + "</item>"


ARTICLE = "https://daerah.kabarselatan.co.id/read/2026/11/30/104512/warga-tiris-keluhkan-jalan-rusak"


# -- feeds: the item's own address wins ---------------------------------------------------------

def test_a_redirect_link_loses_to_the_guid_on_the_outlets_domain():
    body = rss(item(link="http://kabarselatan.feedsportal.com/c/3361/f/6560/s/4b3f/sc/3/l/0Ldaerah/story01.htm",
                    guid=ARTICLE))
    [lead] = discovery.feed_leads(body, "https://rss.kabarselatan.co.id/index.php", now=NOW)
    assert lead.url == ARTICLE
    assert lead.date is not None and lead.published


def test_the_link_wins_over_a_differing_guid_when_both_are_the_outlets():
    pretty = "https://www.kabarselatan.co.id/2026/11/30/air-pdam-mati-tiga-hari-di-kraksaan/"
    body = rss(item(link=pretty, guid="https://www.kabarselatan.co.id/?p=4821", permalink=False))
    [lead] = discovery.feed_leads(body, "https://www.kabarselatan.co.id/feed/", now=NOW)
    assert lead.url == pretty


def test_feedburner_origlink_and_a_feed_served_by_the_redirect_service():
    pretty = "https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"
    body = rss(item(link="https://feedproxy.google.com/~r/kabarselatan/~3/Xy12ab/",
                    guid="https://www.kabarselatan.co.id/?p=5001", permalink=False,
                    extra=f"<feedburner:origLink>{pretty}</feedburner:origLink>"))
    [lead] = discovery.feed_leads(body, "https://feeds.feedburner.com/kabarselatan", now=NOW)
    assert lead.url == pretty
    # no origLink: the feed sits on FeedBurner, so the outlet is the channel's <link>
    body = rss(item(link="https://feedproxy.google.com/~r/kabarselatan/~3/Xy12ab/",
                    guid="https://www.kabarselatan.co.id/?p=5001"))
    [lead] = discovery.feed_leads(body, "https://feeds.feedburner.com/kabarselatan", now=NOW)
    assert lead.url == "https://www.kabarselatan.co.id/?p=5001"


def test_an_embedded_target_is_decoded_and_an_opaque_redirect_kept():
    encoded = "https://news.google.com/url?sa=t&url=https%3A%2F%2Fdaerah.kabarselatan.co.id%2Fread%2F2026%2F11%2F30%2F104512%2Fwarga-tiris-keluhkan-jalan-rusak%3Futm_source%3Dgn"
    body = rss(item(link=encoded), channel_link="https://news.google.com/")
    [lead] = discovery.feed_leads(body, "https://news.google.com/rss/search?q=probolinggo", now=NOW)
    assert lead.url == ARTICLE
    opaque = "https://dlvr.it/T3kq9Z"
    [lead] = discovery.feed_leads(rss(item(link=opaque)), "https://www.kabarselatan.co.id/feed/", now=NOW)
    assert lead.url == opaque  # nothing better to go on; the spider's scope decides


def test_atom_alternate_link_wins_over_an_id_url():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>Kabar Selatan</title><link rel="alternate" href="https://www.kabarselatan.co.id/"/>
      <entry><title>PJU mati di Paiton</title><id>https://www.kabarselatan.co.id/?p=777</id>
        <link rel="enclosure" type="image/jpeg" href="https://cdn.kabarselatan.co.id/foto/pju.jpg"/>
        <link rel="alternate" type="text/html" href="https://www.kabarselatan.co.id/2026/11/29/pju-mati-di-paiton-sebulan/"/>
        <updated>2026-11-29T19:00:00+07:00</updated></entry></feed>"""
    [lead] = discovery.feed_leads(atom, "https://www.kabarselatan.co.id/feed/atom/", now=NOW)
    assert lead.url == "https://www.kabarselatan.co.id/2026/11/29/pju-mati-di-paiton-sebulan/"


def test_static_pages_in_feeds_and_sitemaps_are_not_leads():
    body = rss(item(link="https://www.kabarselatan.co.id/pedoman-media-siber/")
               + item(link="https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"))
    leads = discovery.feed_leads(body, "https://www.kabarselatan.co.id/feed/", now=NOW)
    assert [lead.url for lead in leads] == ["https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"]
    sitemap = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://www.kabarselatan.co.id/terms_of_use/</loc><lastmod>2026-11-01</lastmod></url>
      <url><loc>https://www.kabarselatan.co.id/tentang-kami/</loc></url>
      <url><loc>https://www.kabarselatan.co.id/?page_id=2</loc></url>
      <url><loc>https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/</loc></url>
      </urlset>"""
    content = discovery.parse_sitemap(sitemap, now=NOW)
    assert [lead.url for lead in content.leads] == ["https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"]


# -- listing pages ------------------------------------------------------------------------------

INDEX = "http://indeks.kabarselatan.co.id/"


def listing(body: str, head: str = "", url: str = INDEX):
    return discovery.parse_html(f"<html><head><title>Indeks</title>{head}</head><body>{body}</body></html>", url)


PAGINATED_INDEX = """
  <div class="indeks">
    <div class="item"><a href="http://daerah.kabarselatan.co.id/read/2026/11/30/104512/warga-tiris-keluhkan-jalan-rusak">Warga Tiris keluhkan jalan rusak</a>
      <span>Senin, 30 November 2026 10:45 WIB</span></div>
    <div class="item"><a href="http://indeks.kabarselatan.co.id/read/2026/11/29/093010/antrean-pasien-puskesmas-maron">Antrean pasien Puskesmas Maron</a>
      <span>Minggu, 29 November 2026 09:30 WIB</span></div>
  </div>
  <div class="paging"><a href="/?p=1">1</a> <a href="/?p=2">2</a> <a href="/?p=3">3</a> <a href="/?p=2">Next</a></div>
  <div class="footer"><a href="http://www.kabarselatan.co.id/terms_of_use/">Terms of Use</a>
    <a href="http://www.kabarselatan.co.id/pedoman_media_siber">Pedoman Media Siber</a>
    <a href="http://www.kabarselatan.co.id/info-iklan/">Info Iklan</a></div>
"""


def test_p_number_pagination_of_an_index_is_not_an_article():
    page = listing(PAGINATED_INDEX)
    scope = Scope.from_url(INDEX)
    leads = discovery.listing_leads(page, scope, now=NOW)
    assert [lead.url for lead in leads] == [
        "http://indeks.kabarselatan.co.id/read/2026/11/29/093010/antrean-pasien-puskesmas-maron"]
    assert discovery.next_page(page, INDEX, scope) == "http://indeks.kabarselatan.co.id/?p=2"


def test_a_wordpress_listing_links_posts_by_id():
    body = """<ul class="posts">
      <li><a href="/?p=4821">Warga Desa Sumberasih keluhkan PJU mati</a> <span>30 November 2026</span></li>
      <li><a href="/?p=4815">Air PDAM mati tiga hari di Kraksaan</a> <span>29 November 2026</span></li>
      <li><a href="/?page_id=2">Tentang Kami</a></li></ul>
      <a href="/?paged=2">Berita sebelumnya</a>"""
    head = '<meta name="generator" content="WordPress 6.7"><link rel="stylesheet" href="/wp-content/themes/kabar/style.css">'
    page = listing(body, head, url="https://kabartapal.id/")
    leads = discovery.listing_leads(page, Scope.from_url("https://kabartapal.id/"), now=NOW)
    assert [lead.url for lead in leads] == ["https://kabartapal.id/?p=4821", "https://kabartapal.id/?p=4815"]
    assert all(lead.date is not None for lead in leads)  # each teaser keeps its own date


def test_static_pages_are_not_leads_even_through_a_selector():
    body = """<div class="daftar"><a href="/tentang-kami/">Tentang Kami</a>
      <a href="/kabar/77">Jalan Rusak</a></div>"""
    page = listing(body, url="https://www.kabarselatan.co.id/")
    leads = discovery.listing_leads(page, Scope.from_url(HOME), now=NOW, link_selector=".daftar a")
    assert [lead.url for lead in leads] == ["https://www.kabarselatan.co.id/kabar/77"]


def test_a_subdomain_scope_takes_the_channels_links_feeds_and_index_pages():
    head = """<link rel="alternate" type="application/rss+xml" href="https://rss.kabarselatan.co.id/terbaru.xml">
      <link rel="alternate" type="application/rss+xml" href="https://rss.koranlain.co.id/feed.xml">"""
    body = """<a href="https://indeks.kabarselatan.co.id/">Indeks Berita</a>
      <a href="https://daerah.kabarselatan.co.id/read/2026/11/30/104512/warga-tiris-keluhkan-jalan-rusak">Tiris</a>
      <a href="https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/">Dringu</a>
      <a href="https://www.koranlain.co.id/2026/11/30/pasar-baru-di-lumajang-dibuka/">Lumajang</a>"""
    page = listing(body, head, url=HOME)
    narrow, wide = Scope.from_url(HOME), Scope.from_url(HOME, subdomains=True)
    assert discovery.home_links(page, narrow).feeds == []
    assert discovery.home_links(page, narrow).index_pages == []
    links = discovery.home_links(page, wide)
    assert links.feeds == ["https://rss.kabarselatan.co.id/terbaru.xml"]
    assert links.index_pages == ["https://indeks.kabarselatan.co.id/"]
    assert [lead.url for lead in discovery.listing_leads(page, narrow, now=NOW)] == [
        "https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"]
    assert [lead.url for lead in discovery.listing_leads(page, wide, now=NOW)] == [
        "https://daerah.kabarselatan.co.id/read/2026/11/30/104512/warga-tiris-keluhkan-jalan-rusak",
        "https://www.kabarselatan.co.id/2026/11/30/banjir-rob-di-dringu-meluas/"]


# -- an article fetched as /?p=N is known by its canonical address ------------------------------

SHORTLINKED = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>Lampu Jalan di Sumberasih Mati Sebulan - Kabar Tapal</title>
<link rel="canonical" href="https://kabartapal.id/2026/11/30/lampu-jalan-di-sumberasih-mati-sebulan/">
<link rel="shortlink" href="https://kabartapal.id/?p=4821">
<meta property="og:url" content="https://kabartapal.id/2026/11/30/lampu-jalan-di-sumberasih-mati-sebulan/">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2026-11-30T08:10:00+07:00">
</head><body><article><h1>Lampu Jalan di Sumberasih Mati Sebulan</h1>
<p>Warga Desa Sumberasih mengeluhkan lampu penerangan jalan umum yang padam sejak awal bulan.</p>
<p>Jalan desa menuju pasar menjadi gelap setelah magrib sehingga pengendara harus ekstra hati-hati.</p>
<p>Kepala desa menyebut laporan sudah dikirim ke dinas terkait, namun belum ada petugas yang datang.</p>
</article></body></html>"""


@pytest.mark.parametrize("fetched", ["https://kabartapal.id/?p=4821", "https://kabartapal.id/?p=4821&utm_source=wa"])
def test_an_article_read_through_its_shortlink_gives_its_canonical_url(fetched):
    page = read_article(SHORTLINKED, fetched, now=NOW)
    assert page.canonical_url == "https://kabartapal.id/2026/11/30/lampu-jalan-di-sumberasih-mati-sebulan/"


def test_an_article_read_through_its_shortlink_is_an_article():
    page = read_article(SHORTLINKED, "https://kabartapal.id/?p=4821", now=NOW)
    assert page.is_article, page.not_article_reason
