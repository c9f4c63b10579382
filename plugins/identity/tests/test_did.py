"""did:tonomy: documents from chain state, resolved only through verified Merkle proofs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tonomy.chain import codec
from tonomy_identity import did
from tonomy_identity.crypto import ED25519_MULTICODEC, X25519_MULTICODEC, multibase_key
from tonomy_identity.errors import InvalidDidError, InvalidProofError, NotFoundError
from tonomy_identity.proofs import ProofBundle, ProvenValue

from tonomy.testing.ledger import public_key

X25519_KEY = bytes(range(32))


def setup_identity(net: Any) -> None:
    net.ok([
        ("identity", "set_key_agreement", {"account": "alice", "id": "x25519-1", "key": X25519_KEY}, ["alice@active"]),
        ("identity", "set_service", {"account": "alice", "id": "vault", "type": "TonomyVault",
                                     "endpoint": "https://vault.example.org/alice"}, ["alice@active"]),
    ], ["alice"])


def resolve(net: Any, name: str, **kw: Any) -> dict[str, Any]:
    text = did.did_for("testnet", name)
    bundle = did.fetch_proofs(net.chain, text)
    return did.resolve(text, bundle, net.chain.head, {"testnet": net.chain.chain_id}, **kw)


def test_document_from_chain_state(net: Any) -> None:
    setup_identity(net)
    document = resolve(net, "alice")
    subject = "did:tonomy:testnet:alice"
    assert document["id"] == subject
    methods = {m["id"]: m for m in document["verificationMethod"]}
    ed_key = multibase_key(ED25519_MULTICODEC, public_key("alice"))
    assert methods[f"{subject}#owner-0"]["publicKeyMultibase"] == ed_key
    assert methods[f"{subject}#active-0"]["publicKeyMultibase"] == ed_key
    assert methods[f"{subject}#x25519-1"]["publicKeyMultibase"] == multibase_key(X25519_MULTICODEC, X25519_KEY)
    assert ed_key.startswith("z6Mk")  # the well-known prefix of Ed25519 multikeys
    assert methods[f"{subject}#x25519-1"]["publicKeyMultibase"].startswith("z6LS")
    assert document["authentication"] == [f"{subject}#active-0"]
    assert document["capabilityInvocation"] == [f"{subject}#owner-0"]
    assert document["keyAgreement"] == [f"{subject}#x25519-1"]
    assert document["service"] == [{"id": f"{subject}#vault", "type": "TonomyVault",
                                    "serviceEndpoint": "https://vault.example.org/alice"}]


def test_document_follows_key_rotation(net: Any) -> None:
    new_key = public_key("alice-active-2")
    authority = {"threshold": 1, "keys": [{"key": new_key, "weight": 1}], "accounts": [], "waits": []}
    net.ok([("tonomy", "updateauth", {"account": "alice", "permission": "active", "parent": "owner",
                                      "authority": authority}, ["alice@active"])], ["alice"])
    methods = {m["id"]: m for m in resolve(net, "alice")["verificationMethod"]}
    assert methods["did:tonomy:testnet:alice#active-0"]["publicKeyMultibase"] == multibase_key(ED25519_MULTICODEC, new_key)


def test_removing_entries(net: Any) -> None:
    setup_identity(net)
    net.ok([("identity", "remove_service", {"account": "alice", "id": "vault"}, ["alice@active"]),
            ("identity", "remove_key_agreement", {"account": "alice", "id": "x25519-1"}, ["alice@active"])], ["alice"])
    document = resolve(net, "alice")
    assert "service" not in document and document["keyAgreement"] == []
    net.fails("identity.not_found", [("identity", "remove_service", {"account": "alice", "id": "vault"}, ["alice@active"])], ["alice"])


def _tampered(bundle: ProofBundle, index: int, **change: Any) -> ProofBundle:
    values = list(bundle.values)
    values[index] = replace(values[index], **change)
    return ProofBundle(bundle.height, tuple(values))


def test_tampered_proofs_are_refused(net: Any) -> None:
    setup_identity(net)
    text = "did:tonomy:testnet:alice"
    networks = {"testnet": net.chain.chain_id}
    bundle = did.fetch_proofs(net.chain, text)
    header = net.chain.head
    did.resolve(text, bundle, header, networks)  # the honest bundle resolves
    record_index = 3
    record = codec.decode(bundle.values[record_index].value)
    record["key_agreement"][0]["key"] = bytes(32)  # a node substitutes the key-agreement key
    attacks = [
        _tampered(bundle, record_index, value=codec.encode(record)),
        _tampered(bundle, record_index, value=None),  # claims there is no record
        _tampered(bundle, 1, proof=bundle.values[1].proof[:-1] + bytes([bundle.values[1].proof[-1] ^ 1])),
        _tampered(bundle, 2, proof=b""),
        ProofBundle(bundle.height, bundle.values[:3]),  # omits the record
        ProofBundle(bundle.height, bundle.values + (bundle.values[0],)),  # a key twice
        _tampered(bundle, 0, key=bundle.values[0].key.replace(b"alice", b"bob")),  # bob's proof for alice's key
    ]
    for attack in attacks:
        with pytest.raises(InvalidProofError):
            did.resolve(text, attack, header, networks)


def test_proofs_of_another_height_are_refused(net: Any) -> None:
    setup_identity(net)
    text = "did:tonomy:testnet:alice"
    old_bundle = did.fetch_proofs(net.chain, text, height=net.chain.height - 1)
    with pytest.raises(InvalidProofError):
        did.resolve(text, old_bundle, net.chain.head, {"testnet": net.chain.chain_id})
    # Relabelled as the head's height, the old proofs do not verify against the head's root.
    relabelled = ProofBundle(net.chain.height, old_bundle.values)
    with pytest.raises(InvalidProofError):
        did.resolve(text, relabelled, net.chain.head, {"testnet": net.chain.chain_id})
    # Against the old header they are fine (historic resolution).
    old_header = net.chain.get_block(net.chain.height - 1).header
    assert did.resolve(text, old_bundle, old_header, {"testnet": net.chain.chain_id})["keyAgreement"] == []


def test_unknown_and_system_accounts(net: Any) -> None:
    with pytest.raises(NotFoundError):
        resolve(net, "zelda")
    with pytest.raises(NotFoundError):
        resolve(net, "tonomy")


def test_wrong_network(net: Any) -> None:
    text = "did:tonomy:testnet:alice"
    bundle = did.fetch_proofs(net.chain, text)
    with pytest.raises(InvalidDidError):
        did.resolve(text, bundle, net.chain.head, {"testnet": bytes(32)})
    with pytest.raises(InvalidDidError):
        did.resolve("did:tonomy:mainnet:alice", bundle, net.chain.head, {"testnet": net.chain.chain_id})


@pytest.mark.parametrize("bad", ["", "did:tonomy:alice", "did:web:testnet:alice", "did:tonomy:testnet:alice#key",
                                 "did:tonomy:testnet:Alice", "did:tonomy:Test:alice", "did:tonomy:testnet:a..b",
                                 "did:tonomy:testnet:alice:x", "did:tonomy:testnet:" + "a" * 200, None, b"did"])
def test_hostile_dids(bad: Any) -> None:
    with pytest.raises(InvalidDidError):
        did.parse_did(bad)


@pytest.mark.parametrize("data", [
    {"account": "alice", "id": "k", "key": bytes(31)},
    {"account": "alice", "id": "K!", "key": bytes(32)},
    {"account": "alice", "id": "k", "key": bytes(32), "extra": 1},
    {"account": "alice", "id": "k"},
])
def test_hostile_record_data(net: Any, data: dict[str, Any]) -> None:
    from tonomy.errors import InvalidActionDataError

    with pytest.raises(InvalidActionDataError):
        net.send([("identity", "set_key_agreement", data, ["alice@active"])], ["alice"])


def test_service_endpoints_must_be_https(net: Any) -> None:
    from tonomy.errors import InvalidActionDataError

    for endpoint in ("http://plain.example", "javascript:alert(1)", "https://x.example/a b"):
        with pytest.raises(InvalidActionDataError):
            net.send([("identity", "set_service", {"account": "alice", "id": "s", "type": "T", "endpoint": endpoint},
                       ["alice@active"])], ["alice"])


def test_record_limits(net: Any) -> None:
    actions = [("identity", "set_key_agreement", {"account": "alice", "id": f"k{i}", "key": bytes([i]) * 32}, ["alice@active"])
               for i in range(8)]
    net.ok(actions, ["alice"])
    net.fails("identity.limit", [("identity", "set_key_agreement", {"account": "alice", "id": "k9", "key": bytes(32)},
                                  ["alice@active"])], ["alice"])


def test_2020_key_format(net: Any) -> None:
    setup_identity(net)
    document = resolve(net, "alice", key_format="2020")
    types = {m["id"].split("#")[1]: m["type"] for m in document["verificationMethod"]}
    assert types == {"owner-0": "Ed25519VerificationKey2020", "active-0": "Ed25519VerificationKey2020",
                     "x25519-1": "X25519KeyAgreementKey2020"}
    assert "https://w3id.org/security/suites/ed25519-2020/v1" in document["@context"]
    with pytest.raises(InvalidDidError):
        resolve(net, "alice", key_format="jwk")
