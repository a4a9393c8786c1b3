"""Routes: the SP4N-LAPOR! panel on an approved item and its tracking number."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
