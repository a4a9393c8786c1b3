"""spiders/urls.py: one spelling per page, source scopes, article-looking links on listing pages."""

import pytest

from spiders.urls import Scope, canonicalize, looks_like_article, looks_like_listing

ARTICLE = "https://kabartapalkuda.id/2026/11/20/jalan-berlubang-di-tegalsiwalan/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (ARTICLE + "?utm_source=facebook&utm_medium=social&utm_campaign=bagikan", ARTICLE),
        (ARTICLE + "?fbclid=IwAR0abc&gclid=x&msclkid=y&_ga=2.1&mc_cid=a&mc_eid=b&igshid=c&yclid=d&ref_src=twsrc", ARTICLE),
        (ARTICLE + "#comments", ARTICLE),
        (ARTICLE + "?amp=1", ARTICLE),
        (ARTICLE + "?amp", ARTICLE),
        ("https://portal.example.id/read/98234?outputType=amp", "https://portal.example.id/read/98234"),
        ("https://portal.example.id/search?q=jalan&page=2&kanal=daerah", "https://portal.example.id/search?kanal=daerah&page=2&q=jalan"),
        ("HTTPS://WWW.Portal.Example.ID:443/Berita/Jalan-Rusak-Di-Paiton", "https://www.portal.example.id/Berita/Jalan-Rusak-Di-Paiton"),
        ("http://portal.example.id:80/a-b-c", "http://portal.example.id/a-b-c"),
        ("http://127.0.0.1:8765/berita/satu-dua-tiga", "http://127.0.0.1:8765/berita/satu-dua-tiga"),
        ("  https://portal.example.id/berita/\n98234/jalan-rusak  ", "https://portal.example.id/berita/98234/jalan-rusak"),
        ("https://portal.example.id/a?x=1&amp;y=2", "https://portal.example.id/a?x=1&y=2"),  # HTML-escaped &
        ("https://portal.example.id", "https://portal.example.id/"),
        ("https://portal.example.id/berita/jalan%20rusak", "https://portal.example.id/berita/jalan%20rusak"),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


def test_canonicalize_resolves_relative_links_against_the_page():
    page = "https://radar.example.id/probolinggo/index.html"
    assert canonicalize("../kota/12345/banjir-di-mayangan?utm_source=x", page) == "https://radar.example.id/kota/12345/banjir-di-mayangan"
    assert canonicalize("/2026/11/20/slug-berita-baru/", page) == "https://radar.example.id/2026/11/20/slug-berita-baru/"


def test_meaningful_parameters_are_kept():
    assert canonicalize("https://kabartapalkuda.id/?p=4821") == "https://kabartapalkuda.id/?p=4821"
    assert canonicalize("https://portal.example.id/read?id=5&page=all") == "https://portal.example.id/read?id=5&page=all"


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://WWW.Example.COM:80/Path/A?b=2&a=1&utm_source=fb#frag",
        "https://portal.example.id/berita/Jalan Rusak?q=é&amp=1",
        "https://portal.example.id/a/../b/./c?z=&y=%7e",
        "https://münchen.example/ä?q=ä",
    ],
)
def test_canonicalize_is_idempotent(url):
    once = canonicalize(url)
    assert canonicalize(once) == once


def test_scope_has_directory_semantics():
    scope = Scope.from_url("https://radar.example.id/probolinggo/")
    assert scope == Scope(host="radar.example.id", path_prefix="/probolinggo")
    assert scope.contains("https://radar.example.id/probolinggo")
    assert scope.contains("https://radar.example.id/probolinggo/")
    assert scope.contains("https://radar.example.id/probolinggo/1234567/jalan-rusak-di-paiton")
    assert not scope.contains("https://radar.example.id/probolinggokota/1234567/banjir-di-mayangan")
    assert not scope.contains("https://radar.example.id/lumajang/1234567/jalan-rusak")
    assert not scope.contains("https://radar.example.id/")


def test_scope_ignores_www_and_scheme_but_not_other_hosts():
    scope = Scope.from_url("https://www.radar.example.id/probolinggo/")
    assert scope.contains("http://radar.example.id/probolinggo/x")
    assert scope.contains("https://WWW.RADAR.EXAMPLE.ID/probolinggo/x")
    assert not scope.contains("https://m.radar.example.id/probolinggo/x")
    assert not scope.contains("https://radar.example.id.evil.com/probolinggo/x")
    assert not scope.contains("mailto:redaksi@radar.example.id")


def test_scope_prefix_given_as_a_file_means_its_directory():
    scope = Scope.from_url("https://radar.example.id/probolinggo/index.html")
    assert scope.path_prefix == "/probolinggo"
    assert scope.contains("https://radar.example.id/probolinggo/1234567/jalan-rusak")


def test_whole_site_scope_and_ports():
    scope = Scope.from_url("http://127.0.0.1:8765/")
    assert scope.path_prefix == ""
    assert scope.contains("http://127.0.0.1:8765/anything/at/all")
    assert not scope.contains("http://127.0.0.1:9999/anything")
    assert Scope.from_url("https://kabartapalkuda.id:443").contains("https://kabartapalkuda.id/a")


def test_scope_rejects_non_web_urls():
    with pytest.raises(ValueError):
        Scope.from_url("ftp://example.id/")


