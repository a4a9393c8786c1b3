"""Edits of the taxonomy files from the admin pages: only the changed fields are written, every
other line and comment stays as it was, the result passes the real loader before it replaces the
file, hostile values stay plain text, and edits land in PANTAU_TAXONOMY_DIR — never in the
shipped files, which this module checks are untouched after every test."""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from classify import taxonomy_edit as edit
from classify.taxonomy import DATA_DIR, ROUTING_FILE, TAXONOMY_FILE, Taxonomy, default_taxonomy


def shipped_digest() -> dict[str, str]:
    return {name: hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest()
            for name in (TAXONOMY_FILE, ROUTING_FILE)}


@pytest.fixture(autouse=True)
def shipped_files_untouched():
    before = shipped_digest()
    yield
    assert shipped_digest() == before, "a test changed the shipped taxonomy files"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    folder = tmp_path / "taksonomi"
    monkeypatch.setenv("PANTAU_TAXONOMY_DIR", str(folder))
    return folder


def shipped_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def changed_lines(old: str, new: str) -> tuple[set[str], set[str]]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    return set(old_lines) - set(new_lines), set(new_lines) - set(old_lines)


# --- where edits go ---------------------------------------------------------------------------

def test_edits_go_to_the_override_folder_which_then_holds_only_the_edited_file(folder):
    change = edit.edit_category("infrastruktur", {"lapor_kategori": "PERHUBUNGAN", "default_opd": "dishub"})
    assert change.path == folder / TAXONOMY_FILE
    assert sorted(p.name for p in folder.iterdir()) == [TAXONOMY_FILE]   # no temporary file left
    assert change.before == {"lapor_kategori": "PEKERJAAN UMUM DAN PENATAAN RUANG", "default_opd": "pupr"}
    assert change.after == {"lapor_kategori": "PERHUBUNGAN", "default_opd": "dishub"}
    category = default_taxonomy().category("infrastruktur")   # re-read at once
    assert (category.lapor_kategori, category.default_opd) == ("PERHUBUNGAN", "dishub")
    assert Taxonomy.load().category("infrastruktur").default_opd == "dishub"   # crawls read it too


def test_only_the_changed_lines_differ_and_every_comment_survives(folder):
    edit.edit_category("pendidikan", {"label": "Pendidikan dasar", "lapor_subkategori": ""})
    old, new = shipped_text(TAXONOMY_FILE), (folder / TAXONOMY_FILE).read_text(encoding="utf-8")
    assert comments(new) == comments(old)
    removed, added = changed_lines(old, new)
    assert removed == {"    label: Pendidikan (sekolah, guru, PPDB, beasiswa)",
                       "    lapor_subkategori: PENDIDIKAN DASAR DAN MENENGAH"}
    assert added == {"    label: Pendidikan dasar"}
    assert default_taxonomy().category("pendidikan").lapor_subkategori is None


def test_a_rule_edit_keeps_the_other_hand_wrapped_cue_lists_as_they_were(folder):
    tax = default_taxonomy()
    pju = next(rule for rule in tax.rules if "pju" in rule.cues)
    assert tax.route_opd("infrastruktur", "Lampu taman mati, warga gelap").opd_id != pju.opd
    change = edit.edit_rule(pju.number, {"cues": "\n".join(pju.cues) + "\nLampu Taman, lampu  hias"})
    assert change.after == {"cues": [*pju.cues, "lampu taman", "lampu hias"]}
    assert change.before == {"cues": list(pju.cues)}
    old, new = shipped_text(ROUTING_FILE), (folder / ROUTING_FILE).read_text(encoding="utf-8")
    removed, added = changed_lines(old, new)
    assert all(pju.cues[0] in line or "lpju" in line or "penerangan" in line for line in removed)
    assert len(added) == 1 and "lampu taman" in added.pop()
    assert comments(new) == comments(old)
    assert "           walikota probolinggo, dprd kota probolinggo, kademangan, kanigaran, kedopok," in new
    suggestion = default_taxonomy().route_opd("infrastruktur", "Lampu taman mati, warga gelap")
    assert (suggestion.opd_id, suggestion.cue) == (pju.opd, "lampu taman")


def test_removing_a_field_keeps_the_comment_lines_below_it(folder):
    edit.edit_opd("puskesmas", {"note": ""})
    new = (folder / ROUTING_FILE).read_text(encoding="utf-8")
    assert comments(new) == comments(shipped_text(ROUTING_FILE))
    assert "    route_to: dinkes\n\n  # --- Not confirmed in DOMAIN.md" in new
    assert default_taxonomy().opd("puskesmas").note is None


