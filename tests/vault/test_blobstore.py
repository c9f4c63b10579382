"""The node's BlobStore: content addressing, verification on put and get, real deletion, replication."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tonomy.errors import VaultHashMismatchError, VaultMalformedError, VaultNotFoundError
from tonomy.vault import content_hash

from tonomy_vault.blobs import BlobStore, blob_hash


def test_put_get_has_delete(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b")
    data = os.urandom(1000)
    digest = store.put(data)
    assert digest == blob_hash(data) == content_hash(data)  # node and client agree
    assert store.has(digest) and store.get(digest) == data
    assert store.put(data) == digest  # idempotent
    assert list(store.hashes()) == [digest]
    path = tmp_path / "b" / digest.hex()[:2] / digest.hex()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.delete(digest) is True
    assert not path.exists() and not store.has(digest)
    assert store.delete(digest) is False
    with pytest.raises(VaultNotFoundError):
        store.get(digest)
    # the bytes are gone from the directory, not just unlisted
    assert all(data not in p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file())


def test_put_verifies_the_expected_hash_and_writes_nothing_on_mismatch(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b")
    with pytest.raises(VaultHashMismatchError) as caught:
        store.put(b"data", expected_hash=blob_hash(b"other"))
    assert caught.value.code == "vault.hash_mismatch"
    assert list(store.hashes()) == []
    assert store.put(b"data", expected_hash=blob_hash(b"data")) == blob_hash(b"data")


def test_get_detects_damage_on_disk(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b")
    digest = store.put(b"original ciphertext")
    path = tmp_path / "b" / digest.hex()[:2] / digest.hex()
    path.write_bytes(b"substituted ciphertext")
    with pytest.raises(VaultHashMismatchError):
        store.get(digest)
    # a peer asking for it must not be served damaged bytes either
    with pytest.raises(VaultHashMismatchError):
        store.fetch(digest)


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33, "00" * 32, None, 5])
def test_bad_hashes(tmp_path: Path, bad: object) -> None:
    store = BlobStore(tmp_path / "b")
    for call in (store.get, store.has, store.delete):
        with pytest.raises(VaultMalformedError):
            call(bad)  # type: ignore[arg-type]


def test_size_limit_and_types(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b", max_blob_size=100)
    with pytest.raises(VaultMalformedError):
        store.put(b"x" * 101)
    with pytest.raises(VaultMalformedError):
        store.put("text")  # type: ignore[arg-type]
    assert list(store.hashes()) == []


def test_replication_verifies_what_peers_send(tmp_path: Path) -> None:
    source = BlobStore(tmp_path / "source")
    wanted = [source.put(os.urandom(50)) for _ in range(3)]

    class LyingPeer:
        def has(self, content_hash: bytes) -> bool:
            return True

        def fetch(self, content_hash: bytes) -> bytes | None:
            return b"not the blob"

    target = BlobStore(tmp_path / "target")
    missing_hash = blob_hash(b"nobody has this")
    assert target.missing(wanted) == wanted
    left = target.replicate_from([LyingPeer(), source], wanted + [missing_hash])
    assert left == [missing_hash]
    assert sorted(target.hashes()) == sorted(wanted)
    assert all(target.get(d) == source.get(d) for d in wanted)


def test_apply_events_deletes_released_blobs_only(tmp_path: Path) -> None:
    from tonomy.chain import codec

    store = BlobStore(tmp_path / "b")
    keep, drop = store.put(b"keep"), store.put(b"drop")
    events = [
        {"plugin": "vault", "name": "stored", "data": codec.encode({"content_hash": keep, "size": 4})},
        {"plugin": "other", "name": "released", "data": codec.encode({"content_hash": keep})},
        {"plugin": "vault", "name": "released", "data": codec.encode({"content_hash": drop})},
    ]
    assert store.apply_events(events, codec.decode) == 1
    assert store.has(keep) and not store.has(drop)


def test_temporary_files_are_not_listed(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "b")
    digest = store.put(b"abc")
    (tmp_path / "b" / digest.hex()[:2] / ".tmp-leftover").write_bytes(b"partial")
    assert list(store.hashes()) == [digest]


def test_sweep_drops_unreferenced_uploads_after_the_grace_period(world) -> None:  # type: ignore[no-untyped-def]
    import time

    from tonomy.vault import Vault
    from tonomy.wallet.kdf import FLOOR

    p = world.people["alice"]
    vault = Vault.create(world.server, world.directory, "alice", kek=p.kek, x25519_secret=p.secret, kdf=FLOOR)
    rid = vault.create_record({"note": b"referenced"})
    orphan = world.blobs.put(b"uploaded, but its transaction never came")

    def referenced(digest: bytes) -> bool:
        return bool(world.net.chain.query("vault", "referenced", {"content_hash": digest}))

    assert world.blobs.sweep(referenced, grace_s=3600) == []  # too young
    assert world.blobs.sweep(referenced, grace_s=60, now=time.time() + 120) == [orphan]
    assert not world.blobs.has(orphan)
    assert vault.read("alice", rid, "note") == b"referenced"


def test_referenced_blobs_pages_through_every_referenced_hash(world) -> None:  # type: ignore[no-untyped-def]
    from tonomy.errors import TonomyError
    from tonomy.vault import Vault
    from tonomy.wallet.kdf import FLOOR
    from tonomy_vault.actions import REFERENCED_PAGE

    p = world.people["alice"]
    vault = Vault.create(world.server, world.directory, "alice", kek=p.kek, x25519_secret=p.secret, kdf=FLOOR)
    vault.create_record({"a": b"one", "b": b"two", "c": b"three"})

    def referenced(digest: bytes) -> bool:
        return bool(world.net.chain.query("vault", "referenced", {"content_hash": digest}))

    every = world.net.chain.query("vault", "referenced_blobs", {})
    assert len(every) >= 4 and every == sorted(every) and all(referenced(h) for h in every)  # 3 fields and the keyring
    assert len(every) < REFERENCED_PAGE
    # Paging: after any hash, exactly the ones above it; after the last, nothing.
    assert world.net.chain.query("vault", "referenced_blobs", {"after": every[1]}) == every[2:]
    assert world.net.chain.query("vault", "referenced_blobs", {"after": every[-1]}) == []
    assert world.net.chain.query("vault", "referenced_blobs", {"after": bytes(32)}) == every
    for hostile in ({"after": b"short"}, {"after": "00" * 32}, {"limit": 5}):
        try:
            world.net.chain.query("vault", "referenced_blobs", hostile)
        except TonomyError as exc:
            assert exc.code == "core.invalid_input"
        else:
            raise AssertionError(f"{hostile} was accepted")
