"""Build the name index for one configured region from the shipped data files.

Pure Python: reads ``wilayah.csv.gz`` (every Kemendagri code of Indonesia), ``aliases.yaml``
and ``landmarks.yaml``. Only what the configured region needs is indexed: its own kecamatan
and desa/kelurahan, every kabupaten/kota of the country (by name, cue-marked; bare for the
region's own province; bare like an ordinary word, capitalised after a locative word, for the
others: "di Bandung"), every other kecamatan of the country (cue-marked; bare only for a
namesake city/regency such as Kota Probolinggo for Kabupaten Probolinggo; the first word of a
several-word name after a cue: "Kecamatan Cibeunying" for Cibeunying Kidul/Kaler), the
namesake's desa/kelurahan (cue-marked) and the landmarks. The desa/kelurahan names of the rest
of the country are kept only as a set (``elsewhere``) so a typo correction never turns another
region's real desa ("Desa Sumampir", Banyumas) into one of ours; with a list of ordinary
Indonesian words (``common``: spacy-lookups-data's Indonesian lemma table when installed, plus
``aliases.yaml``'s ``not_place_words``) that fuzzy matching never corrects either.
"""

from __future__ import annotations

import bisect
import csv
import functools
import gzip
import importlib.util
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_NON_ALNUM = re.compile(r"[\W_]+")


def compact(text: str) -> str:
    """Match key: lowercase, without spaces, hyphens, dots or apostrophes."""
    return _NON_ALNUM.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # "kecamatan" | "desa" | "landmark" | "region"
    name: str  # official name ("Kabupaten Lumajang" for regions)
    code: str
    inside: bool  # inside the configured region
    bare: bool  # may count without a cue
    parent: str | None = None  # kecamatan code of a desa; region code of a kecamatan
    kelurahan: bool = False
    level: str = ""  # for regions: "kabupaten" | "kota"
    namesake: bool = False  # a region/kecamatan/desa of the namesake (Kota vs Kabupaten)


@dataclass(slots=True)
class Index:
    region: str
    region_name: str
    base: str  # "Probolinggo"
    keys: dict[str, tuple[Entry, ...]]
    prefixes: frozenset[str]
    namesakes: frozenset[str]  # codes of province siblings with the same base name
    kec_names: dict[str, str]  # in-region kecamatan code -> name
    cue_keys: frozenset[str]  # ordinary words: bare only after a locative word
    locative_keys: frozenset[str]  # of those, the ones that may be lowercase there
    joined: dict[str, tuple[str, str]]  # "kabprobolinggo" -> ("kab", "probolinggo")
    fuzzy_kec: tuple[list[str], list[tuple[Entry, ...]]]
    fuzzy_desa: tuple[list[str], list[tuple[Entry, ...]]]
    generic: tuple[str, ...]  # landmark facility words kept by mask()
    openers: frozenset[str] = frozenset()  # tokens a name may start with
    cue_only: frozenset[str] = frozenset()  # keys only a cue makes count (other provinces' kecamatan)
    loose_keys: frozenset[str] = frozenset()  # far kabupaten/kota: bare like an ordinary word
    kec_prefix: dict = field(default_factory=dict)  # first word -> outside kecamatan of 2+ words
    elsewhere: frozenset[str] = frozenset()  # outside desa/kecamatan names (7+ letters)
    common: frozenset[str] = frozenset()  # ordinary words: never typo-corrected into a place
    region_names: dict = field(default_factory=dict)  # kabupaten/kota code -> name
    interesting: frozenset[str] = frozenset()  # tokens scan() must look at (set by Gazetteer)
    fuzzy_memo: dict = field(default_factory=dict)  # (cue, span) -> typo correction, or None


_REGION_PREFIX = re.compile(r"^(Kabupaten|Kota)( Administrasi)? ")


def _province_names(name: str) -> list[str]:
    """Everyday names of a province: "Daerah Khusus Ibukota Jakarta" -> + Jakarta, DKI Jakarta."""
    out = [name]
    for pre, short in (("DKI ", None), ("Daerah Istimewa ", "DIY"),
                       ("Daerah Khusus Ibukota ", "DKI Jakarta")):
        if name.startswith(pre):
            out.append(name[len(pre):])
            if short:
                out.append(short)
    return out


def _split_region(name: str) -> tuple[str, str]:
    m = _REGION_PREFIX.match(name)
    if not m:
        return "kabupaten", name
    return m.group(1).lower(), name[m.end():]


@functools.lru_cache(maxsize=4)
def _read_wilayah(path: str) -> tuple[tuple[str, str], ...]:
    raw = Path(path).read_bytes()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8")
    rows = csv.reader(io.StringIO(text))
    next(rows, None)  # header
    return tuple((r[0], r[1]) for r in rows if len(r) >= 2)


# what a name loses in compact() (the few other signs in wilayah.csv names are rare enough for
# a set that only blocks typo corrections)
_DROP = str.maketrans("", "", " -'./(),’`\t")