def test_adding_a_field_puts_it_in_its_place_before_the_comments_of_the_next(folder):
    edit.edit_opd("disparbud", {"note": "Termasuk pemuda dan olahraga."})
    new = (folder / ROUTING_FILE).read_text(encoding="utf-8")
    assert re.search(r"confirmed: false +# name assumed \(may include pemuda dan olahraga\): check\n"
                     r"    note: Termasuk pemuda dan olahraga\.\n\n  # --- Outside", new)


def test_unchanged_values_write_nothing(folder):
    current = default_taxonomy().category("bansos")
    change = edit.edit_category("bansos", {"label": f"  {current.label} ",
                                           "lapor_subkategori": current.lapor_subkategori})
    assert not change.changed and change.before == change.after == {}
    assert not folder.exists()


def test_the_shipped_folder_is_the_target_without_the_setting(monkeypatch):
    monkeypatch.delenv("PANTAU_TAXONOMY_DIR", raising=False)
    assert edit.target_dir() == DATA_DIR


def test_the_override_folder_is_read_file_by_file(folder):
    folder.mkdir()
    text = shipped_text(ROUTING_FILE).replace("short: Dinas PUPR", "short: PUPR Kab.")
    (folder / ROUTING_FILE).write_text(text, encoding="utf-8")
    tax = Taxonomy.load()
    assert tax.opd("pupr").short == "PUPR Kab."
    assert tax.category("infrastruktur").label.startswith("Infrastruktur")   # shipped taxonomy.yaml
    assert default_taxonomy().opd("pupr").short == "PUPR Kab."


def test_a_broken_hand_edit_keeps_the_last_good_taxonomy_in_a_running_process(folder, caplog):
    assert default_taxonomy().opd("pupr")
    folder.mkdir()
    (folder / ROUTING_FILE).write_text("opds: [\n", encoding="utf-8")
    assert default_taxonomy().opd("pupr").short == "Dinas PUPR"
    assert "Keeping the previous taxonomy" in caplog.text


# --- refusals ----------------------------------------------------------------------------------

def test_a_subkategori_outside_the_kategori_is_refused_with_the_loaders_message(folder):
    with pytest.raises(edit.InvalidEdit) as info:
        edit.edit_category("kesehatan", {"lapor_kategori": "KESEHATAN", "lapor_subkategori": "BANTUAN SOSIAL"})
    message = str(info.value)
    assert "categories.kesehatan.lapor_subkategori" in message and "BANTUAN SOSIAL" in message
    assert str(folder / TAXONOMY_FILE) in message and ".tmp" not in message
    assert not folder.exists() or not any(folder.iterdir())   # nothing written, no temporary file


def test_an_unknown_opd_is_refused_and_nothing_changes(folder):
    with pytest.raises(edit.InvalidEdit, match="unknown OPD 'dinas_tidak_ada'"):
        edit.edit_category("bansos", {"default_opd": "dinas_tidak_ada"})
    with pytest.raises(edit.InvalidEdit, match="unknown OPD"):
        edit.edit_rule(1, {"opd": "pupr_x"})
    assert not any(folder.iterdir())


def test_unknown_entries(folder):
    with pytest.raises(edit.UnknownEntry):
        edit.edit_category("tidak_ada", {"label": "x"})
    with pytest.raises(edit.UnknownEntry):
        edit.edit_opd("tidak_ada", {"name": "x"})
    with pytest.raises(edit.UnknownEntry):
        edit.edit_rule(len(default_taxonomy().rules) + 1, {"note": "x"})
    with pytest.raises(edit.UnknownEntry):
        edit.edit_rule(0, {"note": "x"})


@pytest.mark.parametrize("values, message", [
    ({"label": ""}, "Nama wajib diisi"),
    ({"label": "x" * 121}, "paling banyak 120 karakter"),
    ({"description": "a\x00b"}, "karakter kendali"),
    ({"lapor_kategori": "  "}, "Kategori LAPOR! wajib diisi"),
])
def test_form_values_are_checked(folder, values, message):
    with pytest.raises(edit.EditError, match=message):
        edit.edit_category("bansos", values)


@pytest.mark.parametrize("opd_id", ["Dinas", "1dinas", "dinas-baru", "a" * 41, "", "dinas baru", "dinas\nx"])
def test_a_new_opd_id_is_checked(folder, opd_id):
    with pytest.raises(edit.EditError, match="ID OPD"):
        edit.add_opd(opd_id, {"name": "Dinas Baru", "short": "Baru"})


def test_a_new_opd_id_must_be_unused(folder):
    with pytest.raises(edit.EditError, match="sudah dipakai"):
        edit.add_opd("pupr", {"name": "Dinas Baru", "short": "Baru"})


