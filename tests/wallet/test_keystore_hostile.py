"""A hostile or damaged keystore: weak parameters, swapped ciphertexts, truncation, garbage.

Each case must fail with a stable code, before any derivation with weak
parameters, and leave the files as they were.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import (
    InvalidKdfError,
    KeystoreCorruptError,
    KeystoreTamperedError,
    TonomyError,
    UnsupportedKeystoreVersionError,
    WeakKdfError,
    WrongPassphraseError,
    WrongPinError,
)
from tonomy.wallet import Keystore
from tonomy.wallet.identity_file import PURPOSE_ROOT_SEED
from tonomy.wallet.identity_file import VERSION as IDENTITY_VERSION
from tonomy.wallet.pin_lock import unwrap_device_key
from tonomy.wallet.sealing import SealContext, seal

from .conftest import PIN, Template, identity_dir

Device = tuple[Keystore, Template]
MIB = 1024 * 1024


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- downgrade of the KDF parameters --------------------------------------------


@pytest.mark.parametrize(
    "kdf, error",
    [
        ({"algorithm": "argon2id13", "ops": 3, "memory": 8 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": 1, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2i13", "ops": 3, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "pbkdf2", "ops": 3, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": 3, "memory": 1 << 40}, InvalidKdfError),
        ({"algorithm": "argon2id13", "ops": 10**9, "memory": 64 * MIB}, InvalidKdfError),
    ],
)
def test_tampered_passphrase_kdf_is_refused(device: Device, kdf: dict[str, Any], error: type[Exception]) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / "identity.json"
    _edit(path, lambda d: d.__setitem__("kdf", kdf))
    before = _snapshot(keystore.root)
    start = time.perf_counter()
    with pytest.raises(error):
        keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase)
    with pytest.raises(error):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    assert time.perf_counter() - start < 0.05, "refused before any Argon2id run"
    assert _snapshot(keystore.root) == before
    listed = {s.identity_id: s.problem for s in keystore.list_identities()}
    assert listed[t.alice.identity_id] == error.code  # type: ignore[attr-defined]
    assert listed[t.bob.identity_id] is None  # the other identity is untouched


@pytest.mark.parametrize(
    "kdf, error",
    [
        ({"algorithm": "argon2id13", "ops": 3, "memory": 1 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": 2, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2d13", "ops": 3, "memory": 64 * MIB}, WeakKdfError),
        ({"algorithm": "argon2id13", "ops": 3, "memory": 64 * MIB, "parallelism": 1}, InvalidKdfError),
    ],
)
def test_tampered_pin_kdf_is_refused_without_counting_an_attempt(
    device: Device, kdf: dict[str, Any], error: type[Exception]
) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / "pin.json"
    _edit(path, lambda d: d.__setitem__("kdf", kdf))
    before = _snapshot(keystore.root)
    with pytest.raises(error):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    assert _snapshot(keystore.root) == before


def test_a_server_offering_weak_parameters_for_restore_is_refused(tmp_path: Path, template: Template) -> None:
    from tonomy.wallet import KdfParams

    from .conftest import NETWORK_ID

    laptop = Keystore(tmp_path / "laptop")
    offered = KdfParams.from_dict  # what a client does with a server's answer
    with pytest.raises(WeakKdfError):
        offered({"algorithm": "argon2id13", "ops": 3, "memory": 16 * MIB})
    with pytest.raises(WeakKdfError):
        laptop.restore_identity(
            "alice", NETWORK_ID, template.alice.passphrase, PIN, kdf=KdfParams(ops=1, memory=64 * MIB)
        )
    assert laptop.list_identities() == []


# --- ciphertexts moved between identities and purposes ------------------------------


def test_sealed_seed_copied_from_another_identity_fails(device: Device) -> None:
    keystore, t = device
    alice = identity_dir(keystore.root, t.alice.identity_id) / "identity.json"
    bob = identity_dir(keystore.root, t.bob.identity_id) / "identity.json"
    bobs_seed = json.loads(bob.read_text())["sealed_root_seed"]
    _edit(alice, lambda d: d.__setitem__("sealed_root_seed", bobs_seed))
    with pytest.raises(KeystoreTamperedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)


def test_associated_data_alone_stops_a_swap(device: Device) -> None:
    """Same device key, right bytes, wrong context: only the associated data differs."""
    keystore, t = device
    folder = identity_dir(keystore.root, t.alice.identity_id)
    device_key = unwrap_device_key(folder / "pin.json", t.alice.identity_id, PIN)
    with keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase) as u:
        seed = u.root_seed_for_sealing()

    def put(context: SealContext) -> None:
        sealed = seal(device_key, seed, context).to_dict()
        _edit(folder / "identity.json", lambda d: d.__setitem__("sealed_root_seed", sealed))

    put(SealContext(IDENTITY_VERSION, t.alice.identity_id, PURPOSE_ROOT_SEED))  # control: the right context opens
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as u:
        assert u.owner_public_key == t.alice.owner_public_key
    for wrong in (
        SealContext(IDENTITY_VERSION, t.bob.identity_id, PURPOSE_ROOT_SEED),
        SealContext(IDENTITY_VERSION, t.alice.identity_id, "device-key"),
        SealContext(IDENTITY_VERSION + 1, t.alice.identity_id, PURPOSE_ROOT_SEED),
    ):
        put(wrong)
        with pytest.raises(KeystoreTamperedError):
            keystore.unlock_with_pin(t.alice.identity_id, PIN)


def test_purpose_swap_inside_one_identity_fails(device: Device) -> None:
    keystore, t = device
    folder = identity_dir(keystore.root, t.alice.identity_id)
    sealed_seed = json.loads((folder / "identity.json").read_text())["sealed_root_seed"]
    _edit(folder / "pin.json", lambda d: d.__setitem__("sealed_device_key", sealed_seed))
    with pytest.raises(WrongPinError):  # it no longer opens under the PIN key: an attempt is spent
        keystore.unlock_with_pin(t.alice.identity_id, PIN)


def test_pin_file_moved_between_identities_fails(device: Device) -> None:
    keystore, t = device
    alice = identity_dir(keystore.root, t.alice.identity_id)
    bob = identity_dir(keystore.root, t.bob.identity_id)
    (alice / "pin.json").write_bytes((bob / "pin.json").read_bytes())
    with pytest.raises(KeystoreTamperedError):
        keystore.unlock_with_pin(t.alice.identity_id, t.bob.pin)
    # Relabelled to pass the id check: the associated data still names bob.
    _edit(alice / "pin.json", lambda d: d.__setitem__("identity_id", t.alice.identity_id))
    with pytest.raises(WrongPinError):
        keystore.unlock_with_pin(t.alice.identity_id, t.bob.pin)


def test_identity_file_moved_to_another_folder_fails(device: Device) -> None:
    keystore, t = device
    alice = identity_dir(keystore.root, t.alice.identity_id)
    bob = identity_dir(keystore.root, t.bob.identity_id)
    (alice / "identity.json").write_bytes((bob / "identity.json").read_bytes())
    with pytest.raises(KeystoreCorruptError, match="folder"):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)


def test_substituted_public_keys_are_caught(device: Device) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / "identity.json"
    for field in ("owner_public_key", "x25519_public_key"):
        original = json.loads(path.read_text())
        _edit(path, lambda d: d.__setitem__(field, t.bob.owner_public_key.hex()))
        with pytest.raises(KeystoreTamperedError):
            keystore.unlock_with_pin(t.alice.identity_id, PIN)
        path.write_text(json.dumps(original))
    _edit(path, lambda d: d["active_keys"][0].__setitem__("public_key", t.bob.active_public_key.hex()))
    with pytest.raises(KeystoreTamperedError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    with pytest.raises(TonomyError):
        keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase)


def test_owner_key_substitution_reads_as_a_wrong_passphrase(device: Device) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / "identity.json"
    _edit(path, lambda d: d.__setitem__("owner_public_key", t.bob.owner_public_key.hex()))
    with pytest.raises(WrongPassphraseError):
        keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase)


# --- truncated, garbage and foreign files -----------------------------------------


def _damages(original: bytes) -> dict[str, bytes]:
    return {
        "empty": b"",
        "truncated": original[: len(original) // 2],
        "one byte short": original[:-3],
        "garbage": bytes(range(256)) * 4,
        "not utf-8": b"\xff\xfe{}",
        "json array": b"[]",
        "json string": b'"identity"',
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "huge": b" " * (2 * 1024 * 1024),
        "huge number": b'{"version": 1' + b"0" * 5000 + b"}",
    }


@pytest.mark.parametrize("file", ["identity.json", "pin.json", "records.json"])
def test_damaged_identity_files_give_clear_errors(device: Device, file: str) -> None:
    keystore, t = device
    path = identity_dir(keystore.root, t.alice.identity_id) / file
    original = path.read_bytes()
    for label, damaged in _damages(original).items():
        path.write_bytes(damaged)
        before = _snapshot(keystore.root)
        with pytest.raises(KeystoreCorruptError) as err:
            if file == "records.json":
                keystore.devices(t.alice.identity_id)
            else:
                keystore.unlock_with_pin(t.alice.identity_id, PIN)
        assert err.value.code == "wallet.keystore_corrupt", label
        assert file in str(err.value), label
        assert _snapshot(keystore.root) == before, f"{label}: a failed read changed the keystore"
    path.write_bytes(original)
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as u:  # and it all still works
        assert u.owner_public_key == t.alice.owner_public_key


def test_damaged_device_file(device: Device) -> None:
    keystore, _ = device
    path = keystore.root / "device.json"
    for label, damaged in _damages(path.read_bytes()).items():
        path.write_bytes(damaged)
        with pytest.raises(KeystoreCorruptError):
            Keystore(keystore.root)
        assert path.read_bytes() == damaged, f"{label}: a damaged device file must not be replaced silently"


@pytest.mark.parametrize(
    "file, change",
    [
        ("identity.json", lambda d: d.pop("username")),
        ("identity.json", lambda d: d.__setitem__("username", "Alice")),
        ("identity.json", lambda d: d.__setitem__("network_id", "00" * 31)),
        ("identity.json", lambda d: d.__setitem__("owner_public_key", "zz" * 32)),
        ("identity.json", lambda d: d.__setitem__("owner_public_key", "AB" * 32)),
        ("identity.json", lambda d: d.__setitem__("active_keys", [])),
        ("identity.json", lambda d: d.__setitem__("active_keys", "none")),
        ("identity.json", lambda d: d["active_keys"][0].__setitem__("retired_at", 5)),
        ("identity.json", lambda d: d["active_keys"][0].__setitem__("generation", -1)),
        ("identity.json", lambda d: d.__setitem__("created_at", "yesterday")),
        ("identity.json", lambda d: d.__setitem__("format", "something-else")),
        ("identity.json", lambda d: d.__setitem__("extra", 1)),
        ("identity.json", lambda d: d.__setitem__("sealed_root_seed", {"nonce": "AA=="})),
        ("pin.json", lambda d: d.__setitem__("failures", -1)),
        ("pin.json", lambda d: d.__setitem__("failures", True)),
        ("pin.json", lambda d: d.__setitem__("max_attempts", 1000)),
        ("pin.json", lambda d: d.__setitem__("max_attempts", 0)),
        ("pin.json", lambda d: d.__setitem__("salt", "00" * 8)),
        ("pin.json", lambda d: d.pop("sealed_device_key")),
    ],
)
def test_fields_of_the_wrong_shape(device: Device, file: str, change: Callable[[dict[str, Any]], None]) -> None:
    keystore, t = device
    _edit(identity_dir(keystore.root, t.alice.identity_id) / file, change)
    before = _snapshot(keystore.root)
    with pytest.raises(KeystoreCorruptError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    assert _snapshot(keystore.root) == before


@pytest.mark.parametrize("file", ["identity.json", "pin.json", "records.json"])
def test_unknown_format_version_is_refused_not_guessed(device: Device, file: str) -> None:
    keystore, t = device
    _edit(identity_dir(keystore.root, t.alice.identity_id) / file, lambda d: d.__setitem__("version", 2))
    with pytest.raises(UnsupportedKeystoreVersionError) as err:
        keystore.unlock_with_pin(t.alice.identity_id, PIN) if file != "records.json" else keystore.devices(
            t.alice.identity_id
        )
    assert err.value.code == "wallet.unsupported_version"
