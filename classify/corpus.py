"""The labelled corpus: load, validate, and split so near-copies never straddle splits.

Records live in ``classify/corpus/parts/*.jsonl`` (see ``classify/LABELING.md``). Splitting is
deterministic: records are first joined into groups — the ``group`` the writer gave, plus any
texts that are near-copies of each other (MinHash on word 3-shingles, Jaccard ≥ 0.5, or the same
text once lowercased and stripped of punctuation) — and each whole group goes to train, dev or
test by a stable hash of its smallest id. A paraphrase in train can therefore never make a test
text look easy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from classify.shingles import CORPUS, SignatureIndex, words
from classify.taxonomy import shipped_codes

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
STYLES = ("news", "social")
SPLITS = {"train": 0.7, "dev": 0.1, "test": 0.2}
NEAR_COPY_JACCARD = 0.5


class CorpusError(ValueError):
    """A record that breaks the labelling rules, with its file and line."""


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    is_complaint: bool
    category: str | None
    kecamatan: str | None
    desa: str | None
    in_jurisdiction: bool | None
    style: str
    group: str
    kind: str | None = None
    source: str = ""  # file:line, for error messages and evaluation reports


def load_records(paths: Iterable[Path] | None = None) -> list[Record]:
    """Every record of the corpus parts, validated; raises :class:`CorpusError` on the first bad one."""
    files = sorted(paths) if paths is not None else sorted((CORPUS_DIR / "parts").glob("*.jsonl"))
    records: list[Record] = []
    seen: dict[str, str] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            record = _record(line, where)
            if record.id in seen:
                raise CorpusError(f"{where}: id '{record.id}' already used at {seen[record.id]}")
            seen[record.id] = where
            records.append(record)
    return records


def _record(line: str, where: str) -> Record:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc})") from None
    missing = {"id", "text", "is_complaint", "category", "style"} - set(data)
    if missing:
        raise CorpusError(f"{where}: missing {', '.join(sorted(missing))}")
    if not isinstance(data["text"], str) or not data["text"].strip():
        raise CorpusError(f"{where}: empty text")
    if not isinstance(data["is_complaint"], bool):
        raise CorpusError(f"{where}: is_complaint must be true or false")
    category = data.get("category")
    if data["is_complaint"] and category not in shipped_codes():
        raise CorpusError(f"{where}: a complaint needs a category from {', '.join(shipped_codes())}, "
                          f"not {category!r}")
    if not data["is_complaint"] and category is not None:
        raise CorpusError(f"{where}: category must be null when is_complaint is false")
    if data["style"] not in STYLES:
        raise CorpusError(f"{where}: style must be news or social, not {data['style']!r}")
    return Record(id=str(data["id"]), text=data["text"], is_complaint=data["is_complaint"], category=category,
                  kecamatan=data.get("kecamatan"), desa=data.get("desa"),
                  in_jurisdiction=data.get("in_jurisdiction"), style=data["style"],
                  group=str(data.get("group") or data["id"]), kind=data.get("kind"), source=where)


def near_copy_groups(records: list[Record]) -> dict[str, str]:
    """Record id → group key, joining the writers' groups with detected near-copies."""
    parent = {r.id: r.id for r in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_group: dict[str, str] = {}
    by_exact: dict[str, str] = {}
    index = SignatureIndex(NEAR_COPY_JACCARD, CORPUS)
    for record in records:
        if record.group in by_group:
            union(record.id, by_group[record.group])
        by_group.setdefault(record.group, record.id)
        found = words(record.text)
        exact = " ".join(found)
        if exact in by_exact:
            union(record.id, by_exact[exact])
        by_exact.setdefault(exact, record.id)
        minhash = CORPUS.signature(found)
        if minhash is not None:
            for other, _ in index.matches(minhash):
                union(record.id, other)
            index.add(record.id, minhash)
    return {r.id: find(r.id) for r in records}


def split_of(group_key: str) -> str:
    """train, dev or test for a group, by a stable hash (independent of file order)."""
    bucket = int(hashlib.sha256(group_key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLITS.items():
        edge += share
        if bucket < edge:
            return name
    return "train"


def split(records: list[Record]) -> dict[str, list[Record]]:
    groups = near_copy_groups(records)
    result: dict[str, list[Record]] = {name: [] for name in SPLITS}
    for record in records:
        result[split_of(groups[record.id])].append(record)
    return result
