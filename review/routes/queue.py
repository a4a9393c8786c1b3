"""Routes: the review queue: one item at a time, keyboard decisions, undo, last ten decisions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
