"""The sources file: what an admin writes, and the errors that tell them how to fix it."""

from datetime import timedelta

import pytest

from pantau.config import ConfigError, load_sources, parse_sources


def test_minimal_news_source_needs_only_name_and_url():
    config = parse_sources("sources:\n  - name: kabarbromo\n    url: https://example.id/\n")
    [source] = config.sources
    assert (source.name, source.url, source.kind, source.enabled) == ("kabarbromo", "https://example.id/", "auto", True)
    assert source.every == timedelta(hours=1)
    assert config.region == "35.13"


def test_all_contract_keys_are_read():
    config = parse_sources("""
region: "35.74"
sources:
  - name: radar
    url: https://radar.example.id/probolinggo/
    kind: sitemap
    every: 30m
    enabled: false
    max_pages: 50
    delay: 0
    concurrency: 4
    selectors:
      article_links: ".daftar a"
  - name: x-probolinggo
    kind: x
    query: "probolinggo -is:retweet"
    api_base: http://127.0.0.1:9999
""")
    radar, x = config.sources
    assert config.region == "35.74"
    assert radar.every == timedelta(minutes=30) and not radar.enabled and radar.max_pages == 50
    assert radar.delay == 0.0 and radar.concurrency == 4 and radar.selectors == {"article_links": ".daftar a"}
    assert x.kind == "x" and x.query == "probolinggo -is:retweet" and x.url is None
    assert [s.name for s in config.select()] == ["x-probolinggo"]  # disabled sources are left out
    assert [s.name for s in config.select(["radar"])] == ["radar"]  # unless asked for by name


@pytest.mark.parametrize("text, line, source, key, hint", [
    ("sources:\n  - name: a\n    url: https://a.id/\n    evry: 1h\n", 4, "a", "evry", "Did you mean 'every'"),
    ("sources:\n  - name: a\n    url: https://a.id/\n  - name: a\n    url: https://b.id/\n", 4, "a", "name", "duplicate"),
    ("sources:\n  - name: b\n    kind: html\n", 2, "b", "url", "missing 'url'"),
    ("sources:\n  - name: x\n    kind: x\n", 2, "x", "query", "needs a 'query'"),
    ("sources:\n  - name: c\n    url: https://c.id/\n    every: sometimes\n", 4, "c", "every", "30m"),
    ("sources:\n  - name: c\n    url: https://c.id/\n    kind: facebook\n", 4, "c", "kind", "one of"),
    ("sources:\n  - name: c\n    url: https://c.id/\n    max_pages: -3\n", 4, "c", "max_pages", "at least 1"),
    ("sources:\n  - url: https://c.id/\n", 2, "#1", "name", "missing 'name'"),
    ("sources:\n  - name: c\n    url: https://c.id/\n    selectors: {titel: h1}\n", 4, "c", "selectors.titel", "title"),
])
def test_errors_name_file_line_source_and_key(text, line, source, key, hint):
    with pytest.raises(ConfigError) as caught:
        parse_sources(text, "/etc/pantau/sources.yaml")
    error = caught.value
    assert (error.path, error.line, error.source, error.key) == ("/etc/pantau/sources.yaml", line, source, key)
    assert str(error).startswith(f"/etc/pantau/sources.yaml:{line}: source '{source}': key '{key}'")
    assert hint in str(error)


@pytest.mark.parametrize("text, hint", [
    ("", "empty"), ("- a\n- b\n", "top level"), ("sources: [\n", "YAML"), ("region: 35.13\n", "sources"),
    ("region: Probolinggo\nsources: []\n", "region code"), ("sumber: []\n", "unknown key"),
])
def test_file_level_errors(text, hint):
    with pytest.raises(ConfigError, match=hint):
        parse_sources(text, "sources.yaml")


def test_missing_file_and_environment_default(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "nope.yaml")
    (tmp_path / "mine.yaml").write_text("sources:\n  - name: a\n    url: https://a.id/\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_SOURCES", str(tmp_path / "mine.yaml"))
    assert load_sources().sources[0].name == "a"


