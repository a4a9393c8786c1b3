"""What makes an export safe to hand out: personal data masked, spreadsheet formulas defused.

**Personal data.** A citizen's NIK or family-card number, phone number and e-mail address in a
harvested post are replaced by a readable placeholder (``[NIK]``, ``[NO. KK]``, ``[TELEPON]``,
``[EMAIL]``) before anything is written, in every export format. Detection is the maintained
``lokal-id`` detector (``lokal.detect_pii``), limited to those four kinds: names and addresses
stay, because who and where are the substance of a complaint (and the names are mostly officials
and places). Dates, amounts of money, postal codes, RT/RW and other long numbers are left alone
(``tests/test_export_safety.py`` holds the near-misses). The detector runs every one of its
rules over the whole text it is given (~4 ms per KB: 20,000 articles took three minutes), so it
is given only windows of the text around a *candidate* — an ``@``, a run of eight or more digits
with phone-style separators, a spoken "nol …"/"kosong …" number — each with 120 characters of
context either side (labels such as "NIK" or "hubungi" sit right before the number). A text
without a candidate cannot hold any of the four and is not searched at all; the tests check both
shortcuts against the detector on the whole text.

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

# Over-inclusive on purpose: what it finds is checked by lokal; what it does not find cannot be
# an e-mail (needs @), a NIK/KK (16 digits) or an Indonesian phone number (at least 9 digits in
# groups separated by spaces, dots, hyphens, brackets or +; or spelled out from "nol"/"kosong").
# "/" is not a separator: lokal reads none of the four across it, and dates (12/11/2026) would
# otherwise make nearly every news text a candidate. tests/test_export_safety.py checks it.
_MAYBE_PII = re.compile(r"@|\d(?:[\s.\-()+]{0,3}\d){7,}|\b(?:nol|kosong)\b", re.IGNORECASE)
CONTEXT = 120  # characters of text either side of a candidate that lokal sees

_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_HIDDEN_START = ("\t", "\r", "\n")


def candidate_windows(text: str) -> list[tuple[int, int]]:
    """Disjoint ``(start, end)`` spans of ``text`` around every candidate, widened to whole words."""
    windows: list[list[int]] = []
    for found in _MAYBE_PII.finditer(text):
        start, end = max(0, found.start() - CONTEXT), min(len(text), found.end() + CONTEXT)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return [(start, end) for start, end in windows]


def mask_personal_data(text: str | None) -> str | None:
    """``text`` with every NIK, KK number, phone number and e-mail address replaced by its
    placeholder; ``None`` and texts without any stay as they are."""
    if not text:
        return text
    windows = candidate_windows(text)
    if not windows:
        return text
    import lokal  # imported on first use: most texts never need it

    parts, at = [], 0
    for start, end in windows:
        for match in lokal.detect_pii(text[start:end], types=MASKED_TYPES):  # non-overlapping, in order
            parts.append(text[at:start + match.start])
            parts.append(PLACEHOLDERS[match.type])
            at = start + match.end
    if not parts:
        return text
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
