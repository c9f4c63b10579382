"""The SDK's trust anchor: a chain id, the validator set it implies, and commit checks.

The chain id is the hash of the genesis record's canonical encoding, so a client that
knows the chain id can take the genesis from any node and check it: the validator set
in it is then as trustworthy as the chain id. A header is *verified* when more than
two thirds of that set signed a precommit for its hash (``blocks.commit_problem``, the
same rule the chain applies) and it names that set (``validator_set_hash``).

The validator set is the genesis set (power 1 each). Governance can change the set on
chain (docs/consensus.md); following such a change needs a proof of the new set from
state, which the SDK does not do yet, so a header naming another set is refused rather
than followed blindly.
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

    @property
    def validator_set_hash(self) -> bytes:
        return validator_set.set_hash(self.weighted)

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

    def check_header(self, header: _core.BlockHeader, commit: _core.Commit) -> None:
        """Raise ``client.untrusted_answer`` unless ``commit`` finalizes ``header`` for this set."""
        if header.chain_id != self.chain_id:
            raise UntrustedAnswerError(f"the header is of chain {header.chain_id.hex()}, not {self.chain_id.hex()}")
        if header.validator_set_hash != self.validator_set_hash:
            raise UntrustedAnswerError("the header names a validator set other than the genesis set")
        problem = commit_problem(commit, header, self.weighted)
        if problem is not None:
            raise UntrustedAnswerError(f"block {header.height} is not finalized by its commit: {problem}")


__all__ = ["TrustAnchor"]
