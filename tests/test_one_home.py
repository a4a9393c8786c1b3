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


def test_minhash_signatures_are_made_in_one_module():
    assert _holders(r"\bMinHash(LSH)?\(") == ["classify/shingles.py"]


def test_files_are_replaced_atomically_by_one_helper():
    assert _holders(r"\bos\.replace\(") == ["classify/files.py"]
    assert _holders(r"\bmkstemp\(") == ["classify/files.py"]


def test_the_category_codes_are_listed_only_in_the_taxonomy_data():
    # Three codes side by side in code would be a second copy of taxonomy.yaml's list.
    assert _holders(r"[\"']infrastruktur[\"'],\s*[\"']bansos[\"'],\s*[\"']kesehatan[\"']") == []


def test_only_storage_builds_sql():
    outside = [name for name in _holders(r"execute\(f?[\"'](PRAGMA|SELECT)|\bsqlalchemy import .*\bselect\b")
               if not name.startswith("storage/")]
    assert outside == []


def test_the_classified_text_is_built_in_one_place():
    assert _holders(r"title or ''\}\\n\\n\{") == ["classify/normalize.py"]
