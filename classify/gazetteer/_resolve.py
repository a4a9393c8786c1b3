"""From mentions to the classification fields: kecamatan, desa, region_code, in_jurisdiction."""

from __future__ import annotations

from ._index import Index
from ._scan import Mention


def weight(m: Mention) -> float:
    """How strongly one mention locates the text (inside or outside the region)."""
    if m.neutral:
        return 0.0
    e = m.entries[0]
    cued = m.cue is not None
    if e.kind == "landmark":
        return 2.0
    if e.kind == "region":
        if cued:
            return 3.0
        return 1.0  # a bare kabupaten/kota name ("Lumajang")
    if e.inside:
        if m.fuzzy:
            return 2.0  # a typo correction is less sure than the name written right
        return 3.0 if cued else 2.0
    if cued:
        return 3.0
    return 2.0  # bare kecamatan of the namesake city (Mayangan, Kanigaran, ...)


def jurisdiction(mentions: list[Mention]) -> bool | None:
    inside = outside = 0.0
    first: bool | None = None
    neutral = False
    for m in mentions:
        w = weight(m)
        if m.neutral:
            neutral = True
            continue
        if m.inside:
            inside += w
        else:
            outside += w
        if first is None and w >= 2:
            first = m.inside
    if first is True:
        inside += 1
    elif first is False:
        outside += 1
    if inside == 0 and outside == 0:
        return None
    if inside == 0 and outside <= 1 and neutral:
        return None  # "jalur Probolinggo-Lumajang": nothing decides
    if inside > outside:
        return True
    if outside > inside:
        return False
    return first


def ambiguity(m: Mention, idx: Index) -> str:
    kecs = [idx.kec_names.get(e.parent, e.parent) for e in m.entries]
    return f"{m.entries[0].name}: {' or '.join(kecs)}"


def resolve(mentions: list[Mention], idx: Index):
    """Returns (kecamatan, desa, region_code, in_jurisdiction, resolved desa codes, ambiguous)."""
    explicit_kec = {m.entries[0].code for m in mentions
                    if m.inside and m.entries[0].kind == "kecamatan"}
    resolved: dict[int, str | None] = {}  # id(mention) -> desa code
    ambiguous: list[str] = []
    for m in mentions:
        if not (m.inside and m.entries[0].kind == "desa"):
            continue
        if len(m.entries) == 1:
            resolved[id(m)] = m.entries[0].code
            continue
        fit = [e for e in m.entries if e.parent in explicit_kec]
        if len(fit) == 1:
            resolved[id(m)] = fit[0].code
        else:
            resolved[id(m)] = None
            text = ambiguity(m, idx)
            if text not in ambiguous:
                ambiguous.append(text)

    in_j = jurisdiction(mentions)
    if in_j is not True:
        return None, None, None, in_j, resolved, tuple(ambiguous)

    support: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    desa_votes: dict[str, list[float]] = {}  # desa code -> [count, first position]
    for pos, m in enumerate(mentions):
        if not m.inside or m.neutral:
            continue
        e = m.entries[0]
        kec, w = None, 0.0
        if e.kind == "kecamatan":
            kec, w = e.code, weight(m)
        elif e.kind == "desa":
            code = resolved.get(id(m))
            if code:
                kec, w = code.rsplit(".", 1)[0], 2.0 if m.cue else 1.5
                votes = desa_votes.setdefault(code, [0.0, pos])
                votes[0] += 1
        elif e.kind == "landmark" and e.parent:
            kec, w = e.parent, 1.0
        if kec:
            support[kec] = support.get(kec, 0.0) + w
            first_seen.setdefault(kec, pos)
    if not support:
        return None, None, idx.region, True, resolved, tuple(ambiguous)
    kec_code = max(support, key=lambda k: (support[k], -first_seen[k]))
    desa_code = None
    cands = [(v[0], -v[1], c) for c, v in desa_votes.items() if c.rsplit(".", 1)[0] == kec_code]
    if cands:
        desa_code = max(cands)[2]
    desa_name = None
    if desa_code:
        for m in mentions:
            for e in m.entries:
                if e.code == desa_code:
                    desa_name = e.name
                    break
            if desa_name:
                break
    return (idx.kec_names[kec_code], desa_name, desa_code or kec_code, True, resolved,
            tuple(ambiguous))