@functools.lru_cache(maxsize=4)
def _national(path: str):
    """The wilayah rows prepared once per process: (all rows sorted by code, their codes,
    the province/kabupaten/kota/kecamatan rows, compact names of every desa/kelurahan of
    seven letters or more)."""
    rows = _read_wilayah(path)
    if any(a[0] > b[0] for a, b in zip(rows, rows[1:])):
        rows = tuple(sorted(rows))
    codes = [r[0] for r in rows]
    upper = tuple(r for r in rows if len(r[0]) < 13)
    blob = "\n".join([r[1] for r in rows if len(r[0]) >= 13]).lower().translate(_DROP)
    keys = frozenset(k for k in blob.split("\n") if len(k) >= 7)
    return rows, codes, upper, keys


def _desa_rows(national, region: str) -> tuple[tuple[str, str], ...]:
    """The desa/kelurahan rows of one kabupaten/kota (a slice of the sorted rows)."""
    rows, codes = national[0], national[1]
    lo, hi = bisect.bisect_left(codes, region + "."), bisect.bisect_left(codes, region + "/")
    return tuple(r for r in rows[lo:hi] if len(r[0]) >= 13)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Ordinary Indonesian words (lowercase, letters only): every word and lemma of
    spacy-lookups-data's Indonesian lemma table. Empty when the package is not installed."""
    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "id_lemma_lookup.json.gz"
    try:
        table = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError):
        return frozenset()
    words = {w.lower() for w in table} | {w.lower() for w in table.values() if isinstance(w, str)}
    return frozenset(w for w in words if w.isalpha())


