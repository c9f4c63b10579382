"""App packages: deterministic packing, and hostile archives refused before anything is written."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tonomy.errors import AppRefusedError
from tonomy.plugin.apparchive import MAX_FILE_BYTES, MAX_FILES, MAX_PACKAGE_BYTES, pack, read_package, write_package

META = b'{"module":"app","name":"app","version":"1.0.0"}'


def tar(entries: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, content in entries:
            info.size = len(content) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(content) if info.isreg() else None)
    return buffer.getvalue()


def regular(name: str, content: bytes = b"x = 1\n") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), content


def base() -> list[tuple[tarfile.TarInfo, bytes]]:
    return [regular("app.json", META), regular("app/__init__.py")]


def special(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, b""


def test_packing_is_deterministic_and_reads_back() -> None:
    sources = {"__init__.py": b"x = 1\n", "sub/mod.py": b"y = 2\n"}
    first, second = pack("app", "1.0.0", "app", sources), pack("app", "1.0.0", "app", dict(reversed(sources.items())))
    assert first == second
    package = read_package(first)
    assert (package.name, package.version, package.module) == ("app", "1.0.0", "app")
    assert package.code_files() == [("app/__init__.py", b"x = 1\n"), ("app/sub/mod.py", b"y = 2\n")]


HOSTILE = {
    "symlink": [*base(), special("app/link.py", tarfile.SYMTYPE, "/etc/passwd")],
    "hardlink": [*base(), special("app/hard.py", tarfile.LNKTYPE, "app.json")],
    "directory": [*base(), special("app/dir", tarfile.DIRTYPE)],
    "fifo": [*base(), special("app/fifo", tarfile.FIFOTYPE)],
    "absolute": [*base(), regular("/etc/cron.d/x")],
    "traversal": [*base(), regular("app/../../x.py")],
    "dot": [*base(), regular("app/./x.py")],
    "backslash": [*base(), regular("app\\x.py")],
    "duplicate": [*base(), regular("app/__init__.py")],
    "outside the module": [*base(), regular("other/x.py")],
    "no meta": [regular("app/__init__.py")],
    "no init": [regular("app.json", META), regular("app/x.py")],
    "bad meta": [regular("app.json", b'{"name": "App", "version": "1", "module": "app"}'), regular("app/__init__.py")],
    "meta not json": [regular("app.json", b"\xff"), regular("app/__init__.py")],
    "big file": [*base(), regular("app/big.py", b"#" * (MAX_FILE_BYTES + 1))],
    "many files": [*base(), *[regular(f"app/m{i}.py") for i in range(MAX_FILES)]],
    "long name": [*base(), regular("app/" + "a" * 300 + ".py")],
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archives_are_refused(case: str, tmp_path: Path) -> None:
    with pytest.raises(AppRefusedError) as refused:
        read_package(tar(HOSTILE[case]))
    assert refused.value.code == "app.refused"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("data", [b"", b"garbage" * 100, bytes(1024), b"\x00" * (MAX_PACKAGE_BYTES + 1)])
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(AppRefusedError):
        read_package(data)


def test_truncated_archives_are_refused() -> None:
    data = pack("app", "1.0.0", "app", {"__init__.py": b"x = 1\n" * 200})
    for cut in (100, 512, 700, 1600, 2000):  # inside headers and inside the module's content
        with pytest.raises(AppRefusedError):
            read_package(data[:cut])


def test_writing_never_follows_an_existing_folder(tmp_path: Path) -> None:
    package = read_package(pack("app", "1.0.0", "app", {"__init__.py": b"x = 1\n"}))
    write_package(package, tmp_path / "one")
    assert (tmp_path / "one" / "app" / "__init__.py").read_bytes() == b"x = 1\n"
    with pytest.raises(FileExistsError):
        write_package(package, tmp_path / "one")
