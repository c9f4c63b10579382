"""The keyring: the vault key, wrapped by the passphrase-derived key and split among guardians.

Stored as a blob (its BLAKE3 hash and epoch on chain), canonical JSON::

    {"format": "tonomy-vault-keyring", "version": 1, "algorithm": "xchacha20poly1305-ietf",
     "owner": str, "epoch": int, "kdf": {"algorithm", "ops", "memory"},
     "vault_key_id": hex(16 bytes), "wrapped_vault_key": hex (kind 1, key = wallet vault sub-key),
     "owner_x25519": hex, "threshold": int,
     "shares": [{"guardian": str, "guardian_key": hex, "x": int, "wrapped": hex (kind 2)}]}

``vault_key_id = BLAKE3_tagged("tonomy/vault/key-id/v1", vault key)[:16]`` lets
recovery check that the shares rebuilt the right key. Every wrapped value's
associated data names the owner and the epoch (and, for shares, the coordinate, the
threshold and the key id), so values cannot be moved between keyrings or epochs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tonomy import _core
from tonomy.errors import (
    InvalidKdfError,
    VaultDowngradeError,
    VaultMalformedError,
    VaultRecoveryError,
    VaultWeakKdfError,
    WeakKdfError,
)
from tonomy.vault import shamir
from tonomy.vault.formats import (
    ALGORITHM_NAME,
    FORMAT_CURRENT,
    KEY_ID_BYTES,
    check_owner,
    check_version,
    u8,
    u32,
)
from tonomy.vault.wrapping import (
    MAX_WRAPPED_BYTES,
    PURPOSE_SHARE,
    PURPOSE_VAULT_KEY,
    Party,
    WrapContext,
    unwrap_symmetric,
    wrap_symmetric,
    wrap_to,
)
from tonomy.wallet.kdf import KdfParams

FORMAT_NAME = "tonomy-vault-keyring"
MAX_KEYRING_BYTES = 64 * 1024
KEY_ID_TAG = "tonomy/vault/key-id/v1"
_KEYS = {
    "format", "version", "algorithm", "owner", "epoch", "kdf", "vault_key_id",
    "wrapped_vault_key", "owner_x25519", "threshold", "shares",
}
_SHARE_KEYS = {"guardian", "guardian_key", "x", "wrapped"}


def key_id(vault_key: bytes) -> bytes:
    return _core.hash_tagged(KEY_ID_TAG, bytes(vault_key))[:KEY_ID_BYTES]


def check_kdf(raw: object) -> KdfParams:
    """Parse KDF parameters a server or file offers: ``vault.weak_kdf`` below the wallet's floor."""
    try:
        return KdfParams.from_dict(raw)
    except WeakKdfError as exc:
        raise VaultWeakKdfError(f"refused key-derivation parameters: {exc.message}") from None
    except InvalidKdfError as exc:
        raise VaultMalformedError(f"malformed key-derivation parameters: {exc.message}") from None


@dataclass(frozen=True)
class GuardianShare:
    guardian: str
    guardian_key: bytes
    x: int
    wrapped: bytes


@dataclass(frozen=True)
class Keyring:
    owner: str
    epoch: int
    kdf: KdfParams
    vault_key_id: bytes
    wrapped_vault_key: bytes
    owner_x25519: bytes
    threshold: int
    shares: tuple[GuardianShare, ...]

    def vault_key_context(self) -> WrapContext:
        return WrapContext(PURPOSE_VAULT_KEY, self.owner, u32(self.epoch))

    def share_context(self, x: int) -> WrapContext:
        return WrapContext(PURPOSE_SHARE, self.owner, u32(self.epoch) + u8(x) + u8(self.threshold) + self.vault_key_id)

    def open_vault_key(self, kek: bytes) -> bytes:
        vault_key = unwrap_symmetric(kek, self.wrapped_vault_key, self.vault_key_context())
        if key_id(vault_key) != self.vault_key_id:
            raise VaultRecoveryError("the vault key does not match the keyring's key id")
        return vault_key

    def share_of(self, guardian: str) -> GuardianShare | None:
        return next((share for share in self.shares if share.guardian == guardian), None)

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT_NAME,
            "version": FORMAT_CURRENT,
            "algorithm": ALGORITHM_NAME,
            "owner": self.owner,
            "epoch": self.epoch,
            "kdf": self.kdf.to_dict(),
            "vault_key_id": self.vault_key_id.hex(),
            "wrapped_vault_key": self.wrapped_vault_key.hex(),
            "owner_x25519": self.owner_x25519.hex(),
            "threshold": self.threshold,
            "shares": [
                {"guardian": s.guardian, "guardian_key": s.guardian_key.hex(), "x": s.x, "wrapped": s.wrapped.hex()}
                for s in self.shares
            ],
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("ascii")


