"""A node's long-term Ed25519 identity: what peers know it by, and what it signs handshakes with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tonomy import _core


@dataclass(frozen=True)
class NodeIdentity:
    """An Ed25519 seed and its public key; the seed never leaves this object's ``sign``."""

    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_key", _core.ed25519_public_key(self.seed))

    @classmethod
    def generate(cls) -> NodeIdentity:
        """A fresh identity from the OS random source (a node keeps it in its data dir)."""
        return cls(os.urandom(32))

    def sign(self, message: bytes) -> bytes:
        return _core.ed25519_sign(self.seed, message)

    @property
    def short(self) -> str:
        """A printable prefix of the public key, for logs."""
        return self.public_key.hex()[:12]


def verify_identity_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True if ``signature`` is valid; never raises for hostile keys or signatures."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        _core.ed25519_verify(public_key, message, signature)
    except ValueError:
        return False
    return True
