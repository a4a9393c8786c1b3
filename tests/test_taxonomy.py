"""The taxonomy and OPD routing: shipped data is valid, complaints reach the right OPD, and a
mistake in the admin-edited files is reported with its file, line and key."""

import json
import shutil
import time
from pathlib import Path

import pytest

from classify.taxonomy import (
    DATA_DIR, LAPOR_FILE, ROUTING_FILE, TAXONOMY_FILE, Taxonomy, TaxonomyError,
    default_taxonomy, plain, route_opd, shipped_codes,
)

# The default taxonomy codes, in order, as CONTRACT.md lists them (the code reads them from
# taxonomy.yaml; this list is what users were promised).
DEFAULT_CODES = (
    "infrastruktur", "bansos", "kesehatan", "pendidikan", "lingkungan", "air_bersih",
    "kependudukan", "ketertiban", "pertanian", "bencana", "perhubungan", "energi",
    "pelayanan_publik", "ekonomi", "lainnya",
)

SHARED_KATEGORI = Path("/work/shared/data/lapor/kategori.json")


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.load()


def kategori_json() -> dict:
    return json.loads((DATA_DIR / LAPOR_FILE).read_text(encoding="utf-8"))["kategori"]


# --- the shipped data ------------------------------------------------------------------------

def test_all_contract_codes_in_order(tax):
    assert tax.codes == DEFAULT_CODES
    assert shipped_codes() == DEFAULT_CODES  # what the corpus and training check labels against
    for code in tax.codes:
        category = tax.category(code)
        assert category.label.strip() and category.description.strip()
    assert tax.category("infrastruktur").label == "Infrastruktur (jalan, jembatan, drainase, PJU)"


def test_every_code_maps_to_a_lapor_kategori_in_the_national_list(tax):
    raw = kategori_json()
    for code in tax.codes:
        name = tax.lapor_kategori(code)
        assert "\u00a0" not in name and name == plain(name)
        key = tax.lapor.raw_key(name)
        assert key in raw, code          # the exact key of the file, NBSPs included
        sub = tax.lapor_subkategori(code)
        if sub is not None:
            assert sub in [plain(s) for s in raw[key]], code


@pytest.mark.parametrize("code, kategori", [
    ("infrastruktur", "PEKERJAAN UMUM DAN PENATAAN RUANG"),
    ("bansos", "SOSIAL DAN KESEJAHTERAAN"),
    ("kesehatan", "KESEHATAN"),
    ("pendidikan", "PENDIDIKAN DAN KEBUDAYAAN"),
    ("kependudukan", "KEPENDUDUKAN"),
    ("ketertiban", "KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT"),
    ("air_bersih", "ENERGI DAN SUMBER DAYA ALAM"),
    ("pelayanan_publik", "PEMBANGUNAN DESA, DAERAH TERTINGGAL, DAN TRANSMIGRASI"),
    ("lainnya", "TOPIK LAINNYA"),
])
def test_lapor_kategori_mapping(tax, code, kategori):
    assert tax.lapor_kategori(code) == kategori


def test_nbsp_keys_are_shown_plain_but_map_back_to_the_file(tax):
    key = tax.lapor.raw_key("PEKERJAAN UMUM DAN PENATAAN RUANG")
    assert key == "PEKERJAAN\u00a0UMUM\u00a0DAN\u00a0PENATAAN\u00a0RUANG"
    assert len(tax.lapor.names) == 38
    assert all("\u00a0" not in name for name in tax.lapor.names)
    assert "JALAN BERLUBANG" in tax.lapor.subcategories("PEKERJAAN UMUM DAN PENATAAN RUANG")


def test_shipped_lapor_copy_matches_shared_file_and_keeps_its_source_note():
    shipped = json.loads((DATA_DIR / LAPOR_FILE).read_text(encoding="utf-8"))
    assert any("masp222/SP4NLAPOR-Category-Classification-" in line for line in shipped["source"])
    if SHARED_KATEGORI.exists():
        assert shipped["kategori"] == json.loads(SHARED_KATEGORI.read_text(encoding="utf-8"))


