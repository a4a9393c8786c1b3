"""Routes: admin pages: users, sources, the audit trail (the taxonomy: admin_taxonomy.py).

Every page and action needs the admin role; every change is appended to the audit trail with the
values before and after."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from review.security import ROLE_LABELS, CurrentUser, client_ip, hash_password, require, sign_in
from review.web import WIB, render
from storage.models import USER_ROLES, utcnow

router = APIRouter(prefix="/admin")
admin_only = require("admin")
USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # as pantau.config accepts
AUDIT_LIMIT = 200
NOTICES = {"ditambah": "Pengguna ditambahkan.", "peran": "Peran diubah.", "aktif": "Pengguna diaktifkan.",
           "nonaktif": "Pengguna dinonaktifkan.", "sandi": "Kata sandi diganti.", "sama": "Tidak ada yang berubah."}
ACTION_LABELS = {"login": "Masuk", "login_failed": "Gagal masuk", "login_throttled": "Masuk ditahan",
                 "logout": "Keluar", "user_add": "Tambah pengguna", "user_role": "Ubah peran",
                 "user_active": "Aktifkan/nonaktifkan pengguna", "user_password": "Ganti kata sandi",
                 "source_add": "Tambah sumber", "source_enabled": "Aktifkan/matikan sumber",
                 "taxonomy_category": "Ubah kategori", "taxonomy_opd": "Ubah OPD", "taxonomy_opd_add": "Tambah OPD",
                 "taxonomy_rule": "Ubah aturan penerusan OPD"}


@router.get("")
def admin_index(request: Request, user: CurrentUser = Depends(admin_only)):
    return render(request, "admin.html", {}, user=user)


# -- users --------------------------------------------------------------------------------

def _users_page(request: Request, user: CurrentUser, *, error: str | None = None, form: dict | None = None,
                status_code: int = 200):
    notice = NOTICES.get(request.query_params.get("ok", ""))
    return render(request, "admin_users.html", {"users": request.app.state.repo.users(), "error": error,
                                                "notice": notice, "form": form or {}, "roles": USER_ROLES},
                  user=user, status_code=status_code)


@router.get("/pengguna")
def users_page(request: Request, user: CurrentUser = Depends(admin_only)):
    return _users_page(request, user)


@router.post("/pengguna")
def add_user(request: Request, user: CurrentUser = Depends(admin_only), username: str = Form(""),
             role: str = Form(""), password: str = Form(""), password2: str = Form("")):
    repo = request.app.state.repo
    username = username.strip()
    form = {"username": username, "role": role}
    error = None
    if not USERNAME.match(username):
        error = "Nama pengguna harus 3–64 karakter: huruf, angka, titik, garis bawah atau tanda hubung."
    elif role not in USER_ROLES:
        error = "Pilih peran: Pembaca, Peninjau atau Admin."
    elif len(password) < 8:
        error = "Kata sandi minimal 8 karakter."
    elif password != password2:
        error = "Kedua kata sandi tidak sama."
    elif repo.user_id(username) is not None:
        error = f"Nama pengguna “{username}” sudah dipakai."
    if error:
        return _users_page(request, user, error=error, form=form, status_code=400)
    new_id = repo.add_user(username, hash_password(password), role)
    repo.audit("user_add", user_id=user.id, username=user.username, target=f"user:{username}",
               after={"id": new_id, "role": role, "active": True}, ip=client_ip(request))
    return RedirectResponse("/admin/pengguna?ok=ditambah", status_code=303)


def _target(request: Request, user_id: int) -> dict:
    target = request.app.state.repo.user(user_id)
    if target is None:
        raise HTTPException(404, "Pengguna tidak ditemukan.")
    return target


@router.post("/pengguna/{user_id}/peran")
def change_role(request: Request, user_id: int, user: CurrentUser = Depends(admin_only), role: str = Form("")):
    repo = request.app.state.repo
    target = _target(request, user_id)
    if role not in USER_ROLES:
        return _users_page(request, user, error="Peran tidak dikenal. Pilih Pembaca, Peninjau atau Admin.",
                           status_code=400)
    if target["id"] == user.id and role != "admin":
        return _users_page(request, user, error="Anda tidak dapat menurunkan peran akun Anda sendiri.",
                           status_code=400)
    if role == target["role"]:
        return RedirectResponse("/admin/pengguna?ok=sama", status_code=303)
    before, after = repo.update_user(target["id"], role=role)
    repo.audit("user_role", user_id=user.id, username=user.username, target=f"user:{target['username']}",
               before={"role": before["role"]}, after={"role": after["role"]}, ip=client_ip(request))
    return RedirectResponse("/admin/pengguna?ok=peran", status_code=303)


@router.post("/pengguna/{user_id}/aktif")
def set_active(request: Request, user_id: int, user: CurrentUser = Depends(admin_only), active: str = Form("")):
    repo = request.app.state.repo
    target = _target(request, user_id)
    if active not in ("0", "1"):
        return _users_page(request, user, error="Permintaan tidak sah: status aktif harus 0 atau 1.",
                           status_code=400)
    wanted = active == "1"
    if target["id"] == user.id and not wanted:
        return _users_page(request, user, error="Anda tidak dapat menonaktifkan akun Anda sendiri.",
                           status_code=400)
    if wanted == target["active"]:
        return RedirectResponse("/admin/pengguna?ok=sama", status_code=303)
    before, after = repo.update_user(target["id"], active=wanted)
    repo.audit("user_active", user_id=user.id, username=user.username, target=f"user:{target['username']}",
               before={"active": before["active"]}, after={"active": after["active"]}, ip=client_ip(request))
    return RedirectResponse("/admin/pengguna?ok=" + ("aktif" if wanted else "nonaktif"), status_code=303)


@router.post("/pengguna/{user_id}/sandi")
def reset_password(request: Request, user_id: int, user: CurrentUser = Depends(admin_only),
                   password: str = Form(""), password2: str = Form("")):
    repo = request.app.state.repo
    target = _target(request, user_id)
    if len(password) < 8:
        return _users_page(request, user, error="Kata sandi minimal 8 karakter.", status_code=400)
    if password != password2:
        return _users_page(request, user, error="Kedua kata sandi tidak sama.", status_code=400)
    repo.update_user(target["id"], password_hash=hash_password(password))
    repo.audit("user_password", user_id=user.id, username=user.username, target=f"user:{target['username']}",
               after={"password": "diganti", "sesi": "semua sesi pengguna ini diakhiri"}, ip=client_ip(request))
    if target["id"] == user.id:  # the admin's other sessions end; this one goes on
        sign_in(request, repo.user(user.id))
    return RedirectResponse("/admin/pengguna?ok=sandi", status_code=303)


# -- sources, taxonomy, audit -------------------------------------------------------------

SOURCE_NOTICES = {"aktif": "Sumber diaktifkan; berlaku pada pengambilan data berikutnya.",
                  "nonaktif": "Sumber dimatikan; pengambilan data berikutnya melewatinya.",
                  "ditambah": "Situs ditambahkan; diambil pada pengambilan data berikutnya.",
                  "sama": "Tidak ada yang berubah."}
NEVER_CRAWLED = {"items": 0, "last_run_at": None, "last_success_at": None, "last_error": None}
EVERY_CHOICES = (("30m", "30 menit"), ("1h", "1 jam"), ("3h", "3 jam"), ("6h", "6 jam"), ("12h", "12 jam"),
                 ("1d", "1 hari"))


def _sources_page(request: Request, user: CurrentUser, *, error: str | None = None, form: dict | None = None,
                  status_code: int = 200):
    from pantau.config import ConfigError, load_sources, sources_path

    path = sources_path()
    stored = {row["name"]: row for row in request.app.state.repo.sources_overview()}
    rows, file_error = [], None
    try:
        in_file = load_sources(path).sources
    except ConfigError as exc:
        in_file, file_error = (), str(exc)
    for source in in_file:
        row = dict(stored.pop(source.name, None) or NEVER_CRAWLED)
        row.update(name=source.name, kind=source.kind, url=source.url, query=source.query,
                   enabled=source.enabled, every=source.every, in_file=True)
        rows.append(row)
    rows += [dict(row, in_file=False) for row in stored.values()]
    return render(request, "admin_sources.html", {
        "sources": rows, "sources_file": str(path), "file_error": file_error, "error": error,
        "notice": SOURCE_NOTICES.get(request.query_params.get("ok", "")), "form": form or {},
        "every_choices": EVERY_CHOICES}, user=user, status_code=status_code)


@router.get("/sumber")
def sources_page(request: Request, user: CurrentUser = Depends(admin_only)):
    return _sources_page(request, user)


def _sync_source(request: Request, source) -> None:
    """Show the change on the admin page at once; the next crawl syncs the file anyway."""
    request.app.state.repo.sync_sources([source.as_spec()])


@router.post("/sumber")
def add_source(request: Request, user: CurrentUser = Depends(admin_only), url: str = Form(""),
               name: str = Form(""), every: str = Form("")):
    from pantau.config import sources_path
    from pantau.sources_edit import SourcesEditError, add_site

    form = {"url": url, "name": name, "every": every}
    name = name.strip()
    if name and not SOURCE_NAME.match(name):
        return _sources_page(request, user, form=form, status_code=400, error=(
            "Nama sumber 1–64 karakter: huruf, angka, titik, garis bawah atau tanda hubung, "
            "diawali huruf atau angka. Kosongkan agar Pantau memberi nama dari alamatnya."))
    if every and every not in dict(EVERY_CHOICES):
        return _sources_page(request, user, form=form, status_code=400,
                             error="Pilih interval pengambilan dari daftar.")
    path = sources_path()
    when = utcnow().astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")
    try:
        source = add_site(path, url, name=name or None, every=every or None,
                          note=f"Ditambahkan lewat web oleh {user.username}, {when}")
    except SourcesEditError as exc:
        return _sources_page(request, user, error=str(exc), form=form, status_code=400)
    _sync_source(request, source)
    repo = request.app.state.repo
    repo.audit("source_add", user_id=user.id, username=user.username, target=f"source:{source.name}",
               after={"name": source.name, "url": source.url, "every": every or "1h", "file": str(path)},
               ip=client_ip(request))
    return RedirectResponse("/admin/sumber?ok=ditambah", status_code=303)


@router.post("/sumber/{name}/aktif")
def set_source_enabled(request: Request, name: str, user: CurrentUser = Depends(admin_only),
                       enabled: str = Form("")):
    from pantau.config import load_sources, sources_path
    from pantau.sources_edit import SourcesEditError, set_enabled

    if enabled not in ("0", "1"):
        return _sources_page(request, user, error="Permintaan tidak sah: status aktif harus 0 atau 1.",
                             status_code=400)
    path = sources_path()
    try:
        before, after = set_enabled(path, name, enabled == "1")
    except SourcesEditError as exc:
        return _sources_page(request, user, error=str(exc), status_code=400)
    if before == after:
        return RedirectResponse("/admin/sumber?ok=sama", status_code=303)
    _sync_source(request, load_sources(path).get(name))
    request.app.state.repo.audit("source_enabled", user_id=user.id, username=user.username,
                                 target=f"source:{name}", before={"enabled": before},
                                 after={"enabled": after}, ip=client_ip(request))
    return RedirectResponse("/admin/sumber?ok=" + ("aktif" if after else "nonaktif"), status_code=303)


@router.get("/audit")
def audit_page(request: Request, user: CurrentUser = Depends(admin_only)):
    return render(request, "admin_audit.html", {"entries": request.app.state.repo.audit_entries(AUDIT_LIMIT),
                                                "limit": AUDIT_LIMIT, "action_labels": ACTION_LABELS,
                                                "role_labels": ROLE_LABELS}, user=user)
