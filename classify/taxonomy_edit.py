"""Changes to ``taxonomy.yaml`` and ``opd_routing.yaml`` made from the admin pages, written safely.

An edit reads the file in use (the ``PANTAU_TAXONOMY_DIR`` copy, else the shipped one) with
ruamel.yaml's round-trip loader and changes only the fields whose value differs. New values are
YAML scalars chosen by ruamel's emitter (quoted where a YAML 1.1 reader such as PyYAML would take
them for a number or true/false), never text pasted into the file. Lines the edit does not touch
stay byte for byte as they were: ruamel re-wraps hand-wrapped cue lists, so only the lines that
differ between ruamel's dump before and after the edit are spliced into the original text.

The result goes to a temporary file next to its destination, is checked whole by the real loader
(:meth:`Taxonomy.from_files`, with the other file in use) and, only if it loads and gives back the
values asked for, replaces the file (:func:`classify.files.write_atomically`). The destination is
``PANTAU_TAXONOMY_DIR`` when set, otherwise ``classify/data`` (a git checkout install). Messages
in :class:`EditError` are Indonesian: the admin pages show them as they are.

Why one module of ~520 lines: the edits, the write-check-replace step and the ruamel.yaml
comment and splice details are one mechanism (each edit is a few lines over ``_edit``), and the
ruamel helpers only make sense for these two files' shapes; splitting would spread one invariant
(untouched lines stay byte for byte) over several files.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from classify.files import write_atomically
from classify.taxonomy import Taxonomy
from classify.taxonomy_files import (
    CATEGORY_KEYS, DATA_DIR, OPD_KEYS, ROUTING_FILE, TAXONOMY_DIR_VARIABLE, TAXONOMY_FILE, TaxonomyError, data_path,
    override_dir, plain,
)

OPD_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
LIMITS = {"label": 120, "description": 400, "lapor_kategori": 200, "lapor_subkategori": 200,
          "default_opd": 40, "name": 200, "short": 60, "note": 400, "opd": 40, "cue": 80}
MAX_CUES = 300
FIELD_NAMES = {"label": "Nama", "description": "Keterangan", "lapor_kategori": "Kategori LAPOR!",
               "lapor_subkategori": "Subkategori LAPOR!", "default_opd": "OPD bawaan", "name": "Nama resmi",
               "short": "Singkatan", "note": "Catatan", "opd": "OPD", "cue": "Kata kunci", "id": "ID OPD"}
_lock = threading.Lock()   # one edit at a time in this process; other processes: the version check


class EditError(Exception):
    """An edit that was refused; the message is for the admin (Indonesian)."""


class UnknownEntry(EditError):
    """The category, OPD or rule does not exist (the page answers 404)."""


class StaleEdit(EditError):
    """The file changed since the form was shown."""


class NotWritable(EditError):
    """The destination folder cannot be written."""


class InvalidEdit(EditError):
    """The edited file does not pass the loader's checks; ``error`` is the loader's."""

    def __init__(self, error: TaxonomyError):
        self.error = error
        super().__init__(f"Perubahan tidak disimpan: pemeriksaan berkas gagal. {error}")


@dataclass(frozen=True)
class Change:
    """What an edit changed: exactly the fields that differ, before and after (for the audit)."""

    action: str
    target: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None          # the file written; None when nothing changed

    @property
    def changed(self) -> bool:
        return self.path is not None


# --- where files are read and written -----------------------------------------------------

def target_dir() -> Path:
    """Where edits are written: ``PANTAU_TAXONOMY_DIR``, else the shipped ``classify/data``."""
    return override_dir() or DATA_DIR


def version(name: str) -> str:
    """A short fingerprint of the file in use, carried by the forms to refuse stale edits."""
    return _fingerprint(data_path(name).read_bytes())


def _fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def writable_problem() -> str | None:
    """Why edits cannot be saved, or ``None`` when the destination looks writable."""
    folder = target_dir()
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent   # a folder still to be created: its nearest existing parent
    if probe.is_dir() and os.access(probe, os.W_OK | os.X_OK):
        return None
    return _not_writable_message(folder)


def _not_writable_message(folder: Path, reason: str | None = None) -> str:
    why = f" ({reason})" if reason else ""
    if override_dir() is not None:
        return (f"Folder {TAXONOMY_DIR_VARIABLE} ({folder}) tidak dapat ditulis oleh Pantau{why}. "
                f"Atur {TAXONOMY_DIR_VARIABLE} ke folder yang dapat ditulis, lalu mulai ulang Pantau.")
    return (f"Berkas taksonomi bawaan di {folder} tidak dapat ditulis oleh Pantau{why}. Atur variabel "
            f"lingkungan {TAXONOMY_DIR_VARIABLE} ke folder yang dapat ditulis (mis. /var/lib/pantau/taksonomi): "
            "perubahan disimpan di sana dan dipakai sebagai ganti berkas bawaan. Lalu mulai ulang Pantau.")


# --- values from the forms ------------------------------------------------------------------

def clean_text(name: str, value: str | None, *, required: bool) -> str | None:
    """One line of text: whitespace collapsed (as the loader reads it), control characters and
    over-long values refused; empty gives ``None`` or, when ``required``, an error."""
    value = " ".join((value or "").split())
    label = FIELD_NAMES.get(name, name)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise EditError(f"{label} berisi karakter kendali yang tidak diizinkan.")
    if len(value) > LIMITS[name]:
        raise EditError(f"{label} terlalu panjang: paling banyak {LIMITS[name]} karakter.")
    if not value:
        if required:
            raise EditError(f"{label} wajib diisi.")
        return None
    return value


def parse_cues(text: str | None) -> list[str]:
    """Cues from a text box: one per line or separated by commas; lower case, blanks dropped."""
    cues: list[str] = []
    for part in re.split(r"[\n,]", text or ""):
        cue = clean_text("cue", part, required=False)
        if cue and cue.lower() in cues:
            raise EditError(f"Kata kunci “{cue.lower()}” tertulis dua kali.")
        if cue:
            cues.append(cue.lower())
    if not cues:
        raise EditError("Isi paling sedikit satu kata kunci (satu per baris atau dipisah koma).")
    if len(cues) > MAX_CUES:
        raise EditError(f"Terlalu banyak kata kunci: paling banyak {MAX_CUES} per aturan.")
    return cues


# --- the edits --------------------------------------------------------------------------------

def edit_category(code: str, values: Mapping[str, str | None], *, expected_version: str | None = None) -> Change:
    """Change a category's label, description, LAPOR! kategori/subkategori or default OPD (the
    code itself is fixed: stored records use it). Keys missing from ``values`` stay as they are."""
    wanted: dict[str, str | None] = {}
    for name in ("label", "description", "lapor_kategori", "lapor_subkategori", "default_opd"):
        if name in values:
            value = clean_text(name, values[name], required=name != "lapor_subkategori")
            wanted[name] = plain(value) if value and name.startswith("lapor_") else value

    def change(doc: CommentedMap) -> tuple[dict, dict]:
        entry = _entry(doc.get("categories"), code, f"Kategori “{code}” tidak ada.")
        return _set_fields(entry, wanted, CATEGORY_KEYS)

    def check(tax: Taxonomy) -> dict[str, Any]:
        return {name: getattr(tax.category(code), name) for name in wanted}

    return _edit(TAXONOMY_FILE, "taxonomy_category", f"kategori:{code}", change, check, wanted,
                 expected_version)


def edit_opd(opd_id: str, values: Mapping[str, Any], *, expected_version: str | None = None) -> Change:
    """Change an OPD's name, short name, ``confirmed`` flag or note."""
    wanted = _opd_values(values)

    def change(doc: CommentedMap) -> tuple[dict, dict]:
        entry = _entry(doc.get("opds"), opd_id, f"OPD “{opd_id}” tidak ada.")
        if wanted.get("confirmed") is True and "confirmed" not in entry:
            wanted.pop("confirmed")   # true is the default: nothing to write
        return _set_fields(entry, wanted, OPD_KEYS)

    def check(tax: Taxonomy) -> dict[str, Any]:
        return {name: getattr(tax.opd(opd_id), name) for name in wanted}

    return _edit(ROUTING_FILE, "taxonomy_opd", f"opd:{opd_id}", change, check, wanted, expected_version)


