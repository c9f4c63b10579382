"""Plaintext canaries: after a full scenario on a real chain and blob store, no plaintext anywhere.

The scenario writes records holding canaries, shares them, revokes a reader, deletes a
field and recovers the vault (re-key). Then every byte an operator could keep — the
chain's LMDB files, the blob directory, the server's full transcript, every log line —
is searched for each canary (raw, hex, base64, UTF-16) and for every secret key.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest

from tonomy.vault import Vault, recover, release_share
from tonomy.wallet.kdf import FLOOR

import vault_harness as h


def forms(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        secret.decode("latin-1").encode("utf-16-le"),
    ]


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def leaks(haystacks: dict[str, bytes], secrets: dict[str, bytes]) -> list[str]:
    found = []
    for where, data in haystacks.items():
        for label, secret in secrets.items():
            if any(form in data for form in forms(secret)):
                found.append(f"{label} in {where}")
    return found


def test_the_search_finds_a_planted_canary(tmp_path: Path) -> None:
    canary = b"CANARY-control-" + os.urandom(8).hex().encode()
    (tmp_path / "f").write_bytes(b"xx" + base64.b64encode(canary) + b"yy")
    assert leaks({"f": (tmp_path / "f").read_bytes()}, {"c": canary}) == ["c in f"]


def test_no_plaintext_canary_survives_a_full_scenario(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from tonomy_vault.blobs import BlobStore

    caplog.set_level(logging.DEBUG)
    net = h.make_net(tmp_path / "chain")
    blobs = BlobStore(tmp_path / "blobs")
    server = h.ChainServer(net, blobs)
    people = {name: h.person(name) for name in h.ACCOUNTS}
    directory = h.directory_for(*people.values())
    tag = os.urandom(6).hex()
    canaries = {f"canary-{n}": f"CANARY-{n}-{tag}-do-not-leak".encode() for n in range(6)}
    c = list(canaries.values())

    alice = people["alice"]
    vault = Vault.create(server, directory, "alice", kek=alice.kek, x25519_secret=alice.secret, kdf=FLOOR, guardians=["bob", "carol", "dave"], threshold=2)
    medical = vault.create_record({"diagnosis": c[0], "doctor": c[1]})
    diary = vault.create_record({"entry": c[2]})
    vault.write(diary, "entry", c[3])
    vault.share(medical, "erin")
    vault.share(medical, "frank")
    erin = Vault.reader(server, directory, "erin", people["erin"].secret)
    assert erin.read("alice", medical, "diagnosis") == c[0]
    vault.revoke(medical, "frank")
    vault.write(medical, "doctor", c[4])
    vault.delete(diary, "entry")
    deleted_hash = net.chain.query("vault", "entry", {"owner": "alice", "record_id": diary, "field": "entry"})
    assert deleted_hash["deleted"]
    new_alice = h.person("alice", 1)
    directory.set("alice", new_alice.public)
    released = [release_share(Vault.reader(server, directory, g, people[g].secret), "alice") for g in ("carol", "dave")]
    recovered = recover(server, directory, "alice", new_kek=new_alice.kek, new_x25519_secret=new_alice.secret, released=released, kdf=FLOOR)
    recovered.write(medical, "notes", c[5])
    assert recovered.read("alice", medical, "diagnosis") == c[0]
    assert erin.read("alice", medical, "doctor") == c[4]
    assert Vault.reader(server, directory, "erin", people["erin"].secret).read("alice", medical, "notes") == c[5]

    secrets = dict(canaries)
    secrets.update(
        {
            "old vault key": vault._vault_key or b"",
            "new vault key": recovered._vault_key or b"",
            "old KEK": alice.kek,
            "new KEK": new_alice.kek,
            **{f"x25519 secret {p.name}": p.secret for p in people.values()},
            "new x25519 secret alice": new_alice.secret,
        }
    )
    live = {net.chain.query("vault", "keyring", {"owner": "alice"})["content_hash"]}
    for rid in (medical, diary):
        live |= {e["content_hash"] for e in net.chain.query("vault", "fields", {"owner": "alice", "record_id": rid}) if not e["deleted"]}
    # Only blobs that live entries and the keyring reference are kept: every replaced,
    # re-keyed or deleted ciphertext left the node.
    assert set(blobs.hashes()) == live
    net.close()
    haystacks = {str(p.relative_to(tmp_path)): p.read_bytes() for p in files_under(tmp_path)}
    assert any(k.startswith("chain") and k.endswith(".mdb") for k in haystacks), sorted(haystacks)
    assert any(k.startswith("blobs") for k in haystacks)
    haystacks["server transcript"] = "\n".join(server.transcript).encode()
    haystacks["captured logs"] = caplog.text.encode()
    assert server.transcript and caplog.text  # the recording really happened
    assert leaks(haystacks, secrets) == []
