"""The keystore on disk: new-device restore, passphrase unlock, listing, removal, permissions, canaries."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from tonomy import _core
from tonomy.errors import (
    IdentityClosedError,
    IdentityExistsError,
    InvalidInputError,
    InvalidPassphraseError,
    UnknownIdentityError,
    WeakKdfError,
    WeakPinError,
    WrongPassphraseError,
)
from tonomy.wallet import FLOOR, PASSPHRASE_DEFAULT, PIN_DEFAULT, KdfParams, Keystore, generate_passphrase
from tonomy.wallet import derivation
from tonomy.wallet.pin_lock import unwrap_device_key

from .conftest import NETWORK_ID, PIN, Template, identity_dir


def test_new_device_restores_the_same_keys_with_the_real_parameters(tmp_path: Path) -> None:
    # Production cost on both sides (passphrase 256 MiB, PIN 128 MiB): the one real end-to-end run.
    passphrase = generate_passphrase()
    phone = Keystore(tmp_path / "phone")
    with phone.create_identity("carol", NETWORK_ID, passphrase, PIN) as created:
        assert created.record.kdf == PASSPHRASE_DEFAULT
        first = (created.owner_public_key, created.active_public_key, created.x25519_public_key)
        signature = created.sign_active(b"hello")
    laptop = Keystore(tmp_path / "laptop")  # a fresh, empty directory: nothing copied
    assert laptop.list_identities() == []
    typed = "  " + passphrase.upper() + " "
    with laptop.restore_identity("Carol", NETWORK_ID, typed, "731946", expected_owner_public_key=first[0]) as restored:
        assert (restored.owner_public_key, restored.active_public_key, restored.x25519_public_key) == first
        assert restored.sign_active(b"hello") == signature  # Ed25519 is deterministic: same key
        assert restored.identity_id == created.identity_id
    assert laptop.device.device_id != phone.device.device_id
    with laptop.unlock_with_pin(restored.identity_id, "731946") as again:
        assert again.owner_public_key == first[0]
        assert again.record.kdf == PASSPHRASE_DEFAULT
    assert PIN_DEFAULT.memory == 128 * 1024 * 1024


def test_restore_with_a_wrong_passphrase_fails_cleanly(device: tuple[Keystore, Template], tmp_path: Path) -> None:
    _, t = device
    laptop = Keystore(tmp_path / "laptop")
    wrong = generate_passphrase()
    with pytest.raises(WrongPassphraseError) as err:
        laptop.restore_identity(
            "alice",
            NETWORK_ID,
            wrong,
            PIN,
            kdf=FLOOR,
            pin_kdf=FLOOR,
            expected_owner_public_key=t.alice.owner_public_key,
        )
    assert err.value.code == "wallet.wrong_passphrase"
    assert wrong not in str(err.value)
    assert laptop.list_identities() == []  # nothing written


def test_passphrase_unlock(device: tuple[Keystore, Template]) -> None:
    keystore, t = device
    with keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase.upper()) as unlocked:
        assert unlocked.owner_public_key == t.alice.owner_public_key
    with pytest.raises(WrongPassphraseError):
        keystore.unlock_with_passphrase(t.alice.identity_id, t.bob.passphrase)
    with pytest.raises(WrongPassphraseError):
        keystore.unlock_with_passphrase(t.alice.identity_id, generate_passphrase())
    with pytest.raises(InvalidPassphraseError):
        keystore.unlock_with_passphrase(t.alice.identity_id, "not a passphrase at all")


def test_several_identities_listing_and_removal(device: tuple[Keystore, Template]) -> None:
    keystore, t = device
    listed = {s.identity_id: s for s in keystore.list_identities()}
    assert set(listed) == {t.alice.identity_id, t.bob.identity_id}
    assert listed[t.alice.identity_id].username == "alice"
    assert listed[t.bob.identity_id].owner_public_key == t.bob.owner_public_key
    assert all(s.has_device_key and s.problem is None and s.active_generation == 0 for s in listed.values())

    keystore.remove_identity(t.alice.identity_id)
    assert [s.identity_id for s in keystore.list_identities()] == [t.bob.identity_id]
    assert not identity_dir(keystore.root, t.alice.identity_id).exists()
    with pytest.raises(UnknownIdentityError):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)
    with pytest.raises(UnknownIdentityError):
        keystore.remove_identity(t.alice.identity_id)
    with keystore.unlock_with_pin(t.bob.identity_id, t.bob.pin) as bob:
        assert bob.owner_public_key == t.bob.owner_public_key
    # The passphrase brings alice back on the same device.
    with keystore.restore_identity("alice", NETWORK_ID, t.alice.passphrase, PIN, kdf=FLOOR, pin_kdf=FLOOR) as back:
        assert back.owner_public_key == t.alice.owner_public_key


def test_create_refuses_duplicates_weak_pins_and_weak_kdf_before_work(device: tuple[Keystore, Template]) -> None:
    keystore, t = device
    with pytest.raises(IdentityExistsError):
        keystore.create_identity("alice", NETWORK_ID, generate_passphrase(), PIN, kdf=FLOOR, pin_kdf=FLOOR)
    with pytest.raises(WeakPinError):
        keystore.create_identity("dave", NETWORK_ID, generate_passphrase(), "123456", kdf=FLOOR, pin_kdf=FLOOR)
    weak = KdfParams(ops=3, memory=32 * 1024 * 1024)
    with pytest.raises(WeakKdfError):
        keystore.create_identity("dave", NETWORK_ID, generate_passphrase(), PIN, kdf=weak, pin_kdf=FLOOR)
    with pytest.raises(WeakKdfError):
        keystore.create_identity("dave", NETWORK_ID, generate_passphrase(), PIN, kdf=FLOOR, pin_kdf=weak)
    assert len(keystore.list_identities()) == 2


@pytest.mark.parametrize("bad", ["../alice", "", "A" * 32, "0" * 31, "/etc", None, 5])
def test_identity_ids_are_never_paths(device: tuple[Keystore, Template], bad: object) -> None:
    keystore, _ = device
    with pytest.raises(UnknownIdentityError):
        keystore.unlock_with_pin(bad, PIN)  # type: ignore[arg-type]
    with pytest.raises(UnknownIdentityError):
        keystore.remove_identity(bad)  # type: ignore[arg-type]


def test_closed_identity_cannot_sign(device: tuple[Keystore, Template]) -> None:
    keystore, t = device
    unlocked = keystore.unlock_with_pin(t.alice.identity_id, PIN)
    unlocked.close()
    assert unlocked.closed and "closed" in repr(unlocked)
    with pytest.raises(IdentityClosedError):
        unlocked.sign_active(b"x")
    with pytest.raises(IdentityClosedError):
        unlocked.vault_key()


def _all_paths(root: Path) -> list[Path]:
    return [root, *sorted(root.rglob("*"))]


def test_files_are_0600_and_folders_0700_even_with_an_open_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        keystore = Keystore(tmp_path / "device")
        with keystore.create_identity("erin", NETWORK_ID, generate_passphrase(), PIN, kdf=FLOOR, pin_kdf=FLOOR) as u:
            keystore.rotate_active_key(u)
            keystore.add_session(u.identity_id, "market", os.urandom(32))
            keystore.set_pin(u, "905172", pin_kdf=FLOOR)
    finally:
        os.umask(old)
    paths = _all_paths(keystore.root)
    assert len([p for p in paths if p.is_file()]) == 4
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.name}: {oct(mode)}"
    assert not [p for p in paths if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["", "x" * 129, "phone\nrm -rf", 5])
def test_device_names_are_checked_before_anything_is_written(tmp_path: Path, name: object) -> None:
    with pytest.raises(InvalidInputError):
        Keystore(tmp_path / "device", device_name=name)  # type: ignore[arg-type]
    assert not (tmp_path / "device" / "device.json").exists()


def test_an_existing_open_folder_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "device"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    Keystore(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _forms(secret: bytes | str) -> list[bytes]:
    if isinstance(secret, str):
        return [secret.encode(), secret.upper().encode()]
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
    ]


def test_no_secret_ever_reaches_a_file(tmp_path: Path) -> None:
    """Grep every byte written for the passphrase, PIN, seed, sub-keys and device key, in every encoding."""
    passphrase = generate_passphrase()
    pin = "583920174635"  # long enough that it cannot appear by chance in hex or base64
    new_pin = "905172846301"
    keystore = Keystore(tmp_path / "device")
    with keystore.create_identity("frank", NETWORK_ID, passphrase, pin, kdf=FLOOR, pin_kdf=FLOOR) as u:
        root = u.root_seed_for_sealing()
        keystore.rotate_active_key(u)
        keystore.add_device(u.identity_id, "tablet", os.urandom(32))
        keystore.add_session(u.identity_id, "market", os.urandom(32), scopes=("login",))
    device_key = unwrap_device_key(identity_dir(keystore.root, u.identity_id) / "pin.json", u.identity_id, pin)
    for _ in range(5):  # lock it out, then recover with the passphrase and a new PIN
        try:
            keystore.unlock_with_pin(u.identity_id, "482913")
        except Exception:
            pass
    with keystore.unlock_with_passphrase(u.identity_id, passphrase) as again:
        keystore.set_pin(again, new_pin, pin_kdf=FLOOR)
    secrets: list[bytes | str] = [
        passphrase,
        " ".join(passphrase.split(" ")[:3]),  # not even half of it
        pin,
        new_pin,
        root,
        derivation.owner_seed(root),
        derivation.active_seed(root, 0),
        derivation.active_seed(root, 1),
        bytes(derivation.x25519_secret(root)),
        derivation.vault_key(root),
        device_key,
    ]
    blobs = {p: p.read_bytes() for p in _all_paths(keystore.root) if p.is_file()}
    assert len(blobs) == 4
    for secret in secrets:
        for form in _forms(secret):
            for path, blob in blobs.items():
                assert form not in blob, f"a secret leaked into {path.name}"
    # The public keys, on the other hand, are there: the grep does look at the right files.
    assert any(u.owner_public_key.hex().encode() in blob for blob in blobs.values())


def test_keys_are_not_derived_from_the_pin(device: tuple[Keystore, Template]) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as u:
        keystore.set_pin(u, "905172", pin_kdf=FLOOR)
    with keystore.unlock_with_pin(t.alice.identity_id, "905172") as u:
        assert u.owner_public_key == t.alice.owner_public_key
        _core.ed25519_verify(u.active_public_key, b"m", u.sign_active(b"m"))
