"""The corpus loader and splitter: bad records are named, near-copies never straddle splits."""

import json

import pytest

from classify.corpus import CorpusError, load_records, near_copy_groups, split, split_of

BASE = ("Warga Desa Tegalwatu Kecamatan Tiris mengeluhkan jalan poros desa yang rusak parah sejak awal "
        "musim hujan dan meminta Dinas PUPR segera memperbaiki sebelum ada korban")


def write(tmp_path, rows):
    path = tmp_path / "part.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def row(i, text, **labels):
    data = {"id": f"t-{i}", "text": text, "is_complaint": True, "category": "infrastruktur", "kecamatan": "Tiris",
            "desa": None, "in_jurisdiction": True, "style": "news", "group": f"t-{i}", "kind": "complaint"}
    data.update(labels)
    return data


@pytest.mark.parametrize("bad, message", [
    ({"category": "jalan"}, "needs a category"),
    ({"is_complaint": False}, "category must be null"),
    ({"style": "tweet"}, "style must be"),
    ({"text": "  "}, "empty text"),
    ({"is_complaint": "ya"}, "true or false"),
])
def test_bad_records_are_named_by_file_and_line(tmp_path, bad, message):
    labels = {key: value for key, value in bad.items() if key != "text"}
    text = bad.get("text", "Lampu PJU di Paiton mati sebulan")
    path = write(tmp_path, [row(1, BASE), row(2, text, **labels)])
    with pytest.raises(CorpusError, match=f"part.jsonl:2: .*{message}"):
        load_records([path])


def test_duplicate_ids_are_refused(tmp_path):
    path = write(tmp_path, [row(1, BASE), row(1, "Teks lain sama sekali tentang sampah di Dringu")])
    with pytest.raises(CorpusError, match="already used"):
        load_records([path])


def test_near_copies_and_writer_groups_share_a_split(tmp_path):
    paraphrase = BASE.replace("mengeluhkan", "kembali mengeluhkan").replace("segera", "secepatnya")
    rows = [row(1, BASE), row(2, paraphrase), row(3, "jalan tiris rusak parah min tolong", group="t-1",
                                                  style="social")]
    rows += [row(i, f"Cerita berbeda nomor {i} tentang pasar {i} yang becek di kecamatan lain {i} hari ini")
             for i in range(4, 60)]
    records = load_records([write(tmp_path, rows)])
    groups = near_copy_groups(records)
    assert groups["t-1"] == groups["t-2"] == groups["t-3"]
    assert len({groups[f"t-{i}"] for i in range(4, 60)}) == 56
    splits = split(records)
    where = {r.id: name for name, part in splits.items() for r in part}
    assert where["t-1"] == where["t-2"] == where["t-3"]
    assert set(where.values()) == {"train", "dev", "test"}


def test_split_is_stable():
    assert [split_of(f"g-{i}") for i in range(20)] == [split_of(f"g-{i}") for i in range(20)]


def _shingles(text):
    words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split()]
    return words, {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}


def test_the_shipped_corpus_test_split_has_no_near_copy_of_a_training_text():
    """Checked exactly, without the splitter's MinHash: no test text repeats a train/dev text
    once lowercased and stripped of punctuation, or shares 60% of its word 3-shingles with one;
    no writer's group straddles splits."""
    parts = split(load_records())
    assert len(parts["test"]) > 300 and len(parts["train"]) > 1000
    seen_exact, index, sizes = {}, {}, {}
    for name in ("train", "dev"):
        for record in parts[name]:
            words, shingles = _shingles(record.text)
            seen_exact[" ".join(words)] = record.id
            sizes[record.id] = len(shingles)
            for shingle in shingles:
                index.setdefault(shingle, []).append(record.id)
    groups = {r.group: name for name in ("train", "dev") for r in parts[name]}
    leaks = []
    for record in parts["test"]:
        words, shingles = _shingles(record.text)
        if " ".join(words) in seen_exact:
            leaks.append((record.id, seen_exact[" ".join(words)], 1.0))
        if record.group in groups:
            leaks.append((record.id, f"group {record.group} in {groups[record.group]}", 1.0))
        shared = {}
        for shingle in shingles:
            for other in index.get(shingle, ()):
                shared[other] = shared.get(other, 0) + 1
        for other, n in shared.items():
            jaccard = n / (len(shingles) + sizes[other] - n)
            if len(words) >= 8 and jaccard >= 0.6:
                leaks.append((record.id, other, round(jaccard, 2)))
    assert leaks == []
