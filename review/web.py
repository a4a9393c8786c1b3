"""Template rendering shared by every page: the Jinja2 environment (autoescaped), Indonesian
date formatting, taxonomy labels, and :func:`render`, which adds the signed-in user and the CSRF
token to every page."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from pantau.office import current_office
from review.security import ROLE_LABELS, CurrentUser, csrf_token
from spiders.dates import JAKARTA as WIB

HERE = Path(__file__).parent
from spiders.dates import BULAN_PANJANG, BULAN_PENDEK as BULAN  # noqa: E402,I001
STATUS_LABELS = {"new": "Baru", "approved": "Disetujui", "rejected": "Ditolak", "entered": "Masuk LAPOR!",
                 "duplicate": "Duplikat"}
from spiders.items import SOURCE_KIND_LABELS  # noqa: E402,I001

templates = Jinja2Templates(directory=str(HERE / "templates"))
env = templates.env
env.trim_blocks = env.lstrip_blocks = True


def tanggal(value: datetime | None, with_time: bool = True) -> str:
    """``20 Nov 2026 09.15 WIB`` (WIB whatever the stored offset); a calendar day as ``20 Nov 2026``."""
    if value is None:
        return "–"
    if not isinstance(value, datetime):  # a date, e.g. a SP4N-LAPOR! deadline
        return f"{value.day} {BULAN[value.month - 1]} {value.year}"
    local = value.astimezone(WIB)
    day = f"{local.day} {BULAN[local.month - 1]} {local.year}"
    return f"{day} {local:%H.%M} WIB" if with_time else day


def tanggal_panjang(value: datetime | None) -> str:
    if value is None:
        return "–"
    local = value.astimezone(WIB)
    return f"{local.day} {BULAN_PANJANG[local.month - 1]} {local.year}"


def taxonomy():
    """The taxonomy in use: re-read when an admin edits its files (checked by mtime, a few µs)."""
    from classify.taxonomy import default_taxonomy

    return default_taxonomy()


def category_label(code: str | None) -> str:
    if not code:
        return "–"
    category = {c.code: c for c in taxonomy().categories}.get(code)
    return category.label if category else code


def find_opd(value: str | None):
    """The taxonomy's OPD a stored label names (official name, short name or id), or None."""
    return taxonomy().opd_for_label(value)


def opd_label(value: str | None) -> str:
    """The OPD's official name."""
    opd = find_opd(value)
    return opd.name if opd else (value or "–")


def opd_short(value: str | None) -> str:
    """The short name staff use (Dinas PUPR), for narrow table cells and chart labels."""
    opd = find_opd(value)
    return (opd.short or opd.name) if opd else (value or "–")


env.filters.update(tanggal=tanggal, tanggal_panjang=tanggal_panjang, kategori=category_label, opd=opd_label,
                   opd_singkat=opd_short,
                   status=lambda s: STATUS_LABELS.get(s, s or "–"),
                   kanal=lambda k: SOURCE_KIND_LABELS.get(k, k or "–"),
                   peran=lambda r: ROLE_LABELS.get(r, r))
env.globals.update(STATUS_LABELS=STATUS_LABELS, SOURCE_KIND_LABELS=SOURCE_KIND_LABELS, ROLE_LABELS=ROLE_LABELS,
                   office=current_office)  # {{ office().level }}: kabupaten or kota, from the sources file


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           user: CurrentUser | None = None, headers: dict[str, str] | None = None):
    context = dict(context or {})
    context.setdefault("user", user)
    context["csrf_token"] = csrf_token(request)
    context["htmx"] = request.headers.get("hx-request") == "true"
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)
