"""What makes an export safe to hand out: personal data masked, spreadsheet formulas defused.

**Personal data.** A citizen's NIK or family-card number, phone number and e-mail address in a
harvested post are replaced by a readable placeholder (``[NIK]``, ``[NO. KK]``, ``[TELEPON]``,
``[EMAIL]``) before anything is written, in every export format. Detection is the maintained
``lokal-id`` detector (``lokal.detect_pii``), limited to those four kinds: names and addresses
stay, because who and where are the substance of a complaint (and the names are mostly officials
and places). Dates, amounts of money, postal codes, RT/RW and other long numbers are left alone
(``tests/test_export_safety.py`` holds the near-misses). The detector runs every one of its
rules on a text (~4 ms per KB), so a cheap gate first skips texts that cannot hold any of the
four: no ``@``, no run of eight digits, no spoken "nol …"/"kosong …" number.

**Formula injection.** Excel, LibreOffice and Google Sheets run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)`` in a hostile tweet becomes a live link,
``=cmd|...`` worse), and a leading tab or carriage return can hide such a start. Such a text
cell is prefixed with ``'`` (OWASP's advice), which every spreadsheet shows as plain text. We
also defuse a formula start after leading spaces (some importers trim them) and the full-width
forms ``＝＋－＠`` (which some input methods turn into the ASCII ones).
"""

from __future__ import annotations

import re
from typing import Any

MASKED_TYPES = ("NIK", "KK", "PHONE", "EMAIL")
PLACEHOLDERS = {"NIK": "[NIK]", "KK": "[NO. KK]", "PHONE": "[TELEPON]", "EMAIL": "[EMAIL]"}
MASKED_FIELDS = ("title", "text", "author")

# Over-inclusive on purpose: a text it lets through is checked by lokal, one it stops cannot hold
# an e-mail (needs @), a NIK/KK (16 digits) or an Indonesian phone number (at least 9 digits,
# or spelled out from "nol"/"kosong"). tests/test_export_safety.py checks it against the corpus.
_MAYBE_PII = re.compile(r"@|\d(?:[\s.\-()+/]{0,3}\d){7,}|\b(?:nol|kosong)\b", re.IGNORECASE)

_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_HIDDEN_START = ("\t", "\r", "\n")


def mask_personal_data(text: str | None) -> str | None:
    """``text`` with every NIK, KK number, phone number and e-mail address replaced by its
    placeholder; ``None`` and texts without any stay as they are."""
    if not text or not _MAYBE_PII.search(text):
        return text
    import lokal  # imported on first use: ~0.3 s, and most exports of a day's items need it once

    matches = lokal.detect_pii(text, types=MASKED_TYPES)
    if not matches:
        return text
    parts, at = [], 0
    for match in matches:  # non-overlapping, in reading order
        parts.append(text[at:match.start])
        parts.append(PLACEHOLDERS[match.type])
        at = match.end
    parts.append(text[at:])
    return "".join(parts)


def mask_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of an export record with personal data masked in its free-text fields."""
    masked = dict(record)
    for field in MASKED_FIELDS:
        value = masked.get(field)
        if isinstance(value, str):
            masked[field] = mask_personal_data(value)
    return masked


def needs_neutralising(value: str) -> bool:
    if value.startswith(_HIDDEN_START):
        return True
    stripped = value.lstrip()
    return bool(stripped) and stripped[0] in _FORMULA_START


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell value that is never run as a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and needs_neutralising(value):
        return "'" + value
    return value
