"""Change the sources file from the admin web page: switch a source on or off, add a news site.

The sources file stays the one place where sources are defined (``pantau crawl`` and
``pantau schedule`` read it; an admin may still edit it by hand), so the web page edits that
file rather than keeping a second list in the database. Edits are round-trip YAML (ruamel.yaml):
comments, key order, quoting and indentation survive. Every new text is checked with the same
loader the crawler uses (:func:`pantau.config.parse_sources`) before it replaces the file, and
the replacement is atomic (a temporary file in the same folder, then :func:`os.replace`) under
an exclusive lock, so a crash or two admins saving at once never leave a half-written file.

Errors are :class:`SourcesEditError` with an Indonesian message that says what to do; this
module is a leaf like :mod:`pantau.config`.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from pantau.config import ConfigError, Source, SourcesFile, parse_every, parse_sources
from classify.files import write_atomically

MAX_URL = 500
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")  # "javascript:", "mailto:", not "host:8080"


class SourcesEditError(ValueError):
    """An edit that cannot be made; ``str()`` is the Indonesian message for the admin."""


def set_enabled(path: str | Path, name: str, enabled: bool) -> tuple[bool, bool]:
    """Switch source ``name`` on or off; returns (before, after)."""
    before: list[bool] = []

    def change(doc: CommentedMap, current: SourcesFile, offset: int) -> None:
        source = _find(current, name)
        before.append(source.enabled)
        entry = _entries(doc)[current.sources.index(source)]
        _set_key(entry, "enabled", bool(enabled))

    _edit(path, change)
    return before[0], bool(enabled)


def add_site(path: str | Path, url: str, *, name: str | None = None, every: str | None = None,
             note: str | None = None) -> Source:
    """Append a news site (only its address is needed: feeds, sitemaps and listing pages are
    discovered at crawl time); returns the new source as the crawler will read it."""
    url = normalise_url(url)
    if every:
        try:
            parse_every(every)
        except ValueError:
            raise SourcesEditError(f"Interval “{every}” tidak dikenal. Tulis angka dengan s, m, h "
                                   "atau d, misalnya 30m, 1h atau 1d (paling sering sekali semenit).") from None
    added: list[str] = []

    def change(doc: CommentedMap, current: SourcesFile, offset: int) -> None:
        for source in current.sources:
            if source.url and _same_site(source.url, url):
                raise SourcesEditError(f"Alamat ini sudah dipantau sebagai sumber “{source.name}” "
                                       f"({source.url}).")
        taken = {s.name.lower() for s in current.sources}
        chosen = (name or "").strip() or _name_for(url, taken)
        if chosen.lower() in taken:
            raise SourcesEditError(f"Nama “{chosen}” sudah dipakai sumber lain. Pilih nama lain.")
        entry = CommentedMap(name=chosen, url=url)
        if every:
            entry["every"] = every.strip()
        entries = _entries(doc)
        entries.append(entry)
        if note:
            entries.yaml_set_comment_before_after_key(len(entries) - 1, before=note, indent=offset)
        added.append(chosen)

    new = _edit(path, change)
    return new.get(added[0])


def normalise_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise SourcesEditError("Isi alamat situs, misalnya https://beritaprobolinggo.id/.")
    if len(url) > MAX_URL:
        raise SourcesEditError(f"Alamat terlalu panjang (lebih dari {MAX_URL} karakter).")
    if "://" not in url and not _SCHEME.match(url):
        url = "https://" + url
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
        valid = (parts.scheme in ("http", "https") and bool(parts.hostname)
                 and ("." in parts.hostname or parts.hostname == "localhost")
                 and not any(c.isspace() for c in url))
    except ValueError:
        valid = False
    if not valid:
        raise SourcesEditError(f"“{url}” bukan alamat situs web. Tulis lengkap, misalnya "
                               "https://beritaprobolinggo.id/.")
    path = parts.path or "/"
    return f"{parts.scheme}://{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


# -- internals ------------------------------------------------------------------------------

def _find(current: SourcesFile, name: str) -> Source:
    for source in current.sources:
        if source.name == name:
            return source
    raise SourcesEditError(f"Sumber “{name}” tidak ada di berkas sumber {current.path}. "
                           "Mungkin baru saja dihapus; muat ulang halaman.")


def _entries(doc: CommentedMap) -> CommentedSeq:
    entries = doc.get("sources")
    if entries is None:
        entries = doc["sources"] = CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        raise SourcesEditError("Kunci ‘sources’ di berkas sumber bukan daftar; perbaiki berkas secara manual.")
    return entries


def _set_key(entry: CommentedMap, key: str, value: Any) -> None:
    """Set ``key``; a new key goes last, taking over the blank lines and comments that followed
    the previous last key (ruamel keeps them on that key), so the entry stays one block."""
    if key in entry or not entry:
        entry[key] = value
        return
    last = list(entry)[-1]
    entry[key] = value
    trailing = entry.ca.items.get(last)
    if trailing and len(trailing) > 2 and trailing[2] is not None:
        entry.ca.items[key] = [None, None, trailing[2], None]
        trailing[2] = None


def _site_key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, (parts.path or "/").rstrip("/") + "/"


def _same_site(a: str, b: str) -> bool:
    """Does one address's crawl already cover the other (same host, one path under the other)?"""
    host_a, path_a = _site_key(a)
    host_b, path_b = _site_key(b)
    return host_a == host_b and (path_a.startswith(path_b) or path_b.startswith(path_a))


