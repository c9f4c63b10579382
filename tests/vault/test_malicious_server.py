"""A malicious server: weak parameters, swapped ciphertexts, substituted keys, replays.

Every attack is either refused before any key is used or detected by authentication;
none yields a plaintext or a key to the server, and a refused write changes nothing.
"""

from __future__ import annotations

import time

import pytest

from tonomy.errors import (
    VaultDowngradeError,
    VaultHashMismatchError,
    VaultKeyMismatchError,
    VaultRecoveryError,
    VaultRollbackError,
    VaultTamperedError,
    VaultUnsupportedVersionError,
    VaultWeakKdfError,
)
from tonomy.vault import Vault, recover, release_share
from tonomy.vault.client import record_key_context
from tonomy.vault.formats import ALGORITHM_NAME, content_hash
from tonomy.vault.keyring import build_keyring
from tonomy.vault.wrapping import Party, wrap_to
from tonomy.wallet.kdf import FLOOR, KdfParams

import vault_harness as h

NETWORK_ID = bytes(32)


def alice_vault(w, guardians=("bob", "carol", "dave"), threshold=2):  # type: ignore[no-untyped-def]
    p = w.people["alice"]
    return Vault.create(w.server, w.directory, "alice", kek=p.kek, x25519_secret=p.secret, kdf=FLOOR, guardians=guardians, threshold=threshold)


def reader(w, name):  # type: ignore[no-untyped-def]
    return Vault.reader(w.server, w.directory, name, w.people[name].secret)


# -- weak parameters and downgrades ------------------------------------------------------------


@pytest.mark.parametrize(
    "offer, error",
    [
        ({"format": 0, "algorithm": ALGORITHM_NAME}, VaultDowngradeError),
        ({"format": 1, "algorithm": "none"}, VaultDowngradeError),
        ({"format": 1, "algorithm": "chacha20poly1305"}, VaultDowngradeError),
        ({"format": 1, "algorithm": ALGORITHM_NAME, "kdf": {"algorithm": "argon2id13", "ops": 1, "memory": 8 << 20}}, VaultWeakKdfError),
        ({"format": 1, "algorithm": ALGORITHM_NAME, "kdf": {"algorithm": "argon2i13", "ops": 3, "memory": 64 << 20}}, VaultWeakKdfError),
        ({"format": 1, "algorithm": ALGORITHM_NAME, "kdf": {"algorithm": "scrypt", "ops": 3, "memory": 64 << 20}}, VaultWeakKdfError),
        ({"format": 2, "algorithm": ALGORITHM_NAME}, VaultUnsupportedVersionError),
    ],
)
def test_weak_or_downgraded_offers_are_refused(hostile, offer, error) -> None:  # type: ignore[no-untyped-def]
    hostile.server.offer_value = offer
    p = hostile.people["alice"]
    with pytest.raises(error) as caught:
        alice_vault(hostile)
    assert caught.value.code in {"vault.downgrade", "vault.weak_kdf", "vault.unsupported_version"}
    # Nothing reached the chain.
    assert hostile.server.keyring("alice") is None
    with pytest.raises(error):
        Vault.open(hostile.server, hostile.directory, "alice", kek=p.kek, x25519_secret=p.secret)


def test_downgrade_has_the_stable_code(hostile) -> None:  # type: ignore[no-untyped-def]
    hostile.server.offer_value = {"format": 0, "algorithm": ALGORITHM_NAME}
    with pytest.raises(VaultDowngradeError) as caught:
        alice_vault(hostile)
    assert caught.value.code == "vault.downgrade"