def test_default_opds_exist_and_opd_names_are_data(tax):
    for code in tax.codes:
        assert tax.opd(tax.category(code).default_opd)
    assert tax.opd("pdam").name == "Perumda Air Minum (PDAM) Kabupaten Probolinggo"
    assert tax.opd("kecamatan").name == "Kecamatan (setempat)"
    assert tax.opd("puskesmas").route_to == "dinkes"


def test_confirmed_and_unconfirmed_opds(tax):
    confirmed = {"diskominfo", "pupr", "disdik", "dinkes", "dinsos", "dpmd", "dispendukcapil", "dlh",
                 "disnaker", "satpol_pp", "bpbd", "bkpsdm", "bappelitbangda", "bppkad",
                 "rsud_waluyo_jati", "rsud_tongas", "pdam", "kecamatan", "puskesmas"}
    for opd_id in confirmed:
        opd = tax.opd(opd_id)
        assert opd.confirmed and not opd.outside_authority, opd_id
    for opd_id in ("dishub", "dispertan", "diskopumdag"):
        assert not tax.opd(opd_id).confirmed


def test_outside_authority_bodies_say_where_to_forward(tax):
    for opd_id in ("pln", "pertamina", "bbpjn", "dpubm_jatim", "polres", "pemkot_probolinggo",
                   "cabdin_pendidikan"):
        opd = tax.opd(opd_id)
        assert opd.outside_authority and opd.forward_to, opd_id
    for opd in tax.opds:
        assert bool(opd.forward_to) == opd.outside_authority, opd.id


def test_about_sixty_rules_with_lower_case_cues(tax):
    assert 55 <= len(tax.rules) <= 80
    for rule in tax.rules:
        assert all(cue == cue.lower() for cue in rule.cues)


def test_no_cue_is_dead(tax):
    """Every cue decides for its own rule in at least one category (or with no category):
    a cue an earlier rule always takes first is a mistake in the rule order."""
    dead = []
    for rule in tax.rules:
        for cue in rule.cues:
            if not any(f"aturan #{rule.number}," in tax.route_opd(category, cue).reason
                       for category in (None, *tax.codes) if rule.applies_to(category)):
                dead.append((rule.number, cue))
    assert dead == []


# --- routing ---------------------------------------------------------------------------------