def build_keyring(
    *,
    owner: str,
    epoch: int,
    kdf: KdfParams,
    kek: bytes,
    vault_key: bytes,
    owner_secret: bytes,
    owner_public: bytes,
    guardians: Sequence[tuple[str, bytes]],
    threshold: int,
) -> Keyring:
    """Wrap ``vault_key`` under ``kek`` and split it among ``guardians`` (name, trusted X25519 key)."""
    check_owner(owner)
    names = [name for name, _ in guardians]
    if len(set(names)) != len(names) or owner in names:
        raise VaultRecoveryError("guardians must be distinct accounts other than the owner")
    draft = Keyring(owner, epoch, kdf, key_id(vault_key), b"", owner_public, threshold if guardians else 0, ())
    wrapped_vault_key = wrap_symmetric(kek, vault_key, draft.vault_key_context())
    shares: list[GuardianShare] = []
    if guardians:
        sender = Party(owner, owner_public)
        for share, (guardian, guardian_key) in zip(shamir.split(vault_key, threshold, len(guardians)), guardians):
            wrapped = wrap_to(owner_secret, sender, Party(guardian, guardian_key), share.y, draft.share_context(share.x))
            shares.append(GuardianShare(guardian, guardian_key, share.x, wrapped))
    return Keyring(owner, epoch, kdf, draft.vault_key_id, wrapped_vault_key, owner_public, draft.threshold, tuple(shares))


def _hex(value: object, what: str, size: int | None = None, max_len: int = 4096) -> bytes:
    if type(value) is not str or len(value) > max_len:
        raise VaultMalformedError(f"keyring {what} must be a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise VaultMalformedError(f"keyring {what} is not hex") from None
    if size is not None and len(raw) != size:
        raise VaultMalformedError(f"keyring {what} must be {size} bytes")
    return raw


def _int(value: object, what: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise VaultMalformedError(f"keyring {what} must be an integer in {low}..{high}")
    return value


def parse_keyring(data: object) -> Keyring:
    """Parse an untrusted keyring blob; weak KDF parameters are ``vault.weak_kdf``."""
    if type(data) is not bytes or len(data) > MAX_KEYRING_BYTES:
        raise VaultMalformedError(f"a keyring is at most {MAX_KEYRING_BYTES} bytes")
    try:
        doc: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise VaultMalformedError("a keyring is a JSON object") from None
    if not isinstance(doc, dict) or set(doc) != _KEYS or doc["format"] != FORMAT_NAME:
        raise VaultMalformedError("not a vault keyring (wrong format or fields)")
    version = doc["version"]
    if type(version) is not int:
        raise VaultMalformedError("keyring version must be an integer")
    check_version(version, "keyring")
    if doc["algorithm"] != ALGORITHM_NAME:
        raise VaultDowngradeError(f"keyring algorithm must be {ALGORITHM_NAME}")
    owner = doc["owner"]
    check_owner(owner)
    kdf = check_kdf(doc["kdf"])
    raw_shares = doc["shares"]
    if not isinstance(raw_shares, list) or len(raw_shares) > shamir.MAX_SHARES:
        raise VaultMalformedError("keyring shares must be a list of at most 255")
    shares = []
    for index, raw in enumerate(raw_shares):
        if not isinstance(raw, dict) or set(raw) != _SHARE_KEYS:
            raise VaultMalformedError(f"keyring share {index} has the wrong fields")
        check_owner(raw["guardian"])
        shares.append(
            GuardianShare(
                raw["guardian"],
                _hex(raw["guardian_key"], "guardian key", 32),
                _int(raw["x"], "share x", 1, 255),
                _hex(raw["wrapped"], "wrapped share", None, 2 * MAX_WRAPPED_BYTES),
            )
        )
    if len({s.guardian for s in shares}) != len(shares) or len({s.x for s in shares}) != len(shares):
        raise VaultMalformedError("keyring shares repeat a guardian or a coordinate")
    threshold = _int(doc["threshold"], "threshold", 0, 255)
    if (shares and not 1 <= threshold <= len(shares)) or (not shares and threshold != 0):
        raise VaultMalformedError("keyring threshold does not fit its shares")
    return Keyring(
        owner=owner,
        epoch=_int(doc["epoch"], "epoch", 1, 2**32 - 1),
        kdf=kdf,
        vault_key_id=_hex(doc["vault_key_id"], "vault key id", KEY_ID_BYTES),
        wrapped_vault_key=_hex(doc["wrapped_vault_key"], "wrapped vault key", None, 2 * MAX_WRAPPED_BYTES),
        owner_x25519=_hex(doc["owner_x25519"], "owner key", 32),
        threshold=threshold,
        shares=tuple(shares),
    )


def check_offer(offer: object) -> None:
    """Refuse a server's protocol offer below the client's floor (``vault.downgrade`` / ``vault.weak_kdf``)."""
    allowed = {"format", "algorithm", "kdf"}
    if not isinstance(offer, Mapping) or not {"format", "algorithm"} <= set(offer) or not set(offer) <= allowed:
        raise VaultMalformedError("a server offer is {format, algorithm[, kdf]}")
    fmt = offer["format"]
    if type(fmt) is not int:
        raise VaultMalformedError("a server offer's format must be an integer")
    check_version(fmt, "server offer")
    if offer["algorithm"] != ALGORITHM_NAME:
        offered = str(offer["algorithm"])[:40]
        raise VaultDowngradeError(f"the server offers algorithm {offered!r}; only {ALGORITHM_NAME} is accepted")
    if "kdf" in offer:
        check_kdf(offer["kdf"])