def test_weak_kdf_in_a_substituted_keyring_is_refused_before_argon2id(hostile) -> None:  # type: ignore[no-untyped-def]
    alice_vault(hostile)
    weak = build_keyring(
        owner="alice", epoch=2, kdf=FLOOR, kek=bytes(32), vault_key=bytes(32), owner_secret=hostile.people["alice"].secret,
        owner_public=hostile.people["alice"].public, guardians=[], threshold=0,
    )
    doc = weak.to_bytes().replace(b'"ops":3', b'"ops":1').replace(b'"memory":67108864', b'"memory":1048576')
    digest = hostile.server.put_blob(doc)
    hostile.server.keyring_hook = lambda answer, owner: {**answer, "epoch": 2, "content_hash": digest, "size": len(doc)}
    started = time.perf_counter()
    with pytest.raises(VaultWeakKdfError):
        Vault.open_with_passphrase(hostile.server, hostile.directory, "alice", NETWORK_ID, "not even a valid passphrase")
    # Refused before any derivation: a 64 MiB Argon2id alone takes about 0.1 s.
    assert time.perf_counter() - started < 0.05


def test_open_with_passphrase_uses_the_keyring_parameters(world) -> None:  # type: ignore[no-untyped-def]
    from tonomy.wallet.derivation import derive_root_seed, vault_key, x25519_secret
    from tonomy.wallet.passphrase import generate_passphrase

    passphrase = generate_passphrase()
    root = derive_root_seed(passphrase, "alice", NETWORK_ID, FLOOR)
    world.directory.set("alice", bytes(x25519_secret(root).public_key))
    vault = Vault.create(world.server, world.directory, "alice", kek=vault_key(root), x25519_secret=bytes(x25519_secret(root)), kdf=FLOOR)
    rid = vault.create_record({"note": b"typed on a new device"})
    again = Vault.open_with_passphrase(world.server, world.directory, "alice", NETWORK_ID, passphrase)
    assert again.read("alice", rid, "note") == b"typed on a new device"


def test_envelope_with_a_lower_format_or_algorithm_is_a_downgrade(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"secret"})
    entry = hostile.server.entry("alice", rid, "note")
    blob = hostile.blobs.get(entry["content_hash"])
    for forged in (blob[:4] + b"\x00\x00" + blob[6:], blob[:6] + b"\x00" + blob[7:], blob[:6] + b"\x02" + blob[7:]):
        digest = hostile.server.put_blob(forged)
        hostile.server.entry_hook = lambda answer, *_, d=digest, f=forged: {**answer, "content_hash": d, "size": len(f)}
        with pytest.raises(VaultDowngradeError):
            vault.read("alice", rid, "note")


# -- swapped ciphertexts -----------------------------------------------------------------------


def test_blob_swapped_under_an_honest_entry_is_detected(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"one", "title": b"two"})
    other = hostile.server.entry("alice", rid, "title")["content_hash"]
    hostile.server.blob_hook = lambda data, digest: hostile.blobs.get(other)
    with pytest.raises(VaultHashMismatchError):
        vault.read("alice", rid, "note")


def test_ciphertext_swapped_between_fields_fails_authentication(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"note text", "title": b"title text"})
    title = hostile.server.entry("alice", rid, "title")

    def swap(answer, owner, record_id, field):  # type: ignore[no-untyped-def]
        return {**answer, "content_hash": title["content_hash"], "size": title["size"]} if field == "note" else answer

    hostile.server.entry_hook = swap
    with pytest.raises(VaultTamperedError):
        vault.read("alice", rid, "note")


