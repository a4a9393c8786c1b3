"""One home per idea: an idea the code shares lives in one module and every caller uses it.

Each guard names the one module that may spell the idea out; a second copy written anywhere
else in the packages fails here with the file that holds it.
"""

import re

from tests.crawlutil import REPO

PACKAGES = ("spiders", "pipelines", "classify", "storage", "pantau", "review")


def _code() -> dict[str, str]:
    return {str(path.relative_to(REPO)): path.read_text(encoding="utf-8")
            for folder in PACKAGES for path in (REPO / folder).rglob("*.py")}


def _holders(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return sorted(name for name, text in _code().items() if found.search(text))


def test_the_time_zone_is_spelt_once():
    assert _holders(r"[\"']Asia/Jakarta[\"']") == ["spiders/dates.py"]  # in code, not prose
    assert _holders(r"timedelta\(hours=7\)") == []
