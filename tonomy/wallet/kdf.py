"""Argon2id parameters, their floor and ceiling, and the one derivation function.

Parameters travel with the keystore (and, later, may be offered by a server when
an identity is restored). Anything that reads them from outside goes through
:meth:`KdfParams.from_dict` and :meth:`KdfParams.check`: the client never derives
with less than the floor, whoever asks, so a hostile file or server cannot
downgrade the work an attacker must do per guess. The ceiling stops the opposite
abuse: a file asking for 1 TiB or a million passes to hang or crash the device.

Floor (RFC 9106's second recommended option): Argon2id v1.3, 3 passes, 64 MiB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nacl.pwhash.argon2id as _argon2id

from tonomy.errors import InvalidKdfError, WeakKdfError

ALGORITHM = "argon2id13"
MIB = 1024 * 1024
SALT_BYTES = _argon2id.SALTBYTES  # 16, fixed by libsodium

FLOOR_OPS = 3
FLOOR_MEMORY = 64 * MIB
CEILING_OPS = 32
CEILING_MEMORY = 4096 * MIB


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: ``ops`` passes over ``memory`` bytes (a whole number of KiB)."""

    ops: int
    memory: int
    algorithm: str = ALGORITHM

    def check(self) -> KdfParams:
        """Return self if usable; ``wallet.weak_kdf`` below the floor, ``wallet.invalid_kdf`` if malformed."""
        if self.algorithm != ALGORITHM:
            raise WeakKdfError(f"key derivation must be {ALGORITHM}, got {str(self.algorithm)[:40]!r}")
        if type(self.ops) is not int or type(self.memory) is not int:
            raise InvalidKdfError("KDF ops and memory must be integers")
        if self.ops < FLOOR_OPS or self.memory < FLOOR_MEMORY:
            raise WeakKdfError(
                f"Argon2id with {self.ops} passes and {self.memory // 1024} KiB is below the floor "
                f"of {FLOOR_OPS} passes and {FLOOR_MEMORY // MIB} MiB"
            )
        if self.ops > CEILING_OPS or self.memory > CEILING_MEMORY:
            raise InvalidKdfError(
                f"Argon2id cost above the ceiling of {CEILING_OPS} passes and {CEILING_MEMORY // MIB} MiB"
            )
        if self.memory % 1024:
            raise InvalidKdfError("Argon2id memory must be a whole number of KiB")
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "ops": self.ops, "memory": self.memory}

    @classmethod
    def from_dict(cls, raw: object) -> KdfParams:
        """Parse and check parameters from untrusted JSON."""
        if not isinstance(raw, dict) or set(raw) != {"algorithm", "ops", "memory"}:
            raise InvalidKdfError("KDF parameters must be an object with exactly algorithm, ops and memory")
        algorithm, ops, memory = raw["algorithm"], raw["ops"], raw["memory"]
        if type(algorithm) is not str:
            raise WeakKdfError("KDF algorithm must be the string " + repr(ALGORITHM))
        if type(ops) is not int or type(memory) is not int:  # bool is refused too
            raise InvalidKdfError("KDF ops and memory must be integers")
        return cls(ops=ops, memory=memory, algorithm=algorithm).check()


#: The floor itself: what tests that run many derivations use.
FLOOR = KdfParams(ops=FLOOR_OPS, memory=FLOOR_MEMORY)
#: Default for the passphrase → root seed derivation (done rarely: create, restore).
PASSPHRASE_DEFAULT = KdfParams(ops=3, memory=256 * MIB)
#: Default for the PIN → device-key wrapping key (done at every unlock).
PIN_DEFAULT = KdfParams(ops=3, memory=128 * MIB)


def derive_key(secret: bytes, salt: bytes, params: KdfParams, length: int = 32) -> bytes:
    """Argon2id(secret, salt) under checked ``params``; the only place the wallet runs Argon2id."""
    params.check()
    if len(salt) != SALT_BYTES:
        raise InvalidKdfError(f"Argon2id salt must be {SALT_BYTES} bytes, got {len(salt)}")
    return bytes(_argon2id.kdf(length, secret, salt, opslimit=params.ops, memlimit=params.memory))
