"""Evidence of equivocation on chain: two votes one validator signed for one step.

The evidence proves itself: both votes carry the validator's signature, so the system
action ``tonomy.evidence {a, b}`` needs no authority (docs/consensus.md, "Evidence on
chain"). Any key may sign the transaction that carries it (the wire needs one
signature); nodes use their validator key. Checks:

* stateless (``validate``, so admission refuses forgeries before they reach a block):
  both are canonical wire votes, same validator, chain, height, round and kind,
  different block hashes (nil counts as a value), both signatures valid;
* against state (at execution): the chain is this chain, the height is at most the
  block's and within ``EVIDENCE_WINDOW`` below it, the validator is in the set of that
  height, and no evidence for that ``(validator, height, round, kind)`` was committed.

The record is kept under ``sys/evidence/<validator> ‖ height u64 BE ‖ round u32 BE ‖ kind``.
``equivocation_penalty = eject`` then schedules the validator's removal like any set
change (at ``max(H + consensus_delay, last scheduled height)``); if that would empty the
set or the validator is already leaving, the record says so and nothing else happens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tonomy import _core
from tonomy.chain import codec, validator_set
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.parameters import PENALTY_EJECT, SYSTEM_PLUGIN, read_parameter
from tonomy.chain.state import StateView, prefix_end
from tonomy.errors import InvalidActionDataError, InvalidInputError

EVIDENCE_PREFIX = SYSTEM_PREFIX + b"evidence/"
KINDS = {"prevote": 0, "precommit": 1}
#: Most records one query returns.
MAX_QUERY_RESULTS = 1000


def evidence_key(validator: bytes, height: int, round_: int, kind: str) -> bytes:
    return EVIDENCE_PREFIX + validator + height.to_bytes(8, "big") + round_.to_bytes(4, "big") + bytes([KINDS[kind]])


def conflicting_votes(data: Mapping[str, Any]) -> tuple[_core.Vote, _core.Vote]:
    """The two votes of ``{a, b}`` if they prove an equivocation; InvalidActionDataError otherwise."""
    unknown = sorted(set(data) - {"a", "b"})
    if unknown or set(data) != {"a", "b"}:
        raise InvalidActionDataError("evidence is exactly the fields a and b (two encoded votes)")
    votes = []
    for name in ("a", "b"):
        raw = data[name]
        if type(raw) is not bytes:
            raise InvalidActionDataError(f"field {name!r} must be bytes (an encoded vote)")
        try:
            votes.append(_core.decode_vote(raw))
        except ValueError as exc:
            raise InvalidActionDataError(f"field {name!r} is not a vote: {exc}") from None
    a, b = votes
    same = (a.validator, a.chain_id, a.height, a.round, a.kind) == (b.validator, b.chain_id, b.height, b.round, b.kind)
    if not same:
        raise InvalidActionDataError("the two votes are not from one validator for one step (chain, height, round, kind)")
    if a.block_hash == b.block_hash:
        raise InvalidActionDataError("the two votes are for the same value: no equivocation")
    checks = _core.ed25519_verify_batch([a.validator, b.validator], [a.signing_digest, b.signing_digest], [a.signature, b.signature])
    if not all(checks):
        raise InvalidActionDataError("a vote's signature is invalid")
    return a, b


def record_evidence(state: StateView, height: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check the evidence against ``state`` at block ``height`` and commit it; returns the record."""
    a, b = conflicting_votes(data)
    if a.chain_id != validator_set.chain_id(state):
        raise InvalidActionDataError("the votes are for another chain")
    if a.height > height or a.height + validator_set.EVIDENCE_WINDOW < height or a.height < 1:
        raise InvalidActionDataError(
            f"evidence for height {a.height} is not accepted at height {height} (window {validator_set.EVIDENCE_WINDOW})"
        )
    members = dict(validator_set.set_at(state, a.height))
    if a.validator not in members:
        raise InvalidActionDataError(f"{a.validator.hex()[:16]}… was not a validator at height {a.height}")
    key = evidence_key(a.validator, a.height, a.round, a.kind)
    if state.get(key) is not None:
        raise InvalidActionDataError("this equivocation is on chain already")
    penalty = read_parameter(state, SYSTEM_PLUGIN, "equivocation_penalty")
    ejected_at = None
    if penalty == PENALTY_EJECT:
        delay = read_parameter(state, SYSTEM_PLUGIN, "consensus_delay")
        try:
            ejected_at = validator_set.schedule_change(state, height, delay, a.validator, 0)
        except InvalidInputError:
            ejected_at = None  # already leaving, or the last validator: recorded, not ejected
    first, second = sorted((a, b), key=lambda vote: b"" if vote.block_hash is None else vote.block_hash)
    record = {
        "validator": a.validator,
        "height": a.height,
        "round": a.round,
        "kind": a.kind,
        "votes": [_core.encode_vote(first), _core.encode_vote(second)],
        "committed_at": height,
        "penalty": penalty,
        "ejected_at": ejected_at,
    }
    state.put(key, codec.encode(record))
    return record


def query_evidence(state: StateView, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Committed evidence, in key order; ``{"validator": hex}`` narrows it to one validator."""
    unknown = sorted(set(params) - {"validator"})
    if unknown:
        raise InvalidActionDataError(f"unknown field(s): {', '.join(unknown)}")
    prefix = EVIDENCE_PREFIX
    if "validator" in params:
        text = params["validator"]
        try:
            key = bytes.fromhex(text) if type(text) is str else b""
        except ValueError:
            key = b""
        if len(key) != 32:
            raise InvalidActionDataError("validator is a 64-digit hex public key")
        prefix += key
    out = []
    for _, raw in state.items(prefix, prefix_end(prefix)):
        record = codec.decode(raw)
        out.append(
            {
                "validator": record["validator"].hex(),
                "height": record["height"],
                "round": record["round"],
                "kind": record["kind"],
                "votes": [vote.hex() for vote in record["votes"]],
                "committed_at": record["committed_at"],
                "penalty": record["penalty"],
                "ejected_at": record["ejected_at"],
            }
        )
        if len(out) >= MAX_QUERY_RESULTS:
            break
    return out


def evidence_transaction(head: _core.BlockHeader, a: bytes, b: bytes, seed: bytes) -> bytes:
    """A transaction carrying the evidence ``(a, b)``, signed by ``seed`` (any key will do)."""
    from tonomy.chain.txbuilder import action, build_transaction

    act = action(SYSTEM_PLUGIN, "evidence", {"a": a, "b": b}, [f"{SYSTEM_PLUGIN}@evidence"])
    return build_transaction(head.chain_id, head, [act], [seed])


def is_evidence_only(tx: _core.SignedTransaction) -> bool:
    """Evidence needs no authority: a transaction of evidence actions only skips the authority check."""
    return all(action.plugin == SYSTEM_PLUGIN and action.name == "evidence" for action in tx.body.actions)


__all__ = [
    "EVIDENCE_PREFIX",
    "conflicting_votes",
    "evidence_key",
    "evidence_transaction",
    "is_evidence_only",
    "query_evidence",
    "record_evidence",
]
