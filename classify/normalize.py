"""Normalise informal Indonesian before classification.

Drops links (``https://t.co/…``, ``www.…``: they say nothing about the text, and whether a
tweet carries one is a habit of its source, not a sign of a complaint), lowercases, expands reduplication written with a digit ("bolong2" → "bolong bolong"), and maps
slang and abbreviations to standard words with spacy-lookups-data's ``id_lexeme_norm`` table plus
the project's ``classify/data/slang_extra.yaml``. Negations keep their meaning ("ga cair" →
"tidak cair"). Pure and fast: one regex pass and a dictionary lookup per word.
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def slang_table() -> dict[str, str]:
    table: dict[str, str] = {}
    try:
        import srsly
        from spacy_lookups_data import get_file  # type: ignore[attr-defined]

        table.update({k.lower(): v.lower() for k, v in srsly.read_gzip_json(get_file("id_lexeme_norm.json.gz")).items()})
    except Exception:  # the lookups package is optional at run time; the extras still apply
        pass
    extra = yaml.safe_load((DATA / "slang_extra.yaml").read_text(encoding="utf-8")) or {}
    table.update({str(k).lower(): str(v).lower() for k, v in extra.items()})
    return table


_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# words (a trailing "2" marks reduplication: "bolong2"), numbers, and ? and !
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*(?:2(?!\d))?|\d+|[?!]", re.UNICODE)


def classified_text(title: str | None, text: str | None) -> str:
    """What the classifier reads of an article or post: its title, a blank line, its text. The
    one definition for the crawl, ``pantau reclassify``, training on staff decisions and the
    web's evidence highlights (their character offsets count in this string)."""
    return f"{title or ''}\n\n{text or ''}".strip()


@lru_cache(maxsize=1)
def _multiword() -> frozenset[str]:
    return frozenset(k for k, v in slang_table().items() if " " in v)


def tokens(text: str) -> list[str]:
    """The normalised words of ``text`` (and its ``?``/``!``): what the classifiers read."""
    table = slang_table()
    get = table.get
    if "://" in text or "www." in text or "WWW." in text:
        text = _LINK.sub(" ", text)
    raw = _TOKEN.findall(text.lower())
    if "2" in text and not all(map(str.isdigit, compress(raw, map(str.endswith, raw, repeat("2"))))):
        out: list[str] = []
        for t in raw:
            if t[-1] == "2" and len(t) > 2 and not t.isdigit():  # "bolong2" -> "bolong bolong"
                base = get(t[:-1], t[:-1])
                out += (base, base)
            else:
                out.append(get(t, t))
    else:
        out = list(map(get, raw, raw))
    if not _multiword().isdisjoint(raw):  # "gpp" -> "tidak apa apa"
        out = [part for word in out for part in word.split()]
    return out


def normalize(text: str) -> str:
    return " ".join(tokens(text))
