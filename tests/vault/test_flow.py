"""The vault end to end on a real chain: create, write, read, share, revoke, delete, recover."""

from __future__ import annotations

import pytest

from tonomy.errors import VaultNoAccessError, VaultNotFoundError
from tonomy.vault import Vault, recover, release_share
from tonomy.wallet.kdf import FLOOR

import vault_harness as h


def owner_vault(world, name="alice", guardians=("bob", "carol", "dave"), threshold=2):  # type: ignore[no-untyped-def]
    p = world.people[name]
    return Vault.create(world.server, world.directory, name, kek=p.kek, x25519_secret=p.secret, kdf=FLOOR, guardians=guardians, threshold=threshold)


def reader(world, name):  # type: ignore[no-untyped-def]
    return Vault.reader(world.server, world.directory, name, world.people[name].secret)


def test_create_write_read_and_reopen(world) -> None:  # type: ignore[no-untyped-def]
    vault = owner_vault(world)
    rid = vault.create_record({"note": b"first secret", "title": b"diary"})
    assert vault.read("alice", rid, "note") == b"first secret"
    assert vault.write(rid, "note", b"second secret") == 2
    again = Vault.open(world.server, world.directory, "alice", kek=world.people["alice"].kek, x25519_secret=world.people["alice"].secret)
    assert again.read("alice", rid, "note") == b"second secret"
    assert again.read("alice", rid, "title") == b"diary"
    assert again.record_ids() == [rid]
    usage = world.net.chain.query("vault", "usage", {"owner": "alice"})
    entries = world.net.chain.query("vault", "fields", {"owner": "alice", "record_id": rid})
    keyring = world.net.chain.query("vault", "keyring", {"owner": "alice"})
    assert usage == sum(e["size"] for e in entries) + keyring["size"]


def test_share_then_revoke(world) -> None:  # type: ignore[no-untyped-def]
    vault = owner_vault(world)
    rid = vault.create_record({"note": b"for bob and carol"})
    vault.share(rid, "bob")
    vault.share(rid, "carol")
    bob, carol, erin = reader(world, "bob"), reader(world, "carol"), reader(world, "erin")
    assert bob.read("alice", rid, "note") == b"for bob and carol"
    assert carol.read("alice", rid, "note") == b"for bob and carol"
    with pytest.raises(VaultNoAccessError):
        erin.read("alice", rid, "note")
    assert vault.readers(rid) == ["bob", "carol"]
    # bob keeps what he could read before: the old record key and the old blob.
    old_grant = world.server.grant("alice", rid, "bob")
    old_hash = world.server.entry("alice", rid, "note")["content_hash"]
    vault.revoke(rid, "bob")
    assert vault.readers(rid) == ["carol"]
    with pytest.raises(VaultNoAccessError):
        bob.read("alice", rid, "note")
    assert carol.read("alice", rid, "note") == b"for bob and carol"
    assert vault.read("alice", rid, "note") == b"for bob and carol"
    # The new version is under a new key epoch; bob's old grant is for the old one.
    entry = world.server.entry("alice", rid, "note")
    assert entry["key_epoch"] == old_grant["key_epoch"] + 1 and entry["version"] == 2
    # The old blob is gone from the node (released on chain); bob cannot be revoked twice.
    assert not world.blobs.has(old_hash)
    with pytest.raises(VaultNoAccessError):
        vault.revoke(rid, "bob")


