"""Evidence of equivocation on chain: checked deterministically, recorded once, and
(with ``equivocation_penalty = eject``) followed by the validator's scheduled removal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain.evidence import evidence_transaction
from tonomy.errors import InvalidActionDataError, TonomyError
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis, public_key, seed


def vote(chain_id: bytes, label: str, height: int, block_hash: bytes | None, *, kind: str = "prevote", round_: int = 0) -> bytes:
    key = public_key(label)
    digest = _core.vote_digest(kind, chain_id, height, round_, block_hash, key)
    return _core.encode_vote(_core.Vote(kind, chain_id, height, round_, block_hash, key, _core.ed25519_sign(seed(label), digest)))


def net_with(tmp_path: Path, penalty: str = "none", validators: tuple[str, ...] = ("validator", "v2")) -> LedgerNet:
    manager = build_manager([])
    genesis = make_genesis(manager, parameters={"tonomy": {"equivocation_penalty": penalty}}, validators=validators)
    return LedgerNet.create(tmp_path, manager=manager, genesis=genesis)


def report(net: LedgerNet, a: bytes, b: bytes, reporter: str = "bob") -> Any:
    tx_id = net.chain.submit(evidence_transaction(net.chain.head, a, b, seed(reporter)))
    net.produce()
    receipt = net.chain.get_receipt(tx_id)
    assert receipt is not None
    return receipt


@pytest.fixture
def net(tmp_path: Path) -> Any:
    chain = net_with(tmp_path)
    yield chain
    chain.close()


def test_evidence_is_recorded_once_and_names_the_validator(net: LedgerNet) -> None:
    net.produce()
    cid = net.chain.chain_id
    a, b = vote(cid, "v2", 1, b"\x01" * 32), vote(cid, "v2", 1, None)
    receipt = report(net, a, b)
    assert receipt.status == "executed", receipt.error_message
    records = net.chain.query("tonomy", "evidence", {})
    assert len(records) == 1
    record = records[0]
    assert record["validator"] == public_key("v2").hex()
    assert (record["height"], record["round"], record["kind"], record["penalty"]) == (1, 0, "prevote", "none")
    assert record["committed_at"] == 2 and record["ejected_at"] is None
    assert sorted(record["votes"]) == sorted([a.hex(), b.hex()])
    # The same equivocation again (other order, other reporter, other third vote): refused.
    c = vote(cid, "v2", 1, b"\x02" * 32)
    for pair in ((b, a), (a, c)):
        again = report(net, *pair, reporter="carol")
        assert (again.status, again.error_code) == ("failed", "tx.invalid_data")
        assert "already" in str(again.error_message)
    assert len(net.chain.query("tonomy", "evidence", {"validator": public_key("v2").hex()})) == 1
    assert net.chain.query("tonomy", "evidence", {"validator": public_key("validator").hex()}) == []
    # Another step of the same height is another equivocation.
    assert report(net, vote(cid, "v2", 1, None, kind="precommit"), vote(cid, "v2", 1, b"\x02" * 32, kind="precommit")).status == "executed"


def test_forged_or_inconsistent_evidence_never_reaches_a_block(net: LedgerNet) -> None:
    net.produce()
    cid = net.chain.chain_id
    good = vote(cid, "v2", 1, b"\x01" * 32)
    forged = bytearray(vote(cid, "v2", 1, None))
    forged[-5] ^= 1  # inside the signature
    cases = [
        (good, bytes(forged)),  # a bad signature
        (good, good),  # the same value: no equivocation
        (good, vote(cid, "validator", 1, None)),  # two validators
        (good, vote(cid, "v2", 1, None, round_=1)),  # two rounds
        (good, vote(cid, "v2", 1, None, kind="precommit")),  # two kinds
        (good, b"garbage"),
        (good, b""),
    ]
    for a, b in cases:
        with pytest.raises(TonomyError):
            net.chain.submit(evidence_transaction(net.chain.head, a, b, seed("bob")))
    assert net.chain.mempool_size == 0
    assert net.chain.query("tonomy", "evidence", {}) == []
    with pytest.raises(TonomyError):
        net.chain.query("tonomy", "evidence", {"validator": "zz"})
    with pytest.raises(TonomyError):
        net.chain.query("tonomy", "evidence", {"other": 1})


def test_evidence_is_checked_against_the_chain_and_the_set_of_its_height(net: LedgerNet) -> None:
    net.produce()
    cid = net.chain.chain_id
    other_chain = b"\x09" * 32
    cases = [
        (vote(other_chain, "v2", 1, b"\x01" * 32), vote(other_chain, "v2", 1, None)),  # another chain
        (vote(cid, "stranger", 1, b"\x01" * 32), vote(cid, "stranger", 1, None)),  # not a validator
        (vote(cid, "v2", 50, b"\x01" * 32), vote(cid, "v2", 50, None)),  # a future height
    ]
    for a, b in cases:
        receipt = report(net, a, b)
        assert (receipt.status, receipt.error_code) == ("failed", "tx.invalid_data"), receipt.error_message
    assert net.chain.query("tonomy", "evidence", {}) == []


def test_the_stateless_check_refuses_hostile_fields() -> None:
    from tonomy.chain.evidence import conflicting_votes

    for data in ({}, {"a": b"x"}, {"a": 1, "b": 2}, {"a": b"", "b": b"", "c": b""}, {"a": "hex", "b": "hex"}):
        with pytest.raises(InvalidActionDataError):
            conflicting_votes(data)


def test_eject_schedules_the_removal_like_a_set_change(tmp_path: Path) -> None:
    net = net_with(tmp_path, penalty="eject", validators=("validator", "v2", "v3", "v4"))
    try:
        net.produce()
        cid = net.chain.chain_id
        receipt = report(net, vote(cid, "v3", 1, b"\x01" * 32), vote(cid, "v3", 1, b"\x02" * 32))
        assert receipt.status == "executed", receipt.error_message
        [record] = net.chain.query("tonomy", "evidence", {})
        assert (record["penalty"], record["ejected_at"]) == ("eject", 2 + 2)
        assert public_key("v3") in dict(net.chain.validators_at(3))
        assert public_key("v3") not in dict(net.chain.validators_at(4))
        assert len(net.chain.validators_at(4)) == 3
        # A second equivocation of the same validator is recorded; it is already leaving.
        second = report(net, vote(cid, "v3", 2, None), vote(cid, "v3", 2, b"\x03" * 32))
        assert second.status == "executed"
        assert net.chain.query("tonomy", "evidence", {})[-1]["ejected_at"] is None
    finally:
        net.close()


def test_the_penalty_parameter_takes_only_its_choices(tmp_path: Path) -> None:
    from tonomy.errors import GenesisError

    with pytest.raises(GenesisError):
        net_with(tmp_path, penalty="slash")
