"""The FastAPI application: ``create_app()`` wires the database, sessions, CSRF, security headers
and every page's router. ``pantau serve`` runs it with uvicorn."""

from __future__ import annotations

import logging
import os
import secrets
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from review.security import CSP, LoginThrottle, NotSignedIn, check_csrf
from review.web import HERE, render
from storage.repo import Repository

logger = logging.getLogger(__name__)
SECRET_VARIABLE = "PANTAU_SECRET_KEY"


def session_secret() -> str:
    secret = os.environ.get(SECRET_VARIABLE, "").strip()
    if secret:
        return secret
    logger.warning("%s is not set: sessions are signed with a random key and end when Pantau restarts; "
                   "set it to a long random string (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)",
                   SECRET_VARIABLE)
    return secrets.token_hex(32)


def create_app(db_url: str | None = None, *, repo: Repository | None = None, secret: str | None = None,
               session_hours: float | None = None, https_only: bool | None = None) -> FastAPI:
    app = FastAPI(title="Pantau", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(check_csrf)])
    app.state.repo = repo or Repository(db_url)
    app.state.throttle = LoginThrottle()
    hours = session_hours if session_hours is not None else float(os.environ.get("PANTAU_SESSION_HOURS", "8"))
    secure = https_only if https_only is not None else os.environ.get("PANTAU_COOKIE_SECURE", "") in ("1", "true")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Added last, so it runs first: the session exists for the CSRF check and every route.
    app.add_middleware(SessionMiddleware, secret_key=secret or session_secret(), session_cookie="pantau_session",
                       max_age=int(hours * 3600), same_site="lax", https_only=secure)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(NotSignedIn)
    async def to_login(request: Request, exc: NotSignedIn):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("hx-request") == "true":
            return JSONResponse({"detail": "Sesi berakhir; silakan masuk lagi."}, status_code=401,
                                headers={"HX-Redirect": target})
        if request.method != "GET":
            return JSONResponse({"detail": "Silakan masuk terlebih dahulu."}, status_code=401)
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "message": exc.detail},
                      status_code=exc.status_code, headers=exc.headers)

    from review.routes import admin, admin_taxonomy, auth, cases, dashboard, health, items, lapor, queue

    for module in (auth, health, queue, items, cases, lapor, dashboard, admin, admin_taxonomy):
        app.include_router(module.router)
    return app
