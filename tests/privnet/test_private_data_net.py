"""Private data on a network of real node processes: vault blobs replicate to every node
and leave every node after the tombstone; mail posted on one node is fetched from another,
receipts come back through a third, and delivered mail leaves every node; after a full
scenario no plaintext canary is in any node's files or logs.

One three-validator cluster for the module; the tests run in order.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from tonomy.errors import TonomyError

from tonomy.testing.cluster import wait_until
from tonomy.vault import StaticDirectory, Vault
from tonomy.vault.app_share import record_scope, revoke_app, session_x25519_secret, share_on_consent
from tonomy.wallet.kdf import FLOOR

from tonomy_identity.crypto import public_key
from tonomy_msg.client import MailClient
from tonomy_msg.directory import ProvenDirectory
from tonomy_vault.remote import NodeVaultServer

from privnet_helpers import APP, APP_ORIGIN, APP_REDIRECT, PrivNet, blob_dirs

pytestmark = pytest.mark.slow
TIMEOUT = 90.0


def holds(folder: Path, digest: bytes) -> bool:
    return (folder / digest.hex()[:2] / digest.hex()).exists()


def directory_of(net: PrivNet) -> StaticDirectory:
    return StaticDirectory({name: p.x_public for name, p in net.people.items()})


def vault_of(net: PrivNet, name: str, node: int, directory: StaticDirectory) -> Vault:
    p = net.people[name]
    server = NodeVaultServer(net.clients[node], {name: p.seed})
    if server.keyring(name) is not None:  # made by an earlier test of the module
        return Vault.open(server, directory, name, kek=p.kek, x25519_secret=p.x_secret)
    return Vault.create(server, directory, name, kek=p.kek, x25519_secret=p.x_secret, kdf=FLOOR)


def reader(net: PrivNet, name: str, node: int, directory: StaticDirectory, secret: bytes | None = None) -> Vault:
    return Vault.reader(NodeVaultServer(net.clients[node], {}), directory, name, secret or net.people[name].x_secret)


def mail(net: PrivNet, name: str, node: int) -> MailClient:
    p = net.people[name]
    client = net.clients[node]
    return MailClient(client, name, p.seed, p.x_secret, ProvenDirectory(client, client.head, "testnet"))


def entry_hash(net: PrivNet, owner: str, record_id: bytes, field: str) -> bytes:
    found = net.clients[0].query("vault", "entry", {"owner": owner, "record_id": record_id, "field": field})
    return bytes(found["content_hash"])


def test_blobs_replicate_to_every_node_and_leave_every_node_after_the_tombstone(privnet: PrivNet) -> None:
    directory = directory_of(privnet)
    vault = vault_of(privnet, "alice", 0, directory)
    record = vault.create_record({"note": b"replicated ciphertext"})
    digest = entry_hash(privnet, "alice", record, "note")
    folders = blob_dirs(privnet)
    wait_until(lambda: all(holds(f, digest) for f in folders), TIMEOUT, 0.2, "replication to every node")
    vault.share(record, "bob")
    assert reader(privnet, "bob", 2, directory).read("alice", record, "note") == b"replicated ciphertext"
    vault.delete(record, "note")
    wait_until(lambda: not any(holds(f, digest) for f in folders), TIMEOUT, 0.2, "deletion on every node")


def mail_files(net: PrivNet, account: str) -> list[Path]:
    found: list[Path] = []
    for node in net.cluster.nodes:
        folder = node.data_dir / "plugins" / "msg" / "mail" / account
        if folder.exists():
            found += [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return found


def test_mail_travels_between_nodes_and_leaves_every_node_once_read(privnet: PrivNet) -> None:
    alice, bob = mail(privnet, "alice", 0), mail(privnet, "bob", 1)
    message_id = alice.send("bob", b"across the network")
    wait_until(lambda: len(mail_files(privnet, "bob")) == 3, TIMEOUT, 0.2, "the mail on every node")
    box = bob.inbox()
    assert [m.body for m in box.messages] == [b"across the network"]
    bob.acknowledge(box.messages)
    wait_until(lambda: mail_files(privnet, "bob") == [], TIMEOUT, 0.2, "the mail gone from every node")
    collector = mail(privnet, "alice", 2)
    collector._state["sent"] = alice._state["sent"]  # the same wallet, on another device
    got: list[Any] = []
    wait_until(lambda: bool(got.extend(collector.receipts()) or got), TIMEOUT, 0.5, "the receipt at another node")
    assert [(r.message_id, r.recipient) for r in got] == [(message_id, "bob")]


def test_an_app_reads_the_records_named_at_login_and_loses_them_when_the_session_is_revoked(privnet: PrivNet) -> None:
    from tonomy_identity import layout, login
    from tonomy_identity.proofs import fetch, verify
    from tonomy_msg.directory import NodeStateSource

    node, bob = privnet.clients[0], privnet.people["bob"]
    directory = directory_of(privnet)
    vault = vault_of(privnet, "bob", 0, directory)
    medical = vault.create_record({"blood_type": b"AB-"})
    diary = vault.create_record({"entry": b"not for apps"})
    # The app asks; the wallet checks the request against the app's proven registration.
    head = node.head()
    app = login.LoginClient(APP, APP_ORIGIN, privnet.app_request_seed, head.chain_id)
    signed = app.create_request(APP_REDIRECT, ["vault.read_medical"], now_ms=head.time, session_ttl_s=3600)
    consent = login.check_login_request(signed, observed_origin=APP_ORIGIN, trusted_header=head, now_ms=head.time,
                                        app_proofs=login.fetch_app_proofs(NodeStateSource(node, head.height), APP))
    assert consent.scopes == ("vault.read_medical",)
    plugin, name, data = login.login_action("bob", signed)
    receipt = node.push_action(plugin, name, data, ["bob@active"], seeds=[bob.seed], timeout=60)
    assert receipt.ok, receipt.error_message
    response = login.sign_response("bob", bob.seed, signed, receipt.tx_id)
    head = node.head()
    source = NodeStateSource(node, head.height)
    session = app.finish(response, login.fetch_response_proofs(source, response), head, now_ms=head.time)
    # The wallet wraps the named record's key to the proven session's key-agreement key.
    key = layout.full_key(layout.session_key("bob", APP))
    record = verify(fetch(source, [key])[0], head, [key])[key]
    assert share_on_consent(vault, directory, APP, record, head.time, labels={"medical": medical, "diary": diary}) == [medical]
    app_vault = reader(privnet, APP, 1, directory, session_x25519_secret(session.session_seed))
    assert app_vault.read("bob", medical, "blood_type") == b"AB-"
    with pytest.raises(TonomyError) as info:
        app_vault.read("bob", diary, "entry")
    assert info.value.code == "vault.no_access"
    old_blob = entry_hash(privnet, "bob", medical, "blood_type")
    # Revocation: the session on chain, and the share (re-keyed without the app).
    receipt = node.push_action("identity", "revoke_session", {"account": "bob", "app": APP}, ["bob@active"],
                               seeds=[bob.seed], timeout=60)
    assert receipt.ok, receipt.error_message
    revoke_app(vault, APP, [medical])
    vault.write(medical, "blood_type", b"AB- (confirmed)")
    with pytest.raises(TonomyError) as info:
        app_vault.read("bob", medical, "blood_type")
    assert info.value.code == "vault.no_access"
    folders = blob_dirs(privnet)
    wait_until(lambda: not any(holds(f, old_blob) for f in folders), TIMEOUT, 0.2, "the pre-revocation blob gone")


def forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), base64.b64encode(secret), base64.urlsafe_b64encode(secret),
            secret.decode("latin-1").encode("utf-16-le")]


def test_no_plaintext_canary_in_any_node_file_or_log(privnet: PrivNet) -> None:
    tag = os.urandom(6).hex()
    canaries = {f"canary-{i}": f"CANARY-{i}-{tag}-private".encode() for i in range(6)}
    c = list(canaries.values())
    directory = directory_of(privnet)
    vault = vault_of(privnet, "carol", 1, directory)
    medical = vault.create_record({"diagnosis": c[0]})
    diary = vault.create_record({"entry": c[1]})
    vault.share(medical, "bob")
    # An app session (login consent naming the record) reads it, then loses it on revocation.
    app_seed = os.urandom(32)
    session = {"session_key": public_key(app_seed), "scopes": [record_scope(medical)], "revoked": False, "expires_ms": 2**62}
    assert share_on_consent(vault, directory, "notesapp", session, now_ms=0) == [medical]
    app = reader(privnet, "notesapp", 2, directory, session_x25519_secret(app_seed))
    assert app.read("carol", medical, "diagnosis") == c[0]
    revoke_app(vault, "notesapp", [medical])
    vault.write(medical, "diagnosis", c[2])
    wait_until(lambda: _readable(privnet, directory, medical, c[2]), TIMEOUT, 0.3, "the re-keyed record on node 0")
    vault.delete(diary, "entry")
    # Messages with canaries, through different nodes.
    alice, bob = mail(privnet, "alice", 2), mail(privnet, "bob", 0)
    alice.send("bob", c[3])
    alice.send("carol", c[4])  # carol never reads it: it stays (sealed) in every mailbox
    wait_until(lambda: len(bob.inbox().messages) == 1, TIMEOUT, 0.3, "bob's mail on node 0")
    box = bob.inbox()
    assert [m.body for m in box.messages] == [c[3]]
    bob.acknowledge(box.messages)
    wait_until(lambda: len(mail_files(privnet, "carol")) == 3, TIMEOUT, 0.3, "carol's mail on every node")
    # A credential: alice issues bob one whose claim is a canary, sends it sealed; bob keeps it
    # in his vault and presents the disclosed claim to carol, sealed again.
    import json

    from tonomy.wallet.vc import IssuedCredential, SeedSigner, decode_disclosure, issue

    issued = issue(SeedSigner("did:tonomy:testnet:alice#active-0", privnet.people["alice"].seed), issuer="did:tonomy:testnet:alice",
                   subject="did:tonomy:testnet:bob", types=["PassportCredential"], claims={"passport": c[5].decode()},
                   valid_from="2026-01-01T00:00:00Z", decoys=2)
    alice.send("bob", json.dumps(issued.to_dict()).encode())
    wait_until(lambda: len(bob.inbox().messages) == 1, TIMEOUT, 0.3, "the credential at node 0")
    box = bob.inbox()
    held = IssuedCredential.from_dict(json.loads(box.messages[0].body))
    assert [decode_disclosure(d) for d in held.disclosures] == [("passport", c[5].decode())]
    bob.acknowledge(box.messages)
    vault_of(privnet, "bob", 0, directory).create_record({"credential": json.dumps(held.to_dict()).encode()})
    bob.send("carol", json.dumps({"credential": held.credential, "disclosures": list(held.disclosures)}).encode())
    wait_until(lambda: len(mail_files(privnet, "carol")) == 6, TIMEOUT, 0.3, "the presentation on every node")
    for node in privnet.cluster.nodes:
        node.stop()
    secrets = dict(canaries)
    secrets.update({f"x25519 {p.name}": p.x_secret for p in privnet.people.values()})
    secrets.update({f"kek {p.name}": p.kek for p in privnet.people.values()})
    secrets["app session seed"] = app_seed
    haystacks = {str(p): p.read_bytes() for p in privnet.cluster.root.rglob("*") if p.is_file()}
    assert any(k.endswith(".mdb") for k in haystacks) and any(k.endswith(".log") for k in haystacks)
    assert any("/plugins/msg/mail/" in k for k in haystacks) and any("/plugins/vault/blobs/" in k for k in haystacks)
    found = [f"{label} in {where}" for where, data in haystacks.items() for label, secret in secrets.items()
             if any(form in data for form in forms(secret))]
    assert found == []


def _readable(net: PrivNet, directory: StaticDirectory, record: bytes, expected: bytes) -> bool:
    try:
        return reader(net, "bob", 0, directory).read("carol", record, "diagnosis") == expected
    except Exception:
        return False