@functools.lru_cache(maxsize=8)
def _read_yaml(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        return {}
    return yaml.safe_load(p.read_text(encoding="utf-8")) or {}


def _wilayah_path(data_dir: Path) -> Path:
    gz = data_dir / "wilayah.csv.gz"
    return gz if gz.exists() else data_dir / "wilayah.csv"


def region_name(region: str, data_dir: Path | None = None) -> str:
    """The official name of a kabupaten/kota in the national wilayah list ("35.08" ->
    "Kabupaten Lumajang", "35.74" -> "Kota Probolinggo"); ``ValueError`` for any other code."""
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    names = _region_names(str(_wilayah_path(data_dir)))
    if region not in names:
        raise ValueError(f"unknown kabupaten/kota code {region!r}: not in the national wilayah list "
                         "(a Kemendagri code of two parts, e.g. '35.08' or '35.74')")
    return names[region]


@functools.lru_cache(maxsize=4)
def _region_names(path: str) -> dict[str, str]:
    return {code: name for code, name in _national(path)[2] if code.count(".") == 1}


def build_index(region: str, data_dir: Path | None = None) -> Index:
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    national = _national(str(_wilayah_path(data_dir)))
    upper, desa_keys = national[2], national[3]
    aliases = _read_yaml(str(data_dir / "aliases.yaml"))
    landmarks = _read_yaml(str(data_dir / "landmarks.yaml"))
    common = {compact(w) for w in aliases.get("needs_cue") or ()}
    locative = {compact(w) for w in aliases.get("lowercase_after_locative") or ()}

    own_name = region_name(region, data_dir)
    province = region.split(".")[0]
    own_level, base = _split_region(own_name)
    namesakes = frozenset(
        code for code, name in upper
        if code.count(".") == 1 and code != region and code.startswith(province + ".")
        and _split_region(name)[1] == base
    )

    keys: dict[str, list[Entry]] = {}
    by_code: dict[str, Entry] = {}
    kec_names: dict[str, str] = {}
    region_names: dict[str, str] = {}

    starts: set[str] = set()  # first words of every name, as a text may split them
    far: set[str] = set()  # keys of names only a cue makes count (not openers)
    kec_prefix: dict[str, list[Entry]] = {}

    def add(surface: str, e: Entry, opener: bool = True) -> None:
        key = compact(surface)
        if key:
            keys.setdefault(key, []).append(e)
            if not opener:
                far.add(key)
                return
            words = [compact(w) for w in re.split(r"[\s\-.]+", surface) if compact(w)]
            if words:
                starts.add(words[0])

    rprefix = region + "."
    pprefix = province + "."
    other_kec: list[str] = []  # names of the rest of the country's kecamatan
    rows = upper + _desa_rows(national, region) + tuple(
        r for ns in sorted(namesakes) for r in _desa_rows(national, ns))
    for code, name in rows:
        dots = code.count(".")
        if dots == 0:  # provinces: bare (outside) or neutral (own province)
            for b in _province_names(name):
                add(b, Entry("region", name, code, code == province, True,
                                      level="provinsi"))
        elif dots == 1:  # kabupaten/kota, whole country (cue-marked), bare in own province
            level, b = _split_region(name)
            same_prov = code.startswith(pprefix)
            e = Entry("region", name, code, code == region, same_prov,
                      level=level, namesake=code in namesakes)
            add(b, e)
            by_code[code] = e
            region_names[code] = name
        elif code.startswith(rprefix):
            if dots == 2:
                kec_names[code] = name
                e = Entry("kecamatan", name, code, True, True, parent=region)
            else:
                e = Entry("desa", name, code, True, True, parent=code.rsplit(".", 1)[0], kelurahan=code.rsplit(".", 1)[1][0] == "1")
            add(name, e)
            by_code[code] = e
        elif dots == 3:  # the namesake's desa/kelurahan
            e = Entry("desa", name, code, False, False, parent=code.rsplit(".", 1)[0],
                      kelurahan=code.rsplit(".", 1)[1][0] == "1", namesake=True)
            add(name, e)
            by_code[code] = e
        else:  # other kecamatan of the country (bare only: the namesake's)
            parent = code[:5]
            ns = parent in namesakes
            e = Entry("kecamatan", name, code, False, ns, parent=parent, namesake=ns)
            add(name, e, opener=code.startswith(pprefix))
            by_code[code] = e
            if " " in name or "-" in name or "." in name:
                words = [w for w in map(compact, re.split(r"[\s\-.]+", name)) if w]
                if len(words) >= 2:
                    kec_prefix.setdefault(words[0], []).append(e)
            other_kec.append(compact(name))
    # real names elsewhere: every desa/kelurahan and kecamatan of the country but ours
    elsewhere = desa_keys.union(k for k in other_kec if len(k) >= 7)

    for code, spellings in (aliases.get("variants") or {}).items():
        target = by_code.get(str(code))
        if target is None:
            continue
        for s in spellings or ():
            add(s, target)

    for lm in landmarks.get("landmarks") or ():
        code = str(lm["code"])
        inside = code == region or code.startswith(rprefix)
        if not (inside or code.startswith(pprefix)):
            continue
        names_ = lm.get("names") or ()
        for s in names_:
            add(s, Entry("landmark", names_[0], code, inside, True, parent=code if code.count(".") == 2 else None))

    frozen = {k: tuple(dict.fromkeys(v)) for k, v in keys.items()}
    prefixes = frozenset(k[:i] for k in frozen for i in range(1, len(k) + 1))
    # keys only a cue makes count: every entry is another province's kecamatan
    cue_only = frozenset(k for k in far if not any(e.bare or e.kind != "kecamatan" for e in frozen[k]))
    # ordinary words: never typo-corrected into a place, never a "Kecamatan X" of elsewhere
    # when written in lowercase ("kecamatan tetap", "camat mau")
    extra = {compact(w) for w in aliases.get("not_place_words") or ()}
    common_all = frozenset(common_words() | extra | common)
    # kabupaten/kota of other provinces: bare like an ordinary word ("warga Bandung", "di
    # Banyumas"); short names (Batu, Palu, Sigi) and listed ordinary words only after a cue
    loose_keys = frozenset(
        k for k, v in frozen.items()
        if len(k) >= 5 and k not in common and not any(e.bare for e in v)
        and any(e.kind == "region" and e.level in ("kabupaten", "kota") for e in v)
    )
    # ordinary words, and short names (Bulu, Suko, Jati) other than our kecamatan
    cue_keys = frozenset(
        k for k, v in frozen.items()
        if k in common or (len(k) <= 4 and not any(e.kind == "kecamatan" and e.inside for e in v))
    ) | loose_keys
    # hashtags and handles: #kabprobolinggo, @pemkotprobolinggo, #kotaprob
    joined: dict[str, tuple[str, str]] = {}
    for k, v in frozen.items():
        if any(e.kind == "region" and e.bare for e in v):
            for pre, cue in (("kab", "kab"), ("kabupaten", "kab"), ("pemkab", "kab"),
                             ("kota", "kota"), ("pemkot", "kota")):
                joined.setdefault(pre + k, (cue, k))

    def fuzzy_targets(kind: str) -> tuple[list[str], list[tuple[Entry, ...]]]:
        ks, es = [], []
        for k, v in frozen.items():
            sel = tuple(e for e in v if e.inside and e.kind == kind)
            if sel and len(k) >= 6:
                ks.append(k)
                es.append(sel)
        return ks, es

    generic = tuple(sorted({compact(g) for g in landmarks.get("generic") or ()}, key=len, reverse=True))
    # tokens that may begin a name: a whole name, a name's first word, or four or more letters
    # of a name written with an unusual split ("Sumber Asih" for Sumberasih)
    # (names only a cue makes count need no look of their own: the token after a cue always gets one)
    near = [k for k in frozen if k not in cue_only]
    openers = frozenset(near) | frozenset(starts) | frozenset(
        k[:i] for k in near for i in range(4, len(k) + 1))
    prefix_index = {
        w: tuple(v) for w, v in kec_prefix.items()
        if len(w) >= 5 and w not in frozen and w not in common_all
    }
    return Index(region, own_name, base, frozen, prefixes, namesakes, kec_names,
                 cue_keys, frozenset(locative & cue_keys), joined, fuzzy_targets("kecamatan"), fuzzy_targets("desa"), generic,
                 openers=openers, cue_only=cue_only, loose_keys=loose_keys, kec_prefix=prefix_index,
                 elsewhere=frozenset(elsewhere - set(frozen)), common=common_all,
                 region_names=region_names)