ROUTES = [
    # roads, bridges, lighting
    ("infrastruktur", "Warga Desa Randuputih, Kecamatan Dringu, mengeluhkan jalan rusak dan "
     "berlubang di ruas menuju pasar. \"Sudah setahun tidak diperbaiki,\" kata Sumarno.", "pupr", "jalan rusak"),
    ("infrastruktur", "min jalan depan SDN 2 Pajarakan bolong2 gak diperbaiki2, kapan diperbaiki??",
     "pupr", "bolong2"),
    ("infrastruktur", "Jembatan penghubung Desa Ranuagung dan Desa Tiris putus diterjang arus sungai",
     "pupr", "jembatan"),
    ("infrastruktur", "Lampu PJU di Jalan Raya Kraksaan mati dua minggu, warga takut begal", "dishub", "lampu pju"),
    (None, "pju depan pasar semampir mati total min, gelap bgt", "dishub", "pju"),
    ("infrastruktur", "Jalan desa di Dusun Krajan rusak, warga minta dana desa dipakai perbaikan",
     "dpmd", "jalan desa"),
    # health
    ("kesehatan", "Pasien mengeluhkan pelayanan Puskesmas Kraksaan yang lambat, antre sejak subuh",
     "dinkes", "puskesmas"),
    ("kesehatan", "Keluarga pasien BPJS mengaku ditolak IGD RSUD Waluyo Jati karena kamar penuh",
     "rsud_waluyo_jati", "rsud waluyo jati"),
    ("kesehatan", "Antrean obat di rsud tongas sampai sore, lansia kelelahan", "rsud_tongas", "rsud tongas"),
    ("kesehatan", "Puluhan siswa keracunan usai menyantap menu MBG di sekolah", "dinkes", "keracunan"),
    # social assistance and village
    ("bansos", "BLT-DD di Desa Sumberkare belum cair tiga bulan, warga bertanya ke kepala desa",
     "dpmd", "blt dd"),
    ("bansos", "Warga miskin tak terdaftar PKH dan BPNT, sementara yang mampu malah dapat", "dinsos", "pkh"),
    ("bansos", "Rumah nenek Sutini nyaris roboh, belum juga dapat bantuan RTLH", "disperkim", "rtlh"),
    ("pelayanan_publik", "Oknum perangkat desa minta uang Rp 500 ribu untuk pengurusan PTSL",
     "dpmd", "perangkat desa"),
    ("pelayanan_publik", "Pelayanan di kantor kecamatan Gending lambat, petugas sering tidak di tempat",
     "kecamatan", "kantor kecamatan"),
    # civil registry
    ("kependudukan", "Sudah 3 bulan e-KTP belum jadi, katanya blangko habis", "dispendukcapil", "e ktp"),
    ("kependudukan", "KK saya salah nama, bolak-balik ke kecamatan belum beres", "dispendukcapil", "kk"),
    # water, environment, order, disaster
    ("air_bersih", "Air PDAM di perumahan Kraksaan mati tiga hari, warga terpaksa beli air galon",
     "pdam", "air pdam"),
    ("lingkungan", "Sampah menumpuk di TPS Pasar Semampir, baunya menyengat sampai ke jalan", "dlh", "sampah menumpuk"),
    ("ketertiban", "PKL memenuhi trotoar alun-alun Kraksaan tiap sore", "satpol_pp", "pkl"),
    ("ketertiban", "Balap liar tiap malam Minggu di jalan lingkar Kraksaan, warga resah", "satpol_pp",
     "balap liar"),
    ("bencana", "Banjir setinggi lutut merendam puluhan rumah di Desa Curahsawo, Kecamatan Gending",
     "bpbd", "banjir"),
    (None, "Tanah longsor menutup akses jalan di Kecamatan Sukapura", "bpbd", "tanah longsor"),
    # agriculture, economy, labour
    ("pertanian", "Pupuk subsidi langka jelang musim tanam, petani di Kotaanyar resah", "dispertan", "pupuk subsidi"),
    ("pertanian", "Puluhan sapi warga Krucil terjangkit PMK, peternak minta vaksin", "dispertan", "peternak"),
    ("ekonomi", "Ratusan buruh pabrik di Kecamatan Leces di-PHK tanpa pesangon", "disnaker", "phk"),
    ("ekonomi", "Harga cabai di Pasar Semampir tembus Rp 80 ribu per kilo", "diskopumdag", "pasar semampir"),
    ("pendidikan", "Atap ruang kelas SDN Sumberanyar 2 ambruk, siswa belajar di teras", "disdik", "ruang kelas"),
    ("infrastruktur", "Atap ruang kelas SDN Sumberanyar 2 ambruk, siswa belajar di teras", "disdik", "ruang kelas"),
]


@pytest.mark.parametrize("category, text, opd_id, cue", ROUTES)
def test_routes(tax, category, text, opd_id, cue):
    suggestion = tax.route_opd(category, text)
    assert (suggestion.opd_id, suggestion.cue) == (opd_id, cue)
    assert suggestion.opd_name == tax.opd(opd_id).name
    assert suggestion.outside_authority is False and suggestion.forward_to is None
    assert f"'{cue}'" in suggestion.reason