def test_ciphertext_swapped_between_records_fails_authentication(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    first = vault.create_record({"note": b"record one"})
    second = vault.create_record({"note": b"record two"})
    theirs = hostile.server.entry("alice", second, "note")
    # Give the second record's blob and even its grant (its record key) for the first record.
    hostile.server.entry_hook = lambda answer, o, r, f: {**answer, "content_hash": theirs["content_hash"]} if r == first else answer
    with pytest.raises(VaultTamperedError):
        vault.read("alice", first, "note")
    second_grant = hostile.server.grant("alice", second, "alice")
    hostile.server.grant_hook = lambda answer, o, r, reader: {**second_grant, "record_id": first} if r == first else answer
    with pytest.raises(VaultTamperedError):
        vault.read("alice", first, "note")


def test_ciphertext_swapped_between_owners_fails_authentication(hostile) -> None:  # type: ignore[no-untyped-def]
    alice = alice_vault(hostile)
    bob_p = hostile.people["bob"]
    bob = Vault.create(hostile.server, hostile.directory, "bob", kek=bob_p.kek, x25519_secret=bob_p.secret, kdf=FLOOR)
    rid = alice.create_record({"note": b"alice's"})
    alice.share(rid, "bob")
    rid_b = bob.create_record({"note": b"bob's"})
    bob_entry = hostile.server.entry("bob", rid_b, "note")
    hostile.server.entry_hook = lambda answer, o, r, f: {**answer, "content_hash": bob_entry["content_hash"]} if o == "alice" else answer
    with pytest.raises(VaultTamperedError):
        bob.read("alice", rid, "note")


def test_version_or_epoch_rewritten_fails_authentication(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"text"})
    entry = hostile.server.entry("alice", rid, "note")
    blob = hostile.blobs.get(entry["content_hash"])
    # Rewrite the envelope header and the entry consistently: only the associated data can tell.
    bumped_version = blob[:11] + (2).to_bytes(8, "big") + blob[19:]
    bumped_epoch = blob[:7] + (2).to_bytes(4, "big") + blob[11:]
    grant = hostile.server.grant("alice", rid, "alice")
    for forged, change in ((bumped_version, {"version": 2}), (bumped_epoch, {"key_epoch": 2})):
        digest = hostile.server.put_blob(forged)
        hostile.server.entry_hook = lambda answer, *_, d=digest, c=change: {**answer, "content_hash": d, **c}
        # (the grant's epoch is raised along, or the client would say the record was re-keyed)
        hostile.server.grant_hook = lambda answer, *_, c=change: {**grant, "key_epoch": c.get("key_epoch", 1)}
        with pytest.raises(VaultTamperedError):
            vault.read("alice", rid, "note")
    hostile.server.grant_hook = None
    # A higher version with the genuine envelope is caught before the key is tried.
    hostile.server.entry_hook = lambda answer, *_: {**answer, "version": answer["version"] + 1}
    with pytest.raises(VaultRollbackError):
        vault.read("alice", rid, "note")


# -- substituted keys --------------------------------------------------------------------------


def test_a_substituted_recipient_key_offered_while_sharing_is_refused(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"for bob only"})
    _, attacker_public = h.stranger_key()
    with pytest.raises(VaultKeyMismatchError) as caught:
        vault.share(rid, "bob", offered_key=attacker_public)
    assert caught.value.code == "vault.key_mismatch"
    assert hostile.server.grant("alice", rid, "bob") is None
    vault.share(rid, "bob", offered_key=hostile.people["bob"].public)
    assert reader(hostile, "bob").read("alice", rid, "note") == b"for bob only"


def test_grant_rewritten_to_the_attackers_key_is_detected_by_the_reader(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"for bob"})
    vault.share(rid, "bob")
    attacker_secret, attacker_public = h.stranger_key()
    # The server re-wraps to itself (it cannot: it has no record key) — so it wraps its own key...
    fake_key = bytes(range(32))
    forged = wrap_to(attacker_secret, Party("alice", attacker_public), Party("bob", hostile.people["bob"].public), fake_key, record_key_context("alice", rid, 1))
    hostile.server.grant_hook = lambda answer, *_: {**answer, "wrapped_key": forged}
    # ... claiming to be alice: bob checks the sender against alice's identity record.
    with pytest.raises(VaultTamperedError):
        reader(hostile, "bob").read("alice", rid, "note")
    hostile.server.grant_hook = lambda answer, *_: {**answer, "reader_key": attacker_public}
    with pytest.raises(VaultKeyMismatchError):
        reader(hostile, "bob").read("alice", rid, "note")