def test_shipped_sources_file_is_valid():
    from tests.crawlutil import REPO

    config = load_sources(REPO / "sources.yaml")
    assert config.region == "35.13" and len(config.select()) >= 3
    assert all(s.url.startswith("https://") for s in config.sources)


# -- subdomains: a source may cover its outlet's channel subdomains ------------------------------

def _one(text: str):
    return parse_sources("sources:\n  - name: kabar\n    url: https://www.kabarselatan.co.id/\n" + text).sources[0]


def test_subdomains_default_off_and_absent_from_the_stored_config():
    source = _one("")
    assert source.subdomains is False
    spec = source.as_spec()
    assert "subdomains" not in spec["config"]  # a file without the key syncs exactly as before
    assert sorted(spec["config"]) == ["api_base", "concurrency", "delay", "every_seconds", "max_pages",
                                      "max_posts", "max_posts_per_month", "selectors", "social"]


def test_subdomains_true_or_a_list_of_hosts():
    assert _one("    subdomains: true\n").subdomains is True
    assert _one("    subdomains: true\n").as_spec()["config"]["subdomains"] is True
    assert _one("    subdomains: false\n").subdomains is False
    listed = _one("    subdomains: [Daerah.KabarSelatan.co.id, '*.kabarselatan-tv.id', .radar.id,"
                  " 'https://www.foto.kabarselatan.co.id/galeri/', daerah.kabarselatan.co.id]\n")
    assert listed.subdomains == ("daerah.kabarselatan.co.id", "kabarselatan-tv.id", "radar.id",
                                 "foto.kabarselatan.co.id")
    assert listed.as_spec()["config"]["subdomains"] == list(listed.subdomains)
    block = _one("    subdomains:\n      - daerah.kabarselatan.co.id\n      - regional.kabarselatan.co.id\n")
    assert block.subdomains == ("daerah.kabarselatan.co.id", "regional.kabarselatan.co.id")


@pytest.mark.parametrize("value, shown", [
    ("yes please", "'yes please' is not valid"),
    ("[]", "is not valid"),
    ("3", "'3' is not valid"),
    ("{daerah: true}", "is not valid"),
    ("[daerah kabar selatan]", "'daerah kabar selatan' is not a host name"),
    ("[-bad-.co.id]", "is not a host name"),
    ("[12]", "'12' is not a host name"),
])
def test_bad_subdomains_name_the_line_and_say_what_to_write(value, shown):
    text = f"sources:\n  - name: kabar\n    url: https://www.kabarselatan.co.id/\n    subdomains: {value}\n"
    with pytest.raises(ConfigError) as caught:
        parse_sources(text, "sources.yaml")
    error = caught.value
    assert (error.line, error.source, error.key) == (4, "kabar", "subdomains")
    assert shown in str(error) and "subdomains: true" in str(error)


def test_subdomains_do_not_apply_to_x_sources():
    with pytest.raises(ConfigError, match="kind: x") as caught:
        parse_sources("sources:\n  - name: x\n    kind: x\n    query: probolinggo\n    subdomains: true\n")
    assert caught.value.key == "subdomains" and caught.value.line == 5


def test_readme_sources_example_is_valid_and_every_key_is_documented():
    import re

    from pantau.config import SOURCE_KEYS
    from tests.crawlutil import REPO

    section = (REPO / "README.md").read_text(encoding="utf-8").split("## The sources file", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    sources = {s.name: s for s in parse_sources(example, "README.md").sources}
    assert sources["kabarselatan"].subdomains is True
    assert sources["radarselatan"].subdomains == ("daerah.radarselatan.id", "foto.radarselatan.id")
    missing = [key for key in SOURCE_KEYS if f"`{key}`" not in section and f"{key}:" not in section]
    assert missing == []
