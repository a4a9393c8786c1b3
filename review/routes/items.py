"""Routes: the list view: filters, sorting, keyset pagination, bulk decisions; one item's page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