def add_opd(opd_id: str, values: Mapping[str, Any], *, expected_version: str | None = None) -> Change:
    """Add an OPD at the end of the list (within the kabupaten's authority)."""
    opd_id = (opd_id or "").strip()
    if not OPD_ID.fullmatch(opd_id):
        raise EditError("ID OPD: huruf kecil, angka dan garis bawah, diawali huruf, paling banyak 40 "
                        "karakter (mis. dinas_perikanan).")
    wanted = _opd_values({"name": "", "short": "", "confirmed": True, **values})

    def change(doc: CommentedMap) -> tuple[dict, dict]:
        opds = doc.get("opds")
        if not isinstance(opds, CommentedMap):
            raise EditError("Daftar OPD di berkas tidak terbaca.")
        if opd_id in opds:
            raise EditError(f"ID OPD “{opd_id}” sudah dipakai.")
        entry = CommentedMap()
        for name in ("name", "short", "confirmed", "note"):
            if name == "confirmed" and wanted[name] is not False:
                continue
            if wanted.get(name) is not None:
                entry[name] = _scalar(wanted[name])
        if len(opds):
            _move_following_comment(opds, list(opds)[-1], entry, list(entry)[-1])
        opds[opd_id] = entry
        return {}, {name: value for name, value in wanted.items() if value is not None}

    def check(tax: Taxonomy) -> dict[str, Any]:
        return {name: getattr(tax.opd(opd_id), name) for name in wanted if wanted[name] is not None}

    expected = {name: value for name, value in wanted.items() if value is not None}
    return _edit(ROUTING_FILE, "taxonomy_opd_add", f"opd:{opd_id}", change, check, expected, expected_version)


