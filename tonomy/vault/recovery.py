"""Recovery: guardians release their shares to the owner's new key; the owner re-keys.

1. The owner lost the passphrase and recovered the *account* (new passphrase, so a new
   root seed, KEK and X25519 key, published in the identity record).
2. Each guardian opens its share of the vault key (wrapped to it by the owner's old
   key, as the keyring on chain says) and re-wraps it to the owner's **new** X25519
   key, taken from the directory (a key offered by anyone else must match it,
   ``vault.key_mismatch``)::

       released = "TVS1" ‖ u16 format ‖ lp8(guardian) ‖ u8 x ‖ wrapped key (kind 2)

3. The owner opens ``threshold`` released shares, rebuilds the vault key, checks it
   against the keyring's key id (``vault.recovery_failed`` otherwise), and then
   **re-keys**: a new vault key under the new KEK, new shares, and every record
   re-encrypted under a new record key with its readers re-granted from the new
   owner key. The old passphrase, old vault key and old record keys open nothing
   written after recovery.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from tonomy.errors import VaultError, VaultMalformedError, VaultRecoveryError
from tonomy.vault import shamir
from tonomy.vault.client import Action, Vault
from tonomy.vault.directory import KeyDirectory, verified_key
from tonomy.vault.formats import FORMAT_CURRENT, KEY_BYTES, Reader, check_owner, check_version, lp8, u8, u16, u32
from tonomy.vault.keyring import Keyring, key_id
from tonomy.vault.server import VaultServer
from tonomy.vault.wrapping import (
    KIND_X25519,
    MAX_WRAPPED_BYTES,
    PURPOSE_RELEASED_SHARE,
    Party,
    WrapContext,
    parse_wrapped,
    unwrap_from,
    wrap_to,
)
from tonomy.wallet.kdf import KdfParams

MAGIC = b"TVS1"
MAX_RELEASED_BYTES = len(MAGIC) + 2 + 1 + 64 + 1 + MAX_WRAPPED_BYTES


@dataclass(frozen=True)
class ReleasedShare:
    guardian: str
    x: int
    wrapped: bytes

    def to_bytes(self) -> bytes:
        return MAGIC + u16(FORMAT_CURRENT) + lp8(check_owner(self.guardian)) + u8(self.x) + self.wrapped


def parse_released_share(data: object) -> ReleasedShare:
    reader = Reader(data, "released share", MAX_RELEASED_BYTES)
    if reader.take(len(MAGIC)) != MAGIC:
        raise VaultMalformedError("released share does not start with the vault magic")
    check_version(reader.int(2), "released share")
    raw_name = reader.take(reader.int(1))
    try:
        guardian = raw_name.decode("ascii")
    except UnicodeDecodeError:
        raise VaultMalformedError("released share names its guardian in ASCII") from None
    check_owner(guardian)
    x = reader.int(1)
    if x == 0:
        raise VaultMalformedError("a share coordinate is 1..255")
    wrapped = reader.rest()
    if parse_wrapped(wrapped).kind != KIND_X25519:
        raise VaultMalformedError("a released share is an X25519 wrap")
    return ReleasedShare(guardian, x, wrapped)


def _released_context(keyring: Keyring, x: int, new_owner_key: bytes) -> WrapContext:
    context = u32(keyring.epoch) + u8(x) + u8(keyring.threshold) + keyring.vault_key_id + new_owner_key
    return WrapContext(PURPOSE_RELEASED_SHARE, keyring.owner, context)


def release_share(guardian_vault: Vault, owner: str, offered_owner_key: bytes | None = None) -> bytes:
    """Guardian side: re-wrap this guardian's share of ``owner``'s vault key to the owner's current key.

    Call it only once the owner's account recovery has been confirmed (by the identity
    layer); the share is useless to anyone but the holder of the owner's new key.
    """
    keyring = guardian_vault.fetch_keyring(owner)
    share = keyring.share_of(guardian_vault.account)
    if share is None:
        raise VaultRecoveryError(f"{guardian_vault.account!r} is not a guardian of {owner!r}")
    if share.guardian_key != guardian_vault.public_key:
        raise VaultRecoveryError("this guardian's share was wrapped to another key")
    y = unwrap_from(
        guardian_vault._secret,
        Party(owner, keyring.owner_x25519),
        Party(guardian_vault.account, guardian_vault.public_key),
        share.wrapped,
        keyring.share_context(share.x),
    )
    new_owner_key = verified_key(guardian_vault.directory, owner, offered_owner_key)
    wrapped = wrap_to(
        guardian_vault._secret,
        Party(guardian_vault.account, guardian_vault.public_key),
        Party(owner, new_owner_key),
        y,
        _released_context(keyring, share.x, new_owner_key),
    )
    return ReleasedShare(guardian_vault.account, share.x, wrapped).to_bytes()


def recover(
    server: VaultServer,
    directory: KeyDirectory,
    owner: str,
    *,
    new_kek: bytes,
    new_x25519_secret: bytes,
    released: Sequence[bytes],
    kdf: KdfParams,
    guardians: Sequence[str] | None = None,
    threshold: int | None = None,
) -> Vault:
    """Owner side: rebuild the vault key from released shares, then re-key the whole vault.

    Everything (new keyring, every re-encrypted field, every re-wrapped grant) goes in
    one transaction, so the chain never points at a half re-keyed vault.
    """
    vault = Vault(server, directory, owner, new_x25519_secret)
    keyring = vault.fetch_keyring(owner)
    if keyring.threshold == 0:
        raise VaultRecoveryError(f"{owner!r}'s vault has no guardians")
    shares: dict[int, shamir.Share] = {}
    problems: list[str] = []
    for raw in released:
        try:
            item = parse_released_share(raw)
            expected = keyring.share_of(item.guardian)
            if expected is None or expected.x != item.x:
                raise VaultRecoveryError(f"{item.guardian!r} holds no share {item.x} of this keyring")
            y = unwrap_from(
                vault._secret,
                Party(item.guardian, verified_key(directory, item.guardian)),
                Party(owner, vault.public_key),
                item.wrapped,
                _released_context(keyring, item.x, vault.public_key),
            )
            if len(y) != KEY_BYTES:
                raise VaultRecoveryError("a released share has the wrong length")
            shares[item.x] = shamir.Share(item.x, y)
        except VaultError as exc:
            problems.append(exc.code)
    if len(shares) < keyring.threshold:
        raise VaultRecoveryError(
            f"{len(shares)} valid shares, {keyring.threshold} needed (refused: {', '.join(problems) or 'none'})"
        )
    old_vault_key = shamir.combine(list(shares.values()), keyring.threshold)
    if key_id(old_vault_key) != keyring.vault_key_id:
        raise VaultRecoveryError("the shares do not rebuild this keyring's vault key")
    vault._vault_key, vault.keyring = old_vault_key, keyring
    actions: list[Action] = []
    # Readers were granted by the old owner key; reading our own records only needs the vault key.
    for record_id in vault.record_ids():
        actions.extend(vault._rekey_record(record_id, []))
    # The owner grants in ``actions`` were wrapped by the old vault key; redo them with the new one.
    new_vault_key = os.urandom(KEY_BYTES)
    vault._vault_key = new_vault_key
    rewrapped: list[Action] = []
    for name, data in actions:
        if name == "grant" and data["reader"] == owner:
            rewrapped.append(vault._owner_grant(data["record_id"], _record_key_of(vault, old_vault_key, data), data["key_epoch"]))
        else:
            rewrapped.append((name, data))
    chosen = [s.guardian for s in keyring.shares] if guardians is None else list(guardians)
    vault._install_keyring(
        new_kek,
        kdf,
        new_vault_key,
        keyring.epoch + 1,
        chosen,
        keyring.threshold if threshold is None else threshold,
        extra_actions=rewrapped,
    )
    for name, data in rewrapped:
        if name == "put":
            vault._seen_versions[(owner, data["record_id"], data["field"])] = data["version"]
    return vault


def _record_key_of(vault: Vault, old_vault_key: bytes, grant_data: dict[str, object]) -> bytes:
    from tonomy.vault.client import record_key_context
    from tonomy.vault.wrapping import unwrap_symmetric

    record_id = grant_data["record_id"]
    key_epoch = grant_data["key_epoch"]
    assert isinstance(record_id, bytes) and isinstance(key_epoch, int)
    return unwrap_symmetric(old_vault_key, grant_data["wrapped_key"], record_key_context(vault.account, record_id, key_epoch))
