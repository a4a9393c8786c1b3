"""Build the name index for one configured region from the shipped data files.

Pure Python: reads ``wilayah.csv.gz`` (every Kemendagri code of Indonesia), ``aliases.yaml``
and ``landmarks.yaml``. Only what the configured region needs is indexed: its own kecamatan
and desa/kelurahan, every kabupaten/kota of the country (by name, cue-marked; bare only for
the region's own province), the province's other kecamatan (cue-marked; bare only for a
namesake city/regency such as Kota Probolinggo for Kabupaten Probolinggo), the namesake's
desa/kelurahan (cue-marked) and the landmarks.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
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


@functools.lru_cache(maxsize=8)
def _read_yaml(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        return {}
    return yaml.safe_load(p.read_text(encoding="utf-8")) or {}


def _wilayah_path(data_dir: Path) -> Path:
    gz = data_dir / "wilayah.csv.gz"
    return gz if gz.exists() else data_dir / "wilayah.csv"


def build_index(region: str, data_dir: Path | None = None) -> Index:
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    rows = _read_wilayah(str(_wilayah_path(data_dir)))
    aliases = _read_yaml(str(data_dir / "aliases.yaml"))
    landmarks = _read_yaml(str(data_dir / "landmarks.yaml"))
    common = {compact(w) for w in aliases.get("needs_cue") or ()}
    locative = {compact(w) for w in aliases.get("lowercase_after_locative") or ()}

    names = dict(rows)
    if region not in names or region.count(".") != 1:
        raise ValueError(f"unknown kabupaten/kota code {region!r} (expected e.g. '35.13')")
    province = region.split(".")[0]
    region_name = names[region]
    own_level, base = _split_region(region_name)
    namesakes = frozenset(
        code for code, name in rows
        if code.count(".") == 1 and code != region and code.startswith(province + ".")
        and _split_region(name)[1] == base
    )

    keys: dict[str, list[Entry]] = {}
    by_code: dict[str, Entry] = {}
    kec_names: dict[str, str] = {}

    starts: set[str] = set()  # first words of every name, as a text may split them

    def add(surface: str, e: Entry) -> None:
        key = compact(surface)
        if key:
            keys.setdefault(key, []).append(e)
            words = [compact(w) for w in re.split(r"[\s\-.]+", surface) if compact(w)]
            if words:
                starts.add(words[0])

    rprefix = region + "."
    pprefix = province + "."
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
        elif not code.startswith(pprefix):
            continue
        elif code.startswith(rprefix):
            if dots == 2:
                kec_names[code] = name
                e = Entry("kecamatan", name, code, True, True, parent=region)
            else:
                e = Entry("desa", name, code, True, True, parent=code.rsplit(".", 1)[0], kelurahan=code.rsplit(".", 1)[1][0] == "1")
            add(name, e)
            by_code[code] = e
        elif dots == 2:  # other kecamatan of the province
            ns = code.rsplit(".", 1)[0] in namesakes
            e = Entry("kecamatan", name, code, False, ns, parent=code.rsplit(".", 1)[0], namesake=ns)
            add(name, e)
            by_code[code] = e
        elif dots == 3 and code.rsplit(".", 2)[0] in namesakes:  # namesake's desa/kelurahan
            e = Entry("desa", name, code, False, False, parent=code.rsplit(".", 1)[0],
                      kelurahan=code.rsplit(".", 1)[1][0] == "1", namesake=True)
            add(name, e)
            by_code[code] = e

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
    # ordinary words, and short names (Bulu, Suko, Jati) other than our kecamatan
    cue_keys = frozenset(
        k for k, v in frozen.items()
        if k in common or (len(k) <= 4 and not any(e.kind == "kecamatan" and e.inside for e in v))
    )
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
    openers = frozenset(frozen) | frozenset(starts) | frozenset(p for p in prefixes if len(p) >= 4)
    return Index(region, region_name, base, frozen, prefixes, namesakes, kec_names,
                 cue_keys, frozenset(locative & cue_keys), joined, fuzzy_targets("kecamatan"), fuzzy_targets("desa"), generic,
                 openers=openers)