def test_revocation_refuses_to_rewrap_for_a_substituted_reader_key(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"secret"})
    vault.share(rid, "bob")
    vault.share(rid, "carol")
    _, attacker_public = h.stranger_key()
    hostile.server.grants_hook = lambda answer, *_: [{**g, "reader_key": attacker_public} if g["reader"] == "carol" else g for g in answer]
    before = hostile.net.chain.head.state_root
    with pytest.raises(VaultKeyMismatchError):
        vault.revoke(rid, "bob")
    assert hostile.net.chain.head.state_root == before
    hostile.server.grants_hook = None
    vault.revoke(rid, "bob")
    assert reader(hostile, "carol").read("alice", rid, "note") == b"secret"


def test_own_key_must_match_the_identity_record(world) -> None:  # type: ignore[no-untyped-def]
    other_secret, _ = h.stranger_key()
    with pytest.raises(VaultKeyMismatchError):
        Vault.reader(world.server, world.directory, "bob", other_secret)


def test_guardian_refuses_to_release_to_a_substituted_owner_key(hostile) -> None:  # type: ignore[no-untyped-def]
    alice_vault(hostile)
    _, attacker_public = h.stranger_key()
    with pytest.raises(VaultKeyMismatchError):
        release_share(reader(hostile, "bob"), "alice", offered_owner_key=attacker_public)


def test_shares_released_to_someone_else_do_not_recover(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    vault.create_record({"note": b"x"})
    # Released while the directory still held alice's old key: useless for the new key.
    stale = [release_share(reader(hostile, g), "alice") for g in ("bob", "carol")]
    new_alice = h.person("alice", 1)
    hostile.directory.set("alice", new_alice.public)
    with pytest.raises(VaultRecoveryError) as caught:
        recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=stale, kdf=FLOOR)
    assert "vault.tampered" in caught.value.message
    one = [release_share(reader(hostile, "bob"), "alice")]
    with pytest.raises(VaultRecoveryError):
        recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=one * 2, kdf=FLOOR)


# -- replays -----------------------------------------------------------------------------------


def test_replayed_old_version_is_a_rollback(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"version one"})
    old_entry = hostile.server.entry("alice", rid, "note")
    old_blob = hostile.blobs.get(old_entry["content_hash"])
    vault.write(rid, "note", b"version two")
    assert vault.read("alice", rid, "note") == b"version two"
    # The old blob is released on chain; a recording server kept it and serves it again.
    hostile.server.entry_hook = lambda *_: old_entry
    hostile.server.blob_hook = lambda *_: old_blob
    with pytest.raises(VaultRollbackError) as caught:
        vault.read("alice", rid, "note")
    assert caught.value.code == "vault.rollback"
    # Current entry, old blob: the envelope says it is older.
    hostile.server.entry_hook = None
    with pytest.raises(VaultRollbackError):
        vault.read("alice", rid, "note")


