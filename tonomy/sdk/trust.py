"""The SDK's trust anchor: a chain id, the validator set it implies, and commit checks.

The chain id is the hash of the genesis record's canonical encoding, so a client that
knows the chain id can take the genesis from any node and check it: the validator set
in it is then as trustworthy as the chain id. A header is *verified* when more than
two thirds of that set signed a precommit for its hash (``blocks.commit_problem``, the
same rule the chain applies) and it names that set (``validator_set_hash``).

Governance changes the set on chain (docs/consensus.md). The SDK follows a change the
way CometBFT's light client skips ahead: a header that names another set is accepted
when the set the node offers hashes to the header's ``validator_set_hash``, more than
two thirds of that set's power signed the header, AND validators holding more than a
third of the power of a set the SDK already trusts signed it too (so at least one
honest validator it already trusts vouches for the change). When the overlap is too
small the client first verifies a header half way (bisection) and tries again from
there; a change that replaces more than two thirds of the power between two adjacent
verified heights cannot be followed and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tonomy import _core
from tonomy.chain import codec, validator_set
from tonomy.chain.blocks import commit_problem
from tonomy.errors import TonomyError
from tonomy.node.errors import UntrustedAnswerError


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """A chain id and its validator set (from the genesis that hashes to the chain id)."""

    chain_id: bytes
    validators: tuple[bytes, ...]

    @property
    def weighted(self) -> validator_set.ValidatorSet:
        return validator_set.normalized([(key, 1) for key in self.validators])

    @classmethod
    def from_genesis(cls, record: Mapping[str, Any], chain_id: bytes | None) -> TrustAnchor:
        """Check ``record`` against ``chain_id`` (None: trust it on first use) and read its validators."""
        try:
            computed = _core.hash_plain(codec.encode(dict(record)))
            validators = tuple(bytes.fromhex(key) for key in record["validators"])
        except (TonomyError, KeyError, TypeError, ValueError) as exc:
            raise UntrustedAnswerError(f"the node sent an unreadable genesis: {exc}") from None
        if chain_id is not None and computed != chain_id:
            raise UntrustedAnswerError(
                f"the node's genesis hashes to {computed.hex()}, not the expected chain id {chain_id.hex()}"
            )
        if not validators or any(len(key) != 32 for key in validators):
            raise UntrustedAnswerError("the genesis names no valid validator keys")
        return cls(computed, validators)


def check_finalized(chain_id: bytes, header: _core.BlockHeader, commit: _core.Commit, validators: validator_set.ValidatorSet) -> None:
    """Raise ``client.untrusted_answer`` unless ``commit`` finalizes ``header`` for ``validators``
    and the header names exactly that set."""
    if header.chain_id != chain_id:
        raise UntrustedAnswerError(f"the header is of chain {header.chain_id.hex()}, not {chain_id.hex()}")
    if header.validator_set_hash != validator_set.set_hash(validators):
        raise UntrustedAnswerError(f"block {header.height} names another validator set than the one offered")
    problem = commit_problem(commit, header, validators)
    if problem is not None:
        raise UntrustedAnswerError(f"block {header.height} is not finalized by its commit: {problem}")


def vouched_by(commit: _core.Commit, trusted: validator_set.ValidatorSet) -> bool:
    """Did validators with more than a third of ``trusted``'s power sign ``commit``?

    Call it only on a commit ``check_finalized`` accepted: its signatures are verified.
    """
    power = dict(trusted)
    signed = sum(power.get(key, 0) for key in {vote.validator for vote in commit.votes})
    return signed * 3 > sum(power.values())


def offered_set(schedule: Any, wanted_hash: bytes) -> validator_set.ValidatorSet | None:
    """The set in a node's ``tonomy.validators`` answer that hashes to ``wanted_hash`` (None if none does)."""
    entries = schedule.get("schedule") if isinstance(schedule, Mapping) else None
    if not isinstance(entries, list):
        return None
    for entry in entries:
        try:
            members = validator_set.normalized(
                [(bytes.fromhex(member["key"]), member["power"]) for member in entry["validators"]]
            )
        except (TonomyError, KeyError, TypeError, ValueError):
            continue
        if validator_set.set_hash(members) == wanted_hash:
            return members
    return None


__all__ = ["TrustAnchor", "check_finalized", "offered_set", "vouched_by"]
