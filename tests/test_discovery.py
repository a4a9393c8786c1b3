"""Discovery: where article URLs come from (feeds, sitemaps, WordPress API, listing pages)."""

from datetime import datetime, timedelta, timezone

from spiders import discovery
from spiders.dates import JAKARTA
from spiders.urls import Scope

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=JAKARTA)
SCOPE = Scope.from_url("https://radar.example.id/probolinggo/")


def doc(html: str, url: str = "https://radar.example.id/probolinggo/"):
    return discovery.parse_html(html, url)


def test_home_links_finds_feeds_wordpress_api_and_index_pages():
    page = doc("""<html><head>
      <link rel="alternate" type="application/rss+xml" title="Feed" href="/probolinggo/feed/">
      <link rel="alternate" type="application/rss+xml" title="Komentar" href="/probolinggo/comments/feed/">
      <link rel="alternate" type="application/atom+xml" href="https://other.example.com/atom.xml">
      <link rel="https://api.w.org/" href="https://radar.example.id/wp-json/">
      </head><body>
      <a href="/probolinggo/indeks">Indeks Berita</a>
      <a href="/probolinggo/indeks?page=2">Selanjutnya</a>
      <a href="/probolinggokota/indeks">Indeks Kota</a>
      </body></html>""")
    links = discovery.home_links(page, SCOPE)
    assert links.feeds == ["https://radar.example.id/probolinggo/feed/"]
    assert links.wp_api == "https://radar.example.id/wp-json/"
    assert links.index_pages == ["https://radar.example.id/probolinggo/indeks"]


def test_listing_leads_keep_scope_and_read_teaser_dates():
    page = doc("""<html><body>
      <nav><a href="/probolinggo/kategori/daerah/">Daerah</a></nav>
      <ul>
        <li><a href="/probolinggo/berita/101/jalan-rusak-di-tiris-dikeluhkan-warga">Jalan rusak</a>
            <span class="tgl">Rabu, 18 November 2026 17:51 WIB</span></li>
        <li><a href="/probolinggo/berita/102/air-pdam-mati-tiga-hari">Air mati</a>
            <time datetime="2026-11-17T08:00:00+07:00">kemarin</time></li>
        <li><a href="/probolinggokota/berita/103/banjir-di-mayangan-surut">Kota</a> 17/11/2026</li>
        <li><a href="/probolinggo/berita/104/tanpa-tanggal-sama-sekali">Tanpa tanggal</a></li>
      </ul></body></html>""")
    leads = {lead.url: lead for lead in discovery.listing_leads(page, SCOPE, now=NOW)}
    base = "https://radar.example.id/probolinggo/berita/"
    assert sorted(leads) == [base + "101/jalan-rusak-di-tiris-dikeluhkan-warga",
                             base + "102/air-pdam-mati-tiga-hari",
                             base + "104/tanpa-tanggal-sama-sekali"]
    assert leads[base + "101/jalan-rusak-di-tiris-dikeluhkan-warga"].date == datetime(2026, 11, 18, 17, 51, tzinfo=WIB)
    assert leads[base + "102/air-pdam-mati-tiga-hari"].date == datetime(2026, 11, 17, 8, 0, tzinfo=WIB)
    assert leads[base + "104/tanpa-tanggal-sama-sekali"].date is None


def test_listing_selector_overrides_the_heuristic():
    page = doc("""<html><body><div class="daftar"><a href="/probolinggo/p?id=77">Judul</a></div>
      <a href="/probolinggo/p?id=78">Iklan</a></body></html>""")
    leads = discovery.listing_leads(page, SCOPE, now=NOW, link_selector=".daftar a")
    assert [lead.url for lead in leads] == ["https://radar.example.id/probolinggo/p?id=77"]


def test_next_page_by_rel_text_or_number():
    url = "https://radar.example.id/probolinggo/indeks"
    assert discovery.next_page(doc('<link rel="next" href="/probolinggo/indeks?page=2">', url), url, SCOPE) \
        == "https://radar.example.id/probolinggo/indeks?page=2"
    assert discovery.next_page(doc('<a href="/probolinggo/page/2/">Berikutnya &raquo;</a>', url), url, SCOPE) \
        == "https://radar.example.id/probolinggo/page/2/"
    assert discovery.next_page(doc('<a href="/probolinggo/page/2/">&raquo;</a>', url), url, SCOPE) \
        == "https://radar.example.id/probolinggo/page/2/"
    assert discovery.next_page(doc('<a href="/probolinggo/page/2/">Berikutnya</a>', url), url, SCOPE) \
        == "https://radar.example.id/probolinggo/page/2/"
    page2 = "https://radar.example.id/probolinggo/indeks?page=2"
    numbered = doc('<a href="/probolinggo/indeks?page=1">1</a><a href="/probolinggo/indeks?page=3">3</a>', page2)
    assert discovery.next_page(numbered, page2, SCOPE) == "https://radar.example.id/probolinggo/indeks?page=3"
    outside = doc('<a rel="next" href="/probolinggokota/indeks?page=2">Next</a>', url)
    assert discovery.next_page(outside, url, SCOPE) is None


