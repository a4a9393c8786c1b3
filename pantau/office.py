"""The office Pantau serves: which kabupaten/kota, by what name, and how its outputs say so.

An install serves one office. Its configuration is the sources file's ``region:`` (the
Kemendagri code of the kabupaten/kota) and optional ``office:`` (the office's short name, as
notes to other tools say "Disetujui petugas …"), with their one default in
:mod:`pantau.config`; its OPD routing is ``opd_routing.yaml`` in ``PANTAU_TAXONOMY_DIR`` (see
:mod:`classify.taxonomy`). Everything an output names is derived here, never written in code:
the region's official name comes from the national wilayah list (``35.08`` -> "Kabupaten
Lumajang", ``35.74`` -> "Kota Probolinggo"), the government from it ("Pemerintah Kabupaten
Lumajang"), and with it the "out of jurisdiction" notice (LAPOR!'s "Bukan Wewenang").

:func:`current_office` is the office of the sources file in use (``PANTAU_SOURCES``, else
``sources.yaml``), re-read when the file changes, so the web interface, the exports and the
monthly report name the same region as the crawl classified for.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from pantau.config import DEFAULT_OFFICE, ConfigError, load_office_keys, sources_path


@dataclass(frozen=True)
class Office:
    region: str                  # Kemendagri code of the kabupaten/kota, e.g. "35.08"
    region_name: str             # its official name, e.g. "Kabupaten Lumajang"
    name: str = DEFAULT_OFFICE   # the office's short name, e.g. "Diskominfo"

    @property
    def level(self) -> str:
        """``kabupaten`` or ``kota``."""
        return "kota" if self.region_name.lower().startswith("kota ") else "kabupaten"

    @property
    def government(self) -> str:
        """``Pemerintah Kabupaten Lumajang``: whose authority a complaint is or is not."""
        return f"Pemerintah {self.region_name}"

    def outside_authority_notice(self, forward_to: str) -> str:
        """What happens to a complaint for an agency outside the region's authority."""
        return f"Di luar kewenangan {self.government}; diteruskan ke {forward_to}."


def office_for(region: str, name: str = DEFAULT_OFFICE) -> Office:
    """The office of kabupaten/kota ``region``; ``ValueError`` for a code that is not one."""
    from classify.gazetteer import region_name

    return Office(region, region_name(region), name)


def configured_office(path: str | Path | None = None) -> Office:
    """The office a sources file configures (the defaults when the file does not exist);
    :class:`~pantau.config.ConfigError` naming the file and key when its region is unknown."""
    path = sources_path(path)
    region, name = load_office_keys(path)
    try:
        return office_for(region, name)
    except ValueError as exc:
        raise ConfigError(path, f"{exc}; set 'region' to the office's kabupaten/kota", key="region") from None


class _Current:
    """The office of the sources file in use, re-read only when the file changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._office: Office | None = None

    def get(self) -> Office:
        path = sources_path()
        try:
            stat = os.stat(path)
            signature: tuple = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            signature = (str(path), None)
        with self._lock:
            if signature != self._signature or self._office is None:
                self._office, self._signature = configured_office(path), signature
            return self._office


_current = _Current()


def current_office() -> Office:
    """The office of the sources file in use (``PANTAU_SOURCES``, else ``sources.yaml``)."""
    return _current.get()
