"""Places of other regions against our own (classify.gazetteer): explicit kecamatan and
kabupaten/kota names from the national wilayah list beat a typo correction onto one of our
desa; a text about another region is out of jurisdiction with that region as evidence;
ordinary words are never typo-corrected into a desa. All sentences are invented."""

from __future__ import annotations

import pytest

from classify.gazetteer import Gazetteer, RegionResult


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load("35.13")


def outside(r: RegionResult) -> list[tuple[str, str | None]]:
    return [(p.name, p.code) for p in r.places if p.kind == "other_region"]


def inside(r: RegionResult) -> list[str]:
    return [p.name for p in r.places if p.kind in ("kecamatan", "desa", "landmark")]


def assert_out(r: RegionResult) -> None:
    assert r.in_jurisdiction is False
    assert (r.kecamatan, r.desa, r.region_code) == (None, None, None)
    assert inside(r) == []


# --- kecamatan of another province, by cue -------------------------------------------------

def test_kecamatan_named_by_the_first_word_of_its_name(gaz):
    # Kota Bandung has Cibeunying Kidul and Cibeunying Kaler, no plain "Cibeunying"
    r = gaz.find("Jalan di Kecamatan Cibeunying rusak parah, warga pasang spanduk protes")
    assert_out(r)
    [(name, code)] = outside(r)
    assert "Cibeunying" in name and "Kota Bandung" in name
    assert code == "32.73"


@pytest.mark.parametrize("text,code,named", [
    ("Warga Kec. Kiaracondong mengeluhkan genangan setiap hujan deras", "32.73.16", "Kota Bandung"),
    ("Sampah menumpuk di Kecamatan Bobotsari sejak pekan lalu", "33.03.09", "Kabupaten Purbalingga"),
    ("camat Kiaracondong belum menanggapi keluhan warga", "32.73.16", "Kota Bandung"),
    ("Banjir di Kecamatan Muara Enim belum surut", "16.03.02", "Kabupaten Muara Enim"),
])
def test_other_kecamatan_of_the_country_are_out(gaz, text, code, named):
    r = gaz.find(text)
    assert_out(r)
    assert [c for _, c in outside(r)] == [code]
    assert named in outside(r)[0][0]


def test_other_places_keep_their_offsets_and_are_masked(gaz):
    text = "Jalan di Kecamatan Kiaracondong, Kota Bandung, rusak"
    r = gaz.find(text)
    assert [text[p.start:p.end] for p in r.places] == ["Kiaracondong", "Bandung"]
    assert gaz.mask(text) == "Jalan di Kecamatan LOKASI, Kota LOKASI, rusak"


def test_a_kecamatan_that_is_an_ordinary_word_needs_a_capital(gaz):
    # Tetap is a kecamatan of Kabupaten Kaur; "kecamatan tetap buka" is not it
    assert gaz.find("kantor kecamatan tetap buka saat libur, kata camat").places == ()
    assert gaz.find("Camat baru meminta kecamatan setempat mendata warga").places == ()
    assert gaz.find("Pohon tumbang di Kecamatan Tetap menutup jalan").in_jurisdiction is False


# --- explicit other places beat a typo correction onto our desa ----------------------------

@pytest.mark.parametrize("text", [
    "warga desa Sumampir Kec. Bobotsari keluhkan jalan berlubang",
    "Banjir di Kota Bandung, warga desa sumampir mengungsi ke balai",
    "Kab. Banyumas: jalan desa sumampir rusak tak kunjung diperbaiki",
    "Kec. Kiaracondong: warga Desa Sumampir protes bau sampah",
    "Warga Desa Ngadisry di Kota Bandung mengeluh air PDAM mati",
])
def test_explicit_other_region_beats_a_fuzzy_local_desa(gaz, text):
    r = gaz.find(text)
    assert_out(r)
    assert outside(r)


def test_a_real_desa_name_elsewhere_is_not_a_typo_of_ours(gaz):
    # Sumampir is a desa/kelurahan in Banyumas and Purbalingga, one letter from our Semampir
    r = gaz.find("Warga desa Sumampir keluhkan lampu jalan mati")
    assert r.desa is None and r.kecamatan is None and inside(r) == []
    # ... unless the text names Semampir's kecamatan: then it is our Semampir misspelt
    r = gaz.find("Warga desa Sumampir, Kecamatan Kraksaan, keluhkan lampu jalan mati")
    assert (r.kecamatan, r.desa, r.in_jurisdiction) == ("Kraksaan", "Semampir", True)


@pytest.mark.parametrize("text,kec,desa", [
    ("warga desa Ngadisary keluhkan air mati tiga hari", "Sukapura", "Ngadisari"),
    ("Jalan di desa Pesawahn, Tiris, longsor lagi", "Tiris", "Pesawahan"),
    ("Kec. Krejngan jalannya bolong, Kabupaten Probolinggo harus turun tangan", "Krejengan", None),
    ("Warga Desa Ngadisary, Kabupaten Probolinggo, iri dengan jalan mulus di Kota Malang",
     "Sukapura", "Ngadisari"),
])
def test_a_local_typo_after_a_cue_still_resolves_locally(gaz, text, kec, desa):
    r = gaz.find(text)
    assert (r.kecamatan, r.desa, r.in_jurisdiction) == (kec, desa, True)


def test_an_exact_local_name_wins_over_a_passing_mention_elsewhere(gaz):
    r = gaz.find("Warga Desa Ranuagung, Kecamatan Tiris, yang merantau ke Bandung mengeluh jalan longsor")
    assert (r.kecamatan, r.desa, r.in_jurisdiction) == ("Tiris", "Ranuagung", True)
    r = gaz.find("Jalan di Kecamatan Paiton rusak")
    assert (r.kecamatan, r.in_jurisdiction) == ("Paiton", True)


