"""Find place mentions in a text: tokens, cues, longest-match lookup, fuzzy cue-marked names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ._index import Entry, Index

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOS = re.compile(r"['’]")
_JOIN_GAP = re.compile(r"[ \t.\-'’]{0,3}")  # between the words of one name
_CUE_GAP = re.compile(r"[ \t.:]{0,4}")  # between a cue and the name it marks
_DUSUN_GAP = re.compile(r"[ \t.:]*")
_WORD_GAP = re.compile(r"[ \t]{1,2}")

# cue word (lowercase, without dot) -> cue kind
CUES: dict[str, str] = {
    **dict.fromkeys(("kecamatan", "kec", "kecamtan", "kacamatan", "kcmtn", "camat"), "kec"),
    **dict.fromkeys(("desa", "ds", "kades", "pemdes", "pjs", "kalurahan"), "desa"),
    **dict.fromkeys(("kelurahan", "kel", "lurah"), "kel"),
    **dict.fromkeys(("puskesmas", "polsek", "koramil"), "any"),
    **dict.fromkeys(("kabupaten", "kab", "pemkab", "bupati", "wabup"), "kab"),
    **dict.fromkeys(("kota", "pemkot", "walikota", "wawali"), "kota"),
}
DUSUN = frozenset(("dusun", "dsn", "dukuh"))
# lowercase locative words after which a capitalised ordinary-word name counts
WEAK = frozenset(("di", "ke", "dari", "warga", "wilayah", "daerah", "kawasan", "sekitar",
                  "asal", "arah", "menuju", "kampung"))
# capitalised words that may follow a name without making it part of a longer unknown name
_FOLLOW_OK = frozenset((
    "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "januari", "februari",
    "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "rt", "rw", "no", "jl", "jalan", "yang", "dan", "pada", "sejak",
))


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]  # candidates of the chosen group (more than one = ambiguous desa)
    cue: str | None  # cue kind that marked it, None for a bare name
    fuzzy: bool = False
    neutral: bool = False  # a bare own base name with a namesake ("Probolinggo"): masks only

    @property
    def inside(self) -> bool:
        return self.entries[0].inside


def _choose(entries: tuple[Entry, ...], cue: str | None, idx: Index) -> tuple[Entry, ...]:
    """The candidate group a cue (or its absence) selects, best first."""

    def pick(pred) -> tuple[Entry, ...]:
        return tuple(e for e in entries if pred(e))

    if cue in ("kab", "kota"):
        regs = pick(lambda e: e.kind == "region")
        if regs:
            same = tuple(e for e in regs if e.level == cue)
            if same:
                regs = same
            prov = tuple(e for e in regs if e.bare)  # same province first
            return prov or regs
        cue = None  # "Kota Kraksaan": the capital town, read the name as bare
        entries = tuple(e for e in entries if e.bare)
    if cue == "kec":
        order = (lambda e: e.kind == "kecamatan" and e.inside,
                 lambda e: e.kind == "kecamatan",
                 lambda e: e.kind == "desa" and e.inside)
    elif cue in ("desa", "kel"):
        order = (lambda e: e.kind == "desa" and e.inside,
                 lambda e: e.kind == "desa",
                 lambda e: e.kind == "kecamatan" and e.inside,
                 lambda e: e.kind == "kecamatan")
    elif cue == "any":
        order = (lambda e: e.kind == "kecamatan" and e.inside,
                 lambda e: e.kind == "desa" and e.inside,
                 lambda e: e.kind == "landmark")
    else:
        entries = tuple(e for e in entries if e.bare)
        order = (lambda e: e.kind == "kecamatan" and e.inside,
                 lambda e: e.kind == "desa" and e.inside,
                 lambda e: e.kind == "landmark",
                 lambda e: e.kind == "region" and e.inside,
                 lambda e: e.kind == "kecamatan",
                 lambda e: e.kind == "region")
    for pred in order:
        group = pick(pred)
        if group:
            if cue == "kel" and group[0].kind == "desa":
                kel = tuple(e for e in group if e.kelurahan)
                group = kel or group
            return group
    return ()


def _fuzzy(spans: list[str], targets: tuple[list[str], list[tuple[Entry, ...]]]):
    keys, entries = targets
    for s in spans:
        if len(s) < 6:
            continue
        hits = process.extract(s, keys, scorer=Levenshtein.distance, score_cutoff=1, limit=3)
        hits = [h for h in hits if h[0][0] == s[0] and len(h[0]) >= 6]
        if not hits:
            continue
        best = hits[0][1]
        tops = {h[2] for h in hits if h[1] == best}
        if len(tops) == 1:
            return entries[hits[0][2]]
        return None  # two names equally close: no guess
    return None


def scan(text: str, idx: Index) -> list[Mention]:
    toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    low = [_APOS.sub("", t[2].lower()) for t in toks]
    n = len(toks)
    keys, prefixes = idx.keys, idx.prefixes
    out: list[Mention] = []
    cue_at = -1  # token index a cue marks
    cue_kind: str | None = None
    i = 0

    def gap_ok(a: int, b: int, rx) -> bool:  # gap between token a and token b
        return rx.fullmatch(text, toks[a][1], toks[b][0]) is not None

    while i < n:
        tok = low[i]
        # longest match starting here
        best_j, best_key = -1, None
        s = tok
        j = i
        while s in prefixes:
            if s in keys:
                best_j, best_key = j, s
            j += 1
            if j >= n or not gap_ok(j - 1, j, _JOIN_GAP):
                break
            s += low[j]
        kind = CUES.get(tok)
        if tok in DUSUN:
            # skip the dusun name: up to two words, stopping at a cue word or punctuation
            k = i + 1
            while k < n and k <= i + 2 and low[k] not in CUES and gap_ok(k - 1, k, _DUSUN_GAP):
                k += 1
            i = k
            continue
        if kind and (best_key is None or best_j == i):
            if i + 1 < n and gap_ok(i, i + 1, _CUE_GAP):
                cue_at, cue_kind = i + 1, kind
            i += 1
            continue
        cue = cue_kind if cue_at == i else None
        if best_key is None:
            if cue in ("kec", "desa", "kel"):
                spans = []
                if i + 1 < n and gap_ok(i, i + 1, _JOIN_GAP):
                    spans.append((i + 1, tok + low[i + 1]))
                spans.append((i, tok))
                targets = idx.fuzzy_kec if cue == "kec" else idx.fuzzy_desa
                for end_tok, sp in spans:
                    got = _fuzzy([sp], targets)
                    if got:
                        group = _choose(got, cue, idx)
                        if group:
                            a, b = toks[i][0], toks[end_tok][1]
                            out.append(Mention(a, b, text[a:b], group, cue, fuzzy=True))
                            i = end_tok
                        break
            i += 1
            continue
        entries = keys[best_key]
        start, end = toks[i][0], toks[best_j][1]
        surface = text[start:end]
        group = _choose(entries, cue, idx)
        if group and group[0].needs_cue and cue is None:
            # an ordinary word: only "warga Sumber", "di Gending" (lowercase cue, capital name)
            prev = toks[i - 1][2] if i else ""
            if not (prev in WEAK and surface[:1].isupper() and not surface.isupper()
                    and gap_ok(i - 1, i, _WORD_GAP)):
                group = ()
        if group and group[0].needs_cue and best_j + 1 < n and gap_ok(best_j, best_j + 1, _WORD_GAP):
            # "Desa Sumber Sari", "di Taman Safari": part of a longer, unknown name
            nxt = toks[best_j + 1][2]
            nl = low[best_j + 1]
            if nxt[:1].isupper() and nl not in CUES and nl not in _FOLLOW_OK and nl not in keys:
                group = ()
        if group:
            m = Mention(start, end, surface, group, cue)
            e = group[0]
            if e.kind == "region" and e.inside and cue is None and idx.namesakes:
                m.neutral = True
            out.append(m)
        i = best_j + 1
    return out
