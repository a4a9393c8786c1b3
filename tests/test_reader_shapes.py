"""The page reader on the shapes real news pages take (issue 15): what a reader of the page sees.

Each page under tests/fixtures/reader/ is hand-written (our own Indonesian text about Kabupaten
Probolinggo) in one shape that lost articles or parts of them on real pages: markup that is not
content (comments, processing instructions, CDATA, broken tags), an article type declared on a
URL that looks like an index, a lead paragraph in bare text or a dateline, paragraphs split by
``<br>`` or written as ``<div>``s, boilerplate lines on a short page, a short page with only a
headline and a date, a date of tomorrow. Every page is read as the spider reads it
(:func:`spiders.extract.read_article`, then :func:`spiders.extract.linked_article` for a page the
site links as an article), at a fixed crawl time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from spiders.dates import CLOCK_SLACK
from spiders.extract import (
    NOT_ARTICLE_REASONS,
    ArticlePage,
    linked_article,
    read_article,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reader"
WIB = timezone(timedelta(hours=7))
# The crawl runs on Tuesday 8 December 2026 at 09:00 in Probolinggo, the morning after the stories.
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=WIB)
SITE = "https://kabartapalkuda.example"


def page_html(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


def read(name: str, url: str | None = None, *, now: datetime = NOW, html: str | None = None) -> ArticlePage:
    url = url or f"{SITE}/berita/2026/12/07/{name.replace('_', '-')}/"
    return read_article(page_html(name) if html is None else html, url, now=now)


def headline(name: str) -> str:
    """The page's <h1> as written in the fixture."""
    html = page_html(name)
    return html[html.index("<h1>") + 4: html.index("</h", html.index("<h1>"))]


def paragraphs(page: ArticlePage) -> list[str]:
    return page.text.split("\n\n") if page.text else []


def assert_paragraphs(page: ArticlePage, openings: list[str]) -> None:
    """The body is exactly these paragraphs, in order, each starting as given."""
    found = paragraphs(page)
    assert len(found) == len(openings), found
    for paragraph, opening in zip(found, openings, strict=True):
        assert paragraph.startswith(opening), (paragraph, opening)


# -- 1. Never crash: markup that is not content ---------------------------------------------------

NOT_CONTENT = [
    pytest.param(
        "comments",
        ["DRINGU - Warga mengeluhkan bau menyengat dari tempat pembuangan sampah liar",  # text on both sides of a comment
         "Tumpukan sampah rumah tangga itu kini menutup separuh bahu jalan",
         '"Setiap pagi kami harus menutup hidung',
         "Camat Dringu berjanji"],
        ["Paragraf lama ini dihapus redaksi", "iklan", "Google Tag Manager", "<!--"],
        id="html-comments",
    ),
    pytest.param(
        "conditional_comments",
        ["TONGAS - Petani padi di Desa Curahtulis",
         "Kios resmi di desa itu sudah dua pekan kosong",  # between <!--[if !IE]><!--> and <!--<![endif]-->
         "Ketua kelompok tani setempat"],
        ["Peramban Anda sudah usang", "html5shiv", "[if", "endif"],
        id="conditional-comments",
    ),
    pytest.param(
        "processing_instructions",
        ["LECES - Jalan penghubung Desa Sumberkedawung",
         "Kepala desa Sutrisno mengatakan lubang di badan jalan",
         "Warga berharap pabrik gula"],
        ["php", "wp_head", "iklan_tengah", "xsl", "<?"],
        id="processing-instructions",
    ),
    pytest.param(
        "cdata",
        ["SUMBERASIH - Kader posyandu di Desa Pohsangit Lor",
         "Timbangan lama milik posyandu rusak",
         "Para kader berharap"],
        ["CDATA", "ruang iklan tengah", "var iklan", "]]>"],
        id="cdata-sections",
    ),
    pytest.param(
        "broken_markup",  # unclosed <p>s, a stray </span>, misnested <b><i>, </h2> closing an <h1>, no </html>
        ["KRAKSAAN - Los pedagang sayur di Pasar Semampir",
         "Saluran di belakang pasar tersumbat",
         "Pedagang memindahkan dagangan ke emperan toko agar tidak basah.",
         "Pengelola pasar berjanji membersihkan saluran"],
        ["</", "<p>"],
        id="broken-markup",
    ),
]


