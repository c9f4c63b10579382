"""Usernames: only a salted hash on chain, unique across accounts, looked up by hash with a proof."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy_identity import layout, proofs
from tonomy_identity.errors import InvalidProofError, InvalidUsernameError
from tonomy_identity.usernames import network_salt, normalise_username, username_hash

CANARY = "Zebra.Canary-7781"


def register(net: Any, account: str, username: str) -> Any:
    digest = username_hash(username, net.chain.chain_id)
    return net.send([("identity", "register_username", {"account": account, "username_hash": digest}, [f"{account}@active"])], [account])


def test_register_and_lookup_with_proof(net: Any) -> None:
    assert register(net, "alice", CANARY).status == "executed"
    digest = username_hash(CANARY, net.chain.chain_id)
    assert net.chain.query("identity", "username", {"username_hash": digest}) == "alice"
    key = layout.full_key(layout.username_key(digest))
    bundle, header = proofs.fetch(net.chain, [key])
    assert proofs.verify(bundle, header, [key]) == {key: {"account": "alice"}}
    # Absent usernames are proven absent, not just missing.
    other = layout.full_key(layout.username_key(username_hash("nobody-here", net.chain.chain_id)))
    bundle, header = proofs.fetch(net.chain, [other])
    assert proofs.verify(bundle, header, [other]) == {other: None}


def test_usernames_are_unique_after_normalisation(net: Any) -> None:
    register(net, "alice", CANARY)
    for variant in ("zebra.canary-7781", "  ZEBRA.CANARY-7781 ", "ｚｅｂｒａ.canary-7781"):
        assert register(net, "bob", variant).error_code == "identity.username_taken"
    assert register(net, "alice", "second-name").error_code == "identity.username_exists"
    assert net.chain.query("identity", "username", {"username_hash": username_hash(CANARY, net.chain.chain_id)}) == "alice"


def test_release_frees_the_name(net: Any) -> None:
    register(net, "alice", CANARY)
    net.ok([("identity", "release_username", {"account": "alice"}, ["alice@active"])], ["alice"])
    assert register(net, "bob", CANARY).status == "executed"


def test_only_the_account_registers_for_itself(net: Any) -> None:
    digest = username_hash(CANARY, net.chain.chain_id)
    net.fails("tx.missing_authorization",
              [("identity", "register_username", {"account": "alice", "username_hash": digest}, ["bob@active"])], ["bob"])


def test_no_plaintext_username_in_node_storage(net: Any) -> None:
    register(net, "alice", CANARY)
    register(net, "bob", CANARY)  # a failed attempt is stored in a block too
    net.ledger.close()
    needles = {CANARY.encode(), normalise_username(CANARY).encode(), normalise_username(CANARY).encode().hex().encode()}
    files = [p for p in Path(net.ledger.data_dir).rglob("*") if p.is_file()]
    assert files, "the chain wrote no files"
    found_hash = False
    digest = username_hash(CANARY, net.chain.chain_id).hex().encode()
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.lower() not in data.lower(), f"{needle!r} found in {path.name}"
        found_hash = found_hash or digest in data
    assert found_hash, "the hash itself must be in the store (the test would pass vacuously otherwise)"
    net.ledger.reopen()


def test_salt_is_per_network() -> None:
    a, b = bytes(32), bytes([1]) * 32
    assert network_salt(a) != network_salt(b)
    assert username_hash("alice.w", a) != username_hash("alice.w", b)
    assert username_hash("Alice.W", a) == username_hash("alice.w ", a)


@pytest.mark.parametrize("bad", ["", "ab", "a" * 65, "al ice", "al..ice", ".alice", "alice-", "al/ice", "al\x00ice", "ålice", 7, None, b"alice"])
def test_hostile_usernames(bad: Any) -> None:
    with pytest.raises(InvalidUsernameError) as caught:
        username_hash(bad, bytes(32))
    assert caught.value.code == "identity.invalid_username"


@pytest.mark.parametrize("bad", [b"", b"\x00" * 31, b"\x00" * 33, "hex", 5])
def test_hostile_hash_field_refused_at_admission(net: Any, bad: Any) -> None:
    from tonomy.errors import InvalidActionDataError

    with pytest.raises(InvalidActionDataError):
        net.send([("identity", "register_username", {"account": "alice", "username_hash": bad}, ["alice@active"])], ["alice"])


def test_tampered_lookup_proof_refused(net: Any) -> None:
    register(net, "alice", CANARY)
    key = layout.full_key(layout.username_key(username_hash(CANARY, net.chain.chain_id)))
    bundle, header = proofs.fetch(net.chain, [key])
    forged = proofs.ProofBundle(bundle.height, (proofs.ProvenValue(key, b'{"account":"bob"}', bundle.values[0].proof),))
    with pytest.raises(InvalidProofError):
        proofs.verify(forged, header, [key])


def test_find_account_through_proofs(net: Any) -> None:
    from tonomy_identity.usernames import find_account, username_state_key

    register(net, "alice", CANARY)
    for name, expected in ((CANARY, "alice"), ("free-name", None)):
        bundle, _ = proofs.fetch(net.chain, [username_state_key(name, net.chain.chain_id)])
        assert find_account(name, bundle, net.chain.head) == expected
    bundle, _ = proofs.fetch(net.chain, [username_state_key("free-name", net.chain.chain_id)])
    with pytest.raises(InvalidProofError):  # a proof of another name does not answer for this one
        find_account(CANARY, bundle, net.chain.head)
