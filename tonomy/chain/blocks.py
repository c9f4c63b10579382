"""Blocks: the header's derived fields, the validator's signature, and where blocks are stored.

A block is committed with ONE ``Store.commit(height, writes, aux)``; the aux tables
hold (all keys big-endian so that ranges come in height order):

============  ==========================================  =====================================
table         key                                         value
============  ==========================================  =====================================
blocks        height (8)                                  ``encode_block(Block)``
receipts      height (8) ‖ index in block (4)              receipt record (canonical codec)
tx_index      tx id (32)                                  height (8) ‖ index in block (4)
events        height (8) ‖ tx index (4) ‖ event index (4)  ``{"tx_id", "plugin", "name", "data"}``
meta          ``commit/`` ‖ height (8)                     ``encode_commit``: precommits for that block
meta          ``hash/`` ‖ height (8)                       the block hash (for TAPOS)
meta          ``chain_id``                                 the chain id (written at genesis)
meta          ``genesis``                                  the genesis record (canonical codec)
============  ==========================================  =====================================

The state version of a block is its height; genesis is height 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from tonomy import _core
from tonomy.errors import InternalError

SEED_TAG = "tonomy/block-seed/v1"
ZERO_HASH = bytes(32)

BLOCKS = "blocks"
RECEIPTS = "receipts"
TX_INDEX = "tx_index"
EVENTS = "events"
META = "meta"
META_CHAIN_ID = b"chain_id"
META_GENESIS = b"genesis"
META_COMMIT = b"commit/"
META_HASH = b"hash/"


def height_key(height: int) -> bytes:
    return height.to_bytes(8, "big")


def commit_key(height: int) -> bytes:
    return META_COMMIT + height_key(height)


def hash_key(height: int) -> bytes:
    """Where a block's hash is kept, so TAPOS checks need not decode whole blocks."""
    return META_HASH + height_key(height)


def tx_location(height: int, index: int) -> bytes:
    return height.to_bytes(8, "big") + index.to_bytes(4, "big")


def parse_tx_location(value: bytes) -> tuple[int, int]:
    if len(value) != 12:
        raise InternalError("a stored transaction location is not 12 bytes")
    return int.from_bytes(value[:8], "big"), int.from_bytes(value[8:], "big")


def block_seed(previous_hash: bytes, height: int) -> bytes:
    """The block's randomness root: known only once the previous block is final."""
    return _core.hash_tagged(SEED_TAG, previous_hash + height_key(height))


def transaction_root(tx_ids: Sequence[bytes]) -> bytes:
    return _core.merkle_root(list(tx_ids))


def sign_commit(seed: bytes, header: _core.BlockHeader) -> _core.Commit:
    """The validator's precommit for ``header``, as a one-vote commit."""
    validator = _core.ed25519_public_key(seed)
    digest = _core.vote_digest("precommit", header.chain_id, header.height, header.round, header.hash, validator)
    vote = _core.Vote("precommit", header.chain_id, header.height, header.round, header.hash, validator, _core.ed25519_sign(seed, digest))
    return _core.Commit([vote])


def commit_problem(commit: _core.Commit, header: _core.BlockHeader, validators: Sequence[tuple[bytes, int]]) -> str | None:
    """Why ``commit`` does not finalize ``header`` for the ``(key, power)`` set (None if it does).

    Distinct validators holding more than two thirds of the voting power must have signed
    a precommit for the header (``3 · signed > 2 · total``, integers only).
    """
    votes = commit.votes
    power = dict(validators)
    total = sum(power.values())
    signed = 0
    seen: set[bytes] = set()
    for vote in votes:
        if vote.block_hash != header.hash or vote.height != header.height or vote.chain_id != header.chain_id:
            return "a vote is for another block"
        if vote.kind != "precommit":
            return "a vote is not a precommit"
        if vote.validator not in power:
            return "a vote is from a key outside the validator set"
        if vote.validator in seen:
            return "a validator signed twice"
        seen.add(vote.validator)
        signed += power[vote.validator]
    if signed * 3 <= total * 2:
        return f"validators with {signed} of {total} voting power signed; more than two thirds are needed"
    checks = _core.ed25519_verify_batch([v.validator for v in votes], [v.signing_digest for v in votes], [v.signature for v in votes])
    if not all(checks):
        return "a vote signature is invalid"
    return None
