"""The validator set in state: who signs each height, and the changes scheduled for later heights.

Every node reads the set for a height from its own authenticated state, so block
validation, commit checks and the consensus engine agree on it without trusting anyone.

========================================  =====================================================
key                                        value (canonical codec)
========================================  =====================================================
``sys/valset/<height u64 BE>``             ``{"validators": [{"key", "power"}, ...]}`` sorted by
                                           key: the whole set in effect FROM that height on
``sys/chain``                              ``{"chain_id": bytes}`` (for evidence checks)
========================================  =====================================================

Genesis writes its set at height 1. A change made by block ``H`` is written as a whole
new set effective at ``max(H + consensus_delay, last scheduled height)``: changes never
reorder, and two changes landing on one height merge. ``consensus_delay`` is at least 2
(docs/consensus.md, "Validator set changes"): the set of ``H + 1`` must be fixed before
``H`` executes, because the next height starts as soon as ``H`` is decided.

The set for height ``h`` is the entry with the greatest effective height ``<= h``. Entries
that no height within the evidence window can need any more are dropped when a change is
scheduled, so the schedule stays a handful of records.
"""

from __future__ import annotations

from collections.abc import Sequence

from tonomy import _core
from tonomy.chain import codec
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.state import StateView, prefix_end
from tonomy.errors import InternalError, InvalidInputError

VALSET_PREFIX = SYSTEM_PREFIX + b"valset/"
CHAIN_KEY = SYSTEM_PREFIX + b"chain"
VALIDATORS_TAG = "tonomy/validators/v1"  # hash::tags::VALIDATOR_SET
#: Limits the consensus engine enforces (docs/consensus.md, "Terms").
MAX_VALIDATORS = 256
MAX_POWER = 1 << 32
MAX_TOTAL_POWER = 1 << 60
#: Evidence is accepted for heights at most this far below the block that carries it;
#: the sets of those heights are kept in state for that long.
EVIDENCE_WINDOW = 1000

#: ``((key, power), ...)`` sorted by key.
ValidatorSet = tuple[tuple[bytes, int], ...]


def schedule_key(height: int) -> bytes:
    return VALSET_PREFIX + height.to_bytes(8, "big")


def _encode(validators: ValidatorSet) -> bytes:
    return codec.encode({"validators": [{"key": key, "power": power} for key, power in validators]})


def _decode(raw: bytes) -> ValidatorSet:
    record = codec.decode(raw)
    try:
        return tuple((bytes(entry["key"]), int(entry["power"])) for entry in record["validators"])
    except (KeyError, TypeError) as exc:
        raise InternalError(f"a stored validator set is malformed: {exc}") from None


def normalized(validators: Sequence[tuple[bytes, int]]) -> ValidatorSet:
    """Check a set against the engine's limits and sort it by key; InvalidInputError if it is not one."""
    ordered = tuple(sorted((bytes(key), power) for key, power in validators))
    if not 1 <= len(ordered) <= MAX_VALIDATORS:
        raise InvalidInputError(f"a validator set holds 1 to {MAX_VALIDATORS} validators, got {len(ordered)}")
    keys = [key for key, _ in ordered]
    if len(set(keys)) != len(keys):
        raise InvalidInputError("a validator key is listed twice")
    for key, power in ordered:
        if len(key) != 32:
            raise InvalidInputError("a validator key is a 32-byte Ed25519 public key")
        if type(power) is not int or not 1 <= power <= MAX_POWER:
            raise InvalidInputError(f"a validator's power is an integer from 1 to {MAX_POWER}")
    if sum(power for _, power in ordered) > MAX_TOTAL_POWER:
        raise InvalidInputError("the validator set's total power is too large")
    return ordered


def set_hash(validators: ValidatorSet) -> bytes:
    """What a block header names as ``validator_set_hash``: the engine's own set hash
    (``ValidatorSet::hash`` in the core): ``count u32 LE ‖ (key ‖ power u64 LE)…`` in key order."""
    body = len(validators).to_bytes(4, "little") + b"".join(key + power.to_bytes(8, "little") for key, power in validators)
    return _core.hash_tagged(VALIDATORS_TAG, body)


def write_genesis(state: StateView, chain_id: bytes, keys: Sequence[bytes]) -> None:
    """The genesis set (power 1 each) in effect from height 1, and the chain id."""
    state.put(schedule_key(1), _encode(normalized([(key, 1) for key in keys])))
    state.put(CHAIN_KEY, codec.encode({"chain_id": chain_id}))


def chain_id(state: StateView) -> bytes:
    raw = state.get(CHAIN_KEY)
    if raw is None:
        raise InternalError("the chain id is missing from state (was genesis applied?)")
    return bytes(codec.decode(raw)["chain_id"])


def _entries(state: StateView) -> list[tuple[int, bytes]]:
    return [(int.from_bytes(key[len(VALSET_PREFIX) :], "big"), raw) for key, raw in state.items(VALSET_PREFIX, prefix_end(VALSET_PREFIX))]


def set_at(state: StateView, height: int) -> ValidatorSet:
    """The set that signs ``height`` (as known to ``state``: exact for heights up to head + 2)."""
    found = None
    for _, raw in state.items(VALSET_PREFIX, schedule_key(height + 1)):
        found = raw
    if found is None:
        raise InternalError(f"no validator set is stored for height {height}")
    return _decode(found)


def schedule(state: StateView) -> list[tuple[int, ValidatorSet]]:
    """Every stored ``(effective height, set)``, in height order."""
    return [(effective, _decode(raw)) for effective, raw in _entries(state)]


def schedule_change(state: StateView, height: int, delay: int, key: bytes, power: int) -> int:
    """Block ``height`` sets ``key``'s power (0 removes it); returns the height it takes effect at.

    InvalidInputError if the result is not a valid set (empty, too large, ...).
    """
    if delay < 2:
        raise InternalError("the validator set delay is at least 2")
    entries = _entries(state)
    if not entries:
        raise InternalError("no validator set is stored (was genesis applied?)")
    last_effective, last_raw = entries[-1]
    effective = max(height + delay, last_effective)
    members = dict(_decode(last_raw))
    if power == 0:
        if key not in members:
            raise InvalidInputError(f"{key.hex()[:16]}… is not a validator (scheduled set)")
        del members[key]
    else:
        members[key] = power
    if not members:
        raise InvalidInputError("the last validator cannot be removed")
    new_set = normalized(list(members.items()))
    state.put(schedule_key(effective), _encode(new_set))
    _prune(state, entries, height - EVIDENCE_WINDOW)
    return effective


def _prune(state: StateView, entries: list[tuple[int, bytes]], oldest_needed: int) -> None:
    """Drop entries superseded before ``oldest_needed`` (keep the one in effect there)."""
    in_effect = [effective for effective, _ in entries if effective <= oldest_needed]
    for effective in in_effect[:-1]:
        state.delete(schedule_key(effective))


__all__ = [
    "EVIDENCE_WINDOW",
    "ValidatorSet",
    "chain_id",
    "normalized",
    "schedule",
    "schedule_change",
    "set_at",
    "set_hash",
    "write_genesis",
]