@pytest.mark.parametrize(("name", "openings", "hidden"), NOT_CONTENT)
def test_markup_that_is_not_content_leaves_the_whole_story(name, openings, hidden):
    page = read(name)
    assert (page.is_article, page.not_article_reason) == (True, None)
    assert page.title == headline(name)  # the headline, without the site's name
    assert page.published_at is not None and page.published_at.utcoffset() is not None
    assert_paragraphs(page, openings)
    for text in hidden:
        assert text not in page.text, text


NOTHING_TO_READ = [
    pytest.param("", id="empty-string"),
    pytest.param("   \n\t  \r\n ", id="only-whitespace"),
    pytest.param("<html><head><title></title></head><body></body></html>", id="empty-body"),
    pytest.param("<html><body>\n   \n</body></html>", id="whitespace-body"),
    pytest.param("<script>var berita = [];</script>", id="only-a-script"),
    pytest.param('<html><body><script>document.write("Berita Kraksaan hari ini")</script></body></html>',
                 id="body-of-a-script"),
    pytest.param("<!-- halaman kosong -->", id="only-a-comment"),
    pytest.param('<?xml version="1.0" encoding="utf-8"?>', id="only-an-xml-declaration"),
    pytest.param("<?php echo $berita; ?>", id="only-php"),
    pytest.param("<![CDATA[ isi berita ]]>", id="only-cdata"),
    pytest.param("\ufeff", id="only-a-bom"),
    pytest.param("\x00\x01\x02", id="control-bytes"),
    pytest.param("</div></p></body>", id="only-end-tags"),
    pytest.param("<p>" * 500, id="unclosed-tags"),
    pytest.param("<html><head><title>Warta Pantura</title></head></html>", id="only-a-title"),
]


@pytest.mark.parametrize("html", NOTHING_TO_READ)
def test_a_page_with_nothing_to_read_gives_a_reason_not_an_exception(html):
    page = read("empty", html=html)
    assert isinstance(page, ArticlePage)
    assert page.is_article is False
    assert page.not_article_reason in NOT_ARTICLE_REASONS
    assert page.text == ""
    # a feed that links such a page, with a date, still does not make it an article
    assert linked_article(page, NOW) is False


# -- 2. Article types win over URL vetoes ---------------------------------------------------------

def with_type(name: str, declared: str) -> str:
    return page_html(name).replace('"@type": "NewsArticle"', f'"@type": {declared}', 1)


@pytest.mark.parametrize(
    ("name", "url", "declared", "page_type"),
    [
        ("jsonld_newsarticle", "https://wartaleces.example/arsip/2026/12/07/pompa-air-leces-mati/", None, "NewsArticle"),
        ("jsonld_newsarticle", "https://wartaleces.example/index.php?page=2&id=4417", None, "NewsArticle"),
        ("jsonld_newsarticle", "https://wartaleces.example/archives/2026/12/07/pompa-air-leces-mati/",
         '"ReportageNewsArticle"', "ReportageNewsArticle"),  # the schema.org name, not "ReportageNews"
        ("jsonld_newsarticle", "https://wartaleces.example/index/opini/4417/pompa-air-leces-mati",
         '"OpinionNewsArticle"', "OpinionNewsArticle"),
        ("jsonld_newsarticle", "https://wartaleces.example/archive/4417", '"BlogPosting"', "BlogPosting"),
        ("jsonld_newsarticle", "https://wartaleces.example/arsip/4417", '["NewsArticle", "WebPage"]', "NewsArticle"),
        ("microdata", "https://wartapantura.example/index/berita/5521/bidan-desa-tongas-motor-ambulans",
         None, "NewsArticle"),
        ("og_article", "https://wartapantura.example/archive/123", None, "article"),
    ],
    ids=["jsonld-on-arsip", "jsonld-on-index-php-page-2", "reportage-on-archives", "opinion-on-index",
         "blogposting-on-archive", "type-list-on-arsip", "microdata-on-index", "og-type-on-archive-id"],
)
def test_a_declared_article_is_an_article_whatever_its_url(name, url, declared, page_type):
    # These pages are short (two paragraphs): only the declared type makes them articles.
    page = read(name, url, html=with_type(name, declared) if declared else None)
    assert (page.is_article, page.not_article_reason) == (True, None)
    assert page.page_type == page_type
    assert page.published_at is not None
    assert paragraphs(page)[0].startswith(("LECES - ", "TONGAS - ", "PAITON - "))