# --- ordinary words and short tokens are never typo-corrected into a desa -----------------------

@pytest.mark.parametrize("word", [
    # each one letter from a desa/kecamatan of ours (Pesawahan, Pedagangan, Penambangan,
    # Bantaran, Gending, Kuripan, Patokan, Blimbing)
    "persawahan", "perdagangan", "penimbangan", "bantalan", "gendang", "kutipan", "pasokan",
    "bimbing",
])
def test_ordinary_words_after_a_cue_are_not_fuzzed(gaz, word):
    r = gaz.find(f"Warga desa {word} mengeluhkan harga pupuk yang terus naik")
    assert r.places == () and r.in_jurisdiction is None
    assert gaz.find(f"kata pihak kecamatan {word} sudah dibahas").places == ()


@pytest.mark.parametrize("text", [
    "sumber air warga mengering sejak kemarau",
    "air di desa sumber air bersih itu keruh",
    "Kepala desa tengah meninjau lokasi banjir",
    "jalan raya desa rusak parah, pasar desa sepi pembeli",
    "desa ini belum dapat bantuan, desa itu sudah",
    "Pemerintah desa tengah menyiapkan anggaran",
])
def test_common_words_never_become_a_desa(gaz, text):
    r = gaz.find(text)
    assert r.desa is None and r.kecamatan is None
    assert inside(r) == []


def test_standard_spelling_of_a_desa_is_listed_not_guessed(gaz):
    # "belimbing" is the ordinary word (star fruit); our desa Blimbing lists it as a variant
    r = gaz.find("Desa Belimbing kebanjiran lagi")
    assert (r.kecamatan, r.desa) == ("Pakuniran", "Blimbing")


# --- kecamatan names shared with other kabupaten -----------------------------------------------

def test_shared_kecamatan_name_goes_to_the_kabupaten_named(gaz):
    # Sumber is a kecamatan of ours and of Cirebon and Rembang
    r = gaz.find("Kecamatan Sumber, Kabupaten Cirebon, dilanda banjir bandang")
    assert_out(r)
    assert ("Sumber, Kabupaten Cirebon", "32.09.15") in outside(r)
    r = gaz.find("Jalan rusak di Kecamatan Lumbang Kabupaten Pasuruan dikeluhkan")
    assert_out(r)
    assert any(code == "35.14.04" for _, code in outside(r))


@pytest.mark.parametrize("text", [
    "Kecamatan Sumber banjir, warga mengungsi",
    "Kecamatan Sumber Kabupaten Probolinggo jalan rusak",
    "Jalan di Kecamatan Sumber, Probolinggo, ambles",
    "Warga Desa Sumberanom, Kecamatan Sumber, mengeluh; di Kabupaten Cirebon jalannya sudah mulus",
])
def test_shared_kecamatan_name_stays_ours_with_local_context(gaz, text):
    r = gaz.find(text)
    assert (r.kecamatan, r.in_jurisdiction) == ("Sumber", True)


# --- kabupaten/kota ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,code", [
    ("Jalan rusak di Kabupaten Banyumas tak kunjung diperbaiki", "33.02"),
    ("Warga Kota Bandung keluhkan sampah menumpuk", "32.73"),
    ("Warga Banyumas keluhkan jalan provinsi berlubang", "33.02"),
])
def test_other_kabupaten_kota_are_out_with_evidence(gaz, text, code):
    r = gaz.find(text)
    assert_out(r)
    assert (code in [c for _, c in outside(r)])


def test_bare_far_city_counts_like_an_ordinary_word(gaz):
    assert gaz.find("Banjir di Bandung, ratusan warga mengungsi").in_jurisdiction is False
    assert gaz.find("Wisatawan asal Bandung mengeluh parkir mahal").in_jurisdiction is None


def test_kota_probolinggo_stays_out(gaz):
    r = gaz.find("Banjir rob merendam Kecamatan Mayangan, Kota Probolinggo")
    assert_out(r)
    names = [n for n, _ in outside(r)]
    assert "Kota Probolinggo" in names and "Mayangan, Kota Probolinggo" in names


def test_another_configured_region_reads_its_own_kecamatan():
    bandung = Gazetteer.load("32.73")
    r = bandung.find("Warga Kecamatan Kiaracondong mengeluhkan genangan")
    assert (r.kecamatan, r.in_jurisdiction) == ("Kiaracondong", True)
    assert bandung.find("Jalan di Kecamatan Paiton rusak").in_jurisdiction is False


def test_a_lowercase_ordinary_word_kecamatan_counts_with_its_kabupaten(gaz):
    # Tanggul (a dike) is a kecamatan of Jember
    r = gaz.find("di kec tanggul jember banyak lansia yang tidak dapat bantuan")
    assert_out(r)
    assert ("Tanggul, Kabupaten Jember", "35.09.06") in outside(r)


def test_kecamatan_of_elsewhere_that_is_also_our_desa(gaz):
    # Bulu is a kecamatan in three kabupaten of Central Java, and a desa of ours (Kraksaan)
    r = gaz.find("Kecamatan Bulu, Kabupaten Rembang, kekeringan")
    assert_out(r)
    assert ("Bulu, Kabupaten Rembang", "33.17.02") in outside(r)
    r = gaz.find("Kecamatan Bulu kekeringan")
    assert r.in_jurisdiction is False and r.desa is None
    # local context makes it our desa
    r = gaz.find("Warga Kecamatan Bulu, Kraksaan, Kabupaten Probolinggo kekeringan")
    assert (r.kecamatan, r.desa, r.in_jurisdiction) == ("Kraksaan", "Bulu", True)
