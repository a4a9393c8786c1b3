"""Routes: admin pages: users, sources, taxonomy and OPD routing, the audit trail."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