STATIC_WITH_JSONLD = page_html("static_page").replace(
    "</head>", '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article", '
               '"headline": "Pedoman Pemberitaan Media Siber"}</script>\n</head>', 1)


@pytest.mark.parametrize(
    ("name", "url", "html", "reason"),
    [
        # three stories described in JSON-LD are a list of stories, whatever each node says
        pytest.param("listing_jsonld", "https://kabarbromo.example/berita/kabar-kraksaan-pekan-ini/", None, "listing",
                     id="three-jsonld-articles"),
        # a site's front page, even one that declares its top story
        pytest.param("jsonld_newsarticle", "https://wartaleces.example/", None, "listing", id="front-page"),
        # the outlet's fixed pages, dated and with og:type article as many templates set site-wide
        pytest.param("static_page", "https://kabarbromo.example/pedoman-media-siber", None, "static_page",
                     id="pedoman-media-siber"),
        pytest.param("static_page", "https://kabarbromo.example/tentang-kami", None, "static_page", id="tentang-kami"),
        pytest.param("static_page", "https://kabarbromo.example/terms_of_use/", None, "static_page", id="terms-of-use"),
        pytest.param(
            "static_page", "https://kabarbromo.example/redaksi/", STATIC_WITH_JSONLD, "static_page",
            id="static-page-with-jsonld-article"),
    ],
)
def test_lists_front_pages_and_static_pages_are_not_articles(name, url, html, reason):
    page = read(name, url, html=html)
    assert (page.is_article, page.not_article_reason) == (False, reason)
    # not even when the site's own feed links it, with a date
    assert linked_article(page, NOW - timedelta(hours=3)) is False


# -- 3. Whole bodies --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "openings"),
    [
        pytest.param("articlebody_br", [
            "PAITON - Abrasi di pesisir Desa Randutatah",  # bare text before <br><br> in itemprop=articleBody
            "Pemilik tambak, Abdul Rohim, mengatakan",
            '"Kalau tidak segera dibangun pemecah ombak',
            "Pemerintah desa sudah mengajukan",
            "Hingga kini warga masih menunggu jawaban atas usulan tersebut."], id="bare-lead-before-br"),
        pytest.param("dateline_strong", [
            "KRAKSAAN, KabarBromo.id - Puluhan pedagang Pasar Semampir",  # the dateline in <strong>, then text
            "Mereka menilai kenaikan",
            "Pengelola pasar berjanji"], id="dateline-in-strong"),
        pytest.param("br_paragraphs", [
            "TONGAS - Lampu penerangan jalan umum",  # paragraphs split by a single <br>
            "Pengendara sepeda motor mengaku",
            "Warga sudah dua kali melapor",
            "Camat Tongas mengatakan"], id="paragraphs-split-by-br"),
        pytest.param("div_paragraphs", [
            "SUMBERASIH - Ratusan warga Desa Banjarsari",  # one <div> per paragraph, <div><br></div> between
            "Saluran itu mengairi",
            "Kepala desa menyediakan",
            "Kegiatan serupa akan digelar lagi"], id="divs-as-paragraphs"),
        pytest.param("date_span_lead", [
            "LECES - Puskesmas Leces kini melayani",  # the date in a bare <span> between headline and lead
            "Kepala puskesmas mengatakan",
            "Warga menyambut baik"], id="date-span-before-lead"),
        pytest.param("microdata", [
            "TONGAS - Bidan Desa Tongas Wetan kini",  # a short story in <article><div itemprop=articleBody>
            "Warga dusun terjauh tidak lagi"], id="short-articlebody-read-once"),
    ],
)
def test_the_whole_story_is_kept_lead_first(name, openings):
    page = read(name)
    assert page.is_article
    assert_paragraphs(page, openings)
    assert "Desember 2026" not in page.text  # the date line is not part of the story


def test_a_paragraph_said_twice_stays_twice():
    quote = '"Kami hanya minta air bersih mengalir lagi ke rumah-rumah, karena membeli air setiap hari sudah terlalu berat," kata Sumarni.'
    # Read three times, as a crawl meets a story syndicated on three sites: nothing is remembered
    # from one page to the next, so the third copy keeps its quote twice too.
    for _ in range(3):
        page = read("repeated_paragraph")
        assert paragraphs(page).count(quote) == 2
        assert paragraphs(page)[-1] == quote  # the story's own last line
        assert len(paragraphs(page)) == 6


