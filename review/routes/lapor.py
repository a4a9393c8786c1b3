"""Routes: the SP4N-LAPOR! tracking number of an approved item, and the follow-ups staff note from LAPOR!
(the panel is on the item's page)."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from review.lapor import lapor_draft
from review.security import CurrentUser, require
from review.web import WIB

router = APIRouter()


@router.post("/aduan/{item_id}/lapor")
def enter_tracking_number(request: Request, item_id: int, lapor_ref: str = Form(""), anonim: str = Form("Anonim"),
                          user: CurrentUser = Depends(require("reviewer"))):
    repo = request.app.state.repo
    item = repo.item_detail(item_id)
    if item is None:
        raise HTTPException(404, f"Aduan #{item_id} tidak ditemukan.")
    if item["status"] != "approved":
        raise HTTPException(400, "Hanya aduan berstatus Disetujui yang dapat dicatat masuk LAPOR!.")
    draft = lapor_draft(item)
    try:
        repo.enter_into_lapor(item_id, user.id, lapor_ref, judul=draft["judul"], isi=draft["isi"],
                              kategori=draft["kategori"] or None, instansi=draft["instansi"] or None,
                              anonim=anonim == "Anonim", rahasia=anonim == "Rahasia")
    except ValueError as exc:
        raise HTTPException(400, f"Tidak tersimpan: {exc}. Isi nomor pelacakan dari LAPOR!.") from None
    return RedirectResponse(f"/aduan/{item_id}", status_code=303)


@router.post("/aduan/{item_id}/lapor/tindak-lanjut")
def record_follow_up(request: Request, item_id: int, tahap: str = Form(""), tanggal: str = Form(""),
                     catatan: str = Form(""), user: CurrentUser = Depends(require("reviewer"))):
    """Note a follow-up seen in SP4N-LAPOR! (verified, or replied by the OPD) on the day LAPOR! shows
    it; the item's deadlines (pantau.deadlines) count the stage as met that day."""
    repo = request.app.state.repo
    item = repo.item_detail(item_id)
    if item is None:
        raise HTTPException(404, f"Aduan #{item_id} tidak ditemukan.")
    try:
        day = date.fromisoformat(tanggal.strip())
    except ValueError:
        raise HTTPException(400, f"Tanggal '{tanggal}' tidak valid; tulis sebagai TTTT-BB-HH.") from None
    now = datetime.now(WIB)
    entered = item["lapor_entered_at"]
    # Noon WIB of the chosen day, kept between the entry and now so a same-day note is valid.
    at = datetime.combine(day, time(12), tzinfo=WIB)
    if entered is not None and day == entered.astimezone(WIB).date():
        at = max(at, entered)
    if day == now.date():
        at = min(at, now)
    try:
        repo.record_lapor_follow_up(item_id, user.id, tahap, at, note=catatan.strip()[:500] or None)
    except ValueError as exc:
        raise HTTPException(400, f"Tidak tersimpan: {exc}.") from None
    return RedirectResponse(f"/aduan/{item_id}", status_code=303)
