"""Routes: cases (clusters): every copy of a story across sources; merge and split."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from review.security import CurrentUser, client_ip, require
from review.web import render

router = APIRouter()


@router.get("/kasus/{cluster_id}")
def case_page(request: Request, cluster_id: int, user: CurrentUser = Depends(require("viewer"))):
    items = request.app.state.repo.case_items(cluster_id)
    if not items:
        raise HTTPException(404, f"Kasus #{cluster_id} tidak ditemukan atau sudah kosong.")
    return render(request, "case.html", {"cluster_id": cluster_id, "items": items}, user=user)


@router.post("/kasus/gabung")
async def merge(request: Request, user: CurrentUser = Depends(require("reviewer"))):
    form = await request.form()
    try:
        ids = [int(value) for value in form.getlist("ids") if str(value).strip()]
        if form.get("dengan"):
            ids.append(int(str(form.get("dengan")).strip().lstrip("#")))
    except ValueError:
        raise HTTPException(400, "Nomor aduan tidak valid.") from None
    repo = request.app.state.repo
    try:
        before, target = repo.merge_cases(ids)
    except (ValueError, LookupError) as exc:
        raise HTTPException(400, f"Tidak dapat digabung: {exc}.") from None
    repo.audit("case_merge", user_id=user.id, username=user.username, target=f"case:{target}",
               before={"cases": before}, after={"case": target, "items": sorted(int(i) for i in before)},
               ip=client_ip(request))
    return RedirectResponse(f"/kasus/{target}", status_code=303)


@router.post("/kasus/{cluster_id}/pisah")
async def split(request: Request, cluster_id: int, user: CurrentUser = Depends(require("reviewer"))):
    form = await request.form()
    try:
        item_id = int(str(form.get("item_id", "")))
    except ValueError:
        raise HTTPException(400, "Nomor aduan tidak valid.") from None
    repo = request.app.state.repo
    if item_id not in {item["id"] for item in repo.case_items(cluster_id)}:
        raise HTTPException(400, f"Aduan #{item_id} bukan bagian dari kasus #{cluster_id}.")
    old, new = repo.split_from_case(item_id)
    repo.audit("case_split", user_id=user.id, username=user.username, target=f"item:{item_id}",
               before={"case": old}, after={"case": new}, ip=client_ip(request))
    return RedirectResponse(f"/kasus/{cluster_id}" if len(repo.case_items(cluster_id)) else f"/kasus/{new}",
                            status_code=303)