def _name_for(url: str, taken: set[str]) -> str:
    host, path = _site_key(url)
    base = _SLUG_JUNK.sub("-", host.rsplit(".", 1)[0] if host.count(".") else host).strip("-")
    tail = _SLUG_JUNK.sub("-", path.lower()).strip("-")
    base = (f"{base}-{tail}" if tail else base)[:56].strip("-") or "situs"
    chosen, n = base, 2
    while chosen in taken:
        chosen, n = f"{base}-{n}", n + 1
    return chosen


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    try:
        handle = open(lock_path, "a")
    except OSError as exc:
        raise _not_writable(path, exc) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _not_writable(path: Path, exc: OSError) -> SourcesEditError:
    return SourcesEditError(
        f"Berkas sumber {path} tidak dapat ditulis oleh Pantau ({exc.strerror or exc}). Beri akun "
        "layanan Pantau izin menulis berkas dan foldernya, atau sunting berkas secara manual.")


def _edit(path: str | Path, change: Callable[[CommentedMap, SourcesFile, int], Any]) -> SourcesFile:
    path = Path(path)
    with _locked(path):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = "sources:\n"
        except (OSError, UnicodeDecodeError) as exc:
            raise SourcesEditError(f"Berkas sumber {path} tidak dapat dibaca: {exc}") from None
        try:
            current = parse_sources(text, path)
        except ConfigError as exc:
            raise SourcesEditError(f"Berkas sumber sekarang sudah bermasalah, perbaiki dulu secara "
                                   f"manual: {exc}") from None
        yaml = YAML()
        yaml.preserve_quotes = True
        try:
            _, sequence_indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, 4, 2)
        except YAMLError:
            sequence_indent, offset = 4, 2
        sequence_indent = sequence_indent or 4
        offset = 2 if offset is None else offset
        yaml.indent(mapping=2, sequence=sequence_indent, offset=offset)
        doc = yaml.load(text) or CommentedMap()
        change(doc, current, offset)
        out = io.StringIO()
        yaml.dump(doc, out)
        new_text = out.getvalue()
        try:
            new = parse_sources(new_text, path)
        except ConfigError as exc:  # a bug here, not the admin's: refuse rather than save it
            raise SourcesEditError(f"Perubahan ditolak karena hasilnya tidak sah: {exc}") from None
        _replace(path, new_text)
        return new


def _replace(path: Path, text: str) -> None:
    try:
        write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise _not_writable(path, exc) from None
