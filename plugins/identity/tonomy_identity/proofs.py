"""State values with Merkle proofs: what a client needs to trust nothing but a header.

A :class:`ProvenValue` is one state key, its value (or None: proven absent) and the
proof. :func:`fetch` reads a set of keys from a node (``Chain.get_state``), all at one
height; :func:`verify` checks each against the state root of a header the client
already trusts (it verified the header's commit, or got it from its light client).
A node can lie only by making a proof fail: a changed value, a swapped key, a proof of
another height or a missing entry are all refused with ``identity.invalid_proof``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tonomy import _core
from tonomy.chain import codec
from tonomy.errors import TonomyError

from tonomy_identity import layout
from tonomy_identity.errors import InvalidProofError


@dataclass(frozen=True, slots=True)
class ProvenValue:
    key: bytes  # full state key (p/identity/… or sys/…)
    value: bytes | None
    proof: bytes


@dataclass(frozen=True, slots=True)
class ProofBundle:
    """Values proven at one height; ``header`` is the node's, to compare with a trusted one."""

    height: int
    values: tuple[ProvenValue, ...]


def _split(full: bytes) -> tuple[str, bytes]:
    if full.startswith(layout.SYSTEM_PREFIX):
        return "tonomy", full[len(layout.SYSTEM_PREFIX) :]
    if full.startswith(b"p/"):
        plugin, sep, key = full[2:].partition(b"/")
        if sep:
            return plugin.decode("ascii"), key
    raise InvalidProofError(f"{full!r} is not a state key")


def fetch(chain: Any, keys: Iterable[bytes], height: int | None = None) -> tuple[ProofBundle, Any]:
    """Read ``keys`` with proofs from a node, at one height; returns the bundle and the node's header."""
    if height is None:
        height = chain.height
    values = []
    header = None
    for full in keys:
        plugin, key = _split(full)
        value, proof, header = chain.get_state(plugin, key, height)
        values.append(ProvenValue(full, value, proof))
    return ProofBundle(height, tuple(values)), header


def verify(bundle: ProofBundle, trusted_header: Any, needed: Iterable[bytes]) -> dict[bytes, Any]:
    """Check every needed key against ``trusted_header``; return ``{key: decoded value or None}``.

    Refuses a bundle of another height, a missing needed key, a key given twice, a
    proof that does not verify, and a value that is not a canonical record.
    """
    if not isinstance(bundle, ProofBundle):
        raise InvalidProofError("expected a ProofBundle")
    if bundle.height != trusted_header.height:
        raise InvalidProofError(f"the proofs are for height {bundle.height}, the trusted header is {trusted_header.height}")
    by_key: dict[bytes, ProvenValue] = {}
    for entry in bundle.values:
        if entry.key in by_key:
            raise InvalidProofError(f"the key {entry.key!r} is given twice")
        by_key[entry.key] = entry
    out: dict[bytes, Any] = {}
    for key in needed:
        found = by_key.get(key)
        if found is None:
            raise InvalidProofError(f"no proof for {key!r}")
        entry = found
        try:
            _core.verify_state_proof(trusted_header.state_root, key, entry.value, entry.proof)
        except (TonomyError, ValueError, TypeError) as exc:
            raise InvalidProofError(f"the proof of {key!r} does not verify against the trusted header: {exc}") from None
        try:
            out[key] = None if entry.value is None else codec.decode(entry.value)
        except TonomyError as exc:
            raise InvalidProofError(f"the value of {key!r} is not a canonical record: {exc}") from None
    return out


def as_mapping(bundle: ProofBundle) -> Mapping[bytes, ProvenValue]:
    return {entry.key: entry for entry in bundle.values}
