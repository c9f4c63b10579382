"""Active key rotation with history, and the local device and app-session records."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tonomy import _core
from tonomy.errors import InvalidInputError, InvalidSignatureError, KeystoreTamperedError, UnknownRecordError
from tonomy.wallet import FLOOR, Keystore, verify_with_history
from tonomy.wallet.unlocked import UnlockedIdentity

from .conftest import NETWORK_ID, PIN, Template, identity_dir

Device = tuple[Keystore, Template]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


def test_rotation_keeps_old_keys_for_verification(device: Device) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as alice:
        old_signature = alice.sign_active(b"signed with generation 0")
        assert alice.active_generation == 0
        new = keystore.rotate_active_key(alice)
        assert new.generation == 1 and new.public_key != t.alice.active_public_key
        assert alice.active_public_key == new.public_key
        new_signature = alice.sign_active(b"signed with generation 1")
        _core.ed25519_verify(new.public_key, b"signed with generation 1", new_signature)
        with pytest.raises(InvalidSignatureError):  # the new key is really a different key
            _core.ed25519_verify(new.public_key, b"signed with generation 0", old_signature)
        assert alice.verify_active(b"signed with generation 0", old_signature).generation == 0
        assert alice.verify_active(b"signed with generation 1", new_signature).generation == 1
        with pytest.raises(InvalidSignatureError):
            alice.verify_active(b"never signed", old_signature)
        keystore.rotate_active_key(alice)
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as again:  # persisted
        history = again.active_history
        assert [k.generation for k in history] == [0, 1, 2]
        assert history[0].public_key == t.alice.active_public_key
        assert [k.retired_at is None for k in history] == [False, False, True]
        assert verify_with_history(history, b"signed with generation 0", old_signature).generation == 0
        assert again.owner_public_key == t.alice.owner_public_key  # rotation never touches the owner key


def test_rotated_keys_are_recoverable_from_the_passphrase(device: Device, tmp_path: Path) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as alice:
        for _ in range(3):
            current = keystore.rotate_active_key(alice)
    laptop = Keystore(tmp_path / "laptop")
    # A new device learns the current generation (later from the chain) and derives the same key.
    with laptop.restore_identity(
        "alice", NETWORK_ID, t.alice.passphrase, PIN, kdf=FLOOR, pin_kdf=FLOOR, active_generation=current.generation
    ) as restored:
        assert restored.active_public_key == current.public_key
        assert restored.active_generation == 3


def test_a_forged_history_entry_is_caught(device: Device) -> None:
    keystore, t = device
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as alice:
        keystore.rotate_active_key(alice)
    path = identity_dir(keystore.root, t.alice.identity_id) / "identity.json"
    data = json.loads(path.read_text())
    data["active_keys"][0]["public_key"] = _core.ed25519_public_key(os.urandom(32)).hex()
    path.write_text(json.dumps(data))
    with pytest.raises(KeystoreTamperedError, match="generation 0"):
        keystore.unlock_with_pin(t.alice.identity_id, PIN)


def test_rotation_with_a_seed_that_does_not_match_is_refused(device: Device) -> None:
    keystore, t = device
    alice_record = keystore.unlock_with_passphrase(t.alice.identity_id, t.alice.passphrase).record
    with keystore.unlock_with_pin(t.bob.identity_id, t.bob.pin) as bob:
        # An unlocked object whose seed is bob's but whose record is alice's.
        impostor = UnlockedIdentity(alice_record, bob.root_seed_for_sealing())
    with pytest.raises(KeystoreTamperedError):
        keystore.rotate_active_key(impostor)
    with pytest.raises(KeystoreTamperedError):
        keystore.set_pin(impostor, "731946", pin_kdf=FLOOR)
    with keystore.unlock_with_pin(t.alice.identity_id, PIN) as alice:  # alice is unchanged
        assert alice.active_generation == 0


def test_devices_list_add_revoke(tmp_path: Path, template: Template) -> None:
    clock = Clock()
    keystore = Keystore(tmp_path / "phone", device_name="Ana's phone", clock=clock)
    with keystore.create_identity("gina", NETWORK_ID, template.alice.passphrase, PIN, kdf=FLOOR, pin_kdf=FLOOR) as u:
        ident = u.identity_id
    [this] = keystore.devices(ident)
    assert this.device_id == keystore.device.device_id and this.name == "Ana's phone" and this.active
    clock.now += 10
    tablet_key = _core.ed25519_public_key(os.urandom(32))
    tablet = keystore.add_device(ident, "tablet", tablet_key)
    assert tablet.public_key == tablet_key and tablet.added_at == clock.now
    assert {d.name for d in keystore.devices(ident)} == {"Ana's phone", "tablet"}
    clock.now += 10
    keystore.revoke_device(ident, tablet.device_id)
    assert [d.name for d in keystore.devices(ident)] == ["Ana's phone"]
    revoked = [d for d in keystore.devices(ident, include_revoked=True) if d.device_id == tablet.device_id]
    assert revoked[0].revoked_at == clock.now
    keystore.revoke_device(ident, tablet.device_id)  # idempotent: keeps the first revocation time
    again = [d for d in keystore.devices(ident, include_revoked=True) if d.device_id == tablet.device_id]
    assert again[0].revoked_at == revoked[0].revoked_at
    with pytest.raises(UnknownRecordError):
        keystore.revoke_device(ident, "00" * 16)
    for bad_name in ("", "x" * 200, "tab\nlet"):
        with pytest.raises(InvalidInputError):
            keystore.add_device(ident, bad_name)
    with pytest.raises(InvalidInputError):
        keystore.add_device(ident, "tablet", b"short")


def test_sessions_list_expire_revoke(tmp_path: Path, template: Template) -> None:
    clock = Clock()
    keystore = Keystore(tmp_path / "phone", clock=clock)
    with keystore.create_identity("hana", NETWORK_ID, template.bob.passphrase, PIN, kdf=FLOOR, pin_kdf=FLOOR) as u:
        ident = u.identity_id
    market = keystore.add_session(ident, "market", os.urandom(32), scopes=("login", "pay"))
    short = keystore.add_session(ident, "quiz", os.urandom(32), expires_at=clock.now + 60)
    assert market.device_id == keystore.device.device_id and market.scopes == ("login", "pay")
    assert {s.session_id for s in keystore.sessions(ident)} == {market.session_id, short.session_id}
    clock.now += 61
    assert [s.app for s in keystore.sessions(ident)] == ["market"]
    keystore.revoke_session(ident, market.session_id)
    assert keystore.sessions(ident) == []
    assert len(keystore.sessions(ident, include_inactive=True)) == 2
    with pytest.raises(UnknownRecordError):
        keystore.revoke_session(ident, "ff" * 16)
    with pytest.raises(InvalidInputError):
        keystore.add_session(ident, "market", b"\x00" * 31)
    with pytest.raises(InvalidInputError):
        keystore.add_session(ident, "market", os.urandom(32), expires_at=clock.now)
    with pytest.raises(InvalidInputError):
        keystore.add_session(ident, "market", os.urandom(32), scopes=("",))
    # The records survive a reload and are readable without unlocking.
    reopened = Keystore(keystore.root, clock=clock)
    assert len(reopened.sessions(ident, include_inactive=True)) == 2
