"""Key files: 0600 on creation, never overwritten, refused when others can read them or when malformed."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from nacl.signing import VerifyKey

from tonomy.node.errors import InsecureKeyFileError, KeyFileError
from tonomy.node.keys import KeyPair, parse_key_document, read_key_file, write_key_file


def test_new_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    old = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        key = KeyPair.generate("alice")
        path = write_key_file(tmp_path / "alice.key", key)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = read_key_file(path)
    assert loaded == key and loaded.account == "alice"
    signature = loaded.sign(b"message")
    VerifyKey(loaded.public_key).verify(b"message", signature)  # raises if wrong


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = write_key_file(tmp_path / "k.key", KeyPair.generate())
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="never overwritten"):
        write_key_file(path, KeyPair.generate())
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o666])
def test_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_key_file(tmp_path / "k.key", KeyPair.generate())
    path.chmod(mode)
    with pytest.raises(InsecureKeyFileError) as info:
        read_key_file(path)
    assert info.value.code == "keys.insecure_permissions"


def _doc(key: KeyPair) -> dict[str, str]:
    return key.to_json()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(kind="other"),
        lambda d: d.update(seed="zz" * 32),
        lambda d: d.update(seed="00" * 31),
        lambda d: d.update(public_key="00" * 32),
        lambda d: d.pop("seed"),
        lambda d: d.update(account=5),
    ],
)
def test_malformed_documents_are_refused(mutate: object) -> None:
    doc = _doc(KeyPair.generate())
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(KeyFileError) as info:
        parse_key_document(json.dumps(doc).encode())
    assert info.value.code == "keys.invalid_file"


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[]", b"null", b"{" * 10])
def test_garbage_is_refused(raw: bytes) -> None:
    with pytest.raises(KeyFileError):
        parse_key_document(raw)


def test_missing_huge_and_non_regular_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot open"):
        read_key_file(tmp_path / "missing.key")
    huge = tmp_path / "huge.key"
    huge.write_bytes(b" " * 10_000)
    huge.chmod(0o600)
    with pytest.raises(KeyFileError, match="larger"):
        read_key_file(huge)
    folder = tmp_path / "dir.key"
    folder.mkdir(mode=0o700)
    with pytest.raises(KeyFileError):
        read_key_file(folder)


def test_seed_size_is_checked() -> None:
    with pytest.raises(KeyFileError):
        KeyPair(b"\x00" * 31)
