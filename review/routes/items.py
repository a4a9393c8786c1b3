"""Routes: the list view (filters, keyset pagination, bulk decisions) and one item's page."""

from __future__ import annotations

import time
from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from pantau.deadlines import FollowUp, Timeline, follow_up
from review.explain import explanation
from review.lapor import lapor_draft
from review.security import CurrentUser, require
from review.web import WIB, render, taxonomy
from storage.browse import PAGE_SIZE
from storage.filters import ListFilter, day_range
from storage.models import ITEM_STATUSES, SOURCE_KINDS
from storage.reviews import REJECT_REASONS

router = APIRouter()
CHOICES_TTL = 300  # seconds the filters' kecamatan/OPD/source choices are reused (they scan every item)
FILTER_KEYS = ("status", "kategori", "kecamatan", "opd", "kanal", "sumber", "wilayah", "dari", "sampai", "q",
               "urut", "aduan")


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise HTTPException(400, f"Tanggal {name} '{value}' tidak valid; tulis sebagai TTTT-BB-HH, "
                                 "misalnya 2026-11-01.") from None


def parse_filters(params) -> tuple[ListFilter, dict[str, str]]:
    given = {key: params.get(key, "").strip() for key in FILTER_KEYS if params.get(key, "").strip()}
    if given.get("status") and given["status"] not in ITEM_STATUSES:
        raise HTTPException(400, f"Status '{given['status']}' tidak dikenal.")
    if given.get("kanal") and given["kanal"] not in SOURCE_KINDS:
        raise HTTPException(400, f"Kanal '{given['kanal']}' tidak dikenal.")
    since, until = day_range(_day(given.get("dari"), "dari"), _day(given.get("sampai"), "sampai"), WIB)
    opd = given.get("opd")
    filters = ListFilter(
        status=given.get("status"), category=given.get("kategori"), kecamatan=given.get("kecamatan"),
        # an agency by any of its spellings, as `pantau export --opd` matches it
        opd=(taxonomy().opd_spellings(opd) or [opd]) if opd else None,
        source_kind=given.get("kanal"), source=given.get("sumber"),
        in_jurisdiction={"ya": True, "tidak": False}.get(given.get("wilayah", "")),
        since=since, until=until, q=given.get("q"), complaints_only=given.get("aduan") == "ya")
    return filters, given


@router.get("/aduan")
def item_list(request: Request, setelah: str | None = None, user: CurrentUser = Depends(require("viewer"))):
    filters, given = parse_filters(request.query_params)
    after = None
    if setelah:
        try:
            stamp, _, item_id = setelah.rpartition("_")
            after = (datetime.fromisoformat(stamp), int(item_id))
        except ValueError:
            raise HTTPException(400, "Penanda halaman tidak valid; kembali ke halaman pertama.") from None
    repo = request.app.state.repo
    oldest = given.get("urut") == "lama"
    rows = repo.list_items(filters, after=after, oldest_first=oldest, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = None
    if more:
        last = rows[-1]
        next_url = "/aduan?" + urlencode({**given, "setelah": f"{last['harvested_at'].isoformat()}_{last['id']}"})
    return render(request, "items.html", {
        "rows": rows, "given": given, "next_url": next_url, "first_url": "/aduan?" + urlencode(given),
        "paged": after is not None, "statuses": ITEM_STATUSES, "kinds": SOURCE_KINDS,
        "categories": [(c.code, c.label) for c in taxonomy().categories], "choices": _choices(request),
        "reasons": REJECT_REASONS,
        "deadlines": follow_ups(repo, [row["id"] for row in rows if row["status"] == "entered"]),
    }, user=user)


def follow_ups(repo, item_ids: list[int]) -> dict[int, FollowUp]:
    """The SP4N-LAPOR! deadlines of these items as of today (WIB), computed here for the page's
    rows rather than in the list's query (see pantau.deadlines for the rules)."""
    if not item_ids:
        return {}
    today = datetime.now(WIB).date()
    return {item_id: follow_up(Timeline.from_record(timeline), today)
            for item_id, timeline in repo.lapor_timelines(item_ids).items()}


def _choices(request: Request) -> dict[str, list[str]]:
    cached = getattr(request.app.state, "list_choices", None)
    if cached is None or time.monotonic() - cached[0] > CHOICES_TTL:
        cached = request.app.state.list_choices = (time.monotonic(), request.app.state.repo.distinct_values())
    return cached[1]


@router.post("/aduan/massal")
async def bulk(request: Request, user: CurrentUser = Depends(require("admin"))):
    form = await request.form()
    action = form.get("action")
    if action not in ("approve", "reject"):
        raise HTTPException(400, "Tindakan massal harus setujui atau tolak.")
    try:
        ids = sorted({int(value) for value in form.getlist("ids")})
    except ValueError:
        raise HTTPException(400, "Nomor aduan tidak valid.") from None
    if not ids:
        raise HTTPException(400, "Pilih setidaknya satu aduan.")
    reason = form.get("reason") or "not_complaint"
    repo, done, failed = request.app.state.repo, 0, []
    for item_id in ids:
        after = {"reason": reason} if action == "reject" else {}
        try:
            repo.record_review(item_id, user.id, action, after=after, note="tindakan massal")
            done += 1
        except (ValueError, LookupError, TypeError) as exc:
            failed.append(f"#{item_id}: {exc}")
    back = form.get("kembali") or "/aduan"
    if not str(back).startswith("/aduan"):
        back = "/aduan"
    if failed:
        raise HTTPException(400, f"{done} aduan diproses; gagal: " + "; ".join(failed[:10]))
    return RedirectResponse(str(back), status_code=303)


@router.get("/aduan/{item_id}")
def item_page(request: Request, item_id: int, user: CurrentUser = Depends(require("viewer"))):
    repo = request.app.state.repo
    item = repo.item_detail(item_id)
    if item is None:
        raise HTTPException(404, f"Aduan #{item_id} tidak ditemukan.")
    draft = lapor_draft(item) if item["status"] in ("approved", "entered") else None
    deadlines = follow_ups(repo, [item_id]).get(item_id) if item["lapor_ref"] else None
    return render(request, "item.html", {"item": item, "trail": repo.review_actions(item_id), "draft": draft,
                                         "explain": explanation(item["model"]),
                                         "deadlines": deadlines, "today": datetime.now(WIB).date(),
                                         "case": repo.case_items(item["cluster_id"]) if item["cluster_id"] else []},
                  user=user)
