"""Routes: the SP4N-LAPOR! tracking number of an approved item (the panel is on the item's page)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from review.lapor import lapor_draft
from review.security import CurrentUser, require

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