def edit_rule(number: int, values: Mapping[str, Any], *, expected_version: str | None = None) -> Change:
    """Change a cue rule's cues (a list, or text for :func:`parse_cues`), OPD or note. Rules are
    numbered from 1 in file order, as :class:`~classify.taxonomy.CueRule` numbers them."""
    wanted: dict[str, Any] = {}
    if "cues" in values:
        cues = values["cues"]
        wanted["cues"] = parse_cues(cues if isinstance(cues, str) else "\n".join(cues))
    if "opd" in values:
        wanted["opd"] = clean_text("opd", values["opd"], required=True)
    if "note" in values:
        wanted["note"] = clean_text("note", values["note"], required=False)

    def change(doc: CommentedMap) -> tuple[dict, dict]:
        rules = doc.get("rules")
        if not isinstance(rules, CommentedSeq) or not 1 <= number <= len(rules) \
                or not isinstance(rules[number - 1], CommentedMap):
            raise UnknownEntry(f"Aturan #{number} tidak ada.")
        rule = rules[number - 1]
        before, after = _set_fields(rule, {k: v for k, v in wanted.items() if k != "cues"},
                                    ("category", "first", "cues", "opd", "note"))
        current = rule.get("cues")
        current_cues = [" ".join(str(c).split()).lower() for c in current] if isinstance(current, list) else current
        if "cues" in wanted and current_cues != wanted["cues"]:
            seq = CommentedSeq(_scalar(cue) for cue in wanted["cues"])
            seq.fa.set_flow_style()
            rule["cues"] = seq
            before["cues"], after["cues"] = current_cues, wanted["cues"]
        return before, after

    def check(tax: Taxonomy) -> dict[str, Any]:
        rule = tax.rules[number - 1]
        return {name: list(rule.cues) if name == "cues" else getattr(rule, name) for name in wanted}

    return _edit(ROUTING_FILE, "taxonomy_rule", f"aturan:{number}", change, check, wanted, expected_version)


def _opd_values(values: Mapping[str, Any]) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    for name in ("name", "short", "note"):
        if name in values:
            wanted[name] = clean_text(name, values[name], required=name != "note")
    if "confirmed" in values:
        wanted["confirmed"] = bool(values["confirmed"])
    return wanted


# --- reading, changing and writing a file ------------------------------------------------------

def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096                                # never re-wrap a long line
    rt.indent(mapping=2, sequence=4, offset=2)     # "  - category: ..." as the files are written
    return rt


def _dump(rt: YAML, doc: Any) -> str:
    out = io.StringIO()
    rt.dump(doc, out)
    return out.getvalue()


