"""Turn a fetched page's bytes into text, correcting the charset declarations sites get wrong.

The usual order applies (byte-order mark, then the HTTP ``Content-Type`` charset, then
``<meta charset>``; via :func:`w3lib.encoding.html_to_unicode`), with two corrections seen on
small Indonesian sites and their shared hosting: a page *declared* as a single-byte Western
encoding (ISO-8859-1, windows-1252, ASCII) that is really UTF-8 is read as UTF-8, and an
undeclared page that is not valid UTF-8 is read as windows-1252 (the HTML5 default for
Latin-script pages). Bytes that fit no encoding become U+FFFD; decoding never raises.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

WESTERN_SINGLE_BYTE = frozenset({"cp1252", "iso8859-1", "latin-1", "ascii", "iso8859-15"})
UNDECLARED_FALLBACK = "cp1252"


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML response body and its Content-Type header."""
    body = body or b""
    bom_encoding, _bom = read_bom(body)
    declared = bom_encoding or http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if not bom_encoding:
        if declared is None or _codec_name(declared) in WESTERN_SINGLE_BYTE:
            utf8 = None if body.isascii() else _strict_utf8(body)
            if utf8 is not None:
                return utf8, "utf-8"
        if declared is None and utf8 is None and not body.isascii():
            return body.decode(UNDECLARED_FALLBACK, errors="replace"), UNDECLARED_FALLBACK
    encoding, text = html_to_unicode(content_type, body)
    return text, _codec_name(encoding)


def _strict_utf8(body: bytes) -> str | None:
    """The body as UTF-8 when it is valid UTF-8, else None."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()
