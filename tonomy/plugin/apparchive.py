"""App packages: one deterministic archive per release, read without trusting it.

A package is an uncompressed POSIX tar whose members are, in name order, regular files
only (mode 0644, owner 0, time 0), so the same sources always give the same bytes and
therefore the same BLAKE3 artifact hash:

* ``app.json``: ``{"module": <python package>, "name": <plugin name>, "version": <semver>}``;
* ``<module>/...``: the app's Python sources (``<module>/__init__.py`` is its hook module).

Reading (``read_package``) happens in memory and refuses, with ``app.refused``: anything
that is not a regular file (links, devices, directories, sparse files), absolute or
climbing paths, names outside a plain alphabet, duplicates, too many files, a file or a
package too large, files outside ``<module>/``, a bad ``app.json``. Only then does
``write_package`` put files on disk, itself, into a fresh folder (never
``tarfile.extractall``), so a hostile archive cannot write outside it.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tonomy.errors import AppRefusedError

META_FILE = "app.json"
MAX_PACKAGE_BYTES = 512 * 1024
MAX_FILES = 128
MAX_FILE_BYTES = 256 * 1024
MAX_PATH = 200
_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"
_PATH = re.compile(rf"{_PART}(/{_PART}){{0,7}}")
_MODULE = re.compile(r"[a-z_][a-z0-9_]{0,63}")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SEMVER = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")


@dataclass(frozen=True, slots=True)
class AppPackage:
    """A package's metadata and its code files (paths relative to the package root)."""

    name: str
    version: str
    module: str
    files: Mapping[str, bytes]

    def code_files(self) -> list[tuple[str, bytes]]:
        """The module's files with paths relative to the module folder's parent (``<module>/x.py``)."""
        return sorted((path, content) for path, content in self.files.items() if path != META_FILE)


def _refuse(message: str) -> AppRefusedError:
    return AppRefusedError(f"the app package is refused: {message}")


def check_meta(meta: object) -> tuple[str, str, str]:
    """``(name, version, module)`` from ``app.json``'s record, or ``app.refused``."""
    if not isinstance(meta, dict) or sorted(meta) != ["module", "name", "version"]:
        raise _refuse(f"{META_FILE} must be an object with exactly module, name and version")
    name, version, module = meta["name"], meta["version"], meta["module"]
    if type(name) is not str or not _NAME.fullmatch(name):
        raise _refuse(f"{META_FILE}: name must be a plugin name (lower snake case)")
    if type(version) is not str or not _SEMVER.fullmatch(version):
        raise _refuse(f"{META_FILE}: version must be MAJOR.MINOR.PATCH")
    if type(module) is not str or not _MODULE.fullmatch(module):
        raise _refuse(f"{META_FILE}: module must be a Python package name")
    return name, version, module


def pack(name: str, version: str, module: str, sources: Mapping[str, bytes]) -> bytes:
    """The package bytes for ``sources`` (paths relative to the module folder: ``__init__.py``, ...)."""
    check_meta({"name": name, "version": version, "module": module})
    meta = json.dumps({"module": module, "name": name, "version": version}, sort_keys=True, separators=(",", ":")).encode()
    files = {META_FILE: meta} | {f"{module}/{path}": content for path, content in sources.items()}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size = len(files[path])
            info.mode = 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(files[path]))
    data = buffer.getvalue()
    read_package(data)  # what we cannot read back, nobody can install
    return data


def pack_directory(name: str, version: str, module_dir: Path) -> bytes:
    """Pack the ``.py`` files of a module folder (``__pycache__`` left out) as ``module_dir.name``."""
    sources = {
        path.relative_to(module_dir).as_posix(): path.read_bytes()
        for path in sorted(module_dir.rglob("*.py"))
        if "__pycache__" not in path.parts
    }
    return pack(name, version, module_dir.name, sources)


def read_package(data: bytes) -> AppPackage:
    """Parse and check package bytes in memory; ``app.refused`` for anything unexpected."""
    if type(data) is not bytes:
        raise _refuse("a package is bytes")
    if len(data) > MAX_PACKAGE_BYTES:
        raise _refuse(f"it is {len(data)} bytes, more than {MAX_PACKAGE_BYTES}")
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except (tarfile.TarError, EOFError, ValueError) as exc:
        raise _refuse(f"not a tar archive ({exc})") from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, EOFError, ValueError) as exc:
            raise _refuse(f"a damaged archive ({exc})") from None
        if len(members) > MAX_FILES:
            raise _refuse(f"more than {MAX_FILES} files")
        for member in members:
            path = member.name
            if not member.isreg() or member.issparse():
                raise _refuse(f"{path[:MAX_PATH]!r} is not a regular file (links, folders and devices are refused)")
            if len(path) > MAX_PATH or not _PATH.fullmatch(path) or ".." in path.split("/"):
                raise _refuse(f"the path {path[:MAX_PATH]!r} is not a plain relative path")
            if path in files:
                raise _refuse(f"{path!r} appears twice")
            if member.size > MAX_FILE_BYTES:
                raise _refuse(f"{path!r} is larger than {MAX_FILE_BYTES} bytes")
            total += member.size
            if total > MAX_PACKAGE_BYTES:
                raise _refuse(f"the files add up to more than {MAX_PACKAGE_BYTES} bytes")
            handle = archive.extractfile(member)
            content = handle.read(member.size + 1) if handle is not None else b""
            if len(content) != member.size:
                raise _refuse(f"{path!r} is truncated")
            files[path] = content
    if META_FILE not in files:
        raise _refuse(f"no {META_FILE}")
    try:
        meta = json.loads(files[META_FILE])
    except (ValueError, UnicodeDecodeError):
        raise _refuse(f"{META_FILE} is not JSON") from None
    name, version, module = check_meta(meta)
    for path in files:
        if path != META_FILE and not path.startswith(module + "/"):
            raise _refuse(f"{path!r} is outside the module folder {module}/")
    if f"{module}/__init__.py" not in files:
        raise _refuse(f"no {module}/__init__.py")
    return AppPackage(name, version, module, files)


def write_package(package: AppPackage, destination: Path) -> Path:
    """Write a checked package into the new folder ``destination`` (which must not exist)."""
    destination.mkdir(parents=True, exist_ok=False)
    root = destination.resolve()
    for path, content in sorted(package.files.items()):
        target = (destination / path).resolve()
        if root not in target.parents:  # read_package already refused this; never trust one check
            raise _refuse(f"{path!r} resolves outside the install folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # x: never through an existing file or link
            handle.write(content)
    return destination


__all__ = [
    "META_FILE",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_BYTES",
    "AppPackage",
    "check_meta",
    "pack",
    "pack_directory",
    "read_package",
    "write_package",
]