def test_revoked_reader_old_key_does_not_open_new_version(world) -> None:  # type: ignore[no-untyped-def]
    from tonomy.vault.client import record_key_context
    from tonomy.vault.envelope import FieldAddress, open_field
    from tonomy.vault.wrapping import Party, unwrap_from
    from tonomy.errors import VaultTamperedError

    vault = owner_vault(world)
    rid = vault.create_record({"note": b"v1"})
    vault.share(rid, "bob")
    grant = world.server.grant("alice", rid, "bob")
    p_alice, p_bob = world.people["alice"], world.people["bob"]
    old_key = unwrap_from(p_bob.secret, Party("alice", p_alice.public), Party("bob", p_bob.public), grant["wrapped_key"], record_key_context("alice", rid, 1))
    vault.revoke(rid, "bob")
    vault.write(rid, "note", b"after revocation")
    entry = world.server.entry("alice", rid, "note")
    blob = world.blobs.get(entry["content_hash"])
    with pytest.raises(VaultTamperedError):
        open_field(old_key, FieldAddress("alice", rid, "note", entry["version"], 1), blob)


def test_delete_tombstones_and_forgets_the_bytes(world) -> None:  # type: ignore[no-untyped-def]
    vault = owner_vault(world)
    rid = vault.create_record({"note": b"to be forgotten", "keep": b"kept"})
    digest = world.server.entry("alice", rid, "note")["content_hash"]
    assert world.blobs.has(digest)
    vault.delete(rid, "note")
    entry = world.server.entry("alice", rid, "note")
    assert entry["deleted"] is True and entry["content_hash"] == b"" and entry["size"] == 0 and entry["version"] == 2
    assert not world.blobs.has(digest)
    with pytest.raises(VaultNotFoundError):
        vault.read("alice", rid, "note")
    assert vault.read("alice", rid, "keep") == b"kept"
    # The field can be written again, continuing the version sequence.
    assert vault.write(rid, "note", b"new") == 3


def test_recovery_restores_access_and_rekeys(world) -> None:  # type: ignore[no-untyped-def]
    vault = owner_vault(world)
    rid = vault.create_record({"note": b"survives recovery"})
    vault.share(rid, "erin")
    old_keyring = vault.keyring
    # alice loses her passphrase; her account is recovered with a new one (new root, new X25519 key).
    new_alice = h.person("alice", generation=1)
    world.directory.set("alice", new_alice.public)
    released = [release_share(reader(world, g), "alice") for g in ("bob", "dave")]
    recovered = recover(world.server, world.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=released, kdf=FLOOR)
    assert recovered.read("alice", rid, "note") == b"survives recovery"
    assert recovered.keyring.epoch == old_keyring.epoch + 1
    assert recovered.keyring.vault_key_id != old_keyring.vault_key_id
    # erin still reads: re-granted from alice's new key, under a new record key.
    assert reader(world, "erin").read("alice", rid, "note") == b"survives recovery"
    assert world.server.entry("alice", rid, "note")["key_epoch"] == 2
    # The new KEK opens the vault; the old one no longer does.
    Vault.open(world.server, world.directory, "alice", kek=new_alice.kek, x25519_secret=new_alice.secret)
    from tonomy.errors import VaultTamperedError

    with pytest.raises(VaultTamperedError):
        Vault.open(world.server, world.directory, "alice", kek=world.people["alice"].kek, x25519_secret=new_alice.secret)


def test_a_wallet_identity_opens_its_vault(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tonomy.wallet import FLOOR as WALLET_FLOOR
    from tonomy.wallet import Keystore, generate_passphrase

    keystore = Keystore(tmp_path / "keystore")
    passphrase = generate_passphrase()
    network_id = world.net.chain.chain_id
    with keystore.create_identity("alice", network_id, passphrase, "482913", kdf=WALLET_FLOOR, pin_kdf=WALLET_FLOOR) as identity:
        world.directory.set("alice", identity.x25519_public_key)
        vault = Vault.for_identity(world.server, world.directory, identity, create=True, guardians=["bob", "carol"], threshold=2)
        rid = vault.create_record({"note": b"from the wallet"})
    # A new device: only the passphrase; the keyring tells which Argon2id parameters to use.
    again = Vault.open_with_passphrase(world.server, world.directory, "alice", network_id, passphrase)
    assert again.read("alice", rid, "note") == b"from the wallet"
    assert again.keyring is not None and again.keyring.kdf == WALLET_FLOOR