def test_hiding_a_field_already_seen_is_a_rollback(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    rid = vault.create_record({"note": b"present"})
    assert vault.read("alice", rid, "note") == b"present"
    hostile.server.entry_hook = lambda *_: None
    with pytest.raises(VaultRollbackError):
        vault.read("alice", rid, "note")
    fresh = Vault.open(hostile.server, hostile.directory, "alice", kek=hostile.people["alice"].kek, x25519_secret=hostile.people["alice"].secret)
    from tonomy.errors import VaultNotFoundError

    with pytest.raises(VaultNotFoundError):  # a client that never saw it cannot tell
        fresh.read("alice", rid, "note")


def test_entry_of_another_record_is_tampering(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    first = vault.create_record({"note": b"one"})
    second = vault.create_record({"note": b"two"})
    other = hostile.server.entry("alice", second, "note")
    hostile.server.entry_hook = lambda answer, o, r, f: other if r == first else answer
    with pytest.raises(VaultTamperedError):
        vault.read("alice", first, "note")


def test_replayed_old_keyring_is_a_rollback(hostile) -> None:  # type: ignore[no-untyped-def]
    vault = alice_vault(hostile)
    vault.create_record({"note": b"x"})
    old = hostile.server.keyring("alice")
    new_alice = h.person("alice", 1)
    hostile.directory.set("alice", new_alice.public)
    released = [release_share(reader(hostile, g), "alice") for g in ("bob", "carol")]
    recovered = recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=released, kdf=FLOOR)
    hostile.server.keyring_hook = lambda *_: old
    with pytest.raises(VaultRollbackError):
        recovered.fetch_keyring("alice")


def test_replayed_put_transaction_is_refused_on_chain(world) -> None:  # type: ignore[no-untyped-def]
    from tonomy.errors import ActionFailedError

    vault = alice_vault(world)
    rid = vault.create_record({"note": b"one"})
    first_put = next(line for line in world.server.transcript if line.startswith("submit"))
    assert first_put
    vault.write(rid, "note", b"two")
    entry = world.server.entry("alice", rid, "note")
    stale = {"owner": "alice", "record_id": rid, "field": "note", "version": 1, "content_hash": content_hash(b"x"), "size": 1, "key_epoch": 1}
    with pytest.raises(ActionFailedError) as caught:
        world.server.submit("alice", [("put", stale)])
    assert caught.value.code == "vault.stale_version"
    assert world.server.entry("alice", rid, "note") == entry


def test_kdf_floor_is_the_wallets() -> None:
    with pytest.raises(VaultWeakKdfError):
        from tonomy.vault.keyring import check_kdf

        check_kdf(KdfParams(ops=2, memory=64 << 20, algorithm="argon2id13").to_dict())


def test_recovery_skips_bad_shares_when_enough_good_ones_remain(hostile) -> None:  # type: ignore[no-untyped-def]
    from tonomy.vault.recovery import ReleasedShare, parse_released_share

    vault = alice_vault(hostile, guardians=("bob", "carol", "dave"), threshold=2)
    rid = vault.create_record({"note": b"kept"})
    new_alice = h.person("alice", 1)
    hostile.directory.set("alice", new_alice.public)
    good = [release_share(reader(hostile, g), "alice") for g in ("bob", "dave")]
    carol = parse_released_share(release_share(reader(hostile, "carol"), "alice"))
    flipped = bytearray(carol.wrapped)
    flipped[-1] ^= 1
    bad = [
        ReleasedShare("carol", carol.x, bytes(flipped)).to_bytes(),  # altered in transit
        ReleasedShare("erin", carol.x, carol.wrapped).to_bytes(),  # not a guardian
        ReleasedShare("bob", carol.x, carol.wrapped).to_bytes(),  # wrong coordinate for bob
        b"garbage",
    ]
    with pytest.raises(VaultRecoveryError) as caught:
        recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=bad + good[:1], kdf=FLOOR)
    for code in ("vault.tampered", "vault.recovery_failed", "vault.malformed"):
        assert code in caught.value.message
    recovered = recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=bad + good, kdf=FLOOR)
    assert recovered.read("alice", rid, "note") == b"kept"
    # Shares of the old keyring are useless against the new one (epoch and key id are bound).
    with pytest.raises(VaultRecoveryError):
        recover(hostile.server, hostile.directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=good, kdf=FLOOR)


def test_the_client_itself_refuses_to_create_with_weak_parameters(world) -> None:  # type: ignore[no-untyped-def]
    p = world.people["alice"]
    weak = KdfParams(ops=1, memory=64 << 20)
    with pytest.raises(VaultWeakKdfError):
        Vault.create(world.server, world.directory, "alice", kek=p.kek, x25519_secret=p.secret, kdf=weak)
    assert world.server.keyring("alice") is None
