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


# -- static pages, /?p=N, top-level slugs -------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://kabartapalkuda.id/terms_of_use/",
    "https://kabartapalkuda.id/Terms-Of-Use.html",
    "https://kabartapalkuda.id/syarat-dan-ketentuan",
    "https://kabartapalkuda.id/kebijakan_privasi/",
    "https://kabartapalkuda.id/privacy-policy",
    "https://kabartapalkuda.id/tentang-kami/",
    "https://kabartapalkuda.id/about_us",
    "https://kabartapalkuda.id/hubungi-kami",
    "https://kabartapalkuda.id/contact.php",
    "https://kabartapalkuda.id/redaksi",
    "https://kabartapalkuda.id/page/susunan_redaksi/",
    "https://kabartapalkuda.id/pedoman-media-siber/",
    "https://kabartapalkuda.id/Pedoman%20Media%20Siber",
    "https://kabartapalkuda.id/disclaimer",
    "https://kabartapalkuda.id/karir/",
    "https://kabartapalkuda.id/info-iklan",
    "https://kabartapalkuda.id/info_iklan.html",
    "https://kabartapalkuda.id/kode-etik-jurnalistik/",
    "https://kabartapalkuda.id/?page_id=27",
])
def test_static_pages_are_never_articles(url):
    from spiders.urls import looks_like_static_page

    assert looks_like_static_page(url)
    assert not looks_like_article(url)
    assert looks_like_listing(url)  # the URL veto read_article applies when a page has no article signal


@pytest.mark.parametrize("url", [
    ARTICLE,
    "https://kabartapalkuda.id/2026/11/20/warga-kontak-dinas-soal-jalan-rusak/",
    "https://portal.example.id/berita/18342/redaksi-terima-aduan-pju-mati-di-paiton",
    "https://portal.example.id/berita/18343/syarat-dan-ketentuan-bansos-pkh-2027",
    "https://kabartapalkuda.id/?p=4821",
    "https://kabartapalkuda.id/",
    "",
    None,
])
def test_articles_with_static_words_in_their_headline_are_not_static_pages(url):
    from spiders.urls import looks_like_static_page

    assert not looks_like_static_page(url)


def test_a_bare_p_number_is_ambiguous_without_the_page():
    """/?p=2 is a WordPress post by id or page 2 of a portal's index: the URL alone cannot tell."""
    from spiders.urls import is_wordpress_shortlink

    assert is_wordpress_shortlink("https://kabartapalkuda.id/?p=4821")
    assert is_wordpress_shortlink("http://indeks.portal.example.id/?p=2")
    assert not is_wordpress_shortlink("https://portal.example.id/indeks?p=2")
    assert not is_wordpress_shortlink("https://kabartapalkuda.id/?p=abc")
    assert not looks_like_article("https://kabartapalkuda.id/?p=4821")
    assert not looks_like_listing("https://kabartapalkuda.id/?p=4821")  # read_article keeps its page


@pytest.mark.parametrize(("url", "expected"), [
    ("https://life.portal.example.id/food_and_living", False),  # a section, not a story
    ("https://portal.example.id/berita-jawa-timur", False),
    ("https://portal.example.id/warga-tiris-keluhkan-jalan-rusak", True),
    ("https://portal.example.id/daerah/banjir-di-dringu", True),  # three words below a section
])
def test_top_level_slugs_need_a_headline(url, expected):
    assert looks_like_article(url) is expected


# -- scopes with subdomains -------------------------------------------------------------------

def test_default_scope_stays_the_host_and_path_prefix():
    scope = Scope.from_url("https://www.kabarselatan.co.id/probolinggo/")
    assert scope.contains("https://kabarselatan.co.id/probolinggo/2026/11/20/jalan-rusak-di-tiris/")
    assert not scope.contains("https://kabarselatan.co.id/lumajang/2026/11/20/jalan-rusak-di-tiris/")
    assert not scope.contains("https://daerah.kabarselatan.co.id/probolinggo/2026/11/20/jalan-rusak-di-tiris/")
    assert scope == Scope.from_url("https://www.kabarselatan.co.id/probolinggo/", subdomains=False)


def test_subdomains_true_covers_every_host_of_the_outlets_domain():
    scope = Scope.from_url("https://www.kabarselatan.co.id/probolinggo/", subdomains=True)
    assert scope.other_hosts == ("kabarselatan.co.id",)
    for url in ("https://daerah.kabarselatan.co.id/read/2026/11/20/123456/air-pdam-mati-di-kraksaan",
                "http://regional.kabarselatan.co.id/probolinggo/banjir-rob-di-dringu-meluas",
                "https://a.b.kabarselatan.co.id/x"):
        assert scope.contains(url), url
    # the source's own host keeps its path prefix
    assert scope.contains("https://kabarselatan.co.id/probolinggo/jalan-rusak-di-tiris-belum-diperbaiki")
    assert not scope.contains("https://www.kabarselatan.co.id/lumajang/jalan-rusak-di-senduro-dikeluhkan")
    # another outlet under the same public suffix is not a subdomain
    assert not scope.contains("https://kabarutara.co.id/probolinggo/jalan-rusak-di-tiris-belum-diperbaiki")
    assert not scope.contains("https://selatan.co.id/a-b-c-d")
    assert not scope.contains("https://evilkabarselatan.co.id/a-b-c-d")
    assert not scope.contains("mailto:redaksi@kabarselatan.co.id")


def test_subdomains_respect_public_and_private_suffixes():
    from spiders.urls import registrable_domain

    assert registrable_domain("radar.jatimprov.go.id") == "jatimprov.go.id"
    assert registrable_domain("news.kabarselatan.co.id") == "kabarselatan.co.id"
    assert registrable_domain("beritadesa.blogspot.com") == "beritadesa.blogspot.com"  # not all of Blogspot
    assert registrable_domain("daerah.kabarselatan.test") == "kabarselatan.test"  # a suffix the list lacks
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    blog = Scope.from_url("https://beritadesa.blogspot.com/", subdomains=True)
    assert not blog.contains("https://blog-lain.blogspot.com/2026/11/jalan-rusak-di-paiton.html")
    local = Scope.from_url("http://127.0.0.1:8765/", subdomains=True)
    assert local.contains("http://127.0.0.1:8765/a-b-c") and not local.contains("http://127.0.0.2:8765/a-b-c")


def test_subdomains_as_a_list_of_hosts():
    scope = Scope.from_url("https://www.kabarselatan.co.id/", subdomains=("daerah.kabarselatan.co.id", "*.kabarselatan-tv.id"))
    assert scope.contains("https://daerah.kabarselatan.co.id/banjir-rob-di-dringu-meluas")
    assert scope.contains("https://kabarselatan-tv.id/video/banjir-rob-di-dringu")
    assert scope.contains("https://live.kabarselatan-tv.id/video/banjir-rob-di-dringu")
    assert not scope.contains("https://olahraga.kabarselatan.co.id/persekabpro-menang-tipis")
    assert scope.covers_host("https://daerah.kabarselatan.co.id/feed/")
    assert not scope.covers_host("https://olahraga.kabarselatan.co.id/feed/")


def test_subdomain_hosts_keep_the_sources_port():
    scope = Scope.from_url("http://kabarselatan.test:8080/", subdomains=True)
    assert scope.contains("http://daerah.kabarselatan.test:8080/a-b-c")
    assert not scope.contains("http://daerah.kabarselatan.test:9090/a-b-c")