@pytest.mark.parametrize(
    "url",
    [
        "https://news.detik.com/berita-jawa-timur/d-7654321/warga-keluhkan-jalan-rusak-di-kraksaan",
        "https://surabaya.kompas.com/read/2026/11/20/091500178/jalan-rusak-probolinggo",
        "https://jatim.tribunnews.com/2026/11/20/warga-tegalsiwalan-protes-bansos",
        "https://radarbromo.jawapos.com/probolinggo/1234567/jalan-berlubang-di-paiton-bikin-celaka",
        "https://probolinggo.jatimnetwork.com/pemerintahan/1234567890/dinas-pupr-perbaiki-jalan",
        "https://www.liputan6.com/surabaya/read/5678901/bupati-tinjau-jalan",
        "https://www.suara.com/news/2026/11/20/091500/banjir-di-probolinggo",
        "https://kabartapalkuda.id/warga-desa-sumberasih-keluhkan-pju-mati/",
        "https://kabartapalkuda.id/?p=4821",
        "https://beritadesa.blogspot.com/2026/11/jalan-rusak.html",
        "https://portal.example.id/berita/jalan_desa_rusak_parah.html",
        "https://www.antaranews.com/berita/4567890/dinsos-salurkan-bantuan",
        "/2026/11/20/warga-protes-jalan",
        "//kabartapalkuda.id/2026/11/20/warga-protes-jalan/",
    ],
)
def test_article_urls(url):
    assert looks_like_article(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://kabartapalkuda.id/",
        "https://kabartapalkuda.id/probolinggo/",
        "https://kabartapalkuda.id/category/probolinggo/",
        "https://portal.example.id/kategori/pemerintahan",
        "https://kabartapalkuda.id/tag/jalan-rusak-probolinggo/",
        "https://portal.example.id/topik/bantuan-sosial-tunai-desa",
        "https://kabartapalkuda.id/author/ahmad-fauzi-rahman/",
        "https://portal.example.id/penulis/moh-rizal-hidayat",
        "https://kabartapalkuda.id/page/2/",
        "https://kabartapalkuda.id/category/probolinggo/page/3/",
        "https://portal.example.id/berita?page=2",
        "https://kabartapalkuda.id/?s=jalan+rusak",
        "https://portal.example.id/search?q=jalan-rusak-parah",
        "https://portal.example.id/cari/jalan-rusak-parah",
        "https://kabartapalkuda.id/wp-login.php",
        "https://kabartapalkuda.id/wp-admin/post-new.php",
        "https://kabartapalkuda.id/feed/",
        "https://portal.example.id/indeks",
        "https://kabartapalkuda.id/2026/11/20/",
        "https://kabartapalkuda.id/2026/11/",
        "https://kabartapalkuda.id/pedoman-media-siber/",
        "https://kabartapalkuda.id/wp-content/uploads/2026/11/foto-jalan-rusak-parah.jpg",
        "https://portal.example.id/files/laporan-tahunan-dinas-pupr.pdf",
        "https://portal.example.id/assets/app-main-bundle.js",
        "https://portal.example.id/sitemap-news-2026-11.xml",
        "mailto:redaksi@kabartapalkuda.id",
        "javascript:void(0)",
        "tel:+62335123456",
        "whatsapp://send?text=jalan-rusak-parah",
        "https://www.facebook.com/sharer/sharer.php?u=https://kabartapalkuda.id/jalan-rusak-di-paiton/",
        "https://twitter.com/intent/tweet?url=https://kabartapalkuda.id/jalan-rusak-di-paiton/",
        "https://wa.me/?text=jalan-rusak-di-paiton",
        "https://t.me/share/url?url=https://kabartapalkuda.id/jalan-rusak-di-paiton/",
        "#komentar",
        "",
    ],
)
def test_navigation_and_non_article_urls(url):
    assert not looks_like_article(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kabartapalkuda.id/", True),
        ("https://kabartapalkuda.id/index.php", True),
        ("https://kabartapalkuda.id/category/probolinggo/", True),
        ("https://kabartapalkuda.id/berita?page=3", True),
        ("https://kabartapalkuda.id/?p=4821", False),
        ("https://portal.example.id/index.php?option=com_content&view=article&id=123", False),  # Joomla
        ("https://portal.example.id/read/2026/11/20/0915/jalan-rusak-di-paiton?page=all", False),  # whole article
        ("https://portal.example.id/berita/jalan-rusak-di-paiton?page=2", False),  # its second page
        ("https://portal.example.id/?page=2", True),
        ("https://kabartapalkuda.id/probolinggo/", False),  # a section: not obviously navigation
        (ARTICLE, False),
    ],
)
def test_looks_like_listing(url, expected):
    assert looks_like_listing(url) is expected


@pytest.mark.parametrize("url", ["http://[::1", "https://portal.example.id:99999/a", "https://portal.example.id:abc/a", "", None])
def test_malformed_urls_never_raise(url):
    assert isinstance(canonicalize(url), str)
    assert canonicalize(url, "https://portal.example.id/x/") is not None
    assert looks_like_article(url) is False
    assert Scope.from_url("https://portal.example.id/").contains(url) is False
