"""``tonomy msg send/inbox/read/receipts`` with a wallet identity, against a live node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tonomy.wallet import FLOOR, Keystore, generate_passphrase
from tonomy.wallet.derivation import active_seed

from tonomy_msg.cli import msg_group

import mailnet

PIN = "482916"


def wallet_account(client: Any, people: dict[str, Any], root: Path, name: str = "dave") -> tuple[Path, str]:
    """A wallet identity whose keys hold a new account ``name`` (created by alice), with its X25519 key published."""
    store = Keystore(root)
    head = client.head()
    with store.create_identity(name, head.chain_id, generate_passphrase(), PIN, kdf=FLOOR, pin_kdf=FLOOR) as me:
        identity_id = me.identity_id
        seed = active_seed(me.root_seed_for_sealing(), me.active_generation)
        owner = {"threshold": 1, "keys": [{"key": me.owner_public_key, "weight": 1}], "accounts": [], "waits": []}
        active = {"threshold": 1, "keys": [{"key": me.active_public_key, "weight": 1}], "accounts": [], "waits": []}
        x_public = me.x25519_public_key
    receipt = client.push_action("tonomy", "newaccount", {"creator": "alice", "name": name, "type": "person",
                                 "owner": owner, "active": active}, ["alice@active"], seeds=[people["alice"].key.seed])
    assert receipt.ok, receipt.error_message
    receipt = client.push_action("identity", "set_key_agreement", {"account": name, "id": "x25519-1", "key": x_public},
                                 [f"{name}@active"], seeds=[seed])
    assert receipt.ok, receipt.error_message
    return root, identity_id


def run(node: Any, keystore: Path, identity_id: str, *args: str, pin: str = PIN) -> Any:
    return CliRunner().invoke(msg_group, [args[0], "--node", node.url, "--keystore", str(keystore), "--identity", identity_id,
                                          "--pin", pin, *args[1:]])


def test_the_cli_sends_lists_reads_and_collects_receipts(mail_node: Any, tmp_path: Path) -> None:
    node, client, people = mail_node
    keystore, identity_id = wallet_account(client, people, tmp_path / "wallet")
    alice = mailnet.mail_client(client, client, people["alice"])
    sent = alice.send("dave", "grüße, dave".encode())

    listed = run(node, keystore, identity_id, "inbox")
    assert listed.exit_code == 0, listed.output
    assert [(m["id"], m["from"]) for m in json.loads(listed.output)] == [(sent.hex(), "alice")]
    read = run(node, keystore, identity_id, "read")
    assert read.exit_code == 0, read.output
    assert [m["text"] for m in json.loads(read.output)] == ["grüße, dave"]
    assert json.loads(run(node, keystore, identity_id, "inbox").output) == []
    assert [(r.message_id, r.recipient) for r in alice.receipts()] == [(sent, "dave")]

    out = run(node, keystore, identity_id, "send", "--to", "alice", "hello alice")
    assert out.exit_code == 0, out.output
    reply = json.loads(out.output)["id"]
    box = alice.inbox()
    assert [(m.header.sender, m.body) for m in box.messages] == [("dave", b"hello alice")]
    alice.acknowledge(box.messages)
    receipts = run(node, keystore, identity_id, "receipts")
    assert receipts.exit_code == 0 and json.loads(receipts.output)[reply]["recipient"] == "alice"


def test_cli_errors_carry_stable_codes(mail_node: Any, tmp_path: Path) -> None:
    node, client, people = mail_node
    keystore, identity_id = wallet_account(client, people, tmp_path / "wallet", "erin")
    out = run(node, keystore, identity_id, "send", "--to", "nobody", "x")
    assert out.exit_code != 0 and "identity.not_found" in out.output
    wrong = run(node, keystore, identity_id, "inbox", pin="000000")
    assert wrong.exit_code != 0 and "wallet." in wrong.output
    other_chain = run(node, keystore, identity_id, "inbox", "--chain-id", "ab" * 32)
    assert other_chain.exit_code != 0 and "client.untrusted_answer" in other_chain.output
    pinned = run(node, keystore, identity_id, "inbox", "--chain-id", client.head().chain_id.hex())
    assert pinned.exit_code == 0 and json.loads(pinned.output) == []
