"""Whose X25519 key is whose: the trust anchor for sharing and recovery.

The vault never takes a recipient's (or a sender's) public key from the server it
stores data on. The caller supplies a :class:`KeyDirectory` built from what it
trusts: the identity's DID document or on-chain identity record, read with a Merkle
proof against a finalized header. A key the server offers that differs from the
directory's is a substitution: ``vault.key_mismatch``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from tonomy.errors import VaultKeyMismatchError, VaultNotFoundError
from tonomy.vault.formats import check_key, check_owner


class KeyDirectory(Protocol):
    """Trusted account → X25519 key-agreement public key."""

    def x25519_key(self, account: str) -> bytes: ...


class StaticDirectory:
    """A directory from a mapping the caller has already verified (tests, pinned contacts)."""

    def __init__(self, keys: Mapping[str, bytes] | None = None) -> None:
        self._keys: dict[str, bytes] = {}
        for account, key in (keys or {}).items():
            self.set(account, key)

    def set(self, account: str, key: bytes) -> None:
        check_owner(account)
        self._keys[account] = check_key(key, "an X25519 public key")

    def x25519_key(self, account: str) -> bytes:
        try:
            return self._keys[account]
        except KeyError:
            raise VaultNotFoundError(f"no trusted identity record for {str(account)[:64]!r}") from None


def verified_key(directory: KeyDirectory, account: str, offered: bytes | None = None) -> bytes:
    """The directory's key for ``account``; ``vault.key_mismatch`` if ``offered`` differs."""
    trusted = check_key(directory.x25519_key(account), "a directory key")
    if offered is not None and offered != trusted:
        raise VaultKeyMismatchError(
            f"the X25519 key offered for {account!r} is not the one its identity record holds (key substitution)"
        )
    return trusted
