"""Every site profile, and the generic reader on a few common layouts, against pages we wrote.

The fundus way: a profile (``spiders/sites/<name>.py``, listed in ``spiders.sites.PROFILES``)
keeps its test data beside it in ``tests/fixtures/sites/profiles/<name>/``; generic layouts (no
profile) are in ``tests/fixtures/sites/layouts/<layout>/``. Each case is ``<case>.html`` (a page
in that site's layout: our own Indonesian text) plus ``<case>.json``::

    {"url": ..., "now": ISO,             # where the page lives, the crawl time
     "profile": "LintasTengger",          # the class site_for(url) must pick ("Site": the generic one)
     "is_article": true,                  # optional: read() alone must say so
     "title": ..., "published": ISO with offset,
     "first": first body sentence, "last": last body sentence,
     "absent": [boilerplate that must not be in the body]}

Each case is read the way the crawler reads it, ``site_for(url).read(html, url, now)``; the page
must also pass :func:`spiders.extract.linked_article` (the site links it as an article).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from spiders.extract import linked_article, read_article
from spiders.sites import PROFILES, site_for

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sites"
PROFILE_DIR, LAYOUT_DIR = FIXTURES / "profiles", FIXTURES / "layouts"

# Generic-layout cases the reader does not read right yet (issue 15, points 2 and 3). strict: the
# mark must go as soon as the case passes.
XFAIL: dict[str, str] = {}


def profile_folder(profile: type) -> str:
    return profile.__module__.rsplit(".", 1)[-1]


def cases() -> list:
    params = []
    for expected in sorted([*PROFILE_DIR.glob("*/*.json"), *LAYOUT_DIR.glob("*/*.json")]):
        case = f"{expected.parent.parent.name}/{expected.parent.name}/{expected.stem}"
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[case])] if case in XFAIL else []
        params.append(pytest.param(expected, id=case, marks=marks))
    return params


def norm(text: str | None) -> str:
    """Compare text as a reader sees it: case, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def read_case(expected_path: Path):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    html = expected_path.with_suffix(".html").read_text(encoding="utf-8")
    now = datetime.fromisoformat(expected["now"])
    site = site_for(expected["url"])
    return expected, html, now, site


@pytest.mark.parametrize("expected_path", cases())
def test_page_reads_as_its_expected_json(expected_path: Path):
    expected, html, now, site = read_case(expected_path)
    assert type(site).__name__ == expected["profile"], f"site_for picked {type(site).__name__}"
    page = site.read(html, expected["url"], now)

    assert page.title == expected["title"]
    assert page.published_at is not None and page.published_at.tzinfo is not None
    assert page.published_at == datetime.fromisoformat(expected["published"]), page.published_at.isoformat()
    if "is_article" in expected:
        assert page.is_article is expected["is_article"], page.not_article_reason
    assert linked_article(page), f"dropped as {page.not_article_reason!r}"
    body = norm(page.text)
    assert body.startswith(norm(expected["first"])), f"body starts {page.text[:120]!r}"
    assert body.endswith(norm(expected["last"])), f"body ends {page.text[-120:]!r}"
    leaked = [line for line in expected["absent"] if norm(line) in body]
    assert not leaked, f"boilerplate kept in the body: {leaked}"


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.__name__)
def test_every_profile_has_fixtures_the_generic_reader_gets_wrong(profile: type):
    """A profile comes with its test data, and earns its place: on at least one of its pages the
    generic reader alone gets the title, the instant, the body or the article verdict wrong."""
    folder = PROFILE_DIR / profile_folder(profile)
    fixtures = sorted(folder.glob("*.json"))
    assert fixtures, f"{profile.__name__} has no fixtures in {folder.relative_to(FIXTURES.parent.parent)}"
    assert profile.hosts, f"{profile.__name__} claims no host"
    differs = []
    for expected_path in fixtures:
        expected, html, now, site = read_case(expected_path)
        assert type(site) is profile, f"{expected_path.name}: {expected['url']} is not on {profile.hosts}"
        generic = read_article(html, expected["url"], now=now)
        differs.append(generic.title != expected["title"]
                       or generic.published_at != datetime.fromisoformat(expected["published"])
                       or not linked_article(generic) or generic.is_article is not expected.get("is_article", True)
                       or not norm(generic.text).startswith(norm(expected["first"]))
                       or not norm(generic.text).endswith(norm(expected["last"])))
    assert any(differs), f"the generic reader reads every page of {profile.__name__} right: the profile is not needed"


def test_profile_of_a_host_and_its_www_and_the_generic_reader_elsewhere():
    for profile in PROFILES:
        host = profile.hosts[0]
        assert type(site_for(f"https://{host}/berita/1")) is profile
        assert type(site_for(f"https://www.{host.upper()}/berita/1")) is profile
    assert type(site_for("https://kabar-lain.example/berita/1")).__name__ == "Site"


def test_two_profiles_claiming_one_host_is_an_error_naming_both():
    from spiders.sites import Site, register

    profile = PROFILES[0]
    clash = type("Tiruan", (Site,), {"hosts": (profile.hosts[0],)})
    with pytest.raises(ValueError, match=rf"{profile.__name__} and Tiruan both claim host"):
        register(clash)
    assert type(site_for(f"https://{profile.hosts[0]}/")) is profile  # the registry is unchanged


def test_profile_keeps_the_generic_date_when_its_attribute_is_not_a_time():
    """A profile must never do worse than the generic reader: a garbled or future value of its
    own date attribute is ignored, not stored."""
    expected_path = PROFILE_DIR / "lintastengger" / "jalan-ngadisari.json"
    expected, html, now, site = read_case(expected_path)
    generic = read_article(html, expected["url"], now=now)
    for bad in ("kemarin", "", "99999999999999999999", str(int(now.timestamp()) + 86400)):
        page = site.read(html.replace('data-terbit="1796627100"', f'data-terbit="{bad}"'), expected["url"], now)
        assert page.published_at == generic.published_at, bad
        assert page.text == generic.text