OUTSIDE = [
    ("energi", "Listrik padam berjam-jam di Kecamatan Krucil, PLN tak beri kabar", "pln", "PLN"),
    (None, "#PLN kok mati lampu terus sih, kulkas rusak nih", "pln", "PLN"),
    ("energi", "Elpiji 3 kg langka di Kecamatan Paiton, harga tembus Rp 25 ribu", "pertamina", "Pertamina"),
    ("energi", "Antrean solar di SPBU Tongas mengular sampai bahu jalan", "pertamina", "Pertamina"),
    ("infrastruktur", "Jalan nasional Pantura di Tongas bergelombang dan berlubang, pengendara sering jatuh",
     "bbpjn", "BBPJN"),
    ("infrastruktur", "Jalan provinsi menuju Bromo retak dan ambles di Sukapura", "dpubm_jatim", "Bina Marga"),
    ("pendidikan", "Siswa SMAN 1 Kraksaan ditarik pungutan Rp 1 juta untuk study tour", "cabdin_pendidikan",
     "Provinsi Jawa Timur"),
    ("pendidikan", "Guru honorer SMK Negeri Paiton belum digaji tiga bulan", "cabdin_pendidikan",
     "Provinsi Jawa Timur"),
    ("pendidikan", "Menu MBG di SDN Kraksaan 1 basi, orang tua siswa protes", "bgn", "Badan Gizi Nasional"),
    ("ketertiban", "Maraknya curanmor di parkiran pasar Paiton, warga minta patroli", "polres", "Polres"),
    ("infrastruktur", "Jalan rusak di Kelurahan Mayangan dibiarkan berbulan-bulan", "pemkot_probolinggo",
     "Kota Probolinggo"),
]


@pytest.mark.parametrize("category, text, opd_id, forward", OUTSIDE)
def test_outside_authority_routes(tax, category, text, opd_id, forward):
    suggestion = tax.route_opd(category, text)
    assert suggestion.opd_id == opd_id
    assert suggestion.outside_authority is True
    assert forward in suggestion.forward_to
    assert "Bukan Wewenang" in suggestion.reason


@pytest.mark.parametrize("category, opd_id", [("pendidikan", "disdik"), ("bencana", "bpbd"), (None, "bpbd")])
def test_the_category_decides_between_conflicting_cues(tax, category, opd_id):
    assert tax.route_opd(category, "Banjir merendam SDN Pesisir 1, siswa terpaksa diliburkan").opd_id == opd_id


@pytest.mark.parametrize("category, opd_id", [("infrastruktur", "pupr"), ("pertanian", "dispertan")])
def test_irrigation_by_category(tax, category, opd_id):
    text = "Saluran irigasi jebol sejak musim hujan, sawah warga Gading tidak teraliri"
    assert tax.route_opd(category, text).opd_id == opd_id


@pytest.mark.parametrize("category, opd_id", [("perhubungan", "dishub"), ("ketertiban", "satpol_pp"),
                                               (None, "satpol_pp")])
def test_illegal_parking_by_category(tax, category, opd_id):
    text = "Parkir liar di depan Pasar Semampir bikin macet, jukir minta Rp 5 ribu"
    assert tax.route_opd(category, text).opd_id == opd_id


def test_rsud_beats_bpjs_and_bpjs_card_goes_to_bpjs(tax):
    assert tax.route_opd("kesehatan", "Pasien BPJS Kesehatan ditelantarkan di RSUD Tongas").opd_id == "rsud_tongas"
    suggestion = tax.route_opd("kesehatan", "Kartu BPJS Kesehatan saya tiba-tiba nonaktif, padahal rutin bayar")
    assert suggestion.opd_id == "bpjs_kesehatan" and suggestion.outside_authority


def test_puskesmas_goes_through_dinas_kesehatan(tax):
    suggestion = tax.route_opd("kesehatan", "Pustu di Desa Jabung tutup terus, bidan jarang datang")
    assert suggestion.opd_id == "dinkes"
    assert "Puskesmas" in suggestion.reason and "Dinas Kesehatan" in suggestion.reason


@pytest.mark.parametrize("category, opd_id", [("pelayanan_publik", "dpmd"), ("lainnya", "diskominfo"),
                                               ("infrastruktur", "pupr"), ("energi", "pln")])
def test_no_cue_gives_the_category_default(tax, category, opd_id):
    suggestion = tax.route_opd(category, "Pelayanannya lambat sekali, tolong diperhatikan pak")
    assert suggestion.opd_id == opd_id and suggestion.cue is None
    assert f"bawaan kategori '{category}'" in suggestion.reason


