"""Region gazetteer: find kecamatan, desa/kelurahan and landmarks of the configured
kabupaten/kota in a text, decide whether the text is in its jurisdiction, and mask place
names for the text classifiers.

Pure Python (rapidfuzz, pyyaml); no spaCy, no storage. Data: ``classify/data/wilayah.csv.gz``
(Kemendagri codes of all Indonesia, cahyadsn/wilayah, MIT — ``LICENSE-wilayah``),
``aliases.yaml`` (spelling variants, ordinary-word names), ``landmarks.yaml``.

>>> gaz = Gazetteer.load("35.13")
>>> r = gaz.find("Jalan di Desa Ranuagung, Kecamatan Tiris rusak parah")
>>> r.kecamatan, r.desa, r.region_code, r.in_jurisdiction
('Tiris', 'Ranuagung', '35.13.07.2008', True)

Rules (see also ``tests/test_gazetteer.py``):

* Cues: ``Kecamatan/Kec./kec/Camat X`` (kecamatan), ``Desa/Ds./Kades/Pemdes X`` (desa),
  ``Kelurahan/Kel./Lurah X`` (kelurahan first), ``Puskesmas/PKM/Pustu/Polsek/Kapolsek/
  Koramil/Korwil/Pasar/Halte/Jalan Raya X`` (either), ``Kabupaten/Kab./Pemkab/Bupati/Polres X``
  and ``Kota/Pemkot/Walikota X`` (kabupaten/kota; also joined: #kabprobolinggo,
  @pemkotprobolinggo); ``Dusun/Dsn. X`` names are skipped.
* Names match case-insensitively on whole words, ignoring spaces, hyphens and apostrophes
  (Sumber Anyar = Sumberanyar, Klenang-Kidul = Klenangkidul), longest match first.
* Ordinary-word names (``needs_cue`` in aliases.yaml, and one-word names of four letters or
  fewer other than our kecamatan) count only after a cue; or capitalised right after a
  lowercase locative word ("warga Sumber", "di Gending"; for ``lowercase_after_locative``
  names also "di gending"), unless the next word shows the ordinary meaning ("di bantaran
  sungai"); or when a bare desa stands right before its own kecamatan ("condong gading").
  An ordinary-word name followed by an unknown Capitalised word is part of a longer name
  ("Desa Sumber Sari", "Kelapa Gading") and never counts.
* Typos are corrected (rapidfuzz, Levenshtein distance 1, same first letter, names of seven
  letters or more, a single closest name) only right after a kecamatan/desa cue, never for an
  ordinary Indonesian word ("desa persawahan"; spacy-lookups-data's Indonesian word list plus
  ``not_place_words`` in aliases.yaml), two ordinary or short words ("desa sumber air") or
  a real desa/kecamatan name of elsewhere. A corrected name weighs 2 and is dropped when the
  text names another region explicitly ("desa Sumampir, Kec. Bobotsari") or its spelling is
  another region's desa, unless its own kecamatan or our kabupaten is named too.
* A bare name is read as kecamatan before desa ("Paiton"); "Desa Paiton" is the desa; a bare
  name before a kecamatan it is a desa of is that desa ("besuk bantaran"). A desa name
  shared by several kecamatan is resolved only by a kecamatan named in the same text;
  otherwise it is reported in ``ambiguous`` and ``desa`` stays None.
* Other regions: every kabupaten/kota of the country after a Kabupaten/Kota cue, bare names
  of the province's kabupaten/kota and of other provinces (other provinces' kabupaten/kota
  of five letters or more like ordinary words: capitalised after a locative word, "warga
  Banyumas"), every kecamatan of the country after a kecamatan cue (also by the first word of
  a longer name: "Kecamatan Cibeunying" is Cibeunying Kidul/Kaler, Kota Bandung; one that is
  an ordinary word only capitalised: "Kecamatan Tetap", not "kecamatan tetap buka"), and the
  namesake (Kota Probolinggo for Kabupaten Probolinggo): its kecamatan bare, its kelurahan
  after a cue. A name right after another region's name is that region's ("Lumbang
  Pasuruan", "Pasar Tanjung Jember"); a name of ours that is also a kecamatan of a
  kabupaten/kota the text names is that one's ("Kecamatan Sumber, Kabupaten Cirebon") unless
  something local confirms ours ("Probolinggo", another place of ours). Other regions' places
  are reported as ``other_region`` with their kabupaten/kota ("Kiaracondong, Kota Bandung").
  Neutral (masked, decide nothing): a bare own name that a namesake shares ("Probolinggo"),
  the own province, a region after "asal/dari" (someone's origin).
* Weights: cue-marked place 3, bare or typo-corrected kecamatan/desa 2, landmark 2, bare kabupaten/kota or
  province name 1; the side of the first weighty mention gets +1. ``in_jurisdiction`` is the
  heavier side (ties: the first); None when nothing decides, or when the only evidence is
  one bare faraway name beside a neutral "Probolinggo". ``kecamatan`` (most support:
  kecamatan mention 3/2, desa 2/1.5, landmark 1; ties: first), ``desa`` (a desa of that
  kecamatan) and ``region_code`` (desa, kecamatan or region code) are filled only when in
  jurisdiction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ._index import DEFAULT_DATA_DIR, Index, build_index, compact, region_name
from ._resolve import resolve
from ._scan import CUES, DUSUN, Mention, scan

__all__ = ["Gazetteer", "Place", "RegionResult", "DEFAULT_DATA_DIR", "region_name"]


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    text: str
    kind: str  # "kecamatan" | "desa" | "landmark" | "other_region" | "region"
    name: str  # official name (Kemendagri spelling; the landmark's first name)
    code: str | None  # Kemendagri code; None when ambiguous


@dataclass(frozen=True)
class RegionResult:
    kecamatan: str | None
    desa: str | None
    region_code: str | None
    in_jurisdiction: bool | None
    places: tuple[Place, ...]
    ambiguous: tuple[str, ...]


def _region_of(code: str) -> str:
    return ".".join(code.split(".")[:2])


def _outside_place(m: Mention, idx: Index) -> Place:
    """A place of another region. A kecamatan or desa/kelurahan is named with its
    kabupaten/kota ("Kiaracondong, Kota Bandung"); when several share the name, all of them
    ("Cibeunying Kidul or Cibeunying Kaler, Kota Bandung"), with the kabupaten/kota code when
    they are all in one."""
    e = m.entries[0]
    codes = {x.code for x in m.entries}
    code = e.code if len(codes) == 1 else None
    if code is None:  # several other regions share the name: prefer the namesake's
        ns = {x.code for x in m.entries if x.namesake}
        code = ns.pop() if len(ns) == 1 else None
    name = e.name
    if e.kind in ("kecamatan", "desa"):
        names = list(dict.fromkeys(x.name for x in m.entries))
        regions = list(dict.fromkeys(_region_of(x.code) for x in m.entries))
        if code is None and len(regions) == 1:
            code = regions[0]
        where = [idx.region_names.get(r, r) for r in regions]
        if len(where) > 3:
            where = where[:3] + ["…"]
        name = f"{' or '.join(names[:3])}{' …' if len(names) > 3 else ''}, {' or '.join(where)}"
    return Place(m.start, m.end, m.text, "other_region", name, code)


def _place(m: Mention, resolved: dict[int, str | None], idx: Index) -> Place:
    e = m.entries[0]
    codes = {x.code for x in m.entries}
    code = e.code if len(codes) == 1 else None
    if not e.inside:
        return _outside_place(m, idx)
    if e.kind == "desa":
        code = resolved.get(id(m))
        name = e.name
        if code:
            name = next(x.name for x in m.entries if x.code == code)
        return Place(m.start, m.end, m.text, "desa", name, code)
    if e.kind == "region":
        return Place(m.start, m.end, m.text, "region", e.name, None if m.neutral else e.code)
    return Place(m.start, m.end, m.text, e.kind, e.name, code)


class Gazetteer:
    """Places of one kabupaten/kota (``region``, a Kemendagri code such as ``"35.13"``)."""

    def __init__(self, index: Index):
        index.interesting = index.openers | frozenset(CUES) | DUSUN | frozenset(index.joined)
        self._idx = index
        self.region = index.region
        self.region_name = index.region_name

    @classmethod
    def load(cls, region: str, data_dir: Path | None = None) -> "Gazetteer":
        return _load(region, str(data_dir) if data_dir else None)

    def mentions(self, text: str) -> list[Mention]:
        return scan(text, self._idx) if text else []

    def find(self, text: str) -> RegionResult:
        return self._result(self.mentions(text))

    def mask(self, text: str, token: str = "LOKASI") -> str:
        """Replace every place mention (names only; cue words and a landmark's facility word
        such as "RSUD", "Pasar", "PLTU" stay) by ``token``."""
        return self._masked(text, self.mentions(text), token)

    def find_and_mask(self, text: str, token: str = "LOKASI") -> tuple[RegionResult, str]:
        """:meth:`find` and :meth:`mask` from one reading of the text."""
        ms = self.mentions(text)
        return self._result(ms), self._masked(text, ms, token)

    def _result(self, ms: list[Mention]) -> RegionResult:
        kec, desa, code, in_j, resolved, amb = resolve(ms, self._idx)
        places = tuple(_place(m, resolved, self._idx) for m in ms)
        return RegionResult(kec, desa, code, in_j, places, amb)

    def _masked(self, text: str, ms: list[Mention], token: str) -> str:
        parts: list[str] = []
        last = 0
        for m in ms:
            start = m.start
            if m.entries[0].kind == "landmark":
                start += self._generic_len(m.text)
            parts.append(text[last:start])
            parts.append(token)
            last = m.end
        parts.append(text[last:])
        return "".join(parts)

    def _generic_len(self, surface: str) -> int:
        """Length of a leading facility word ("Pasar ", "Air Terjun ") in a landmark."""
        key = compact(surface)
        for g in self._idx.generic:
            if key.startswith(g) and len(key) > len(g):
                # walk the surface until its compact form covers g
                acc = ""
                for pos, ch in enumerate(surface):
                    if ch.isalnum():
                        acc += ch.lower()
                    if acc == g:
                        if pos + 1 < len(surface) and surface[pos + 1].isalnum():
                            return 0
                        rest = surface[pos + 1:]
                        return pos + 1 + (len(rest) - len(rest.lstrip(" -.")))
                return 0
        return 0


@functools.lru_cache(maxsize=16)
def _load(region: str, data_dir: str | None) -> Gazetteer:
    return Gazetteer(build_index(region, Path(data_dir) if data_dir else None))
