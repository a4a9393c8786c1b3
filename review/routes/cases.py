"""Routes: cases (clusters): every copy of a story across sources; merge and split."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