SHORT_PAGES = [
    pytest.param(
        "short_boilerplate",
        ["KRAKSAAN - Jembatan bambu penghubung Desa Kandangjati Kulon", "Siswa kini memutar sejauh dua kilometer"],
        "warga berharap jembatan permanen segera dibangun.",
        ["Trending", "Harga Bawang Merah", "Baca juga", "Jalan Poros Kraksaan Berlubang", "Belum ada komentar",
         "Tanggapan Pembaca", "Editor", "Rina Wulandari", "Reporter", "Lukman Hakim", "Facebook", "WhatsApp",
         "Telegram", "Copyright", "©", "All rights reserved", "Google News", "Ekonomi", "Olahraga", "Indeks"],
        id="trending-baca-juga-credits-follow-us-menu-copyright"),
    pytest.param(  # no copyright or follow-us line to end the story: the lines after it go by themselves
        "short_comment_box",
        ["KRAKSAAN - Sopir angkutan kota mengeluhkan terminal bayangan",
         "Mereka meminta petugas perhubungan menertibkan"],
        "menertibkan kendaraan yang menunggu penumpang di sana.",
        ["Penulis", "Hendra Kurniawan", "Editor", "Rina Wulandari", "Bagikan", "Facebook", "WhatsApp",
         "Belum ada komentar", "Kirim Komentar"],
        id="credit-line-share-row-comment-box"),
]


@pytest.mark.parametrize(("name", "openings", "last", "boilerplate"), SHORT_PAGES)
def test_boilerplate_lines_go_on_a_short_page_too(name, openings, last, boilerplate):
    page = read(name)
    assert len(page.text) < 300  # short: no length rule can tell the story from the rest
    assert_paragraphs(page, openings)
    assert page.text.endswith(last)  # the story's own last sentence stays
    for line in boilerplate:
        assert line not in page.text, line


# -- 4. Short articles the site links ---------------------------------------------------------------

def test_a_short_dated_page_the_site_links_is_an_article():
    page = read("short_dated", "https://wartapantura.example/berita/sekolah-di-dringu-gelar-ujian-di-teras-kelas")
    # alone, two paragraphs with no declared type are too little to call it an article...
    assert (page.is_article, page.not_article_reason) == (False, "no_article_signal")
    # ...but linked by the site's feed or listing, with a headline and its own date, it is one
    assert linked_article(page) is True
    assert page.title == "Sekolah di Dringu Gelar Ujian di Teras Kelas"
    assert page.published_at == datetime(2026, 12, 7, 10, 15, tzinfo=WIB)
    assert_paragraphs(page, ["DRINGU - Siswa sebuah sekolah dasar", "Kepala sekolah berharap"])


def test_a_short_undated_page_is_an_article_with_the_date_of_the_link():
    page = read("short_undated", "https://wartapantura.example/berita/antrean-solar-mengular-di-spbu-tongas")
    assert page.published_at is None
    assert (page.is_article, page.not_article_reason) == (False, "no_article_signal")
    assert linked_article(page) is False  # nothing dates it
    assert linked_article(page, datetime(2026, 12, 7, 16, 0, tzinfo=WIB)) is True  # the feed item's date does
    assert paragraphs(page)[0].startswith("TONGAS - Truk dan mobil bak terbuka")


# -- 5. Dates ---------------------------------------------------------------------------------------

def test_a_page_dated_tomorrow_is_not_dated_in_the_future():
    url = "https://wartapantura.example/berita/pemadaman-listrik-terjadwal-di-paiton"
    page = read("tomorrow", url)
    for value in (page.published_at, page.modified_at):
        assert value is None or value <= NOW + CLOCK_SLACK, value
    assert linked_article(page) is False  # no date it could have: the link's date must say
    assert linked_article(page, NOW - timedelta(hours=1)) is True
    # read the day it was written for, the same date line is taken as shown
    later = read("tomorrow", url, now=datetime(2026, 12, 9, 10, 0, tzinfo=WIB))
    assert later.published_at == datetime(2026, 12, 9, 8, 0, tzinfo=WIB)


def test_a_relative_word_inside_a_sentence_does_not_date_the_page():
    # "... tanggul darurat jebol kemarin sore." is the story, not a date line: crawled two weeks
    # later, the page must not be dated the day before the crawl.
    page = read("relative_word", "https://wartapantura.example/berita/banjir-rob-rendam-permukiman-nelayan-sumberasih",
                now=datetime(2026, 12, 20, 9, 0, tzinfo=WIB))
    assert page.published_at is None
