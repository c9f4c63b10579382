"""A node's long-term Ed25519 identity: what peers know it by, and what it signs handshakes with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

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

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> NodeIdentity:
        """The identity whose 32-byte seed is in ``path``; a new one is written (0600) if absent.

        A file of another size is refused rather than replaced: a node must not silently
        change identity (its peers pin the key).
        """
        target = Path(path)
        try:
            seed = target.read_bytes()
        except FileNotFoundError:
            identity = cls.generate()
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(identity.seed)
            return identity
        if len(seed) != 32:
            raise ValueError(f"{target.name} holds {len(seed)} bytes, not a 32-byte node key seed")
        return cls(seed)

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
