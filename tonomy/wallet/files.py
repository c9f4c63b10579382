"""Crash-safe, private file writes and bounded JSON reads for the keystore.

A write goes to a temporary file in the same directory (created 0600), is
fsynced, renamed over the target, and the directory is fsynced: after a crash
the file is either the old or the new version, never half of each. Reads refuse
oversized files and anything that is not a JSON object, with ``wallet.keystore_corrupt``.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tonomy.errors import KeystoreCorruptError

FILE_MODE = 0o600
DIR_MODE = 0o700
#: No keystore file is anywhere near this; larger means hostile or not ours.
MAX_FILE_BYTES = 1024 * 1024


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700; tighten it if it exists."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


@contextmanager
def locked_dir(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on a directory (flock), across processes and threads.

    The PIN counter needs it: without it, parallel attempts could all read the
    same count and each get a "first" try.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably, mode 0600."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # umask may have narrowed it; never widened
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_json(path: Path, value: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True).encode("utf-8") + b"\n")


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; FileNotFoundError passes through, anything malformed is corrupt."""
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise KeystoreCorruptError(f"{path.name} is larger than any keystore file ({MAX_FILE_BYTES} bytes)")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError covers JSONDecodeError and huge ints
        raise KeystoreCorruptError(f"{path.name} is not a keystore file (truncated or not JSON)") from None
    if not isinstance(value, dict):
        raise KeystoreCorruptError(f"{path.name} is not a keystore file (not a JSON object)")
    return value


def remove_file(path: Path) -> None:
    """Unlink and fsync the directory, so a wipe survives a crash."""
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)
