"""Files Pantau writes for people: replaced atomically, with ordinary permissions.

A file is written through a temporary file in the same folder and renamed into place, so a
failure never leaves half a file where the last good one was, and readers never see a partial one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def write_atomically(target: str | Path, write: Callable[[Path], T]) -> T:
    """Call ``write(temporary_path)``, flush it to disk and move it to ``target``; returns what
    ``write`` returned."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    os.chmod(temporary, _mode_for(target))  # mkstemp's 0600 would hide the file from colleagues
    try:
        count = write(Path(temporary))
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or what the user's umask gives a new file."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
