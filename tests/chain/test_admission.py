"""Admission: every way a transaction is refused, each with its code, each leaving no trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import blocks, codec, txbuilder
from tonomy.chain.admission import reference_height
from tonomy.errors import ERRORS_BY_CODE, TransactionRejectedError
from tonomy.testing.ledger import LedgerNet, public_key, seed


def write(owner: str = "alice", key: str = "k", text: str = "hello") -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key, "text": text}, f"{owner}@active")


def fingerprint(net: LedgerNet) -> tuple[Any, ...]:
    store = net.chain.store
    return (store.latest_version(), store.root(), net.chain.mempool_size, store.range(limit=100_000), store.aux_range("tx_index"))


def raw_action(plugin: str, name: str, data: bytes, actor: str = "alice") -> _core.Action:
    return _core.Action(plugin, name, [_core.PermissionLevel(actor, "active")], data)


def signed_with(net: LedgerNet, body: _core.TransactionBody, signatures: list[_core.TransactionSignature]) -> bytes:
    return _core.encode_signed_transaction(_core.SignedTransaction(body, signatures))


def _bad_signature(net: LedgerNet) -> bytes:
    body = txbuilder.build_body(net.chain.chain_id, net.chain.head, [write()])
    wrong = _core.ed25519_sign(seed("alice"), b"something else")
    return signed_with(net, body, [_core.TransactionSignature(public_key("alice"), wrong)])


def _wrong_prefix(net: LedgerNet) -> bytes:
    head = net.chain.head
    body = _core.TransactionBody(net.chain.chain_id, head.time // 1000 + 60, head.height, b"\x00" * 8, [write()])
    return _core.encode_signed_transaction(txbuilder.sign(body, [seed("alice")]))


def _future_reference(net: LedgerNet) -> bytes:
    head = net.chain.head
    body = _core.TransactionBody(net.chain.chain_id, head.time // 1000 + 60, head.height + 5, head.hash[:8], [write()])
    return _core.encode_signed_transaction(txbuilder.sign(body, [seed("alice")]))


def _wrong_chain(net: LedgerNet) -> bytes:
    return txbuilder.build_transaction(b"\x01" * 32, net.chain.head, [write()], [seed("alice")])


def _truncated(net: LedgerNet) -> bytes:
    return net.transaction(write(), ["alice"])[:-8]


def _unencoded_data(net: LedgerNet) -> bytes:
    return net.transaction(raw_action("notes", "write", b'{"owner": "alice"}'), ["alice"])


def _not_a_record(net: LedgerNet) -> bytes:
    return net.transaction(raw_action("notes", "write", codec.encode([1, 2])), ["alice"])


REJECTIONS: dict[str, tuple[str, Callable[[LedgerNet], object]]] = {
    "garbage": ("tx.malformed", lambda net: b"\x00" * 16 + b"garbage!"),
    "empty": ("tx.malformed", lambda net: b""),
    "not bytes": ("tx.malformed", lambda net: "a string"),
    "truncated": ("tx.malformed", _truncated),
    "too large": ("tx.too_large", lambda net: b"\x00" * (_core.WIRE_LIMITS.max_transaction_bytes + 8)),
    "wrong chain": ("tx.wrong_chain", _wrong_chain),
    "expired": ("tx.expired", lambda net: net.transaction(write(), ["alice"], expiration=net.chain.head.time // 1000 - 1)),
    "expires too far": ("tx.expiration_too_far", lambda net: net.transaction(write(), ["alice"], expires_in_s=10 * 86_400)),
    "tapos prefix": ("tx.tapos", _wrong_prefix),
    "tapos future block": ("tx.tapos", _future_reference),
    "bad signature": ("tx.bad_signature", _bad_signature),
    "wrong key": ("tx.unauthorized", lambda net: net.transaction(write(), ["bob"])),
    "irrelevant signature": ("tx.unauthorized", lambda net: net.transaction(write(), ["alice", "bob"])),
    "unknown actor": ("tx.unauthorized", lambda net: net.transaction(write(owner="zed"), ["alice"])),
    "invalid actor name": ("tx.unauthorized", lambda net: net.transaction(raw_action("notes", "refuse", codec.encode({"reason": "x"}), actor="a_b"), ["alice"])),
    "unknown plugin": ("tx.unknown_plugin", lambda net: net.transaction(net.action("nope", "write", {}, "alice@active"), ["alice"])),
    "unknown action": ("tx.unknown_action", lambda net: net.transaction(net.action("notes", "nope", {}, "alice@active"), ["alice"])),
    "unknown system action": ("tx.unknown_action", lambda net: net.transaction(net.action("tonomy", "nope", {}, "alice@active"), ["alice"])),
    "wrong field type": ("tx.invalid_data", lambda net: net.transaction(net.action("notes", "write", {"owner": "alice", "key": "k", "text": 5}, "alice@active"), ["alice"])),
    "missing field": ("tx.invalid_data", lambda net: net.transaction(net.action("notes", "write", {"owner": "alice"}, "alice@active"), ["alice"])),
    "unknown field": ("tx.invalid_data", lambda net: net.transaction(net.action("notes", "refuse", {"reason": "x", "extra": 1}, "alice@active"), ["alice"])),
    "non-canonical data": ("tx.invalid_data", _unencoded_data),
    "data not a record": ("tx.invalid_data", _not_a_record),
    "bad system data": ("tx.invalid_data", lambda net: net.transaction(net.action("tonomy", "newaccount", {"creator": "alice", "name": "eve", "type": "person", "owner": {"threshold": 1}, "active": {}}, "alice@active"), ["alice"])),
}


@pytest.mark.parametrize("case", sorted(REJECTIONS))
def test_each_rejection_has_its_code_and_leaves_no_trace(net: LedgerNet, case: str) -> None:
    code, make = REJECTIONS[case]
    net.submit(write(key="first"), ["alice"])
    net.produce()
    raw = make(net)
    before = fingerprint(net)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(raw)  # type: ignore[arg-type]
    assert caught.value.code == code, str(caught.value)
    assert type(caught.value) is ERRORS_BY_CODE[code]
    assert caught.value.message and code in str(caught.value)
    assert fingerprint(net) == before
    net.produce()  # nothing was queued: the next block is empty
    assert len(net.chain.get_block(net.chain.height).transactions) == 0  # type: ignore[union-attr]


def test_an_accepted_transaction_waits_in_the_mempool(net: LedgerNet) -> None:
    raw = net.transaction(write(), ["alice"])
    tx_id = net.chain.submit(raw)
    assert tx_id == _core.decode_signed_transaction(raw).id
    assert net.chain.mempool_size == 1
    assert net.chain.get_receipt(tx_id) is None


def test_duplicates_are_refused_in_the_mempool_and_after_inclusion(net: LedgerNet) -> None:
    raw = net.transaction(write(), ["alice"])
    net.chain.submit(raw)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(raw)
    assert caught.value.code == "tx.duplicate"
    net.produce()
    before = fingerprint(net)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(raw)
    assert caught.value.code == "tx.duplicate" and "already in a block" in caught.value.message
    assert fingerprint(net) == before


def test_the_nonce_makes_an_identical_action_a_new_transaction(net: LedgerNet) -> None:
    first = net.submit(write(), ["alice"])
    second = net.submit(write(), ["alice"], nonce=1)
    assert first != second


def test_tapos_accepts_any_stored_block(net: LedgerNet) -> None:
    old_head = net.chain.head
    for _ in range(3):
        net.produce()
    body = txbuilder.build_body(net.chain.chain_id, old_head, [write()], expiration=net.chain.head.time // 1000 + 60)
    net.chain.submit(_core.encode_signed_transaction(txbuilder.sign(body, [seed("alice")])))


def test_reference_heights_wrap_at_32_bits() -> None:
    assert reference_height(5, 10) == 5
    assert reference_height(11, 10) is None
    assert reference_height(3, (1 << 32) + 10) == (1 << 32) + 3
    assert reference_height(20, (1 << 32) + 10) == 20


def test_mempool_quota_per_account_and_total(make_net: Any) -> None:
    net = make_net("q", parameters={"tonomy": {"mempool_max_per_account": 2, "mempool_max": 3}})
    if True:
        net.submit(write(key="a"), ["alice"])
        net.submit(write(key="b"), ["alice"])
        before = fingerprint(net)
        with pytest.raises(TransactionRejectedError) as caught:
            net.submit(write(key="c"), ["alice"])
        assert caught.value.code == "tx.quota_exceeded"
        assert fingerprint(net) == before
        net.submit(write(owner="bob"), ["bob"])
        with pytest.raises(TransactionRejectedError) as caught:
            net.submit(write(owner="carol"), ["carol"])
        assert caught.value.code == "tx.mempool_full"
        net.produce()
        assert net.chain.mempool_size == 0
        net.submit(write(key="c"), ["alice"])  # room again after the block


def test_stored_blocks_serve_tapos(net: LedgerNet) -> None:
    net.produce()
    stored = net.chain.store.aux_get(blocks.BLOCKS, blocks.height_key(1))
    assert stored is not None and _core.decode_block(stored).hash == net.chain.head.hash


@pytest.mark.parametrize(
    ("signers", "owner", "inner"),
    [(["bob"], "alice", "auth.insufficient"), (["alice", "bob"], "alice", "auth.irrelevant_signature"), (["alice"], "zed", "auth.unknown_account")],
)
def test_unauthorized_names_the_checkers_reason(net: LedgerNet, signers: list[str], owner: str, inner: str) -> None:
    with pytest.raises(TransactionRejectedError) as caught:
        net.submit(write(owner=owner), signers)
    assert caught.value.code == "tx.unauthorized"
    assert inner in caught.value.message


def test_mutated_transactions_are_refused_cleanly(net: LedgerNet) -> None:
    """Flip, cut and splice bytes of a valid transaction: always a tx.* error, never a trace."""
    import random

    rng = random.Random(1234)
    valid = net.transaction(write(), ["alice"])
    before = fingerprint(net)
    accepted = 0
    for _ in range(400):
        mutated = bytearray(valid)
        kind = rng.randrange(4)
        if kind == 0:
            mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del mutated[rng.randrange(len(mutated)) :]
        elif kind == 2:
            position = rng.randrange(len(mutated))
            mutated[position:position] = rng.randbytes(rng.choice((1, 8, 16)))
        else:
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        if bytes(mutated) == valid:
            continue
        try:
            net.chain.check_transaction(bytes(mutated))
        except TransactionRejectedError as exc:
            assert exc.code.startswith("tx.") and exc.message
        else:
            accepted += 1
    assert accepted == 0  # the signature covers every byte of the body, so no mutation passes
    assert fingerprint(net) == before


def test_a_node_clock_ahead_of_the_head_counts_expiry_from_the_clock(net: LedgerNet) -> None:
    """A fresh network's genesis head can be old: what expires before the node's clock can
    never be in a block (its time is at least the clock), so it is refused now, not lost later."""
    head_s = net.chain.head.time // 1000
    net.chain.clock_ms = lambda: (head_s + 3_600) * 1000
    stale = net.transaction(write(key="stale"), ["alice"], expiration=head_s + 60)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(stale)
    assert caught.value.code == "tx.expired"
    # Built from the clock, an hour past the head: accepted (from the head it is too far ahead).
    fresh = net.transaction(write(key="fresh"), ["alice"], expiration=head_s + 3_600 + 60)
    assert net.chain.submit_many([fresh]) == [_core.decode_signed_transaction(fresh).id]
    net.chain.clock_ms = None
    late = net.transaction(write(key="late"), ["alice"], expiration=head_s + 3_600 + 61)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(late)
    assert caught.value.code == "tx.expiration_too_far"


def test_a_node_clock_behind_the_head_changes_nothing(net: LedgerNet) -> None:
    head_s = net.chain.head.time // 1000
    net.chain.clock_ms = lambda: (head_s - 3_600) * 1000
    still_valid = net.transaction(write(), ["alice"], expiration=head_s + 10)
    assert net.chain.submit(still_valid) == _core.decode_signed_transaction(still_valid).id
    expired = net.transaction(write(key="x"), ["alice"], expiration=head_s - 1)
    with pytest.raises(TransactionRejectedError) as caught:
        net.chain.submit(expired)
    assert caught.value.code == "tx.expired"
