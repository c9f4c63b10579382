"""Batch admission (``Chain.submit_many``), the verified-signature cache, and the build budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain import blocks
from tonomy.chain.chain import Chain
from tonomy.chain.signatures import VerifiedSignatures
from tonomy.chain.txbuilder import sign
from tonomy.errors import (
    BadSignatureError,
    ChainStateError,
    DuplicateTransactionError,
    InvalidInputError,
    MalformedTransactionError,
    QuotaExceededError,
    TaposError,
    TonomyError,
    TransactionUnauthorizedError,
    WrongChainError,
)
from tonomy.testing.ledger import LedgerNet, public_key, seed


def write(owner: str = "alice", key: str = "k", text: str = "hello") -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key, "text": text}, f"{owner}@active")


def forged(raw: bytes, signer: str = "alice") -> bytes:
    """The same body with a signature over something else."""
    tx = _core.decode_signed_transaction(raw)
    signature = _core.TransactionSignature(public_key(signer), _core.ed25519_sign(seed(signer), b"not this"))
    return _core.encode_signed_transaction(_core.SignedTransaction(tx.body, [signature]))


def mixed_batch(net: LedgerNet) -> list[Any]:
    good = [net.transaction(write(key=f"k{i}"), ["alice"]) for i in range(3)]
    truncated = net.transaction(write(key="x"), ["alice"])[:-1]
    return [
        good[0],
        b"garbage",
        forged(good[1]),
        good[1],
        good[0],  # again, later in the same batch
        net.transaction(write(key="u"), ["bob"]),  # signed, but not by alice
        truncated,
        good[2],
    ]


def outcome(result: object) -> object:
    return type(result) if isinstance(result, TonomyError) else result


def test_a_batch_answers_exactly_what_one_by_one_submission_answers(make_net: Any) -> None:
    batch_net, single_net = make_net("batch"), make_net("single")
    batch = mixed_batch(batch_net)
    results = batch_net.chain.submit_many(batch)
    singles: list[object] = []
    for raw in batch:
        try:
            singles.append(single_net.chain.submit(raw))
        except TonomyError as exc:
            singles.append(exc)
    assert [outcome(r) for r in results] == [outcome(r) for r in singles]
    assert [outcome(r) for r in results][1:7] == [
        MalformedTransactionError,
        BadSignatureError,
        _core.decode_signed_transaction(batch[3]).id,
        DuplicateTransactionError,
        TransactionUnauthorizedError,
        MalformedTransactionError,
    ]
    assert [r.code for r in results if isinstance(r, TonomyError)] == [s.code for s in singles if isinstance(s, TonomyError)]
    assert batch_net.chain.mempool_size == single_net.chain.mempool_size == 3
    header = batch_net.produce()
    assert len(batch_net.chain.get_block(header.height).transactions) == 3  # type: ignore[union-attr]


def test_refusals_keep_their_own_codes_and_store_nothing(make_net: Any) -> None:
    net = make_net("quota", parameters={"tonomy": {"mempool_max_per_account": 2}})
    foreign = _core.decode_signed_transaction(net.transaction(write(key="f"), ["alice"]))
    body = foreign.body
    other = _core.TransactionBody(
        b"\x01" * 32, body.expiration, body.ref_block_num, body.ref_block_prefix, list(body.actions), body.max_ops, body.nonce
    )
    wrong_chain = _core.encode_signed_transaction(_core.SignedTransaction(other, list(foreign.signatures)))
    txs = [net.transaction(write(key=f"q{i}"), ["alice"]) for i in range(3)] + [wrong_chain]
    root = net.chain.store.root()
    results = net.chain.submit_many(txs)
    assert [outcome(r) for r in results[2:]] == [QuotaExceededError, WrongChainError]
    assert net.chain.mempool_size == 2 and net.chain.store.root() == root


@pytest.mark.parametrize("bad", [b"raw bytes", "text", None, 5, iter([b"x"])])
def test_submit_many_takes_a_sequence_of_transactions(net: LedgerNet, bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        net.chain.submit_many(bad)
    assert net.chain.submit_many([]) == []
    assert [outcome(r) for r in net.chain.submit_many([None, 5, "x"])] == [MalformedTransactionError] * 3  # type: ignore[list-item]


def test_a_follower_skips_signatures_it_verified_at_admission(net: LedgerNet, tmp_path: Path) -> None:
    follower = Chain.open(tmp_path / "follower", net.genesis, net.manager, durable=False)
    try:
        txs = [net.transaction(write(key=f"s{i}"), ["alice"]) for i in range(4)]
        assert all(isinstance(r, bytes) for r in net.chain.submit_many(txs))
        assert all(isinstance(r, bytes) for r in follower.submit_many(txs[:3]))  # one never reached it
        block = net.chain.build_block(net.chain.head.time + 1000)
        assert len(block.transactions) == 4
        hits = follower._verified.hits
        follower.validate_block(block)
        assert follower._verified.hits - hits == 3  # the fourth was verified now
        commit = blocks.sign_commit(seed("validator"), block.header)
        assert follower.apply_block(block, commit) == net.chain.apply_block(block, commit)
    finally:
        follower.close()


def test_the_cache_never_remembers_a_bad_signature() -> None:
    cache = VerifiedSignatures(max_entries=2)
    key_a = _core.ed25519_public_key(seed("a"))
    body = _core.TransactionBody(b"\x00" * 32, 10, 0, b"\x00" * 8, [write()])
    signed = sign(body, [seed("a")])
    bad = _core.TransactionSignature(key_a, _core.ed25519_sign(seed("a"), b"other"))
    txs = [signed, _core.SignedTransaction(body, [bad])]
    for _ in range(2):  # the second time, the good one comes from the cache; the bad one is checked again
        problems = cache.check(txs)
        assert problems[0] is None and isinstance(problems[1], BadSignatureError)
    assert len(cache) == 1 and cache.hits == 1
    with pytest.raises(ValueError):
        VerifiedSignatures(max_entries=-1)


def test_the_cache_is_bounded() -> None:
    cache = VerifiedSignatures(max_entries=3)
    body_of = lambda n: _core.TransactionBody(b"\x00" * 32, 10, 0, b"\x00" * 8, [write()], 0, n)  # noqa: E731
    txs = [sign(body_of(n), [seed("alice")]) for n in range(5)]
    assert cache.check(txs) == [None] * 5
    assert len(cache) == 3


def test_a_build_budget_cuts_the_proposal_and_keeps_the_rest(net: LedgerNet, tmp_path: Path) -> None:
    for i in range(5):
        net.submit(write(key=f"b{i}"), ["alice"])
    net.chain.build_budget_s = 0.0  # past the budget after the first transaction
    block = net.chain.build_block(net.chain.head.time + 1000)
    assert len(block.transactions) == 1
    follower = Chain.open(tmp_path / "f", net.genesis, net.manager, durable=False)
    try:
        follower.validate_block(block)  # a shorter block is an ordinary valid block
    finally:
        follower.close()
    net.chain.apply_block(block, blocks.sign_commit(seed("validator"), block.header))
    assert net.chain.mempool_size == 4
    net.chain.build_budget_s = None
    assert len(net.chain.build_block(net.chain.head.time + 1000).transactions) == 4


def test_a_validator_refuses_a_block_with_a_forged_signature_even_after_admitting_the_real_one(net: LedgerNet, tmp_path: Path) -> None:
    follower = Chain.open(tmp_path / "f", net.genesis, net.manager, durable=False)
    try:
        raw = net.transaction(write(key="real"), ["alice"])
        assert isinstance(follower.submit_many([raw])[0], bytes)  # the genuine signature is cached
        fake = _core.decode_signed_transaction(forged(raw))
        header = _core.BlockHeader(
            net.chain.chain_id, 1, net.chain.head.hash, net.chain.head.time + 1000, blocks.transaction_root([fake.id]),
            bytes(32), public_key("validator"), net.chain.head.validator_set_hash, 0, _core.commit_hash(_core.Commit()),
        )  # fmt: skip
        with pytest.raises(ChainStateError, match="does not sign"):
            follower.validate_block(_core.Block(header, [fake], None))
    finally:
        follower.close()


def test_tapos_in_a_batch_reads_each_reference_block_for_itself(net: LedgerNet) -> None:
    older = net.transaction(write(key="old"), ["alice"])  # refers to the head of now
    net.produce()
    newer = net.transaction(write(key="new"), ["alice"])  # refers to the block just made
    body = _core.decode_signed_transaction(newer).body
    old_prefix = _core.decode_signed_transaction(older).body.ref_block_prefix
    assert body.ref_block_prefix != old_prefix
    mixed = _core.TransactionBody(
        body.chain_id, body.expiration, body.ref_block_num, old_prefix, list(body.actions), body.max_ops, body.nonce + 1
    )
    wrong_prefix = _core.encode_signed_transaction(sign(mixed, [seed("alice")]))
    results = net.chain.submit_many([older, newer, wrong_prefix, older])
    assert [outcome(r) for r in results] == [
        _core.decode_signed_transaction(older).id,
        _core.decode_signed_transaction(newer).id,
        TaposError,
        DuplicateTransactionError,
    ]
