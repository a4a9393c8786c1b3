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
news article takes tens of microseconds. The files and their records are read by
:mod:`classify.taxonomy_files`; both are leaves (PyYAML only).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from pathlib import Path
from stat import S_ISREG

from classify.taxonomy_files import (  # noqa: F401  (re-exported: the taxonomy's public names)
    ANY,
    DATA_DIR,
    LAPOR_FILE,
    ROUTING_FILE,
    TAXONOMY_DIR_VARIABLE,
    TAXONOMY_FILE,
    Category,
    CueRule,
    LaporCatalog,
    Opd,
    OpdSuggestion,
    TaxonomyError,
    _cue_key,
    _Doc,
    _read_categories,
    _read_opds,
    _read_rules,
    _unknown_id,
    data_path,
    override_dir,
    plain,
)

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")
# Between the words of a phrase cue: spaces, hyphens, slashes, quotes... but not sentence
# punctuation or a line break, so "jalan. Nasional" is not "jalan nasional".
_PHRASE_SEP = r"[^\w.,;:!?\n]+"
# Tokenising with bytes.translate + split is several times faster than re.findall(r"\w+") and
# gives the same words: every ASCII character that is not \w becomes a space; the rare tokens
# with non-ASCII bytes (curly quotes, emoji, NBSP) are re-split with the regex.
_ASCII_NON_WORD = bytes(i for i in range(128) if not (chr(i).isalnum() or chr(i) == "_"))
_NON_WORD_TO_SPACE = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))


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
