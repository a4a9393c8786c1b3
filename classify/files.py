"""Files Pantau writes for people: replaced atomically, with ordinary permissions.

A file is written through a temporary file in the same folder and renamed into place, so a
failure never leaves half a file where the last good one was, and readers never see a partial one.
``write`` may also check what it wrote (the taxonomy editor loads the new file back): raising
leaves the old file as it was.

It lives in ``classify`` because that is the lowest layer that writes such files (the taxonomy
editor); the CLI's exports, backups and sources editor above it use the same helper.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def write_atomically(target: str | Path, write: Callable[[Path], T], *, like: Path | None = None) -> T:
    """Call ``write(temporary_path)``, flush it to disk and move it to ``target``; returns what
    ``write`` returned. A new ``target`` gets the permissions of ``like`` when given (a shipped
    file it overrides), else what the user's umask gives; a replaced one keeps its own."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    os.chmod(temporary, _mode_for(target, like))  # mkstemp's 0600 would hide the file from colleagues
    try:
        count = write(Path(temporary))
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _mode_for(target: Path, like: Path | None) -> int:
    """The replaced file's permissions, else ``like``'s, else what the user's umask gives a new file."""
    for model in (target, like):
        try:
            return model.stat().st_mode & 0o777
        except (FileNotFoundError, AttributeError):
            continue
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
