"""The chain side of multi-validator consensus: build a block without committing it,
validate a proposed block, commit a decided block with its multi-validator commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain.chain import Chain
from tonomy.errors import ChainStateError
from tonomy.testing.ledger import LedgerNet, make_genesis, public_key, seed

VALIDATORS = ("v0", "v1", "v2", "v3")


def precommits(block: _core.Block, signers: tuple[str, ...]) -> _core.Commit:
    header = block.header
    votes = []
    for label in sorted(signers, key=public_key):
        key = public_key(label)
        digest = _core.vote_digest("precommit", header.chain_id, header.height, 1, header.hash, key)
        votes.append(_core.Vote("precommit", header.chain_id, header.height, 1, header.hash, key, _core.ed25519_sign(seed(label), digest)))
    return _core.Commit(votes)


@pytest.fixture
def four(tmp_path: Path, ledger_manager: Any) -> Any:
    manager = ledger_manager
    genesis = make_genesis(manager, validators=VALIDATORS)
    chains = [Chain.open(tmp_path / label, genesis, manager, validator_seed=seed(label), durable=False) for label in VALIDATORS]
    yield chains
    for chain in chains:
        chain.close()


def submit_a_note_everywhere(four: list[Chain]) -> Chain:
    """One transaction in every validator's mempool; returns the proposer (validator 1)."""
    proposer = four[1]
    net = LedgerNet(Path("."), proposer.genesis, None, proposer)
    tx = net.transaction(LedgerNet.action("notes", "write", {"owner": "alice", "key": "k", "text": "hi"}, "alice@active"), ["alice"])
    for chain in four:
        chain.submit(tx)
    return proposer


def test_a_built_block_is_validated_and_committed_by_every_validator(four: list[Chain]) -> None:
    proposer = submit_a_note_everywhere(four)
    for height in (1, 2, 3):
        before = [(c.head, c.store.root()) for c in four]
        block = proposer.build_block(proposer.head.time + 500)
        # Building commits nothing, anywhere.
        assert [(c.head, c.store.root()) for c in four] == before
        for chain in four:
            assert chain.validate_block(block) == block.header
        assert [(c.head, c.store.root()) for c in four] == before
        commit = precommits(block, VALIDATORS[:3])
        for chain in four:
            assert chain.apply_block(block, commit) == block.header
        assert len({c.store.root() for c in four}) == 1
        assert len({c.head.hash for c in four}) == 1
        assert four[0].get_commit(height) is not None
        if height == 1:
            assert len(block.transactions) == 1 and four[3].mempool_size == 0
        else:
            # The next block carries the decided commit of the previous one.
            assert block.last_commit is not None and len(block.last_commit.votes) == 3


def test_an_invalid_proposal_is_refused_and_changes_nothing(four: list[Chain]) -> None:
    block = four[0].build_block(four[0].head.time + 500)
    forged = _core.BlockHeader(
        block.header.chain_id, block.header.height, block.header.previous_hash, block.header.time,
        block.header.transaction_root, b"\x42" * 32, block.header.proposer, block.header.validator_set_hash,
        block.header.round, block.header.last_commit_hash,
    )
    before = (four[2].head, four[2].store.root())
    with pytest.raises(ChainStateError):
        four[2].validate_block(_core.Block(forged, list(block.transactions), block.last_commit))
    with pytest.raises(ChainStateError):  # two of four precommits are not a quorum
        four[2].apply_block(block, precommits(block, VALIDATORS[:2]))
    assert (four[2].head, four[2].store.root()) == before


def test_a_node_without_a_validator_key_cannot_build(tmp_path: Path, ledger_manager: Any) -> None:
    manager = ledger_manager
    genesis = make_genesis(manager, validators=VALIDATORS)
    with Chain.open(tmp_path / "full", genesis, manager, durable=False) as chain:
        with pytest.raises(ChainStateError):
            chain.build_block(chain.head.time + 500)


def test_apply_block_stores_the_given_encoding_only_for_the_block_it_commits(four: list[Chain]) -> None:
    from tonomy.chain import stored

    proposer = submit_a_note_everywhere(four)
    block = proposer.build_block(proposer.head.time + 500)
    value = _core.encode_block(block)
    commit = precommits(block, VALIDATORS[:3])
    proposer.apply_block(block, commit, value)  # its own build
    four[2].apply_block(_core.decode_block(value), commit, value)  # a follower, from the proposal bytes
    four[3].apply_block(block, commit)  # no bytes given: encoded here
    # four[0] validated the block (its execution is cached), then is handed another Block
    # object with the same header and its own encoding: the block committed is the
    # validated one, so the bytes given do not describe it and are not stored.
    assert four[0].validate_block(block) == block.header
    other = _core.Block(block.header, [], None)
    four[0].apply_block(other, commit, _core.encode_block(other))
    assert {stored.block_bytes(chain, 1) for chain in four} == {value}
    assert len({c.store.root() for c in four}) == 1
