"""Find place mentions in a text: tokens, cues, longest-match lookup, fuzzy cue-marked names.

One module of ~440 lines because it is one pass over the tokens: each step (cue, exact
longest match, fuzzy match after a cue, other-region names) reads the state the previous one
left, and the pass is the classifier's hot loop, kept in one place to be profiled as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, compress

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ._index import Entry, Index

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_APOS = re.compile(r"['’]")
_JOIN_GAP = re.compile(r"[ \t.\-'’]{0,3}")  # between the words of one name
_CUE_GAP = re.compile(r"[ \t.:]{0,4}")  # between a cue and the name it marks
_DUSUN_GAP = re.compile(r"[ \t.:]*")
_WORD_GAP = re.compile(r"[ \t]{1,2}")

# cue word (lowercase, without dot) -> cue kind
CUES: dict[str, str] = {
    **dict.fromkeys(("kecamatan", "kec", "kecamtan", "kacamatan", "kcmtn", "camat"), "kec"),
    **dict.fromkeys(("desa", "ds", "kades", "pemdes", "kalurahan"), "desa"),
    **dict.fromkeys(("kelurahan", "kel", "lurah"), "kel"),
    # facilities and roads named after a kecamatan/desa: either kind
    **dict.fromkeys(("puskesmas", "pkm", "pustu", "polsek", "koramil", "korwil", "pasar",
                     "halte", "raya", "kapolsek", "danramil"), "any"),
    **dict.fromkeys(("kabupaten", "kab", "pemkab", "bupati", "wabup", "polres"), "kab"),
    **dict.fromkeys(("kota", "pemkot", "walikota", "wawali"), "kota"),
}
DUSUN = frozenset(("dusun", "dsn", "dukuh"))
# lowercase locative words after which a capitalised ordinary-word name counts
WEAK = frozenset(("di", "ke", "dari", "dr", "warga", "wilayah", "daerah", "kawasan", "sekitar",
                  "asal", "arah", "menuju", "kampung", "lokasi", "area", "dekat", "deket"))
# words before a kabupaten/kota name that make it someone's origin, not the place
ORIGIN = frozenset(("asal", "dari", "dr", "pindahan"))
# words after an ordinary-word name that show its ordinary meaning
NOT_AFTER = frozenset(("sungai", "kali", "rel", "air", "mata", "yang", "yg", "terpercaya",
                       "pantai", "laut", "irigasi", "waduk", "saluran", "dana", "informasi",
                       "resmi", "lain", "pasien", "keluarga"))
# capitalised words that may follow a name without making it part of a longer unknown name
_FOLLOW_OK = frozenset((
    "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "januari", "februari",
    "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "rt", "rw", "no", "jl", "jalan", "yang", "dan", "pada", "sejak",
))
_PAIR_GAP = re.compile(r"[ \t,]{1,3}")  # "Condong Gading", "Desa Bulang, Gending"
_QUAL_GAP = re.compile(r"[ \t,(]{1,3}")  # "Lumbang Pasuruan", "Wonokitri (Pasuruan)"
_TIGHT_GAP = re.compile(r"[ \t(]{1,2}")


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    entries: tuple[Entry, ...]  # candidates of the chosen group (more than one = ambiguous desa)
    cue: str | None  # cue kind that marked it, None for a bare name
    fuzzy: bool = False
    neutral: bool = False  # masks only: "Probolinggo" (Kabupaten or Kota), "asal Surabaya"
    held: bool = False  # an ordinary word waiting for a confirming neighbour
    alts: tuple[Entry, ...] = ()  # every entry of the name
    elsewhere: bool = False  # fuzzy: the text's spelling is a real place name elsewhere

    @property
    def inside(self) -> bool:
        return self.entries[0].inside


def _choose(entries: tuple[Entry, ...], cue: str | None, idx: Index,
            loose: bool = False) -> tuple[Entry, ...]:
    """The candidate group a cue (or its absence) selects, best first. ``loose``: the name is
    a kabupaten/kota of another province, which may count bare like an ordinary word."""

    def pick(pred) -> tuple[Entry, ...]:
        return tuple(e for e in entries if pred(e))

    if cue in ("kab", "kota"):
        regs = pick(lambda e: e.kind == "region")
        if regs:
            level = "kabupaten" if cue == "kab" else "kota"
            same = tuple(e for e in regs if e.level == level)
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
                 lambda e: e.kind == "desa",  # the namesake's kelurahan
                 lambda e: e.kind == "kecamatan" and e.inside)
    elif cue == "any":
        order = (lambda e: e.kind == "kecamatan" and e.inside,
                 lambda e: e.kind == "desa" and e.inside,
                 lambda e: e.kind == "landmark",
                 lambda e: e.bare)
    else:
        entries = tuple(e for e in entries if e.bare or (loose and e.kind == "region"))
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


_MISSING = object()


def _fuzzy_span_ok(words: tuple[str, ...], idx: Index) -> bool:
    """May these words (one, or two written apart) be a misspelt name? Not when the span is
    an ordinary word ("persawahan", "perdagangan"), two ordinary or short words ("sumber
    air", "desa ini"), or numbers."""
    if not all(w.isalpha() for w in words):
        return False
    common = idx.common
    if len(words) == 1:
        return len(words[0]) >= 7 and words[0] not in common
    if any(len(w) < 3 for w in words):
        return False
    return not all(w in common for w in words) and "".join(words) not in common


def _fuzzy(spans: list[str], targets: tuple[list[str], list[tuple[Entry, ...]]]):
    keys, entries = targets
    for s in spans:
        if len(s) < 7:
            continue
        hits = process.extract(s, keys, scorer=Levenshtein.distance, score_cutoff=1, limit=3)
        hits = [h for h in hits if h[0][0] == s[0] and len(h[0]) >= 7]
        if not hits:
            continue
        best = hits[0][1]
        tops = {h[2] for h in hits if h[1] == best}
        if len(tops) == 1:
            return entries[hits[0][2]]
        return None  # two names equally close: no guess
    return None


def _tokens(text: str) -> tuple[list[int], list[int], list[str]]:
    """Token starts and ends (offsets in ``text``) and lowercase forms, without building a
    match object per token: the words and the gaps between them, and running sums of lengths."""
    lowered = text.lower()
    if len(lowered) != len(text):  # lowercasing changed the text's length (rare letters)
        toks = list(_TOKEN.finditer(text))
        starts, ends = [m.start() for m in toks], [m.end() for m in toks]
        low = [m.group().lower() for m in toks]
    else:
        pieces = _TOKEN_SPLIT.split(lowered)  # gap, word, gap, word, ..., gap: one regex pass
        low = pieces[1::2]
        bounds = list(accumulate(map(len, pieces[:-1])))
        starts, ends = bounds[0::2], bounds[1::2]
    if "'" in text or "’" in text:
        low = [_APOS.sub("", t) if "'" in t or "’" in t else t for t in low]
    return starts, ends, low


def scan(text: str, idx: Index) -> list[Mention]:
    starts, ends, low = _tokens(text)
    n = len(low)
    interesting = idx.interesting
    # Only tokens that can start a name or are cue words need a look; the rest (most of a news
    # text) are skipped without work.
    cands = list(compress(range(n), map(interesting.__contains__, low)))
    ci = 0
    keys, prefixes = idx.keys, idx.prefixes
    out: list[Mention] = []
    cue_at = -1  # token index a cue marks
    cue_kind: str | None = None

    def gap_ok(a: int, b: int, rx) -> bool:  # gap between token a and token b
        return rx.fullmatch(text, ends[a], starts[b]) is not None

    cue_only, loose_keys = idx.cue_only, idx.loose_keys

    def walk(i: int, cued: bool = True) -> tuple[int, str | None]:
        """Longest name starting at token i: (last token, key). ``cued=False``: only names
        that may count without a cue."""
        best_j, best_key = -1, None
        s = low[i]
        j = i
        while s in prefixes:
            if s in keys and (cued or s not in cue_only):
                best_j, best_key = j, s
            j += 1
            if j >= n or not gap_ok(j - 1, j, _JOIN_GAP):
                break
            s += low[j]
        return best_j, best_key

    province = idx.region[:3]  # "35."

    def qualified(j: int, group: tuple[Entry, ...]) -> bool:
        """Is the name ending at token j followed by the kabupaten/kota of one of ``group``
        ("kec tanggul jember", "Kecamatan Tetap, Kabupaten Kaur")?"""
        k = j + 1
        if k < n and low[k] in CUES and CUES[low[k]] in ("kab", "kota"):
            k += 1
        if k >= n or not gap_ok(j, j + 1, _QUAL_GAP):
            return False
        qk = walk(k)[1]
        parents = {e.parent for e in group}
        return bool(qk) and any(e.kind == "region" and e.code in parents for e in keys[qk])

    i = 0
    while True:
        if i != cue_at:  # jump to the next token worth a look
            while ci < len(cands) and cands[ci] < i:
                ci += 1
            i = cands[ci] if ci < len(cands) else n
        if i >= n:
            break
        tok = low[i]
        best_j, best_key = walk(i, i == cue_at)
        kind = CUES.get(tok)
        if tok in DUSUN:
            # skip the dusun name: up to two words, stopping at a cue word, punctuation or
            # a place name ("dsn krajan bucor wetan")
            k = i + 1
            while k < n and k <= i + 2 and low[k] not in CUES and gap_ok(k - 1, k, _DUSUN_GAP):
                if k == i + 2:
                    nk = walk(k)[1]
                    if nk and nk not in idx.cue_keys:
                        break
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
            joined = idx.joined.get(tok)
            if joined:  # #kabprobolinggo, @pemkotprobolinggo
                group = _choose(keys[joined[1]], joined[0], idx)
                if group:
                    out.append(Mention(starts[i], ends[i], text[starts[i]:ends[i]], group, joined[0]))
            elif cue in ("kec", "desa", "kel"):
                # "Kecamatan Cibeunying": the first word of another region's kecamatan
                # (Cibeunying Kidul, Cibeunying Kaler): that region, before any typo guess
                there = idx.kec_prefix.get(tok) if cue == "kec" else None
                if there:
                    out.append(Mention(starts[i], ends[i], text[starts[i]:ends[i]], there, cue))
                    i += 1
                    continue
                spans = []
                if i + 1 < n and gap_ok(i, i + 1, _JOIN_GAP):
                    spans.append((i + 1, (tok, low[i + 1])))
                spans.append((i, (tok,)))
                targets = idx.fuzzy_kec if cue == "kec" else idx.fuzzy_desa
                for end_tok, words in spans:
                    sp = "".join(words)
                    got = idx.fuzzy_memo.get((cue, sp), _MISSING)
                    if got is _MISSING:  # "desa setempat", "kecamatan tersebut": asked once
                        got = _fuzzy([sp], targets) if _fuzzy_span_ok(words, idx) else None
                        if len(idx.fuzzy_memo) > 50_000:
                            idx.fuzzy_memo.clear()
                        idx.fuzzy_memo[(cue, sp)] = got
                    if got:
                        group = _choose(got, cue, idx)
                        if group:
                            a, b = starts[i], ends[end_tok]
                            out.append(Mention(a, b, text[a:b], group, cue, fuzzy=True,
                                               elsewhere=sp in idx.elsewhere))
                            i = end_tok
                        break
            i += 1
            continue
        entries = keys[best_key]
        start, end = starts[i], ends[best_j]
        surface = text[start:end]
        group = _choose(entries, cue, idx, best_key in loose_keys)
        if group and cue and not group[0].inside and group[0].kind == "kecamatan" \
                and best_key in idx.common and not surface[:1].isupper() \
                and not group[0].code.startswith(province) and not qualified(best_j, group):
            group = ()  # "kecamatan tetap buka", "camat mau": the word, not Kec. Tetap
        nxt = best_j + 1 if best_j + 1 < n else None
        held = False
        if group and cue is None and best_key in idx.cue_keys:
            # an ordinary word: "warga Sumber", "di Gending", "di gending" (some names)
            prev = low[i - 1] if i else ""
            after_weak = prev in WEAK and gap_ok(i - 1, i, _WORD_GAP)
            shows_word = nxt is not None and low[nxt] in NOT_AFTER and gap_ok(best_j, nxt, _WORD_GAP)
            capital = surface[:1].isupper() and not surface.isupper()
            # a Capitalised kecamatan name inside a lowercase sentence ("di kios Krucil") is the
            # place, as the ordinary word would be written in lowercase there
            mid_sentence = (capital and best_key in idx.locative_keys and i and text[starts[i - 1]].islower()
                            and gap_ok(i - 1, i, _WORD_GAP))
            if not ((after_weak or mid_sentence) and not shows_word
                    and (capital or best_key in idx.locative_keys)):
                held = True
        if group and cue and best_key in idx.cue_keys and surface.islower() and nxt is not None \
                and low[nxt] in NOT_AFTER and gap_ok(best_j, nxt, _WORD_GAP):
            group = ()  # "desa sumber air", "kec. bantaran sungai": the ordinary word
        if group and best_key in idx.cue_keys and nxt is not None and gap_ok(best_j, nxt, _WORD_GAP):
            # "Desa Sumber Sari", "di Taman Safari": part of a longer, unknown name
            nt, nl = text[starts[nxt]:ends[nxt]], low[nxt]
            if nt[:1].isupper() and not nt.isupper() and nl not in CUES and nl not in _FOLLOW_OK and nl not in keys:
                group = ()
        if group and nxt is not None and group[0].kind in ("kecamatan", "desa") \
                and group[0].inside and gap_ok(best_j, nxt, _QUAL_GAP):
            # qualified by another region: "Lumbang Pasuruan" (its kecamatan Lumbang),
            # "Pasar Tanjung Jember" (a place of Jember we do not index: not ours)
            qk = walk(nxt)[1]
            if qk and not any(e.inside for e in keys[qk]):
                regions = {e.code for e in keys[qk] if e.kind == "region" and e.level != "provinsi"}
                if regions:
                    there = tuple(e for e in entries if e.kind == "kecamatan" and not e.inside
                                  and e.parent in regions)
                    if there:
                        group, held = there, False
                    elif gap_ok(best_j, nxt, _TIGHT_GAP):
                        group = ()
        if group:
            m = Mention(start, end, surface, group, cue, held=held, alts=entries)
            e = group[0]
            if e.kind == "region":
                if cue != "kota" and nxt is not None and text[starts[nxt]:ends[nxt]] in ("Kota", "KOTA"):
                    kota = tuple(x for x in entries if x.kind == "region" and x.level == "kota")
                    if kota:  # "Polres Probolinggo Kota"
                        m.entries = kota
                        e = kota[0]
                if cue is None and i and low[i - 1] in ORIGIN and not e.inside:
                    m.neutral = True  # "wisatawan asal Surabaya"
                elif e.level == "provinsi" and e.inside:
                    m.neutral = True  # "Jawa Timur" decides nothing
                elif e.inside and m.cue is None and idx.namesakes:
                    m.neutral = True  # "Probolinggo": Kabupaten or Kota
            out.append(m)
        i = best_j + 1
    return _settle(_confirm_pairs(out, text))


def _settle(ms: list[Mention]) -> list[Mention]:
    """Another region named in the text against our names.

    * One of our kecamatan/desa names that is also a kecamatan of a kabupaten/kota the text
      names ("Kecamatan Sumber, Kabupaten Cirebon") is that region's, unless something local
      confirms ours ("Probolinggo", "Kabupaten Probolinggo", another of our places). A shared
      kecamatan name of elsewhere narrows to the kabupaten/kota named ("Kecamatan Bulu,
      Kabupaten Rembang").
    * Conversely a "Kecamatan X" of elsewhere that is also a desa of ours is our desa when
      something local confirms it and the text names none of that kecamatan's regions.
    * A typo-corrected name of ours counts only when nothing contradicts it: it is dropped
      when the text names another region explicitly (a cue-marked kecamatan or kabupaten/kota,
      or the namesake city's kecamatan) or when its spelling is a real desa/kecamatan elsewhere
      ("desa Sumampir" is in Banyumas and Purbalingga, not a typo of Semampir), unless its own
      kecamatan (or desa, for a kecamatan) is named in the text or our region is.
    """
    if not ms:
        return ms
    regions = {e.code for m in ms if not m.inside and not m.neutral
               for e in m.entries if e.kind == "region"}
    own = any(m.inside and m.entries[0].kind == "region" for m in ms)
    switch: dict[int, tuple[Entry, ...]] = {}  # ours -> the named region's kecamatan
    back: dict[int, tuple[Entry, ...]] = {}  # elsewhere's kecamatan -> our desa
    for m in ms:
        kind = m.entries[0].kind
        if m.inside:
            if regions and kind in ("kecamatan", "desa"):
                there = tuple(e for e in m.alts if e.kind == "kecamatan" and not e.inside
                              and e.parent in regions)
                if there:
                    switch[id(m)] = there
        elif kind == "kecamatan" and not m.neutral:
            there = tuple(e for e in m.entries if e.parent in regions) if regions else ()
            if there:
                m.entries = there  # "Kecamatan Bulu, Kabupaten Rembang"
            elif m.cue is not None:
                ours = tuple(e for e in m.alts if e.kind == "desa" and e.inside)
                if ours:
                    back[id(m)] = ours
    fuzzy = any(m.fuzzy and m.inside for m in ms)
    if not (switch or back or fuzzy):
        return ms
    if switch or back:
        anchored = own or any(m.inside and not m.fuzzy and not m.neutral and id(m) not in switch
                              for m in ms)
        for m in ms:
            if not anchored and id(m) in switch:
                m.entries = switch[id(m)]
            elif anchored and id(m) in back:
                m.entries = back[id(m)]
    if not fuzzy:
        return ms
    explicit = any(not m.inside and not m.neutral and not m.fuzzy
                   and (m.cue is not None or m.entries[0].kind == "kecamatan") for m in ms)
    exact = [m for m in ms if m.inside and not m.fuzzy]
    kept = []
    for m in ms:
        if m.fuzzy and m.inside and not own and (explicit or m.elsewhere):
            e = m.entries[0]
            if e.kind == "desa":
                kecs = {x.parent for x in m.entries}
                ok = any(x.entries[0].kind == "kecamatan" and x.entries[0].code in kecs for x in exact)
            else:
                ok = any(x.entries[0].kind in ("desa", "landmark")
                         and any(y.parent == e.code for y in x.entries) for x in exact)
            if not ok:
                continue
        kept.append(m)
    return kept


def _confirm_pairs(ms: list[Mention], text: str) -> list[Mention]:
    """A bare name right before a kecamatan it is a desa of is that desa ("besuk bantaran"),
    and the pair confirms held ordinary-word names ("condong gading", "tukul sumber")."""
    for a, b in zip(ms, ms[1:]):
        if a.cue is not None or b.cue not in (None, "kec"):
            continue
        ea = a.alts or a.entries
        eb = b.entries
        if not (eb[0].inside and eb[0].kind == "kecamatan"):
            continue
        desa = tuple(e for e in ea if e.kind == "desa" and e.inside and e.parent == eb[0].code)
        if desa and _PAIR_GAP.fullmatch(text, a.end, b.start):
            a.entries = desa
            a.held = b.held = False
    return [m for m in ms if not m.held]
