"""Routes: the admin's taxonomy and OPD routing page, and its edits.

An admin changes a category (label, description, LAPOR! kategori/subkategori, default OPD; never
its code, which stored records use), an OPD (name, short name, confirmed, note), adds an OPD, or
changes a cue rule (cues, OPD, note). :mod:`classify.taxonomy_edit` writes the file and checks it
with the real loader first; a refused edit shows its message in the form (400) and changes
nothing. Every change is appended to the audit trail with exactly the changed fields before and
after, and the whole interface uses the new values from the next request on."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from classify import taxonomy_edit as edit
from classify.taxonomy import ROUTING_FILE, TAXONOMY_FILE, data_path
from review.security import CurrentUser, client_ip, require
from review.web import render, taxonomy

router = APIRouter(prefix="/admin/taksonomi")
admin_only = require("admin")
NOTICES = {"kategori": "Kategori disimpan.", "opd": "OPD disimpan.", "opd_baru": "OPD ditambahkan.",
           "aturan": "Aturan penerusan disimpan.", "sama": "Tidak ada yang berubah."}


def _files() -> dict[str, object]:
    return {"taxonomy_file": str(data_path(TAXONOMY_FILE)), "routing_file": str(data_path(ROUTING_FILE)),
            "target_dir": str(edit.target_dir()), "writable_problem": edit.writable_problem()}


def _audit(request: Request, user: CurrentUser, change: edit.Change) -> None:
    request.app.state.repo.audit(change.action, user_id=user.id, username=user.username, target=change.target,
                                 before=change.before or None, after=change.after, ip=client_ip(request))


def _done(change: edit.Change, notice: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/taksonomi?ok={notice if change.changed else 'sama'}#{anchor}", status_code=303)


# -- the overview ---------------------------------------------------------------------------------

@router.get("")
def taxonomy_page(request: Request, user: CurrentUser = Depends(admin_only)):
    return _overview(request, user)


def _overview(request: Request, user: CurrentUser, *, error: str | None = None, form: dict | None = None,
              status_code: int = 200):
    tax = taxonomy()
    return render(request, "admin_taxonomy.html", {
        "categories": tax.categories, "opds": tax.opds, "rules": tax.rules,
        "opd_names": {opd.id: opd.name for opd in tax.opds},
        "notice": NOTICES.get(request.query_params.get("ok", "")), "error": error, "form": form or {},
        "routing_version": edit.version(ROUTING_FILE), **_files(),
    }, user=user, status_code=status_code)


# -- categories -----------------------------------------------------------------------------------

def _category_page(request: Request, user: CurrentUser, code: str, *, form: dict | None = None,
                   error: str | None = None, status_code: int = 200):
    tax = taxonomy()
    try:
        category = tax.category(code)
    except KeyError:
        raise HTTPException(404, f"Kategori “{code}” tidak ada.") from None
    form = form or {"label": category.label, "description": category.description,
                    "lapor_kategori": category.lapor_kategori, "lapor_subkategori": category.lapor_subkategori or "",
                    "default_opd": category.default_opd, "versi": edit.version(TAXONOMY_FILE)}
    kategori = form["lapor_kategori"]
    subkategori = tax.lapor.subcategories(kategori) if kategori in tax.lapor else ()
    return render(request, "admin_taxonomy_category.html", {
        "category": category, "form": form, "error": error, "lapor_names": tax.lapor.names,
        "subkategori": subkategori, "opds": tax.opds, **_files(),
    }, user=user, status_code=status_code)


@router.get("/kategori/{code}")
def category_form(request: Request, code: str, user: CurrentUser = Depends(admin_only)):
    return _category_page(request, user, code)


@router.get("/subkategori")
def subkategori_options(request: Request, user: CurrentUser = Depends(admin_only)):
    """The subkategori choices of a LAPOR! kategori, for the category form (HTMX)."""
    tax = taxonomy()
    kategori = request.query_params.get("lapor_kategori", "")
    subkategori = tax.lapor.subcategories(kategori) if kategori in tax.lapor else ()
    return render(request, "_lapor_subkategori.html", {"subkategori": subkategori, "selected": ""}, user=user)


@router.post("/kategori/{code}")
def category_save(request: Request, code: str, user: CurrentUser = Depends(admin_only),
                  label: str = Form(""), description: str = Form(""), lapor_kategori: str = Form(""),
                  lapor_subkategori: str = Form(""), default_opd: str = Form(""), versi: str = Form("")):
    form = {"label": label, "description": description, "lapor_kategori": lapor_kategori,
            "lapor_subkategori": lapor_subkategori, "default_opd": default_opd}
    try:
        change = edit.edit_category(code, form, expected_version=versi)
    except edit.UnknownEntry as exc:
        raise HTTPException(404, str(exc)) from None
    except edit.EditError as exc:
        return _category_page(request, user, code, form={**form, "versi": versi}, error=str(exc),
                              status_code=400)
    if change.changed:
        _audit(request, user, change)
    return _done(change, "kategori", f"kategori-{code}")


# -- OPDs -----------------------------------------------------------------------------------------

def _opd_page(request: Request, user: CurrentUser, opd_id: str, *, form: dict | None = None,
              error: str | None = None, status_code: int = 200):
    try:
        opd = taxonomy().opd(opd_id)
    except KeyError:
        raise HTTPException(404, f"OPD “{opd_id}” tidak ada.") from None
    form = form or {"name": opd.name, "short": opd.short, "confirmed": opd.confirmed, "note": opd.note or "",
                    "versi": edit.version(ROUTING_FILE)}
    return render(request, "admin_taxonomy_opd.html", {
        "opd": opd, "form": form, "error": error, "opd_names": {o.id: o.name for o in taxonomy().opds}, **_files(),
    }, user=user, status_code=status_code)


@router.get("/opd/{opd_id}")
def opd_form(request: Request, opd_id: str, user: CurrentUser = Depends(admin_only)):
    return _opd_page(request, user, opd_id)


@router.post("/opd/{opd_id}")
def opd_save(request: Request, opd_id: str, user: CurrentUser = Depends(admin_only), name: str = Form(""),
             short: str = Form(""), confirmed: str = Form(""), note: str = Form(""), versi: str = Form("")):
    form = {"name": name, "short": short, "confirmed": confirmed == "1", "note": note}
    try:
        change = edit.edit_opd(opd_id, form, expected_version=versi)
    except edit.UnknownEntry as exc:
        raise HTTPException(404, str(exc)) from None
    except edit.EditError as exc:
        return _opd_page(request, user, opd_id, form={**form, "versi": versi}, error=str(exc), status_code=400)
    if change.changed:
        _audit(request, user, change)
    return _done(change, "opd", f"opd-{opd_id}")


@router.post("/opd")
def opd_add(request: Request, user: CurrentUser = Depends(admin_only), opd_id: str = Form("", alias="id"),
            name: str = Form(""), short: str = Form(""), confirmed: str = Form(""), note: str = Form(""),
            versi: str = Form("")):
    form = {"name": name, "short": short, "confirmed": confirmed == "1", "note": note}
    try:
        change = edit.add_opd(opd_id, form, expected_version=versi)
    except edit.EditError as exc:
        return _overview(request, user, error=str(exc), form={**form, "id": opd_id}, status_code=400)
    _audit(request, user, change)
    return _done(change, "opd_baru", f"opd-{opd_id.strip()}")


# -- cue rules ------------------------------------------------------------------------------------

def _rule_page(request: Request, user: CurrentUser, number: int, *, form: dict | None = None,
               error: str | None = None, status_code: int = 200):
    tax = taxonomy()
    if not 1 <= number <= len(tax.rules):
        raise HTTPException(404, f"Aturan #{number} tidak ada.")
    rule = tax.rules[number - 1]
    form = form or {"cues": "\n".join(rule.cues), "opd": rule.opd, "note": rule.note or "",
                    "versi": edit.version(ROUTING_FILE)}
    return render(request, "admin_taxonomy_rule.html", {
        "rule": rule, "form": form, "error": error, "opds": tax.opds,
        "category_labels": {c.code: c.label for c in tax.categories}, **_files(),
    }, user=user, status_code=status_code)


@router.get("/aturan/{number}")
def rule_form(request: Request, number: int, user: CurrentUser = Depends(admin_only)):
    return _rule_page(request, user, number)


@router.post("/aturan/{number}")
def rule_save(request: Request, number: int, user: CurrentUser = Depends(admin_only), cues: str = Form(""),
              opd: str = Form(""), note: str = Form(""), versi: str = Form("")):
    form = {"cues": cues, "opd": opd, "note": note}
    try:
        change = edit.edit_rule(number, form, expected_version=versi)
    except edit.UnknownEntry as exc:
        raise HTTPException(404, str(exc)) from None
    except edit.EditError as exc:
        return _rule_page(request, user, number, form={**form, "versi": versi}, error=str(exc), status_code=400)
    if change.changed:
        _audit(request, user, change)
    return _done(change, "aturan", f"aturan-{number}")