def _edit(name: str, action: str, target: str, change: Callable[[CommentedMap], tuple[dict, dict]],
          check: Callable[[Taxonomy], dict[str, Any]], expected: dict[str, Any],
          expected_version: str | None) -> Change:
    with _lock:
        source = data_path(name)
        raw = source.read_bytes()
        if expected_version is not None and _fingerprint(raw) != expected_version:
            raise StaleEdit("Berkas taksonomi telah berubah sejak halaman ini dibuka (mungkin oleh admin lain). "
                            "Muat ulang halaman, periksa nilainya, lalu simpan lagi.")
        original = raw.decode("utf-8")
        rt = _yaml()
        doc = rt.load(original)
        if not isinstance(doc, CommentedMap):
            raise InvalidEdit(TaxonomyError(source, "the top level must be a mapping"))
        base = _dump(rt, doc)   # ruamel's layout of the unchanged file, for _splice
        before, after = change(doc)
        if not before and not after:
            return Change(action, target)
        text = _splice(original, base, _dump(rt, doc))
        path = _write(name, text, lambda tax: _compare(check(tax), expected))
        return Change(action, target, before, after, path)


def _compare(got: dict[str, Any], expected: dict[str, Any]) -> None:
    if got != expected:   # a value that YAML read back differently: never save it
        raise EditError("Nilai tidak dapat disimpan apa adanya (terbaca lain oleh pemeriksa berkas): "
                        + ", ".join(FIELD_NAMES.get(k, k) for k in expected if got.get(k) != expected[k]) + ".")


def _write(name: str, text: str, check: Callable[[Taxonomy], None]) -> Path:
    folder = target_dir()
    final = folder / name

    def write_and_check(temp: Path) -> None:
        with open(temp, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        files = {name: temp}
        for other in (TAXONOMY_FILE, ROUTING_FILE):
            files.setdefault(other, data_path(other))
        try:
            tax = Taxonomy.from_files(files[TAXONOMY_FILE], files[ROUTING_FILE])
        except TaxonomyError as exc:
            if Path(exc.path) == temp:   # name the real file, not the temporary one
                exc = TaxonomyError(final, exc.detail, key=exc.key, line=exc.line)
            raise InvalidEdit(exc) from None
        check(tax)

    try:   # replaced only once the new file loads and reads back as asked; else the old one stays
        write_atomically(final, write_and_check, like=DATA_DIR / name)
    except OSError as exc:
        raise NotWritable(_not_writable_message(folder, exc.strerror)) from None
    return final


# --- ruamel.yaml details ------------------------------------------------------------------------

_PYYAML_RESOLVER = yaml.resolver.Resolver()


def _scalar(value: Any) -> Any:
    """A string PyYAML (YAML 1.1) would read as something else — ``no``, ``on``, ``12:30`` — is
    single-quoted; ruamel (YAML 1.2) quotes the rest where needed."""
    if isinstance(value, str) and _PYYAML_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) \
            != "tag:yaml.org,2002:str":
        return SingleQuotedScalarString(value)
    return value


def _entry(mapping: Any, key: str, missing: str) -> CommentedMap:
    if not isinstance(mapping, CommentedMap) or key not in mapping:
        raise UnknownEntry(missing)
    entry = mapping[key]
    if not isinstance(entry, CommentedMap):
        raise UnknownEntry(missing)
    return entry


