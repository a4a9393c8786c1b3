"""spiders/extract.py and spiders/jsonld.py: reading hand-written Indonesian news pages.

The pages under tests/fixtures/extract/ imitate the layouts met in the wild (a WordPress/Yoast
article, a portal article with only printed dates and bylines, a page with Open Graph tags only,
a JSON-LD block full of template mistakes, and two listing pages) with text written for these
tests. Every page is read as the spider would read it, with the crawl time fixed.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from spiders.dates import JAKARTA
from spiders.extract import ArticlePage, read_article
from spiders.jsonld import jsonld_objects

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=JAKARTA)
WIB = timezone(timedelta(hours=7))

# Boilerplate that surrounds stories on Indonesian sites; none of it may reach the body.
BOILERPLATE = [
    "Baca Juga", "Baca juga", "Berita Terkait", "Bagikan", "Facebook", "WhatsApp", "Editor:",
    "ADVERTISEMENT", "Scroll untuk melanjutkan", "Google News", "Dapatkan update", "Klik di sini", "klik di sini",
    "Terpopuler", "Tags:", "Topik:", "Komentar", "©", "Copyright", "Pedoman Media Siber",
]


def read(name: str, url: str) -> ArticlePage:
    return read_article((FIXTURES / f"{name}.html").read_text(encoding="utf-8"), url, now=NOW)


def paragraphs(page: ArticlePage) -> list[str]:
    return page.text.split("\n\n")


def assert_body(page: ArticlePage, openings: list[str], foreign: list[str]) -> None:
    found = paragraphs(page)
    assert len(found) == len(openings), found
    for paragraph, opening in zip(found, openings, strict=True):
        assert paragraph.startswith(opening), (paragraph, opening)
        assert paragraph == paragraph.strip() and "\n" not in paragraph
    for text in BOILERPLATE + foreign:
        assert text not in page.text, text


def test_wordpress_article_with_yoast_graph():
    page = read("wordpress_graph",
                "https://kabartapalkuda.id/2026/11/20/jalan-berlubang-di-tegalsiwalan-tak-kunjung-diperbaiki/?utm_source=facebook")
    assert page.title == "Jalan Berlubang di Tegalsiwalan Tak Kunjung Diperbaiki, Warga Tanam Pohon Pisang"
    assert page.published_at == datetime(2026, 11, 20, 9, 15, tzinfo=WIB)
    assert page.published_at.utcoffset() == timedelta(hours=7)
    assert page.modified_at == datetime(2026, 11, 20, 11, 2, 41, tzinfo=WIB)
    assert page.author == "Ahmad Fauzi"  # Person node found through its @id; meta author "Redaksi" loses
    assert page.canonical_url == "https://kabartapalkuda.id/2026/11/20/jalan-berlubang-di-tegalsiwalan-tak-kunjung-diperbaiki/"
    assert page.language == "id"
    assert page.is_article is True
    assert page.page_type == "NewsArticle"
    assert page.image == "https://kabartapalkuda.id/wp-content/uploads/2026/11/jalan-tegalsiwalan.jpg"
    assert page.description == "Warga Desa Tegalsiwalan menanam pohon pisang di tengah jalan berlubang sebagai bentuk protes."
    assert_body(
        page,
        ["PROBOLINGGO – Warga Desa Tegalsiwalan, Kecamatan Tegalsiwalan, Kabupaten Probolinggo, menanam pohon pisang",
         "Menurut Sulaiman, salah seorang warga, lubang terdalam",
         '"Kami sudah tiga kali mengusulkan lewat musrenbang desa',
         "Kepala Desa Tegalsiwalan, Hariyanto, membenarkan",
         "Hingga berita ini diturunkan, Dinas PUPR Kabupaten Probolinggo belum memberikan tanggapan resmi."],
        foreign=["Janjikan Perbaikan", "PJU Padam", "Tiris Ambrol", "Tolong segera diperbaiki", "Blado Kulon",
                 "Harga Cabai", "Siti Rahmawati", "Jumat, 27 November"],
    )
    assert paragraphs(page)[2].endswith('ujar Sulaiman saat ditemui di lokasi.')


def test_portal_article_with_printed_date_and_penulis_byline():
    page = read("portal_text_date",
                "https://portalprobolinggo.com/peristiwa/98234/bantuan-sembako-tak-tepat-sasaran-warga-krejengan-datangi-balai-desa")
    # " | Portal Probolinggo" is learnt from how <title> differs from the <h1>
    assert page.title == "Bantuan Sembako Tak Tepat Sasaran, Warga Krejengan Datangi Balai Desa"
    # the date printed under the headline, not today's date in the top bar nor the dateline's Rabu (18/11/26)
    assert page.published_at == datetime(2026, 11, 20, 9, 15, tzinfo=WIB)
    assert page.author == "Moh. Rizal"  # the editor is not the author
    assert page.canonical_url is None  # rel=canonical points at the homepage: a template mistake
    assert page.is_article is True  # no structured data: a date and a real body are enough
    assert page.page_type is None
    assert_body(
        page,
        ["KRAKSAAN – Puluhan warga Desa Rawan, Kecamatan Krejengan, mendatangi balai desa setempat, Rabu (18/11/26).",
         "Salah satu warga, Marlina, mengaku",
         '"Kami hanya minta data diperbarui.',
         "Sekretaris Desa Rawan, Abdul Ghofur,",
         "Camat Krejengan yang dihubungi terpisah"],
        foreign=["Dinsos Verifikasi Ulang", "Truk Pasir", "Dewi Lestari", "Kamis, 20 November 2026 | 09:15 WIB"],
    )


def test_page_with_open_graph_tags_only():
    page = read("og_meta_only",
                "https://lumajangterkini.id/berita/sampah-menumpuk-di-pasar-semampir-pedagang-keluhkan-bau?fbclid=IwAR0x")
    assert page.title == "Sampah Menumpuk di Pasar Semampir, Pedagang Keluhkan Bau Menyengat"  # og:site_name suffix gone
    assert page.published_at == datetime(2026, 11, 19, 14, 30, tzinfo=WIB)
    assert page.author == "Rina Wulandari"  # article:author is a Facebook URL: not a name
    assert page.canonical_url == "https://lumajangterkini.id/berita/sampah-menumpuk-di-pasar-semampir-pedagang-keluhkan-bau"
    assert page.is_article is True
    assert page.page_type == "article"
    assert page.image == "https://lumajangterkini.id/uploads/2026/11/sampah-pasar.jpg"
    # the headline repeated in bold at the top of the body, and plain-text boilerplate paragraphs, go
    assert_body(
        page,
        ["KRAKSAAN – Tumpukan sampah setinggi hampir satu meter",
         "Siti Aminah, pedagang ikan asin,",
         '"Biasanya truk sampah datang dua hari sekali.',
         "Kepala pasar setempat menyebut armada pengangkut sampah"],
        foreign=["Harga Bawang Merah", "Yusuf Effendi", "Simak berita"],
    )


def test_messy_json_ld_with_author_list_and_relative_printed_date():
    page = read("jsonld_messy_relative", "https://suarapesisir.co.id/read/2026/11/27/88123/sumur-warga-gili-ketapang-mengering")
    assert page.title == 'Sumur Warga Gili Ketapang Mengering, Air Bersih Dipasok Pakai "Perahu Tangki"'
    assert page.published_at == datetime(2026, 11, 27, 8, 0, tzinfo=JAKARTA)  # "2 jam yang lalu"
    assert page.author == "Lutfi Hakim, Nadia Putri"
    assert page.language == "id"
    assert page.page_type == "ReportageNewsArticle"
    assert page.is_article is True
    assert page.image == "https://suarapesisir.co.id/img/gili-ketapang.jpg"
    assert page.description == "Warga pulau kecil itu bergantung pada kiriman air dari daratan."
    assert_body(page, ["SUMBERASIH – Sebagian besar sumur", "Satu jeriken air", "Warga berharap pemerintah daerah"],
                foreign=["Reporter:", "2 jam yang lalu"])


def test_section_listing_is_not_an_article_even_with_og_type_article():
    page = read("listing_section", "https://kabartapalkuda.id/probolinggo/")
    assert page.is_article is False
    assert page.title == "Probolinggo"


def test_category_archive_is_not_an_article():
    page = read("listing_category_yoast", "https://kabartapalkuda.id/category/pemerintahan/page/2/")
    assert page.is_article is False
    assert page.page_type == "website"
    # the same page under a URL that does not look like navigation: JSON-LD CollectionPage decides
    assert read("listing_category_yoast", "https://kabartapalkuda.id/arsip-pemerintahan-lengkap").is_article is False


def test_reading_the_same_story_many_times_gives_the_same_body():
    # trafilatura's own duplicate filter is process-wide and would blank the 4th copy
    url = "https://kabartapalkuda.id/2026/11/20/jalan-berlubang-di-tegalsiwalan-tak-kunjung-diperbaiki/"
    bodies = {read("wordpress_graph", url).text for _ in range(5)}
    assert len(bodies) == 1 and len(bodies.pop()) > 1000


STORY = ("<p>PAITON – Warga Desa Sumberrejo mengeluhkan lampu penerangan jalan umum yang padam sejak awal bulan. "
         "Jalan desa yang menjadi akses utama menuju pantai itu kini gelap gulita setiap malam.</p>"
         "<p>Menurut warga, beberapa kali terjadi penjambretan di ruas tersebut karena tidak ada penerangan sama sekali. "
         "Mereka sudah melapor ke kantor desa, namun belum ada tindak lanjut hingga sekarang.</p>"
         "<p>Pemerintah desa menyatakan lampu tersebut merupakan aset kabupaten sehingga perbaikannya harus diajukan ke dinas.</p>")


def page_with(head: str = "", before_body: str = "", after_body: str = "", title: str = "Lampu Jalan Padam, Warga Sumberrejo Was-was") -> str:
    return (f"<html lang='id'><head><meta charset='utf-8'>{head}</head><body>"
            f"<div class='content'><h1>{title}</h1>{before_body}<div class='isi'>{STORY}</div>{after_body}</div></body></html>")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<title>Berita Bromo | Lampu Jalan Padam, Warga Sumberrejo Was-was</title><meta property='og:site_name' content='Berita Bromo'>",
         "Lampu Jalan Padam, Warga Sumberrejo Was-was"),
        ("<meta property='og:title' content='Lampu Jalan Padam, Warga Sumberrejo Was-was - Kabar Bromo'>", "Lampu Jalan Padam, Warga Sumberrejo Was-was"),
        ("<meta property='og:title' content='Lampu Jalan Padam &amp;amp; Warga Was-was'>", "Lampu Jalan Padam & Warga Was-was"),
        ("<title>Lampu   Jalan Padam,\n Warga Sumberrejo Was-was</title>", "Lampu Jalan Padam, Warga Sumberrejo Was-was"),
    ],
)
def test_title_sources_and_site_name_stripping(head, expected):
    assert read_article(page_with(head), "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW).title == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<div class='info'>Reporter: Lutfi Hakim | Editor: Yusuf</div>", "Lutfi Hakim"),
        ("<div class='info'>Editor: Yusuf</div>", "Yusuf"),
        ("<p class='byline'>Oleh <a href='/penulis/nur'>Nur Aini</a></p>", "Nur Aini"),
        ("<div class='info'><span>Pewarta:</span> <a>Bagus Santoso</a></div>", "Bagus Santoso"),
        ("<p>Bantuan itu diresmikan oleh Bupati pada Senin pagi.</p>", None),
    ],
)
def test_indonesian_bylines(markup, expected):
    html = page_with("<meta name='author' content='admin'>" if expected else "", before_body=markup)
    assert read_article(html, "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW).author == (expected or None)


def test_comment_authors_are_not_article_authors():
    comments = "<div id='comments'><div class='comment'>Oleh: Bambang</div><p>Tolong diperbaiki min</p></div>"
    assert read_article(page_with(after_body=comments), "https://kabarbromo.id/lampu-jalan-padam", now=NOW).author is None


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<div class='post-meta'>Diterbitkan 20 Nov 2026, 09.15 WIB</div>", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("<span>Kamis, 20 November 2026 09:15 WITA</span>", datetime(2026, 11, 20, 9, 15, tzinfo=timezone(timedelta(hours=8)))),
        ("<time datetime='2026-11-20T09:15:00+07:00'>20 Nov</time>", datetime(2026, 11, 20, 9, 15, tzinfo=WIB)),
        ("<span itemprop='datePublished' content='2026-11-21'>21/11/2026</span>", datetime(2026, 11, 21, tzinfo=WIB)),
    ],
)
def test_dates_printed_by_the_headline(markup, expected):
    page = read_article(page_with(before_body=markup), "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert page.published_at == expected
    assert page.is_article is True


@pytest.mark.parametrize(
    "meta",
    ["<meta name='pubdate' content='20261120T091500+0700'>", "<meta name='publishdate' content='2026-11-20 09:15:00'>",
     "<meta name='DC.date.issued' content='2026-11-20T09:15:00+07:00'>", "<meta name='parsely-pub-date' content='2026-11-20T02:15:00Z'>",
     "<meta name='content_PublishedDate' content='2026/11/20 09:15:00'>", "<meta property='og:article:published_time' content='2026-11-20T09:15:00+07:00'>"],
)
def test_published_date_meta_variants(meta):
    page = read_article(page_with(meta), "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert page.published_at == datetime(2026, 11, 20, 9, 15, tzinfo=WIB)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/lampu-jalan-padam-warga-was-was?utm_source=wa#top", "https://kabarbromo.id/lampu-jalan-padam-warga-was-was"),
        ("https://www.kabarbromo.id/lampu-jalan-padam-warga-was-was", "https://www.kabarbromo.id/lampu-jalan-padam-warga-was-was"),
        ("https://agregator.example.com/lampu-jalan-padam-warga-was-was", None),  # another host
        ("https://kabarbromo.id/", None),  # the homepage
        ("https://kabarbromo.id/daerah/", None),  # the section the page sits in
        ("https://kabarbromo.id/category/daerah/", None),  # a category
    ],
)
def test_canonical_url_is_trusted_only_when_plausible(href, expected):
    html = page_with(f"<link rel='canonical' href='{href}'>")
    url = "https://kabarbromo.id/daerah/lampu-jalan-padam-warga-was-was?fbclid=1"
    assert read_article(html, url, now=NOW).canonical_url == expected


def test_page_without_date_or_structure_is_not_an_article():
    page = read_article(page_with(), "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert page.is_article is False and page.published_at is None and len(page.text) > 300


@pytest.mark.parametrize("html", [
    "", "   ", "<html></html>", "\x00\x01 bukan html", "<?xml version='1.0' encoding='utf-8'?><html><body><h1>A</h1></body></html>",
    "<html><head><link rel='canonical' href='http://[::1'><meta property='og:image' content='https://x.id:99999/a.jpg'></head>"
    "<body><h1><a href='http://[::1'>Judul</a></h1><time datetime='bukan'>x</time><p>Oleh: </p></body></html>",
])
def test_junk_pages_never_raise(html):
    page = read_article(html, "https://kabarbromo.id/x", now=NOW)
    assert page.is_article is False and isinstance(page.text, str)


def test_jsonld_objects_tolerates_template_mistakes():
    html = """<html><head>
    <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Satu",}</script>
    <script type="application/ld+json">{"@type":"NewsArticle","headline":"Dua\tbaris
baru","author":{"@type":"Person","name":"A"}}</script>
    <script type="application/ld+json">[{"@type":"Organization","name":"Tiga"},{"@type":"WebPage","name":"Empat",
        "mainEntity":{"@type":"BlogPosting","headline":"Lima","datePublished":"2026-11-20"}}]</script>
    <script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"Enam"},{"@type":"Person","name":"Tujuh"}]}</script>
    <script type="application/ld+json">//<![CDATA[
    {"@type":"Article","headline":"Delapan"}
    //]]></script>
    <script type="application/ld+json">{"@type":"NewsArticle","headline":"rusak"</script>
    <script type="application/ld+json"></script>
    </head><body></body></html>"""
    names = [node.get("headline") or node.get("name") for node in jsonld_objects(html)]
    assert names == ["Satu", "Dua\tbaris\nbaru", "Tiga", "Empat", "Lima", "Enam", "Tujuh", "Delapan"]


def test_layout_wrappers_are_not_mistaken_for_sidebars_or_comments():
    # Elementor widgets, a page-wide ASP.NET <form>, layout classes on <body> and the article's own <footer>
    html = ("<html lang='id'><body class='single right-sidebar has-sidebar'><form id='aspnetForm'>"
            "<div class='elementor-widget elementor-widget-theme-post-content'><div class='elementor-widget-container'>"
            "<article><h1>Lampu Jalan Padam, Warga Sumberrejo Was-was</h1>"
            f"<div class='isi'>{STORY}</div>"
            "<footer class='entry-footer'><span class='posted'>Kamis, 20 November 2026 09:15 WIB</span>"
            " <span>Penulis: Nur Aini</span></footer></article></div></div>"
            "<div class='baca-juga'>Oleh: Bukan Penulis</div></form></body></html>")
    page = read_article(html, "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert len(paragraphs(page)) == 3 and paragraphs(page)[0].startswith("PAITON – Warga Desa Sumberrejo")
    assert page.author == "Nur Aini"
    assert page.published_at == datetime(2026, 11, 20, 9, 15, tzinfo=WIB)
    assert page.is_article is True


@pytest.mark.parametrize(
    "inserted",
    [
        '<p><strong>Baca Juga:</strong></p><ul><li><a href="/warga-tiris-keluhkan-jembatan">Warga Tiris Keluhkan Jembatan Ambrol</a></li>'
        '<li><a href="/pju-padam-di-gending">PJU Padam di Jalur Pantura Gending</a></li></ul>',
        "<p>Berita Terkait</p><p>Warga Tiris Keluhkan Jembatan Ambrol</p><p>PJU Padam di Jalur Pantura Gending</p>",
        '<p>BACA JUGA: <a href="/warga-tiris-keluhkan-jembatan">Warga Tiris Keluhkan Jembatan Ambrol</a></p>',
        "<p>ADVERTISEMENT</p><p>SCROLL TO CONTINUE WITH CONTENT</p>",
        "<p>Ikuti kami di Google News untuk kabar terbaru dari Probolinggo</p><p>Simak juga video berikut ini</p>",
        "<p>Lampu Jalan Padam, Warga Sumberrejo Was-was</p>",
    ],
)
def test_boilerplate_inside_the_story_is_removed(inserted):
    html = page_with().replace("</p><p>Menurut", "</p>" + inserted + "<p>Menurut")
    page = read_article(html, "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert paragraphs(page) == [
        "PAITON – Warga Desa Sumberrejo mengeluhkan lampu penerangan jalan umum yang padam sejak awal bulan. "
        "Jalan desa yang menjadi akses utama menuju pantai itu kini gelap gulita setiap malam.",
        "Menurut warga, beberapa kali terjadi penjambretan di ruas tersebut karena tidak ada penerangan sama sekali. "
        "Mereka sudah melapor ke kantor desa, namun belum ada tindak lanjut hingga sekarang.",
        "Pemerintah desa menyatakan lampu tersebut merupakan aset kabupaten sehingga perbaikannya harus diajukan ke dinas.",
    ]


def test_logo_heading_is_not_the_headline():
    html = ("<html><head><title>Jalan Rusak di Paiton Makan Korban - Kabar Bromo</title></head><body>"
            "<header><h1 class='site-title'><a href='https://kabarbromo.id/'>Kabar Bromo</a></h1></header>"
            f"<div class='post'><h2>Jalan Rusak di Paiton Makan Korban</h2>{STORY}</div></body></html>")
    assert read_article(html, "https://kabarbromo.id/jalan-rusak-di-paiton-makan-korban", now=NOW).title == "Jalan Rusak di Paiton Makan Korban"


def test_headline_cut_short_by_an_seo_plugin_is_completed_from_the_page():
    head = ("<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"headline\":\"Lampu Jalan Padam, Warga Sumberrejo...\","
            "\"datePublished\":\"2026-11-20T09:15:00+07:00\"}</script>")
    page = read_article(page_with(head), "https://kabarbromo.id/lampu-jalan-padam-warga-was-was", now=NOW)
    assert page.title == "Lampu Jalan Padam, Warga Sumberrejo Was-was"


def test_json_ld_listing_several_articles_is_not_one_article():
    items = ",".join(f'{{"@type":"NewsArticle","headline":"Berita {i}","url":"https://kabarbromo.id/berita-nomor-{i}-hari-ini"}}' for i in range(5))
    page = read_article(page_with(f"<script type='application/ld+json'>[{items}]</script>"), "https://kabarbromo.id/daerah/", now=NOW)
    assert page.is_article is False


def test_layout_named_in_indonesian():
    # "samping" = sidebar, "kaki" = footer, "tanggapan" = readers' comments; byline and date share a line
    page = read("indonesian_class_names", "https://kabarpantura.example/artikel/ambulans-desa-cuma-jadi-pajangan")
    assert page.title == "Ambulans Desa Cuma Jadi Pajangan, Warga Gending Pilih Sewa Mobil Tetangga"
    assert page.published_at == datetime(2026, 11, 24, 16, 40, tzinfo=WIB)
    assert page.author == "Rahmat Hidayat"
    assert page.is_article is True  # no structured data at all
    assert_body(
        page,
        ["Ambulans milik Desa Pesisir, Kecamatan Gending,", "Suwarni, warga setempat,", "Kepala desa berjanji"],
        foreign=["Oleh Rahmat", "Sebarkan", "rombongan pengajian", "Pasar Ikan Gending", "Sedot WC", "Jl. Raya Gending"],
    )