def test_no_cue_and_no_category_gives_none(tax):
    assert tax.route_opd(None, "Bupati meresmikan gedung baru kemarin") is None
    assert tax.route_opd(None, "") is None


def test_short_ambiguous_cues_only_with_their_category(tax):
    # "kk" is also chat slang for "kakak", "listrik" appears in fire news
    assert tax.route_opd("lainnya", "kk admin tolong dibantu ya").opd_id == "diskominfo"
    assert tax.route_opd("ketertiban", "Kebakaran rumah diduga korsleting listrik, damkar datang "
                                       "terlambat").opd_id == "satpol_pp"


def test_unknown_category_is_an_error(tax):
    with pytest.raises(ValueError, match="unknown category code 'bansoss'. Did you mean 'bansos'"):
        tax.route_opd("bansoss", "PKH")


def test_matching_is_whole_word_and_case_insensitive(tax):
    assert tax.matched_cues("PJU") == tax.matched_cues("pju") == tax.matched_cues("(Pju),") == {"pju"}
    assert "puskesmas" in tax.matched_cues("Puskesmas") and "puskesmas" in tax.matched_cues("PUSKESMAS!")
    assert tax.matched_cues("kktp pjuu pdamnya sampahnya") == set()
    assert "ktp" in tax.matched_cues("KTP-el") and "ktp" in tax.matched_cues("e-KTP")
    assert "e ktp" in tax.matched_cues("e-KTP")
    assert "blt dd" in tax.matched_cues("BLT DD") and "blt dd" in tax.matched_cues("blt-dd")
    assert "pju" in tax.matched_cues("“PJU” mati 😡") and "pju" in tax.matched_cues("lampu\u00a0PJU")


def test_phrases_do_not_cross_sentences(tax):
    assert "jalan nasional" not in tax.matched_cues("Perbaikan jalan. Nasional juga terdampak")
    assert "jalan nasional" in tax.matched_cues("di  Jalan\tNasional")


def test_module_level_route_opd_uses_shipped_taxonomy():
    assert default_taxonomy() is default_taxonomy()
    assert route_opd("bansos", "DTKS tidak diperbarui").opd_id == "dinsos"


def test_routing_is_fast(tax):
    paragraph = ("PROBOLINGGO - Warga Desa Sumberanyar, Kecamatan Paiton, mengeluhkan kondisi jalan "
                 "penghubung antar desa yang rusak parah. Sejumlah titik tergenang air saat hujan dan "
                 "membahayakan pengendara yang melintas pada malam hari. “Sudah diusulkan sejak tahun "
                 "lalu, belum ada tindak lanjut,” kata kepala desa. Lampu PJU juga mati. ")
    text = paragraph * 6        # ~2.4 KB, a typical news article
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(200):
            tax.route_opd("infrastruktur", text)
        best = min(best, (time.perf_counter() - start) / 200)
    assert best < 1e-4, f"{best * 1e6:.0f} µs per call"


# --- errors in the admin-edited files --------------------------------------------------------

