"""``/health``: for monitoring (no sign-in). Says whether the database answers, how long ago the
last crawl finished and how many sources are flagged — never a URL, a name or an error text."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()
logger = logging.getLogger(__name__)


@router.get("/health", include_in_schema=False)
def health(request: Request):
    repo = request.app.state.repo
    try:
        repo.user(0)
    except Exception:  # the reason goes to the log, not to an anonymous caller
        logger.exception("Health check: the database does not answer")
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    answer = {"status": "ok", "database": "ok", "last_crawl_finished_at": None, "last_crawl_age_seconds": None,
              "problem_sources": None}
    try:
        finished = repo.last_crawl_finished_at()
        if finished is not None:
            answer["last_crawl_finished_at"] = finished.isoformat()
            answer["last_crawl_age_seconds"] = int((datetime.now(timezone.utc) - finished).total_seconds())
        answer["problem_sources"] = len(repo.problem_sources())
    except Exception:  # an older schema (run `pantau init`) must not make the site look down
        logger.exception("Health check: cannot read the crawl history")
    return answer