def test_a_stale_form_is_refused(folder):
    stale = edit.version(TAXONOMY_FILE)
    edit.edit_category("bansos", {"label": "Bansos"}, expected_version=stale)
    with pytest.raises(edit.StaleEdit, match="Muat ulang"):
        edit.edit_category("bansos", {"label": "Bantuan sosial"}, expected_version=stale)
    assert default_taxonomy().category("bansos").label == "Bansos"


def test_an_unwritable_folder_names_the_setting(tmp_path, monkeypatch):
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    monkeypatch.setenv("PANTAU_TAXONOMY_DIR", str(blocker / "taksonomi"))
    with pytest.raises(edit.NotWritable, match="PANTAU_TAXONOMY_DIR"):
        edit.edit_category("bansos", {"label": "Bansos"})
    assert "PANTAU_TAXONOMY_DIR" in edit.writable_problem()


def test_a_writable_folder_has_no_problem(folder):
    assert edit.writable_problem() is None


# --- hostile values ----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "no", "on", "12:30", "1e3", "null", "~", "- x", "[a, b]", "{a: b}", "a: b", "x # komentar", "&anchor",
    "*alias", "!!python/object:os.system", "'kutip'", '"kutip"', "|", ">", "%YAML", "@x", "`x`",
    "<script>alert(1)</script>", "x\n  label: disusupkan", "x\r\ndefault_opd: bpbd",
])
def test_values_are_written_as_plain_text_never_as_yaml(folder, value):
    edit.edit_category("lainnya", {"label": value, "description": value})
    category = default_taxonomy().category("lainnya")
    expected = " ".join(value.split())
    assert category.label == category.description == expected
    assert category.default_opd == "diskominfo"
    assert default_taxonomy().codes == Taxonomy.load(DATA_DIR).codes


def test_cues_are_written_as_a_list_of_plain_strings(folder):
    number = next(rule.number for rule in default_taxonomy().rules if "pju" in rule.cues)
    edit.edit_rule(number, {"cues": "no, on\n12:30\n[x]: y\nlampu # jalan"})
    assert default_taxonomy().rules[number - 1].cues == ("no", "on", "12:30", "[x]: y", "lampu # jalan")


def test_parse_cues():
    assert edit.parse_cues("PJU, lampu  jalan\n\n lampu merah ,") == ["pju", "lampu jalan", "lampu merah"]
    with pytest.raises(edit.EditError, match="paling sedikit satu"):
        edit.parse_cues(" ,\n ")
    with pytest.raises(edit.EditError, match="dua kali"):
        edit.parse_cues("PJU\npju")


# --- OPDs ---------------------------------------------------------------------------------------

def test_a_new_opd_can_become_a_default_opd_and_a_rules_opd(folder):
    change = edit.add_opd("dinas_perikanan", {"name": "Dinas Perikanan dan Kelautan Kabupaten Probolinggo",
                                              "short": "Diskanla", "confirmed": False, "note": ""})
    assert change.action == "taxonomy_opd_add" and change.before == {}
    assert change.after == {"name": "Dinas Perikanan dan Kelautan Kabupaten Probolinggo", "short": "Diskanla",
                            "confirmed": False}
    text = (folder / ROUTING_FILE).read_text(encoding="utf-8")
    assert "  dinas_perikanan:\n    name: Dinas Perikanan dan Kelautan Kabupaten Probolinggo\n" \
           "    short: Diskanla\n    confirmed: false\n\nrules:\n" in text
    edit.edit_category("pertanian", {"default_opd": "dinas_perikanan"})
    edit.edit_rule(1, {"opd": "dinas_perikanan", "note": ""})
    tax = default_taxonomy()
    assert tax.category("pertanian").default_opd == "dinas_perikanan"
    assert tax.opd("dinas_perikanan").confirmed is False
    assert tax.rules[0].opd == "dinas_perikanan" and tax.rules[0].note is None


def test_confirming_an_opd(folder):
    change = edit.edit_opd("dishub", {"name": "Dinas Perhubungan Kabupaten Probolinggo", "short": "Dishub",
                                      "confirmed": True, "note": ""})
    assert (change.before, change.after) == ({"confirmed": False}, {"confirmed": True})
    assert default_taxonomy().opd("dishub").confirmed is True
    unchanged = edit.edit_opd("pupr", {"confirmed": True})
    assert not unchanged.changed


def test_the_written_file_keeps_the_shipped_files_permissions(folder):
    edit.edit_opd("pupr", {"short": "PUPR"})
    assert (folder / ROUTING_FILE).stat().st_mode & 0o777 == (DATA_DIR / ROUTING_FILE).stat().st_mode & 0o777
    assert os.access(folder / ROUTING_FILE, os.R_OK)
