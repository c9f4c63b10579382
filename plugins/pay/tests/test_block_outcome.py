"""A varied block of Pay transactions gives exactly the outcome pinned here.

The pinned state roots and receipt hashes were computed before any execution
speed-up (per-block caches, cheaper state access, lazy encodings), so a faster
path that changed any outcome (a state root, a receipt, an event, a metered count)
fails here. The blocks mix successes and failures on purpose: two tokens, memos,
self transfers, overdrafts, unknown tokens and accounts, a lock that refuses a
debit, a multi-action transaction rolled back by its second action, a retire, and
an account that a transfer first fails to reach, then is created, then receives
units, all in one block (a cache that did not see the block's own writes would
give another answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import blake3
import pytest

import tonomy_pay
from tonomy.chain import blocks
from tonomy.chain.authority import Authority
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis, public_key

SYSTEM = "tonomy@active"


def transfer(frm: str, to: str, amount: int, symbol: str = "TONO", memo: str | None = None) -> Any:
    data: dict[str, Any] = {"from": frm, "to": to, "symbol": symbol, "amount": amount}
    if memo is not None:
        data["memo"] = memo
    return LedgerNet.action("pay", "transfer", data, f"{frm}@active")


def new_account(creator: str, name: str) -> Any:
    authority = Authority(1, [(public_key(name), 1)], [], []).to_record()
    data = {"creator": creator, "name": name, "type": "person", "owner": authority, "active": authority}
    return LedgerNet.action("tonomy", "newaccount", data, f"{creator}@active")


def pay(name: str, data: dict[str, Any], *authorization: str) -> Any:
    return LedgerNet.action("pay", name, data, *authorization)


def block_one() -> list[tuple[list[Any], list[str]]]:
    return [
        (
            [
                pay("create_token", {"issuer": "tonomy", "symbol": "TONO", "decimals": 6, "max_supply": 10**15}, SYSTEM),
                pay("issue", {"symbol": "TONO", "to": "alice", "amount": 1_000, "memo": "genesis"}, SYSTEM),
                pay("issue", {"symbol": "TONO", "to": "bob", "amount": 500, "memo": "genesis"}, SYSTEM),
            ],
            ["validator"],
        ),
        ([pay("create_token", {"issuer": "alice", "symbol": "GOLD", "decimals": 0, "max_supply": 10**6}, "alice@active")], ["alice"]),
        ([pay("issue", {"symbol": "GOLD", "to": "bob", "amount": 40, "memo": ""}, "alice@active")], ["alice"]),
    ]


def block_two() -> list[tuple[list[Any], list[str]]]:
    return [
        ([transfer("alice", "bob", 10, memo="hi")], ["alice"]),
        ([transfer("alice", "bob", 1, symbol="GOLD")], ["alice"]),  # overdrawn: alice holds no GOLD
        ([transfer("bob", "alice", 5, symbol="GOLD", memo="gold")], ["bob"]),
        ([transfer("alice", "alice", 1)], ["alice"]),  # self transfer
        ([transfer("alice", "dave", 3)], ["alice"]),  # dave does not exist yet
        ([new_account("alice", "dave")], ["alice"]),
        ([transfer("alice", "dave", 7, memo="hi dave \u00e9\u4e16")], ["alice"]),  # reaches the new account
        ([transfer("bob", "carol", 1_000_000)], ["bob"]),  # overdrawn
        ([transfer("alice", "bob", 1, symbol="NOPE")], ["alice"]),  # unknown token
        ([transfer("alice", "bob", 1, memo="x" * 21)], ["alice"]),  # memo above max_memo_bytes (20 here)
        ([transfer("alice", "carol", 20), transfer("alice", "carol", 10**9)], ["alice"]),  # rolled back by its second action
        ([transfer("bob", "carol", 15), transfer("carol", "alice", 5, memo="back")], ["bob", "carol"]),
        ([pay("lock", {"account": "alice", "symbol": "TONO", "amount": 900, "until_height": 50}, "alice@active")], ["alice"]),
        ([transfer("alice", "bob", 200)], ["alice"]),  # locked
        ([transfer("alice", "bob", 50, memo="")], ["alice"]),
        ([pay("retire", {"owner": "bob", "symbol": "GOLD", "amount": 3, "memo": "burn"}, "bob@active")], ["bob"]),
        ([transfer("carol", "bob", 1, symbol="GOLD")], ["carol"]),  # overdrawn in the second token
        ([transfer("bob", "carol", 2, symbol="GOLD"), transfer("carol", "dave", 2, symbol="GOLD")], ["bob", "carol"]),
    ]


def block_three() -> list[tuple[list[Any], list[str]]]:
    return [
        ([transfer("dave", "carol", 7)], ["dave"]),  # empties dave's balance (the record is deleted)
        ([transfer("dave", "alice", 1, symbol="GOLD")], ["dave"]),
        ([transfer("dave", "alice", 2, symbol="GOLD")], ["dave"]),  # dave holds 1 now: overdrawn
        ([transfer("alice", "erin", 1)], ["alice"]),  # unknown account
        ([transfer("bob", "alice", 465), transfer("bob", "dave", 1)], ["bob"]),
        ([pay("issue", {"symbol": "TONO", "to": "dave", "amount": 5, "memo": "more"}, SYSTEM)], ["validator"]),
        ([transfer("dave", "bob", 5, memo="all of it")], ["dave"]),
    ]


#: (state root, BLAKE3 of the block's receipts in order, BLAKE3 of its stored events) per block.
PINNED = {
    1: (
        "b4292f470c6787f32b2bc58dfbcf30af6010a3bf82e9230df126df73e119d7c3",
        "a5bef68a5f6cef26ae5788e10888873b4f49ba4ab953774c17b2c66d4f3b4ca4",
        "e574a0101f43db729c8ec4608b0cc8746a918e7049105ec1dda613b63adbae49",
    ),
    2: (
        "a95c79f62e5f4bef1433c57fd241eee0046959f0027449f1e31ac05c23a69592",
        "c5673b94c502c27aa763b7f5e1bca9b937fc5ef5e9314956f3b27e5d5f2b5812",
        "0843112dbd1f37c15e504d001f6e642b9d45d20e2ce310c3ddc23f884f6ec89d",
    ),
    3: (
        "69d364d0871885306532471aa2d91a5c8ff26ee47fe870236ba13e9772f1ea2a",
        "780fa0e9cfdbc1f9db16d344fd6623712c42527c3fb5339b3d3c943081667140",
        "2fefadc8402fe77046891beb440de1bc1a4e9d350e3ce865c4bdd97f89f43218",
    ),
}


def open_net(path: Path) -> LedgerNet:
    manager = build_manager([tonomy_pay])
    genesis = make_genesis(manager, ("alice", "bob", "carol"), parameters={"pay": {"max_memo_bytes": 20}})
    return LedgerNet.create(path, manager=manager, genesis=genesis)


@pytest.fixture
def net(tmp_path: Path) -> Iterator[LedgerNet]:
    net = open_net(tmp_path / "chain")
    yield net
    net.close()


def produce(net: LedgerNet, block: list[tuple[list[Any], list[str]]]) -> tuple[str, str, str, list[Any]]:
    ids = [net.submit(actions, signers, nonce=index) for index, (actions, signers) in enumerate(block)]
    header = net.produce()
    stored = net.chain.get_block(header.height)
    assert stored is not None and [tx.id for tx in stored.transactions] == ids
    receipts = [net.chain.get_receipt(tx_id) for tx_id in ids]
    assert all(receipt is not None for receipt in receipts)
    receipt_hash = blake3.blake3(b"".join(receipt.encode() for receipt in receipts if receipt is not None)).hexdigest()
    # The events table exactly as stored (keys and encoded records).
    rows = net.chain.store.aux_range(blocks.EVENTS, blocks.height_key(header.height), blocks.height_key(header.height + 1), 10_000)
    assert rows
    event_hash = blake3.blake3(b"".join(len(key).to_bytes(4, "big") + key + len(value).to_bytes(4, "big") + value for key, value in rows)).hexdigest()
    return header.state_root.hex(), receipt_hash, event_hash, receipts


def test_a_varied_block_gives_the_pinned_outcome(net: LedgerNet) -> None:
    got = {}
    outcomes = {}
    for height, block in ((1, block_one()), (2, block_two()), (3, block_three())):
        root, receipt_hash, event_hash, receipts = produce(net, block)
        got[height] = (root, receipt_hash, event_hash)
        outcomes[height] = [(r.status, r.error_code) for r in receipts]
    # The scenario really exercises what it claims (so the pins cover those paths).
    assert outcomes[2] == [
        ("executed", None),
        ("failed", "pay.overdrawn"),
        ("executed", None),
        ("failed", "pay.self_transfer"),
        ("failed", "pay.unknown_account"),
        ("executed", None),
        ("executed", None),
        ("failed", "pay.overdrawn"),
        ("failed", "pay.unknown_token"),
        ("failed", "pay.memo_too_long"),
        ("failed", "pay.overdrawn"),
        ("executed", None),
        ("executed", None),
        ("failed", "pay.locked"),
        ("executed", None),
        ("executed", None),
        ("failed", "pay.overdrawn"),
        ("executed", None),
    ]
    assert outcomes[3] == [
        ("executed", None),
        ("executed", None),
        ("failed", "pay.overdrawn"),
        ("failed", "pay.unknown_account"),
        ("executed", None),
        ("executed", None),
        ("executed", None),
    ]
    assert net.chain.query("pay", "balance", {"account": "dave", "symbol": "GOLD"}) == 1
    assert got == PINNED


def test_a_follower_validating_the_blocks_gets_the_same_receipts(net: LedgerNet, tmp_path: Path) -> None:
    for block in (block_one(), block_two(), block_three()):
        produce(net, block)
    follower = open_net(tmp_path / "follower")
    try:
        for height in (1, 2, 3):
            block = net.chain.get_block(height)
            assert block is not None
            follower.chain.validate_block(block)
            follower.chain.apply_block(block, net.chain.get_commit(height))
            assert follower.chain.head.state_root.hex() == PINNED[height][0]
            receipts = [follower.chain.get_receipt(tx.id) for tx in block.transactions]
            encoded = b"".join(receipt.encode() for receipt in receipts if receipt is not None)
            assert blake3.blake3(encoded).hexdigest() == PINNED[height][1]
    finally:
        follower.close()
