"""``identity.json``: one identity's public record and its sealed root seed.

The file holds nothing secret in the clear: the username, network, KDF
parameters, public keys and the active-key history are public (the chain will
hold them too); the root seed is sealed with the device key for the context
(format version, identity id, ``root-seed``). ``sealed_root_seed`` is null while
the identity has no device key (wiped after too many wrong PINs): then only the
passphrase opens it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tonomy.errors import KeystoreCorruptError
from tonomy.wallet import fields
from tonomy.wallet.derivation import MAX_ACTIVE_GENERATION, NETWORK_ID_BYTES, identity_id, normalise_username
from tonomy.wallet.kdf import KdfParams
from tonomy.wallet.sealing import Sealed, SealContext

FORMAT = "tonomy-wallet-identity"
VERSION = 1
PURPOSE_ROOT_SEED = "root-seed"
MAX_ACTIVE_HISTORY = 1024


@dataclass(frozen=True)
class ActiveKey:
    """One generation of the identity's active key; ``retired_at`` None for the current one."""

    generation: int
    public_key: bytes
    created_at: int
    retired_at: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "public_key": self.public_key.hex(),
            "created_at": self.created_at,
            "retired_at": self.retired_at,
        }

    @classmethod
    def from_dict(cls, raw: object, what: str) -> ActiveKey:
        raw = fields.require_keys(raw, what, {"generation", "public_key", "created_at", "retired_at"})
        return cls(
            generation=fields.integer(raw["generation"], f"{what}.generation", 0, MAX_ACTIVE_GENERATION),
            public_key=fields.hex_bytes(raw["public_key"], 32, f"{what}.public_key"),
            created_at=fields.integer(raw["created_at"], f"{what}.created_at", 0, fields.TIME_MAX),
            retired_at=fields.optional_integer(raw["retired_at"], f"{what}.retired_at", 0, fields.TIME_MAX),
        )


@dataclass(frozen=True)
class IdentityFile:
    identity_id: str
    username: str
    network_id: bytes
    kdf: KdfParams
    owner_public_key: bytes
    x25519_public_key: bytes
    active_keys: tuple[ActiveKey, ...]
    created_at: int
    sealed_root_seed: Sealed | None = field(default=None, repr=False)

    @property
    def current_active(self) -> ActiveKey:
        return self.active_keys[-1]

    def seal_context(self) -> SealContext:
        return SealContext(VERSION, self.identity_id, PURPOSE_ROOT_SEED)

    def with_sealed_seed(self, sealed: Sealed | None) -> IdentityFile:
        return replace(self, sealed_root_seed=sealed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "identity_id": self.identity_id,
            "username": self.username,
            "network_id": self.network_id.hex(),
            "kdf": self.kdf.to_dict(),
            "owner_public_key": self.owner_public_key.hex(),
            "x25519_public_key": self.x25519_public_key.hex(),
            "active_keys": [k.to_dict() for k in self.active_keys],
            "created_at": self.created_at,
            "sealed_root_seed": None if self.sealed_root_seed is None else self.sealed_root_seed.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any], expected_id: str) -> IdentityFile:
        """Parse untrusted JSON; refuses weak KDF parameters before anything derives with them."""
        what = "identity.json"
        fields.check_header(raw, FORMAT, VERSION, what)
        raw = fields.require_keys(
            raw,
            what,
            {
                "format",
                "version",
                "identity_id",
                "username",
                "network_id",
                "kdf",
                "owner_public_key",
                "x25519_public_key",
                "active_keys",
                "created_at",
                "sealed_root_seed",
            },
        )
        kdf = KdfParams.from_dict(raw["kdf"])  # wallet.weak_kdf / wallet.invalid_kdf
        ident = fields.hex_id(raw["identity_id"], 16, f"{what}.identity_id")
        username = fields.text(raw["username"], f"{what}.username", 64)
        network_id = fields.hex_bytes(raw["network_id"], NETWORK_ID_BYTES, f"{what}.network_id")
        try:
            if normalise_username(username) != username or identity_id(username, network_id) != ident:
                raise KeystoreCorruptError(f"{what}: identity id does not match the username and network")
        except KeystoreCorruptError:
            raise
        except ValueError:
            raise KeystoreCorruptError(f"{what}.username is not a valid account name") from None
        if ident != expected_id:
            raise KeystoreCorruptError(f"{what} belongs to identity {ident}, found in the folder of {expected_id}")
        history_raw = fields.array(raw["active_keys"], f"{what}.active_keys", MAX_ACTIVE_HISTORY)
        history = tuple(ActiveKey.from_dict(k, f"{what}.active_keys[{i}]") for i, k in enumerate(history_raw))
        _check_history(history, what)
        sealed_raw = raw["sealed_root_seed"]
        return cls(
            identity_id=ident,
            username=username,
            network_id=network_id,
            kdf=kdf,
            owner_public_key=fields.hex_bytes(raw["owner_public_key"], 32, f"{what}.owner_public_key"),
            x25519_public_key=fields.hex_bytes(raw["x25519_public_key"], 32, f"{what}.x25519_public_key"),
            active_keys=history,
            created_at=fields.integer(raw["created_at"], f"{what}.created_at", 0, fields.TIME_MAX),
            sealed_root_seed=None if sealed_raw is None else Sealed.from_dict(sealed_raw, f"{what}.sealed_root_seed"),
        )


def _check_history(history: tuple[ActiveKey, ...], what: str) -> None:
    """Generations strictly increase; only the last key is current."""
    if not history:
        raise KeystoreCorruptError(f"{what}.active_keys is empty")
    for earlier, later in zip(history, history[1:]):
        if later.generation <= earlier.generation:
            raise KeystoreCorruptError(f"{what}.active_keys generations must increase")
    if any(k.retired_at is None for k in history[:-1]) or history[-1].retired_at is not None:
        raise KeystoreCorruptError(f"{what}.active_keys: every key but the last must be retired")