def data_copy(tmp_path: Path) -> Path:
    for name in (TAXONOMY_FILE, ROUTING_FILE):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` with ``new``; return the line number where ``new`` starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    index = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.count("\n", 0, index) + 1


def load_error(data_dir: Path) -> TaxonomyError:
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.load(data_dir)
    return info.value


def test_a_copy_of_the_shipped_data_loads_from_another_directory(tmp_path):
    tax = Taxonomy.load(data_copy(tmp_path))
    assert tax.codes == DEFAULT_CODES


def test_unknown_default_opd(tmp_path):
    line = edit(data_copy(tmp_path) / TAXONOMY_FILE, "default_opd: dinsos", "default_opd: dinsoss")
    error = load_error(tmp_path)
    assert str(error).startswith(f"{tmp_path / TAXONOMY_FILE}:{line}: key 'categories.bansos.default_opd'")
    assert "unknown OPD 'dinsoss'. Did you mean 'dinsos'?" in str(error)
    assert (error.line, error.key) == (line, "categories.bansos.default_opd")


def test_unknown_category_code_in_a_rule(tmp_path):
    line = edit(data_copy(tmp_path) / ROUTING_FILE, "category: [bencana, any]", "category: [bencanaa, any]")
    error = load_error(tmp_path)
    assert f"{ROUTING_FILE}:{line}: key 'rules[" in str(error) and "].category'" in str(error)
    assert "unknown category code 'bencanaa'. Did you mean 'bencana'?" in str(error)


def test_unknown_opd_in_a_rule(tmp_path):
    line = edit(data_copy(tmp_path) / ROUTING_FILE, "    opd: bpbd\n", "    opd: bpdb\n")
    error = load_error(tmp_path)
    assert f"{ROUTING_FILE}:{line}: key 'rules[" in str(error) and "].opd'" in str(error)
    assert "unknown OPD 'bpdb'" in str(error)


def test_lapor_kategori_not_in_the_national_list(tmp_path):
    line = edit(data_copy(tmp_path) / TAXONOMY_FILE, "lapor_kategori: SOSIAL DAN KESEJAHTERAAN",
                "lapor_kategori: SOSIAL DAN KESEJAHTERAN")
    error = load_error(tmp_path)
    assert f"{TAXONOMY_FILE}:{line}: key 'categories.bansos.lapor_kategori'" in str(error)
    assert "Did you mean 'SOSIAL DAN KESEJAHTERAAN'?" in str(error)


def test_lapor_subkategori_must_belong_to_its_kategori(tmp_path):
    line = edit(data_copy(tmp_path) / TAXONOMY_FILE, "lapor_subkategori: BANTUAN SOSIAL",
                "lapor_subkategori: JALAN BERLUBANG")
    error = load_error(tmp_path)
    assert f"{TAXONOMY_FILE}:{line}: key 'categories.bansos.lapor_subkategori'" in str(error)
    assert "JALAN BERLUBANG" in str(error)


def test_lapor_kategori_written_with_nbsp_is_accepted(tmp_path):
    edit(data_copy(tmp_path) / TAXONOMY_FILE, "lapor_kategori: SOSIAL DAN KESEJAHTERAAN",
         "lapor_kategori: \"SOSIAL\u00a0DAN\u00a0KESEJAHTERAAN\"")
    assert Taxonomy.load(tmp_path).lapor_kategori("bansos") == "SOSIAL DAN KESEJAHTERAAN"


def test_duplicate_key(tmp_path):
    path = data_copy(tmp_path) / TAXONOMY_FILE
    first = edit(path, "    default_opd: dinsos\n", "    default_opd: dinsos\n    default_opd: dinsos\n")
    error = load_error(tmp_path)
    assert str(error) == (f"{path}:{first + 1}: key 'categories.bansos.default_opd': "
                          f"appears twice (first on line {first})")


def test_duplicate_opd_id(tmp_path):
    path = data_copy(tmp_path) / ROUTING_FILE
    line = edit(path, "  rsud_tongas:\n", "  dlh:\n    name: X\n    short: X\n  rsud_tongas:\n")
    error = load_error(tmp_path)
    assert f"{ROUTING_FILE}:{line}: key 'opds.dlh': appears twice" in str(error)


def test_unknown_key_suggests_the_right_one(tmp_path):
    line = edit(data_copy(tmp_path) / TAXONOMY_FILE, "lapor_kategori: KESEHATAN", "lapor_kategory: KESEHATAN")
    error = load_error(tmp_path)
    assert f"{TAXONOMY_FILE}:{line}: key 'categories.kesehatan.lapor_kategory': unknown key. " \
           "Did you mean 'lapor_kategori'?" in str(error)


@pytest.mark.parametrize("file, old, new, key, message", [
    (ROUTING_FILE, "    short: Dishub\n    confirmed: false", "    short: Dishub\n    confirmed: belum",
     "opds.dishub.confirmed", "must be true or false"),
    (ROUTING_FILE, "cues: [rsud tongas, rs tongas, rumah sakit tongas]", "cues: rsud tongas", "rules[",
     "must be a non-empty list"),
    (TAXONOMY_FILE, "label: Lainnya", "label: [Lainnya, Other]", "categories.lainnya.label",
     "must be non-empty text"),
    (ROUTING_FILE, "    cues: [pdam,", "    cues: [123, pdam,", "rules[", "must be non-empty text, not 123"),
])
def test_bad_types(tmp_path, file, old, new, key, message):
    line = edit(data_copy(tmp_path) / file, old, new)
    error = load_error(tmp_path)
    assert f"{file}:" in str(error) and f"key '{key}" in str(error) and message in str(error)
    assert error.line in (line, line + 1)


def test_outside_authority_needs_forward_to(tmp_path):
    edit(data_copy(tmp_path) / ROUTING_FILE,
         "    forward_to: PT PLN (Persero) unit layanan setempat (ULP/UP3); aplikasi PLN Mobile / Contact Center 123\n",
         "")
    error = load_error(tmp_path)
    assert error.key == "opds.pln.forward_to" and "needs 'forward_to'" in str(error)


def test_invalid_yaml_names_the_line(tmp_path):
    line = edit(data_copy(tmp_path) / ROUTING_FILE, "    cues: [pkh,", "    cues: [pkh,: ]]")
    error = load_error(tmp_path)
    assert str(error).startswith(f"{tmp_path / ROUTING_FILE}:")
    assert "not valid YAML" in str(error) and abs(error.line - line) <= 1


def test_a_rule_must_be_a_mapping(tmp_path):
    line = edit(data_copy(tmp_path) / ROUTING_FILE, "rules:\n", "rules:\n  - pju\n")
    error = load_error(tmp_path)
    assert (error.line, error.key) == (line + 1, "rules[1]") and "must be a mapping" in str(error)


def test_missing_file(tmp_path):
    (data_copy(tmp_path) / ROUTING_FILE).unlink()
    assert "opd_routing.yaml: file not found" in str(load_error(tmp_path))


# --- the routing order, on a small taxonomy --------------------------------------------------

SMALL_TAXONOMY = """\
categories:
  jalan:
    label: Jalan
    description: Jalan
    lapor_kategori: PEKERJAAN UMUM DAN PENATAAN RUANG
    default_opd: pu
  lainnya:
    label: Lainnya
    description: Lainnya
    lapor_kategori: TOPIK LAINNYA
    default_opd: kominfo
"""
SMALL_ROUTING = """\
opds:
  pu: {name: Dinas PU, short: PU}
  kominfo: {name: Diskominfo, short: Kominfo}
  dishub: {name: Dinas Perhubungan, short: Dishub}
  kota: {name: Pemkot, short: Kota, outside_authority: true, forward_to: Admin Pemkot}
rules:
  - category: any
    cues: [lampu]
    opd: kominfo
  - category: jalan
    cues: [lampu, rambu]
    opd: dishub
  - category: any
    first: true
    cues: [kota]
    opd: kota
"""


@pytest.fixture
def small(tmp_path) -> Taxonomy:
    (tmp_path / TAXONOMY_FILE).write_text(SMALL_TAXONOMY, encoding="utf-8")
    (tmp_path / ROUTING_FILE).write_text(SMALL_ROUTING, encoding="utf-8")
    return Taxonomy.load(tmp_path)


def test_category_rules_come_before_any_rules(small):
    assert small.route_opd("jalan", "lampu mati").opd_id == "dishub"
    assert small.route_opd("lainnya", "lampu mati").opd_id == "kominfo"
    assert small.route_opd(None, "lampu mati").opd_id == "kominfo"     # no category: file order
    assert small.route_opd("lainnya", "rambu roboh").opd_id == "kominfo"  # jalan-only rule, default
    assert small.route_opd(None, "rambu roboh").opd_id == "dishub"


def test_first_rules_come_before_the_category(small):
    suggestion = small.route_opd("jalan", "lampu mati di kota")
    assert (suggestion.opd_id, suggestion.outside_authority, suggestion.forward_to) == ("kota", True, "Admin Pemkot")
