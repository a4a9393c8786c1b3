"""Routes: the dashboard: this week and month by category, kecamatan, OPD, channel and status; latest runs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
