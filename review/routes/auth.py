"""Routes: sign-in and sign-out, and the home page redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from review.security import (CurrentUser, client_ip, current_user, hash_password, needs_rehash, sign_in,
                             verify_password)
from review.web import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme): an open redirect helps phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


@router.get("/")
def home(user: CurrentUser = Depends(current_user)):
    return RedirectResponse("/antrian" if user.can("reviewer") else "/dasbor", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")):
    repo, throttle, ip = request.app.state.repo, request.app.state.throttle, client_ip(request)
    username = username.strip()
    wait = throttle.retry_after(username, ip)
    if wait:
        repo.audit("login_throttled", username=username[:64], ip=ip)
        minutes = max(1, round(wait / 60))
        return render(request, "login.html", {"next": _safe_next(next), "username": username,
                                              "error": f"Terlalu banyak percobaan masuk yang gagal. "
                                                       f"Coba lagi dalam {minutes} menit."},
                      status_code=429, headers={"Retry-After": str(wait)})
    user = repo.user_for_login(username)
    ok = verify_password(user["password_hash"] if user else None, password) and user is not None
    if not ok or not user["active"]:
        throttle.failed(username, ip)
        repo.audit("login_failed", user_id=user["id"] if user else None, username=username[:64], ip=ip)
        message = ("Akun ini dinonaktifkan. Hubungi admin Diskominfo." if ok and user and not user["active"]
                   else "Nama pengguna atau kata sandi salah.")
        return render(request, "login.html", {"next": _safe_next(next), "username": username, "error": message},
                      status_code=401)
    throttle.succeeded(username)
    if needs_rehash(user["password_hash"]):
        repo.update_user(user["id"], password_hash=hash_password(password))
    sign_in(request, user)
    repo.audit("login", user_id=user["id"], username=user["username"], ip=ip)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request):
    user_id = request.session.get("uid")
    if isinstance(user_id, int):
        request.app.state.repo.audit("logout", user_id=user_id, ip=client_ip(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
