"""Editing the sources file from the admin page: the file stays the one definition of the
sources, keeps its comments, is checked by the crawler's own loader, and is never half-written."""

from __future__ import annotations

import pytest

from pantau.config import load_sources
from pantau.sources_edit import SourcesEditError, add_site, set_enabled

SOURCES = '''\
# Sumber Diskominfo: komentar ini harus tetap ada.
region: "35.13"   # Kabupaten Probolinggo

sources:
  # Portal berita kabupaten.
  - name: kabarbromo
    url: https://kabarbromo.example/
    every: 30m

  - name: x-probolinggo   # pencarian X
    kind: x
    query: "probolinggo -is:retweet"
    enabled: false
'''


@pytest.fixture
def sources(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


def test_switching_a_source_off_and_on_changes_only_that_line(sources):
    assert set_enabled(sources, "kabarbromo", False) == (True, False)
    text = sources.read_text(encoding="utf-8")
    assert load_sources(sources).get("kabarbromo").enabled is False
    assert text.replace("    enabled: false\n\n  - name: x", "\n  - name: x", 1) == SOURCES
    assert set_enabled(sources, "x-probolinggo", True) == (False, True)
    assert [s.name for s in load_sources(sources).select()] == ["x-probolinggo"]
    assert "# Sumber Diskominfo: komentar ini harus tetap ada." in sources.read_text(encoding="utf-8")
    assert 'region: "35.13"   # Kabupaten Probolinggo' in sources.read_text(encoding="utf-8")


def test_unknown_source_is_a_clear_error_and_the_file_is_untouched(sources):
    with pytest.raises(SourcesEditError, match="tidak ada di berkas"):
        set_enabled(sources, "tidak-ada", False)
    assert sources.read_text(encoding="utf-8") == SOURCES


def test_adding_a_site_by_address_names_it_and_the_crawler_reads_it(sources):
    added = add_site(sources, "www.BeritaProbolinggo.example/daerah/", every="3h", note="Ditambahkan lewat web oleh ani")
    assert added.name == "beritaprobolinggo-daerah"
    assert added.url == "https://www.beritaprobolinggo.example/daerah/"
    loaded = load_sources(sources)
    assert [s.name for s in loaded.sources] == ["kabarbromo", "x-probolinggo", "beritaprobolinggo-daerah"]
    assert loaded.get("beritaprobolinggo-daerah").every.total_seconds() == 3 * 3600
    text = sources.read_text(encoding="utf-8")
    assert text.startswith(SOURCES.rstrip("\n"))
    assert "  # Ditambahkan lewat web oleh ani\n  - name: beritaprobolinggo-daerah\n" in text
    # A second site on the same host gets its own name.
    assert add_site(sources, "https://beritaprobolinggo.example/olahraga/").name == "beritaprobolinggo-olahraga"


@pytest.mark.parametrize("url, message", [
    ("", "Isi alamat"),
    ("javascript:alert(1)", "bukan alamat situs web"),
    ("ftp://kabarbromo.example/", "bukan alamat situs web"),
    ("https://kabar bromo.example/", "bukan alamat situs web"),
    ("https://www.kabarbromo.example/berita/", "sudah dipantau sebagai sumber “kabarbromo”"),
    ("http://kabarbromo.example", "sudah dipantau"),
])
def test_bad_or_repeated_addresses_are_refused(sources, url, message):
    with pytest.raises(SourcesEditError, match=message):
        add_site(sources, url)
    assert sources.read_text(encoding="utf-8") == SOURCES


def test_taken_name_and_bad_interval_are_refused(sources):
    with pytest.raises(SourcesEditError, match="sudah dipakai"):
        add_site(sources, "https://lain.example/", name="KabarBromo")
    with pytest.raises(SourcesEditError, match="Interval"):
        add_site(sources, "https://lain.example/", every="10s")
    assert sources.read_text(encoding="utf-8") == SOURCES


def test_a_broken_file_is_not_edited(sources):
    broken = SOURCES + "  - name: kabarbromo\n    url: https://dua.example/\n"
    sources.write_text(broken, encoding="utf-8")
    with pytest.raises(SourcesEditError, match="perbaiki dulu"):
        add_site(sources, "https://lain.example/")
    assert sources.read_text(encoding="utf-8") == broken


def test_unwritable_location_says_what_to_do(tmp_path):
    # A folder that cannot hold files (tests run as root, which ignores permission bits).
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(SourcesEditError, match="tidak dapat ditulis oleh Pantau.*izin menulis"):
        add_site(blocker / "sources.yaml", "https://lain.example/")
