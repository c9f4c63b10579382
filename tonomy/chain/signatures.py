"""Signature checks of many transactions at once, with a cache of what this node verified.

Admission and block validation both ask "does every signature of these transactions
verify?". Asking once per transaction costs a call into the core per transaction and
keeps the batch verifier's threads idle; here every signature of a whole batch (an API
batch, a gossiped batch, a proposed block) goes to ``ed25519_verify_batch`` in ONE call,
which checks them on every core without the GIL.

The cache remembers signatures this node itself verified (key, signed digest and
signature bytes, all three), so a transaction verified at admission is not verified
again when it shows up in a proposed block. It is never filled from anything a peer
claims: only a ``True`` from our own verifier puts an entry in. It is node-local and
changes no outcome: a cached signature is one that verified, and verification is a
pure function of those three byte strings.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from tonomy import _core
from tonomy.errors import BadSignatureError, TonomyError

#: Signatures remembered (≈ 200 bytes each): a few blocks' worth at full size.
DEFAULT_CACHE_SIZE = 65_536


class VerifiedSignatures:
    """A bounded set of (public key, digest, signature) triples this node verified itself."""

    __slots__ = ("_entries", "_max", "hits")

    def __init__(self, max_entries: int = DEFAULT_CACHE_SIZE) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be at least 0")
        self._entries: OrderedDict[tuple[bytes, bytes, bytes], None] = OrderedDict()
        self._max = max_entries
        #: Signatures answered from the cache (for metrics and tests).
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, triple: object) -> bool:
        return triple in self._entries

    def _remember(self, triple: tuple[bytes, bytes, bytes]) -> None:
        if self._max == 0:
            return
        self._entries[triple] = None
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def check(self, txs: Sequence[_core.SignedTransaction], ids: Sequence[bytes] | None = None) -> list[BadSignatureError | None]:
        """One entry per transaction: None if every signature verifies, else why not.

        ``ids`` (each transaction's id, if the caller has them) saves hashing bodies again.
        Signatures not in the cache are verified together in one core call.
        """
        digests = ids if ids is not None else [tx.id for tx in txs]
        entries = self._entries
        # The signatures not in the cache, as the three lists the core takes, and where
        # each came from (its transaction's position and its index in that transaction).
        keys: list[bytes] = []
        signed: list[bytes] = []
        signature_bytes: list[bytes] = []
        origins: list[tuple[int, int]] = []
        hits = 0
        for position, (tx, digest) in enumerate(zip(txs, digests, strict=True)):
            for index, signature in enumerate(tx.signatures):
                key, sig = signature.public_key, signature.signature
                if (key, digest, sig) in entries:
                    hits += 1
                    continue
                keys.append(key)
                signed.append(digest)
                signature_bytes.append(sig)
                origins.append((position, index))
        self.hits += hits
        out: list[BadSignatureError | None] = [None] * len(digests)
        if not keys:
            return out
        try:
            results = _core.ed25519_verify_batch(keys, signed, signature_bytes)
        except TonomyError as exc:
            error = BadSignatureError(f"the signatures cannot be checked: {exc.message}")
            for position, _ in origins:
                out[position] = error
            return out
        remember = self._remember
        for key, digest, sig, (position, index), ok in zip(keys, signed, signature_bytes, origins, results, strict=True):
            if ok:
                remember((key, digest, sig))
            elif out[position] is None:  # the first signature of the transaction that fails
                out[position] = BadSignatureError(f"signature {index} (key {key.hex()[:16]}…) does not sign this transaction")
        return out

__all__ = ["DEFAULT_CACHE_SIZE", "VerifiedSignatures"]
