"""The complaint taxonomy and OPD routing: Pantau's categories and who handles each complaint.

Three data files in ``classify/data`` (an admin edits the first two by hand): ``taxonomy.yaml``
(the category codes, their labels, the SP4N-LAPOR! kategori each maps to and a default OPD),
``opd_routing.yaml`` (the agencies of the office's kabupaten/kota and those outside its
authority, then ordered cue rules) and ``lapor_kategori.json`` (the national LAPOR! category list, copied
from the shared data with its source note). :meth:`Taxonomy.load` checks all three and raises
:class:`TaxonomyError` naming the file, the line and the key of the first problem. When
``PANTAU_TAXONOMY_DIR`` names a folder, a ``taxonomy.yaml`` or ``opd_routing.yaml`` found there
is read instead of the shipped copy (the admin pages write their edits there, see
``classify/taxonomy_edit.py``); :func:`default_taxonomy` re-reads a file when it changes.

:meth:`Taxonomy.route_opd` suggests the OPD for a complaint from its category and text. Cues are
whole words, matched case-insensitively ("PJU", "#pju" match ``pju``; "kktp" does not match
``ktp``); a phrase cue matches its words in sequence, separated by spaces, "-" or "/". Order:

1. rules marked ``first: true`` (jurisdiction cues such as a namesake kota's offices), top to bottom;
2. rules that list the complaint's category, top to bottom: the classifier's category is the
   strongest signal, so "banjir merendam SDN" goes to Dinas Pendidikan when classified
   ``pendidikan`` and to BPBD when classified ``bencana``;
3. rules for ``any`` category, top to bottom;
4. no cue: the category's ``default_opd``; no category either: ``None``.

With no category every rule is tried in file order. The first rule with a matching cue wins;
the suggestion names its most specific matching cue ("tanah longsor" over "longsor") and, in
``reason``, the rule number, the rule's note, and for an agency outside the kabupaten's authority
where to forward the report.
The text is tokenised once and matched against all cues with set operations, so a call on a
news article takes tens of microseconds. This module is a leaf: it imports only PyYAML.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

logger = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
TAXONOMY_FILE = "taxonomy.yaml"
ROUTING_FILE = "opd_routing.yaml"
LAPOR_FILE = "lapor_kategori.json"
TAXONOMY_DIR_VARIABLE = "PANTAU_TAXONOMY_DIR"
ANY = "any"
CATEGORY_KEYS = ("label", "description", "lapor_kategori", "lapor_subkategori", "default_opd")
OPD_KEYS = ("name", "short", "confirmed", "outside_authority", "forward_to", "route_to", "note")
RULE_KEYS = ("category", "cues", "opd", "note", "first")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_WORD = re.compile(r"\w+")
# Between the words of a phrase cue: spaces, hyphens, slashes, quotes... but not sentence
# punctuation or a line break, so "jalan. Nasional" is not "jalan nasional".
_PHRASE_SEP = r"[^\w.,;:!?\n]+"
# Tokenising with bytes.translate + split is several times faster than re.findall(r"\w+") and
# gives the same words: every ASCII character that is not \w becomes a space; the rare tokens
# with non-ASCII bytes (curly quotes, emoji, NBSP) are re-split with the regex.
_ASCII_NON_WORD = bytes(i for i in range(128) if not (chr(i).isalnum() or chr(i) == "_"))
_NON_WORD_TO_SPACE = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))


class TaxonomyError(ValueError):
    """A problem in a taxonomy data file, naming the file, line and key."""

    def __init__(self, path: str | Path, message: str, *, key: str | None = None,
                 line: int | None = None):
        self.path = str(path)
        self.key = key
        self.line = line
        self.detail = message
        parts = [self.path + (f":{line}" if line else "")]
        if key is not None:
            parts.append(f"key '{key}'")
        super().__init__(": ".join(parts) + f": {message}")


def plain(text: str) -> str:
    """A LAPOR! name for display and comparison: non-breaking spaces become plain, runs collapse."""
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    description: str
    lapor_kategori: str          # plain spaces, as displayed
    lapor_subkategori: str | None
    default_opd: str


@dataclass(frozen=True)
class Opd:
    id: str
    name: str
    short: str
    confirmed: bool = True           # False: an admin must check the current official name
    outside_authority: bool = False  # True: "Bukan Wewenang" in LAPOR!, forward to forward_to
    forward_to: str | None = None
    route_to: str | None = None      # reports go through this OPD (puskesmas -> Dinas Kesehatan)
    note: str | None = None


@dataclass(frozen=True)
class CueRule:
    number: int                      # 1-based position in opd_routing.yaml
    categories: frozenset[str]       # codes listed; empty when only "any"
    any: bool
    first: bool
    cues: tuple[str, ...]            # as written (lower-cased)
    keys: tuple[str, ...]            # the same cues as matching keys (words joined by one space)
    opd: str
    note: str | None
    line: int

    def applies_to(self, category: str | None) -> bool:
        return category is None or self.any or category in self.categories


@dataclass(frozen=True)
class OpdSuggestion:
    opd_id: str
    opd_name: str
    outside_authority: bool
    forward_to: str | None
    cue: str | None                  # the cue that decided, None for a category default
    reason: str                      # for the reviewer, in Indonesian


class LaporCatalog:
    """The SP4N-LAPOR! main categories and subcategories, by their plain-space names."""

    def __init__(self, mapping: dict[str, list[str]]):
        self._raw: dict[str, str] = {}
        self._subs: dict[str, tuple[str, ...]] = {}
        for raw, subs in mapping.items():
            name = plain(raw)
            self._raw[name] = raw
            self._subs[name] = tuple(dict.fromkeys(plain(s) for s in subs))

    @classmethod
    def load(cls, path: str | Path) -> LaporCatalog:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TaxonomyError(path, "file not found") from None
        except json.JSONDecodeError as exc:
            raise TaxonomyError(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None
        if isinstance(data, dict) and isinstance(data.get("kategori"), dict):
            data = data["kategori"]   # the shipped copy: {"source": ..., "kategori": {...}}
        if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(s, str) for s in v)
                for k, v in data.items()):
            raise TaxonomyError(path, "must map each LAPOR! category name to a list of subcategory names")
        return cls(data)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._raw)

    def raw_key(self, name: str) -> str:
        """The key exactly as in the national file (with its non-breaking spaces)."""
        return self._raw[plain(name)]

    def subcategories(self, name: str) -> tuple[str, ...]:
        return self._subs[plain(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and plain(name) in self._raw


class _Doc:
    """One YAML file under validation: reads nodes and turns problems into TaxonomyErrors."""

    def __init__(self, path: Path):
        self.path = path
        self.root_node: yaml.Node | None = None
        self._loader = yaml.SafeLoader("")

    def error(self, message: str, key: str | None = None, node: yaml.Node | None = None) -> TaxonomyError:
        line = node.start_mark.line + 1 if node is not None else None
        return TaxonomyError(self.path, message, key=key, line=line)

    def root(self) -> yaml.MappingNode:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TaxonomyError(self.path, "file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TaxonomyError(self.path, f"cannot read the file: {exc}") from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            raise TaxonomyError(self.path, f"not valid YAML ({problem})",
                                line=mark.line + 1 if mark else None) from None
        if not isinstance(node, yaml.MappingNode):
            raise self.error("the top level must be a mapping", node=node)
        self.root_node = node
        return node

    def mapping(self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None = None
                ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """``{key: (key_node, value_node)}``; duplicate and (if ``allowed``) unknown keys fail."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error("must be a mapping of names to values", key, node)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            name = str(self.value(key_node))
            path = f"{key}.{name}" if key else name
            if name in result:
                first = result[name][0].start_mark.line + 1
                raise self.error(f"appears twice (first on line {first})", path, key_node)
            if allowed is not None and name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.error(f"unknown key.{hint} Allowed keys: {', '.join(allowed)}", path, key_node)
            result[name] = (key_node, value_node)
        return result

    def value(self, node: yaml.Node) -> Any:
        return self._loader.construct_object(node, deep=True)

    def text(self, node: yaml.Node, key: str) -> str:
        value = self.value(node)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"must be non-empty text, not {value!r} (quote it if YAML reads it "
                             "as a number or true/false)", key, node)
        return " ".join(value.split())

    def flag(self, node: yaml.Node, key: str) -> bool:
        value = self.value(node)
        if not isinstance(value, bool):
            raise self.error(f"must be true or false, not {value!r}", key, node)
        return value

    def check_version(self, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        if "version" in top and self.value(top["version"][1]) != 1:
            raise self.error("this Pantau reads version 1", "version", top["version"][0])

    def require(self, fields: dict, name: str, key: str, node: yaml.Node) -> yaml.Node:
        if name not in fields:
            raise self.error(f"missing '{name}'", f"{key}.{name}" if key else name, node)
        return fields[name][1]


def _unknown_id(kind: str, value: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"unknown {kind} '{value}'.{hint}"


def _cue_key(cue: str) -> str:
    return " ".join(_WORD.findall(cue.lower()))


class Taxonomy:
    """The categories, OPDs and cue rules, validated. Build with :meth:`load`."""

    def __init__(self, categories: list[Category], opds: list[Opd], rules: list[CueRule],
                 lapor: LaporCatalog):
        self.lapor = lapor
        self._categories = {c.code: c for c in categories}
        self._opds = {o.id: o for o in opds}
        # Stored OPD labels are official names (the classifier's suggestion); a reviewer may
        # have typed the short name or the id: each spelling, in any case, finds the agency.
        self._opd_labels: dict[str, Opd] = {}
        for opd in opds:
            for spelling in (opd.id, opd.short, opd.name):
                if spelling:
                    self._opd_labels.setdefault(plain(spelling).lower(), opd)
        self.rules = tuple(rules)
        self.codes = tuple(self._categories)
        self._cues = _CueMatcher({k for rule in rules for k in rule.keys})
        # The order in which rules are tried, per category (see the module docstring), and for
        # each cue the first position in that order where it decides.
        orders: dict[str | None, list[tuple[CueRule, str]]] = {
            None: [(r, "first" if r.first else "file") for r in rules]}
        for code in self.codes:
            orders[code] = ([(r, "first") for r in rules if r.first and r.applies_to(code)]
                            + [(r, "category") for r in rules if not r.first and code in r.categories]
                            + [(r, "any") for r in rules
                               if not r.first and r.any and code not in r.categories])
        self._order = {code: tuple(order) for code, order in orders.items()}
        self._rank: dict[str | None, dict[str, int]] = {}
        for code, order in orders.items():
            rank: dict[str, int] = {}
            for position, (rule, _) in enumerate(order):
                for key in rule.keys:
                    rank.setdefault(key, position)
            self._rank[code] = rank

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> Taxonomy:
        """Read and validate ``taxonomy.yaml`` and ``opd_routing.yaml`` from ``data_dir``.

        Without ``data_dir``, each file comes from ``PANTAU_TAXONOMY_DIR`` when it is there,
        otherwise from ``classify/data`` (:func:`data_path`). ``lapor_kategori.json`` is taken
        from ``data_dir`` when present there, otherwise the copy shipped with Pantau is used (the
        national list is not a local setting).
        """
        if data_dir is None:
            return cls.from_files(data_path(TAXONOMY_FILE), data_path(ROUTING_FILE))
        data_dir = Path(data_dir)
        lapor_path = data_dir / LAPOR_FILE
        return cls.from_files(data_dir / TAXONOMY_FILE, data_dir / ROUTING_FILE,
                              lapor_path if lapor_path.exists() else None)

    @classmethod
    def from_files(cls, taxonomy_path: str | Path, routing_path: str | Path,
                   lapor_path: str | Path | None = None) -> Taxonomy:
        """Read and validate the two YAML files at these paths (the shipped LAPOR! list unless
        ``lapor_path`` is given)."""
        lapor = LaporCatalog.load(lapor_path if lapor_path is not None else DATA_DIR / LAPOR_FILE)
        tax_doc = _Doc(Path(taxonomy_path))
        categories, default_nodes = _read_categories(tax_doc, lapor)
        routing_doc = _Doc(Path(routing_path))
        routing_top = routing_doc.mapping(routing_doc.root(), "", ("version", "opds", "rules"))
        routing_doc.check_version(routing_top)
        opds = _read_opds(routing_doc, routing_top)
        for category in categories:
            if category.default_opd not in opds:
                raise tax_doc.error(_unknown_id("OPD", category.default_opd, list(opds))
                                    + f" OPD ids are defined in {ROUTING_FILE}",
                                    f"categories.{category.code}.default_opd", default_nodes[category.code])
        rules = _read_rules(routing_doc, routing_top, tuple(c.code for c in categories), opds)
        return cls(categories, list(opds.values()), rules, lapor)

    # --- lookups ---------------------------------------------------------------------------

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(self._categories.values())

    @property
    def opds(self) -> tuple[Opd, ...]:
        return tuple(self._opds.values())

    def category(self, code: str) -> Category:
        try:
            return self._categories[code]
        except KeyError:
            raise KeyError(_unknown_id("category code", code, self.codes)) from None

    def lapor_kategori(self, code: str) -> str:
        """The SP4N-LAPOR! main category for a Pantau code, with plain spaces."""
        return self.category(code).lapor_kategori

    def lapor_subkategori(self, code: str) -> str | None:
        return self.category(code).lapor_subkategori

    def opd(self, opd_id: str) -> Opd:
        try:
            return self._opds[opd_id]
        except KeyError:
            raise KeyError(_unknown_id("OPD", opd_id, list(self._opds))) from None

    def opd_for_label(self, label: str | None) -> Opd | None:
        """The OPD a stored label names (official name, short name or id, in any case), or ``None``."""
        return self._opd_labels.get(plain(label).lower()) if label else None

    def receiving_opd(self, label: str | None) -> Opd | None:
        """The agency that takes reports for an OPD label: the OPD it names, or the one that OPD's
        ``route_to`` sends them to (it has no SP4N-LAPOR! account of its own); ``None`` when unknown."""
        opd = self.opd_for_label(label)
        if opd is not None and opd.route_to:
            return self._opds.get(opd.route_to, opd)
        return opd

    def opd_spellings(self, label: str | None) -> list[str]:
        """Every label (lowercased) that :meth:`receiving_opd` maps to the same agency as ``label``:
        what a filter on that agency matches among stored labels. Empty when unknown."""
        target = self.receiving_opd(label)
        if target is None:
            return []
        return sorted(key for key in self._opd_labels if self.receiving_opd(key).id == target.id)

    # --- routing ---------------------------------------------------------------------------

    def matched_cues(self, text: str) -> set[str]:
        """The cue keys (words joined by one space) that occur in ``text``."""
        return self._cues.find((text or "").lower())

    def route_opd(self, category: str | None, text: str) -> OpdSuggestion | None:
        """Suggest the responsible OPD: first matching cue rule, else the category default."""
        if category is not None and category not in self._categories:
            raise ValueError(_unknown_id("category code", category, self.codes))
        found = self.matched_cues(text)
        rank = self._rank[category]
        positions = [rank[key] for key in found if key in rank]
        if positions:
            rule, tier = self._order[category][min(positions)]
            # Report the most specific cue of the rule: "tanah longsor" rather than "longsor".
            cue = max((c for c, k in zip(rule.cues, rule.keys) if k in found), key=lambda c: c.count(" "))
            return self._suggest(rule.opd, cue, self._cue_reason(rule, tier, cue, category))
        if category is None:
            return None
        default = self._categories[category].default_opd
        return self._suggest(default, None, (f"tidak ada kata kunci OPD; bawaan kategori '{category}'", None))

    def _cue_reason(self, rule: CueRule, tier: str, cue: str, category: str | None) -> tuple[str, str | None]:
        where = {"first": "aturan yurisdiksi", "category": f"aturan kategori {category}",
                 "any": "aturan umum", "file": "tanpa kategori"}[tier]
        return f"kata kunci '{cue}' (aturan #{rule.number}, {where})", rule.note

    def _suggest(self, opd_id: str, cue: str | None, basis: tuple[str, str | None]) -> OpdSuggestion:
        opd = self._opds[opd_id]
        reason, note = basis
        reason += f": {opd.short}"
        if opd.route_to:
            opd = self._opds[opd.route_to]
            reason += f", dilaporkan melalui {opd.short}"
        if opd.outside_authority:
            reason += f"; di luar kewenangan pemerintah daerah (Bukan Wewenang), teruskan ke {opd.forward_to}"
        if not opd.confirmed:
            reason += "; nama OPD perlu dicek admin"
        if note:
            reason += f". Catatan: {note.rstrip('.')}"
        return OpdSuggestion(opd_id=opd.id, opd_name=opd.name, outside_authority=opd.outside_authority,
                             forward_to=opd.forward_to, cue=cue, reason=reason + ".")


class _CueMatcher:
    """Finds which cues occur in a lower-cased text, as whole words."""

    def __init__(self, keys: set[str]):
        self._single = {k.encode(): k for k in keys if " " not in k}
        self._single_set = frozenset(self._single)
        self._phrases: dict[bytes, list[tuple[str, frozenset[bytes], re.Pattern[str]]]] = {}
        for key in sorted(k for k in keys if " " in k):
            words = key.split(" ")
            first = re.escape(words[0])
            # The first word comes first in the pattern so that re can search for it as a
            # literal; the look-behind after it checks that no word character precedes it.
            pattern = re.compile(first + rf"(?<!\w{first})" + _PHRASE_SEP
                                 + _PHRASE_SEP.join(map(re.escape, words[1:])) + r"(?!\w)")
            rest = frozenset(w.encode() for w in words[1:])
            self._phrases.setdefault(words[0].encode(), []).append((key, rest, pattern))
        self._phrase_starts = frozenset(self._phrases)

    @staticmethod
    def tokens(lowered: str) -> set[bytes]:
        tokens = set(lowered.encode("utf-8", "ignore").translate(_NON_WORD_TO_SPACE).split())
        if not lowered.isascii():
            for token in [t for t in tokens if not t.isascii()]:
                tokens.discard(token)
                tokens.update(w.encode() for w in _WORD.findall(token.decode("utf-8", "ignore")))
        return tokens

    def find(self, lowered: str) -> set[str]:
        tokens = self.tokens(lowered)
        found = {self._single[t] for t in self._single_set.intersection(tokens)}
        for start in self._phrase_starts.intersection(tokens):
            for key, rest, pattern in self._phrases[start]:
                if rest <= tokens and pattern.search(lowered):
                    found.add(key)
        return found


# --- reading the files ------------------------------------------------------------------------

def _read_categories(doc: _Doc, lapor: LaporCatalog) -> tuple[list[Category], dict[str, yaml.Node]]:
    root = doc.root()
    top = doc.mapping(root, "", ("version", "categories"))
    doc.check_version(top)
    cats_node = doc.require(top, "categories", "", root)
    categories: list[Category] = []
    default_nodes: dict[str, yaml.Node] = {}
    for code, (code_node, node) in doc.mapping(cats_node, "categories").items():
        key = f"categories.{code}"
        if not _ID_RE.match(code):
            raise doc.error("a category code is lower case letters, digits and '_'", key, code_node)
        if code == ANY:
            raise doc.error("'any' is reserved for cue rules", key, code_node)
        fields = doc.mapping(node, key, CATEGORY_KEYS)
        values = {name: doc.text(doc.require(fields, name, key, code_node), f"{key}.{name}")
                  for name in ("label", "description", "lapor_kategori", "default_opd")}
        kategori_node = fields["lapor_kategori"][1]
        kategori = plain(values["lapor_kategori"])
        if kategori not in lapor:
            raise doc.error(_unknown_id("SP4N-LAPOR! kategori", kategori, lapor.names)
                            + f" Use a main category name from {LAPOR_FILE}",
                            f"{key}.lapor_kategori", kategori_node)
        sub = None
        if "lapor_subkategori" in fields:
            sub_node = fields["lapor_subkategori"][1]
            if doc.value(sub_node) is not None:
                sub = plain(doc.text(sub_node, f"{key}.lapor_subkategori"))
                if sub not in lapor.subcategories(kategori):
                    raise doc.error(_unknown_id(f"subkategori of '{kategori}'", sub,
                                                lapor.subcategories(kategori)),
                                    f"{key}.lapor_subkategori", sub_node)
        default_nodes[code] = fields["default_opd"][1]
        categories.append(Category(code=code, label=values["label"], description=values["description"],
                                   lapor_kategori=kategori, lapor_subkategori=sub,
                                   default_opd=values["default_opd"]))
    if not categories:
        raise doc.error("no categories defined", "categories", cats_node)
    return categories, default_nodes


def _read_opds(doc: _Doc, top: dict) -> dict[str, Opd]:
    opds_node = doc.require(top, "opds", "", doc.root_node)
    raw: dict[str, tuple[Opd, yaml.Node | None]] = {}
    for opd_id, (id_node, node) in doc.mapping(opds_node, "opds").items():
        key = f"opds.{opd_id}"
        if not _ID_RE.match(opd_id):
            raise doc.error("an OPD id is lower case letters, digits and '_'", key, id_node)
        fields = doc.mapping(node, key, OPD_KEYS)
        values: dict[str, Any] = {}
        for name, (name_node, value_node) in fields.items():
            if name in ("confirmed", "outside_authority"):
                values[name] = doc.flag(value_node, f"{key}.{name}")
            else:
                values[name] = doc.text(value_node, f"{key}.{name}")
        for name in ("name", "short"):
            doc.require(fields, name, key, id_node)
        outside = values.get("outside_authority", False)
        if outside and not values.get("forward_to"):
            raise doc.error("an OPD outside the kabupaten's authority needs 'forward_to' "
                            "(the body the report is forwarded to)", f"{key}.forward_to", id_node)
        if not outside and "forward_to" in values:
            raise doc.error("'forward_to' is only for 'outside_authority: true'",
                            f"{key}.forward_to", fields["forward_to"][0])
        raw[opd_id] = (Opd(id=opd_id, **values), fields.get("route_to", (None, None))[0])
    for opd_id, (opd, route_node) in raw.items():
        if opd.route_to is None:
            continue
        key = f"opds.{opd_id}.route_to"
        if opd.route_to not in raw:
            raise doc.error(_unknown_id("OPD", opd.route_to, list(raw)), key, route_node)
        if opd.route_to == opd_id or raw[opd.route_to][0].route_to is not None:
            raise doc.error("must name an OPD that takes reports itself (no chains)", key, route_node)
    return {opd_id: opd for opd_id, (opd, _) in raw.items()}


def _read_rules(doc: _Doc, top: dict, codes: tuple[str, ...], opds: dict[str, Opd]) -> list[CueRule]:
    rules_node = doc.require(top, "rules", "", doc.root_node)
    if not isinstance(rules_node, yaml.SequenceNode):
        raise doc.error("must be a list of rules (each item starts with '- category: ...')",
                        "rules", rules_node)
    rules: list[CueRule] = []
    for number, node in enumerate(rules_node.value, start=1):
        key = f"rules[{number}]"
        fields = doc.mapping(node, key, RULE_KEYS)
        cat_node = doc.require(fields, "category", key, node)
        listed = doc.value(cat_node)
        listed = listed if isinstance(listed, list) else [listed]
        if not listed or not all(isinstance(c, str) for c in listed):
            raise doc.error("must be a category code, a list of codes, or 'any'", f"{key}.category", cat_node)
        for code in listed:
            if code != ANY and code not in codes:
                raise doc.error(_unknown_id("category code", code, (*codes, ANY))
                                + f" Codes are defined in {TAXONOMY_FILE}", f"{key}.category", cat_node)
        opd_node = doc.require(fields, "opd", key, node)
        opd_id = doc.text(opd_node, f"{key}.opd")
        if opd_id not in opds:
            raise doc.error(_unknown_id("OPD", opd_id, list(opds)), f"{key}.opd", opd_node)
        cues_node = doc.require(fields, "cues", key, node)
        if not isinstance(cues_node, yaml.SequenceNode) or not cues_node.value:
            raise doc.error("must be a non-empty list of words or phrases", f"{key}.cues", cues_node)
        cues: list[str] = []
        keys: list[str] = []
        for cue_node in cues_node.value:
            cue = doc.text(cue_node, f"{key}.cues").lower()
            cue_key = _cue_key(cue)
            if not cue_key:
                raise doc.error(f"cue {cue!r} has no letters or digits", f"{key}.cues", cue_node)
            if cue_key in keys:
                raise doc.error(f"cue {cue!r} appears twice in this rule", f"{key}.cues", cue_node)
            cues.append(cue)
            keys.append(cue_key)
        note = doc.text(fields["note"][1], f"{key}.note") if "note" in fields else None
        first = doc.flag(fields["first"][1], f"{key}.first") if "first" in fields else False
        rules.append(CueRule(number=number, categories=frozenset(c for c in listed if c != ANY),
                             any=ANY in listed, first=first, cues=tuple(cues), keys=tuple(keys),
                             opd=opd_id, note=note, line=node.start_mark.line + 1))
    return rules


def override_dir() -> Path | None:
    """The folder ``PANTAU_TAXONOMY_DIR`` names, or ``None`` when it is not set."""
    value = os.environ.get(TAXONOMY_DIR_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def data_path(name: str) -> Path:
    """Where ``name`` (``taxonomy.yaml`` or ``opd_routing.yaml``) is read from: the
    ``PANTAU_TAXONOMY_DIR`` copy when there is one, otherwise the shipped one."""
    folder = override_dir()
    if folder is not None and (folder / name).is_file():
        return folder / name
    return DATA_DIR / name


_SHIPPED = {name: str(DATA_DIR / name) for name in (TAXONOMY_FILE, ROUTING_FILE)}


class _Current:
    """The taxonomy in use, re-read only when one of its files changes (path, mtime, size or
    inode: an edit replaces the file, so even a same-tick rewrite is seen)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._taxonomy: Taxonomy | None = None
        self._failed: tuple | None = None

    @staticmethod
    def signature() -> tuple:
        # Called on every lookup: plain strings and one stat per file (no pathlib), ~3 µs.
        folder = os.environ.get(TAXONOMY_DIR_VARIABLE, "").strip()
        parts = []
        for name in (TAXONOMY_FILE, ROUTING_FILE):
            for path in ((os.path.join(os.path.expanduser(folder), name),) if folder else ()) + (
                    _SHIPPED[name],):
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                if S_ISREG(stat.st_mode):
                    parts.append((path, stat.st_mtime_ns, stat.st_size, stat.st_ino))
                    break
            else:
                parts.append((name, None))
        return tuple(parts)

    def get(self) -> Taxonomy:
        signature = self.signature()
        taxonomy = self._taxonomy
        if signature == self._signature and taxonomy is not None:
            return taxonomy
        with self._lock:
            if signature == self._signature and self._taxonomy is not None:
                return self._taxonomy
            if signature == self._failed and self._taxonomy is not None:
                return self._taxonomy
            try:
                taxonomy = Taxonomy.load()
            except TaxonomyError as exc:
                if self._taxonomy is None:
                    raise
                # A running server keeps the last good taxonomy rather than failing every page.
                logger.error("Keeping the previous taxonomy: %(error)s", {"error": exc})
                self._failed = signature
                return self._taxonomy
            self._signature, self._taxonomy, self._failed = signature, taxonomy, None
            return taxonomy


_current = _Current()


@functools.lru_cache(maxsize=1)
def shipped_codes() -> tuple[str, ...]:
    """The category codes of the taxonomy shipped in ``classify/data`` (whatever an office's
    ``PANTAU_TAXONOMY_DIR`` adds): the codes the labelled corpus uses and the model learns. The
    one list of them is ``taxonomy.yaml``."""
    return Taxonomy.load(DATA_DIR).codes


def default_taxonomy() -> Taxonomy:
    """The taxonomy in use (see :func:`data_path`), loaded once and re-read when a file changes,
    so an edit from the admin pages takes effect at once in every process that asks again."""
    return _current.get()


def route_opd(category: str | None, text: str) -> OpdSuggestion | None:
    """:meth:`Taxonomy.route_opd` on the taxonomy in use."""
    return default_taxonomy().route_opd(category, text)
