"""``/health``: for monitoring (no sign-in; says nothing but whether the database answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/health", include_in_schema=False)
def health(request: Request):
    try:
        request.app.state.repo.user(0)
    except Exception:  # the reason goes to the log, not to an anonymous caller
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return {"status": "ok"}