def test_rss_atom_and_json_feeds():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>K</title>
      <item><link>https://radar.example.id/probolinggo/a-b-c/?utm_source=rss</link>
      <pubDate>Fri, 20 Nov 2026 02:15:00 +0000</pubDate></item></channel></rss>"""
    [lead] = discovery.feed_leads(rss, "https://radar.example.id/probolinggo/feed/", now=NOW)
    assert lead.url == "https://radar.example.id/probolinggo/a-b-c/"
    assert lead.date == datetime(2026, 11, 20, 2, 15, tzinfo=timezone.utc) and lead.published
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>K</title>
      <entry><link href="https://radar.example.id/probolinggo/x-y-z/"/><updated>2026-11-19T10:00:00+07:00</updated></entry></feed>"""
    [lead] = discovery.feed_leads(atom, "https://radar.example.id/feed.atom", now=NOW)
    assert lead.url == "https://radar.example.id/probolinggo/x-y-z/" and not lead.published
    jsonfeed = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "/probolinggo/j-k-l/", "date_published": "2026-11-18T07:00:00+07:00"}]}'
    [lead] = discovery.feed_leads(jsonfeed, "https://radar.example.id/feed.json", now=NOW)
    assert lead.url == "https://radar.example.id/probolinggo/j-k-l/"
    assert lead.date == datetime(2026, 11, 18, 7, 0, tzinfo=WIB)
    assert discovery.feed_leads(b"<html><body>Not found</body></html>", "https://radar.example.id/rss", now=NOW) is None


def test_sitemaps_urlset_index_and_google_news():
    urlset = b"""<?xml version="1.0"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
              xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://radar.example.id/probolinggo/a-b-c/</loc><lastmod>2026-11-20T10:00:00+07:00</lastmod></url>
      <url><loc>https://radar.example.id/probolinggo/d-e-f/</loc>
        <news:news><news:publication_date>2026-11-21T08:30:00+07:00</news:publication_date><news:title>T</news:title></news:news></url>
      </urlset>"""
    content = discovery.parse_sitemap(urlset, now=NOW)
    assert [(lead.url, lead.published) for lead in content.leads] == [
        ("https://radar.example.id/probolinggo/a-b-c/", False), ("https://radar.example.id/probolinggo/d-e-f/", True)]
    assert content.leads[1].date == datetime(2026, 11, 21, 8, 30, tzinfo=WIB)
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://radar.example.id/post-sitemap.xml</loc><lastmod>2026-11-20</lastmod></sitemap>
      </sitemapindex>"""
    content = discovery.parse_sitemap(index, now=NOW)
    assert content.leads == [] and [s.url for s in content.sitemaps] == ["https://radar.example.id/post-sitemap.xml"]
    assert discovery.parse_sitemap(b"<html><body>404</body></html>", now=NOW) is None
    assert discovery.parse_sitemap(b"\x00\x01 not xml", now=NOW) is None


def test_robots_sitemap_lines():
    robots = "User-agent: *\nDisallow: /privat/\nSitemap: https://radar.example.id/sitemap_index.xml\nsitemap: /news.xml\n"
    assert discovery.robots_sitemaps(robots, "https://radar.example.id/robots.txt") == [
        "https://radar.example.id/sitemap_index.xml", "https://radar.example.id/news.xml"]


def test_wordpress_api_urls_and_posts():
    since = datetime(2026, 10, 1, tzinfo=WIB)
    url = discovery.wp_posts_url("https://radar.example.id/wp-json/", page=2, since=since)
    assert url.startswith("https://radar.example.id/wp-json/wp/v2/posts?")
    assert "page=2" in url and "after=2026-10-01T00%3A00%3A00%2B07%3A00" in url
    plain = discovery.wp_posts_url("https://radar.example.id/?rest_route=/", page=1, since=None)
    assert plain.startswith("https://radar.example.id/?rest_route=%2Fwp%2Fv2%2Fposts")
    body = b'[{"link": "https://radar.example.id/probolinggo/a-b-c/", "date_gmt": "2026-11-20T02:15:00"}]'
    [lead] = discovery.wp_leads(body, now=NOW)
    assert lead.date == datetime(2026, 11, 20, 2, 15, tzinfo=timezone.utc) and lead.published
    assert discovery.wp_leads(b'{"code": "rest_no_route"}', now=NOW) is None
