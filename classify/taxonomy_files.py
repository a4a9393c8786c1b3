"""The taxonomy's data files: what they hold, where they are, and reading them with line numbers.

The records (:class:`Category`, :class:`Opd`, :class:`CueRule`, :class:`OpdSuggestion`), the
national LAPOR! catalogue, and the readers that check ``taxonomy.yaml`` and ``opd_routing.yaml``
and raise :class:`TaxonomyError` naming the file, the line and the key of the first problem.
:mod:`classify.taxonomy` builds the :class:`~classify.taxonomy.Taxonomy` from them. A leaf:
it imports only PyYAML.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
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