def _current(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _set_fields(entry: CommentedMap, wanted: dict[str, Any], order: tuple[str, ...]) -> tuple[dict, dict]:
    """Write the fields of ``wanted`` that differ into ``entry`` (``None`` removes a field);
    return ``(before, after)`` of those fields."""
    before, after = {}, {}
    for name, value in wanted.items():
        current = _current(entry.get(name))
        if name.startswith("lapor_") and isinstance(current, str):
            current = plain(current)
        if current == value:
            continue
        before[name], after[name] = current, value
        if value is None:
            _delete(entry, name)
        elif name in entry:
            entry[name] = _scalar(value)
        else:
            _insert(entry, name, _scalar(value), order)
    return before, after


def _insert(entry: CommentedMap, name: str, value: Any, order: tuple[str, ...]) -> None:
    """Insert a field after the last present field that comes before it in ``order``; the blank
    lines and comments that followed that field stay above the field that follows them."""
    rank = order.index(name)
    keys = list(entry)
    position = 0
    for index, key in enumerate(keys):
        if key in order and order.index(key) < rank:
            position = index + 1
    entry.insert(position, name, value)
    if position:
        _move_following_comment(entry, keys[position - 1], entry, name)


def _delete(entry: CommentedMap, name: str) -> None:
    """Remove a field; the comment lines below it move up to the field before it."""
    keys = list(entry)
    index = keys.index(name)
    slot = entry.ca.items.pop(name, None)
    del entry[name]
    token = slot[2] if slot and len(slot) > 2 else None
    if token is None or index == 0:
        return
    _, following = _split_comment(token.value)
    if following:
        _append_comment(entry, keys[index - 1], following)


def _split_comment(value: str) -> tuple[str, str]:
    """A value's trailing comment is its own end-of-line part, then the lines that follow."""
    cut = value.find("\n") + 1
    return (value[:cut], value[cut:]) if cut else (value, "")


def _append_comment(entry: CommentedMap, key: str, following: str) -> None:
    slot = entry.ca.items.setdefault(key, [None, None, None, None])
    if slot[2] is None:
        slot[2] = CommentToken("\n" + following, CommentMark(0))
    else:
        slot[2].value = slot[2].value + following


def _move_following_comment(source: CommentedMap, source_key: str, target: CommentedMap, target_key: str) -> None:
    """Move the blank lines and comments after ``source[source_key]`` (into nested mappings, to
    their last field) to after ``target[target_key]``."""
    while isinstance(source.get(source_key), CommentedMap) and len(source[source_key]):
        source = source[source_key]
        source_key = list(source)[-1]
    while isinstance(target.get(target_key), CommentedMap) and len(target[target_key]):
        target = target[target_key]
        target_key = list(target)[-1]
    slot = source.ca.items.get(source_key)
    if not slot or len(slot) < 3 or slot[2] is None:
        return
    own, following = _split_comment(slot[2].value)
    if not following:
        return
    if own.strip():
        slot[2].value = own
    else:
        slot[2] = None
    _append_comment(target, target_key, following)


# --- keeping untouched lines as they were ---------------------------------------------------------

def _splice(original: str, base: str, edited: str) -> str:
    """``original`` with the lines that differ between ruamel's dump of it (``base``) and of the
    edited document (``edited``) replaced. Where the edit meets lines ruamel wrote differently
    from the original (a hand-wrapped cue list), that whole stretch is taken from ``edited``. If
    the result does not read back as ``edited`` does, ``edited`` itself is returned."""
    if base == original:
        return edited
    orig, old, new = (text.splitlines(keepends=True) for text in (original, base, edited))
    layout = difflib.SequenceMatcher(None, old, orig, autojunk=False).get_opcodes()
    edits = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # Stretches of ``old`` to replace: the edits, grown over any layout difference they touch.
    spans = [[i1, i2] for tag, i1, i2, _, _ in edits if tag != "equal"]
    reformatted = [(i1, i2) for tag, i1, i2, _, _ in layout if tag != "equal"]
    changed = True
    while changed:
        changed = False
        for span in spans:
            for i1, i2 in reformatted:
                if i1 < span[1] and span[0] < i2 or (span[0] == span[1] and i1 < span[0] < i2):
                    if i1 < span[0] or i2 > span[1]:
                        span[0], span[1] = min(span[0], i1), max(span[1], i2)
                        changed = True
    spans.sort()
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)
    out: list[str] = []
    position = 0   # in ``orig``
    for start, end in merged:
        o_start = _map(layout, start, last=True)
        o_end = max(o_start, _map(layout, end, last=False))
        n_start, n_end = _map(edits, start, last=False), _map(edits, end, last=True)
        out += orig[position:o_start] + new[n_start:n_end]
        position = o_end
    out += orig[position:]
    result = "".join(out)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if yaml.load(result, Loader=loader) == yaml.load(edited, Loader=loader):
            return result
    except yaml.YAMLError:
        pass
    return edited


def _map(opcodes: list[tuple], index: int, *, last: bool) -> int:
    """Where position ``index`` of the first sequence falls in the second: of several candidate
    positions (insertions there), the last or the first."""
    found = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" and i1 <= index <= i2:
            found.append(j1 + index - i1)
        elif tag != "equal" and index in (i1, i2):
            found.append(j1 if index == i1 else j2)
    return max(found) if last else min(found)
