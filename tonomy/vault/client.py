"""The vault client: private records, encrypted on this device, stored by untrusted nodes.

Key hierarchy::

    passphrase ──Argon2id (wallet floor)──► root seed ──BLAKE3──► KEK (wallet "vault" sub-key)
    KEK ──wraps──► vault key (random, per keyring epoch) ◄── Shamir shares, one per guardian
    vault key ──wraps──► record key (random, per record and key epoch)
    record key ──XChaCha20-Poly1305, AD = owner ‖ record ‖ field ‖ version ‖ epoch──► field envelope
    record key ──X25519 wrap (sender-authenticated)──► each reader's grant

The server stores envelopes (blobs) and the chain stores entries (hash, size,
version) and grants (wrapped keys); neither ever sees a key or a plaintext. The client
remembers the highest version it has seen of every entry and keyring, so an old one
replayed by the server is ``vault.rollback``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from tonomy.errors import (
    VaultHashMismatchError,
    VaultKeyMismatchError,
    VaultMalformedError,
    VaultNoAccessError,
    VaultNotFoundError,
    VaultRollbackError,
    VaultTamperedError,
)
from tonomy.vault.directory import KeyDirectory, verified_key
from tonomy.vault.envelope import FieldAddress, open_field, parse_envelope, seal_field
from tonomy.vault.formats import (
    KEY_BYTES,
    RECORD_ID_BYTES,
    check_field,
    check_key,
    check_owner,
    check_record_id,
    content_hash,
    u32,
)
from tonomy.vault.keyring import Keyring, build_keyring, check_kdf, check_offer, parse_keyring
from tonomy.vault.server import Entry, Grant, VaultServer, parse_entry, parse_grant, parse_keyring_pointer, parse_record_ids
from tonomy.vault.wrapping import (
    PURPOSE_RECORD_KEY,
    Party,
    WrapContext,
    unwrap_from,
    unwrap_symmetric,
    wrap_symmetric,
    wrap_to,
    x25519_public,
)
from tonomy.wallet.kdf import KdfParams

#: The owner's own grant carries no X25519 key: it is wrapped by the vault key.
OWNER_GRANT_KEY = bytes(KEY_BYTES)
Action = tuple[str, dict[str, Any]]


def record_key_context(owner: str, record_id: bytes, key_epoch: int) -> WrapContext:
    return WrapContext(PURPOSE_RECORD_KEY, owner, check_record_id(record_id) + u32(key_epoch))


class Vault:
    """One identity's view of the vault: its own records (if it holds a vault key) and records shared with it."""

    def __init__(
        self,
        server: VaultServer,
        directory: KeyDirectory,
        account: str,
        x25519_secret: bytes | None,
        *,
        vault_key: bytes | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        check_owner(account)
        self.server = server
        self.directory = directory
        self.account = account
        if x25519_secret is None:  # only fetches public things (a keyring before the passphrase is typed)
            self._secret, self.public_key = b"", b""
        else:
            self._secret = check_key(bytes(x25519_secret), "an X25519 secret")
            self.public_key = x25519_public(self._secret)
            # Our own key must be the one our identity record publishes, or readers could not open our wraps.
            verified_key(directory, account, self.public_key)
        self._vault_key = vault_key
        self.keyring = keyring
        self._seen_versions: dict[tuple[str, bytes, str], int] = {}
        self._seen_keyring_epoch: dict[str, int] = {}

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        server: VaultServer,
        directory: KeyDirectory,
        owner: str,
        *,
        kek: bytes,
        x25519_secret: bytes,
        kdf: KdfParams,
        guardians: Sequence[str] = (),
        threshold: int = 0,
    ) -> Vault:
        """A new vault: random vault key, wrapped by ``kek`` and split among ``guardians``."""
        check_offer(server.offer())
        check_kdf(kdf.to_dict())
        vault = cls(server, directory, owner, x25519_secret)
        vault._install_keyring(kek, kdf, os.urandom(KEY_BYTES), 1, guardians, threshold, extra_actions=[])
        return vault

    @classmethod
    def open(cls, server: VaultServer, directory: KeyDirectory, owner: str, *, kek: bytes, x25519_secret: bytes) -> Vault:
        check_offer(server.offer())
        vault = cls(server, directory, owner, x25519_secret)
        keyring = vault.fetch_keyring(owner)
        vault._vault_key = keyring.open_vault_key(check_key(kek, "a KEK"))
        vault.keyring = keyring
        return vault

    @classmethod
    def open_with_passphrase(
        cls, server: VaultServer, directory: KeyDirectory, owner: str, network_id: bytes, passphrase: str
    ) -> Vault:
        """A new device: the keyring says which Argon2id parameters were used; weak ones are refused first."""
        from tonomy.wallet.derivation import derive_root_seed, vault_key, x25519_secret

        check_offer(server.offer())
        probe = cls.reader(server, directory, owner, None)
        keyring = probe.fetch_keyring(owner)
        root = derive_root_seed(passphrase, owner, network_id, keyring.kdf)
        return cls.open(server, directory, owner, kek=vault_key(root), x25519_secret=bytes(x25519_secret(root)))

    @classmethod
    def for_identity(
        cls,
        server: VaultServer,
        directory: KeyDirectory,
        identity: Any,
        *,
        create: bool = False,
        guardians: Sequence[str] = (),
        threshold: int = 0,
    ) -> Vault:
        """Open (or create) the vault of an unlocked wallet identity (``tonomy.wallet.UnlockedIdentity``)."""
        kek = identity.vault_key()
        secret = bytes(identity.x25519_private_key())
        if create:
            return cls.create(
                server, directory, identity.username, kek=kek, x25519_secret=secret, kdf=identity.record.kdf,
                guardians=guardians, threshold=threshold,
            )
        return cls.open(server, directory, identity.username, kek=kek, x25519_secret=secret)

    @classmethod
    def reader(cls, server: VaultServer, directory: KeyDirectory, account: str, x25519_secret: bytes | None) -> Vault:
        """An identity that only reads records shared with it (no keyring needed)."""
        return cls(server, directory, account, x25519_secret)

    # -- keyring ---------------------------------------------------------------------------

    def fetch_keyring(self, owner: str) -> Keyring:
        raw = self.server.keyring(owner)
        if raw is None:
            raise VaultNotFoundError(f"{owner!r} has no vault keyring")
        pointer = parse_keyring_pointer(raw)
        if pointer.owner != owner:
            raise VaultTamperedError("the server returned another owner's keyring")
        seen = self._seen_keyring_epoch.get(owner, 0)
        if pointer.epoch < seen:
            raise VaultRollbackError(f"keyring epoch {pointer.epoch} is older than epoch {seen} already seen")
        keyring = parse_keyring(self._fetch_blob(pointer.content_hash))
        if keyring.owner != owner or keyring.epoch != pointer.epoch:
            raise VaultTamperedError("the keyring blob is not the one the chain points to")
        self._seen_keyring_epoch[owner] = pointer.epoch
        return keyring

    def _install_keyring(
        self,
        kek: bytes,
        kdf: KdfParams,
        vault_key: bytes,
        epoch: int,
        guardians: Sequence[str],
        threshold: int,
        extra_actions: list[Action],
    ) -> None:
        keyring = build_keyring(
            owner=self.account,
            epoch=epoch,
            kdf=kdf,
            kek=check_key(kek, "a KEK"),
            vault_key=vault_key,
            owner_secret=self._secret,
            owner_public=self.public_key,
            guardians=[(name, verified_key(self.directory, name)) for name in guardians],
            threshold=threshold,
        )
        blob = keyring.to_bytes()
        digest = self._store_blob(blob)
        action: Action = ("set_keyring", {"owner": self.account, "epoch": epoch, "content_hash": digest, "size": len(blob)})
        self.server.submit(self.account, [*extra_actions, action])
        self._vault_key, self.keyring = vault_key, keyring
        self._seen_keyring_epoch[self.account] = epoch

    # -- blobs -----------------------------------------------------------------------------

    def _store_blob(self, blob: bytes) -> bytes:
        digest = content_hash(blob)
        answer = self.server.put_blob(blob)
        if answer != digest:
            raise VaultHashMismatchError("the server stored the blob under another hash")
        return digest

    def _fetch_blob(self, digest: bytes) -> bytes:
        blob = self.server.get_blob(digest)
        if type(blob) is not bytes or content_hash(blob) != digest:
            raise VaultHashMismatchError(f"the server returned bytes that are not blob {digest.hex()[:16]}…")
        return blob

    # -- records ---------------------------------------------------------------------------

    def _require_vault_key(self) -> bytes:
        if self._vault_key is None:
            raise VaultNoAccessError("this vault was opened without a vault key (reader only)")
        return self._vault_key

    def _owner_grant(self, record_id: bytes, record_key: bytes, key_epoch: int) -> Action:
        wrapped = wrap_symmetric(self._require_vault_key(), record_key, record_key_context(self.account, record_id, key_epoch))
        return ("grant", self._grant_data(record_id, self.account, OWNER_GRANT_KEY, key_epoch, wrapped))

    def _grant_data(self, record_id: bytes, reader: str, reader_key: bytes, key_epoch: int, wrapped: bytes) -> dict[str, Any]:
        return {
            "owner": self.account,
            "record_id": record_id,
            "reader": reader,
            "reader_key": reader_key,
            "key_epoch": key_epoch,
            "wrapped_key": wrapped,
        }

    def _sealed_put(self, record_id: bytes, field: str, value: bytes, version: int, record_key: bytes, key_epoch: int) -> Action:
        if type(value) is not bytes:
            raise VaultMalformedError("field values are bytes")
        blob = seal_field(record_key, FieldAddress(self.account, record_id, field, version, key_epoch), value)
        digest = self._store_blob(blob)
        return (
            "put",
            {
                "owner": self.account,
                "record_id": record_id,
                "field": field,
                "version": version,
                "content_hash": digest,
                "size": len(blob),
                "key_epoch": key_epoch,
            },
        )

    def create_record(self, fields: Mapping[str, bytes]) -> bytes:
        """A new record with a fresh record key; returns its random 16-byte id."""
        self._require_vault_key()
        if not fields:
            raise VaultMalformedError("a record has at least one field")
        for name in fields:
            check_field(name)
        record_id = os.urandom(RECORD_ID_BYTES)
        record_key = os.urandom(KEY_BYTES)
        actions = [self._sealed_put(record_id, name, fields[name], 1, record_key, 1) for name in sorted(fields)]
        actions.append(self._owner_grant(record_id, record_key, 1))
        self.server.submit(self.account, actions)
        for name in fields:
            self._seen_versions[(self.account, record_id, name)] = 1
        return record_id

    def write(self, record_id: bytes, field: str, value: bytes) -> int:
        """Write a new version of a field of one of this identity's records; returns the version."""
        check_field(field)
        key_epoch, record_key = self._current_record_key(self.account, record_id)
        current = self._entry(self.account, record_id, field, allow_missing=True)
        version = 1 if current is None else current.version + 1
        self.server.submit(self.account, [self._sealed_put(record_id, field, value, version, record_key, key_epoch)])
        self._seen_versions[(self.account, record_id, field)] = version
        return version

    def delete(self, record_id: bytes, field: str) -> None:
        """Tombstone a field on chain; nodes drop its blob."""
        check_field(field)
        data = {"owner": self.account, "record_id": check_record_id(record_id), "field": field}
        self.server.submit(self.account, [("delete", data)])

    def _entry(self, owner: str, record_id: bytes, field: str, allow_missing: bool = False) -> Entry | None:
        raw = self.server.entry(owner, check_record_id(record_id), field)
        seen = self._seen_versions.get((owner, record_id, field), 0)
        if raw is None:
            if seen:
                # Entries are never removed (delete leaves a tombstone): hiding one is a rollback.
                raise VaultRollbackError(f"the server hides a field this client saw at version {seen}")
            if allow_missing:
                return None
            raise VaultNotFoundError(f"no field {field!r} in record {record_id.hex()}")
        entry = parse_entry(raw)
        if (entry.owner, entry.record_id, entry.field) != (owner, record_id, field):
            raise VaultTamperedError("the server answered with another record's entry")
        if entry.version < seen:
            raise VaultRollbackError(f"the server shows version {entry.version} of a field already seen at version {seen}")
        return entry

    def read(self, owner: str, record_id: bytes, field: str) -> bytes:
        """The plaintext of a field of ``owner``'s record (this identity's own, or shared with it)."""
        check_field(field)
        entry = self._entry(owner, record_id, field)
        assert entry is not None
        if entry.deleted:
            self._seen_versions[(owner, record_id, field)] = entry.version
            raise VaultNotFoundError(f"field {field!r} of record {record_id.hex()} was deleted")
        record_key = self._record_key(owner, record_id, entry.key_epoch)
        blob = self.server.get_blob(entry.content_hash)
        if type(blob) is not bytes:
            raise VaultMalformedError("the server returned no bytes")
        if content_hash(blob) != entry.content_hash:
            envelope = parse_envelope(blob)
            if envelope.version < entry.version:
                raise VaultRollbackError(f"the server returned version {envelope.version}, the chain says {entry.version}")
            raise VaultHashMismatchError("the blob does not hash to the entry's content hash")
        plaintext = open_field(record_key, FieldAddress(owner, record_id, field, entry.version, entry.key_epoch), blob)
        self._seen_versions[(owner, record_id, field)] = entry.version
        return plaintext

    def _grant(self, owner: str, record_id: bytes, reader: str) -> Grant:
        raw = self.server.grant(owner, record_id, reader)
        if raw is None:
            raise VaultNoAccessError(f"{reader!r} holds no grant for record {record_id.hex()}")
        grant = parse_grant(raw)
        if (grant.owner, grant.record_id, grant.reader) != (owner, record_id, reader):
            raise VaultTamperedError("the server answered with another grant")
        return grant

    def _current_record_key(self, owner: str, record_id: bytes) -> tuple[int, bytes]:
        grant = self._grant(owner, record_id, self.account)
        return grant.key_epoch, self._open_grant(grant)

    def _record_key(self, owner: str, record_id: bytes, key_epoch: int) -> bytes:
        grant = self._grant(owner, record_id, self.account)
        if grant.key_epoch < key_epoch:
            raise VaultNoAccessError(f"access to record {record_id.hex()} was revoked (the record was re-keyed)")
        if grant.key_epoch != key_epoch:
            raise VaultTamperedError("the grant's key epoch is newer than the entry's")
        return self._open_grant(grant)

    def _open_grant(self, grant: Grant) -> bytes:
        ctx = record_key_context(grant.owner, grant.record_id, grant.key_epoch)
        if grant.owner == self.account:
            if grant.reader_key != OWNER_GRANT_KEY:
                raise VaultTamperedError("the owner's grant must be wrapped by the vault key")
            return unwrap_symmetric(self._require_vault_key(), grant.wrapped_key, ctx)
        if grant.reader_key != self.public_key:
            raise VaultKeyMismatchError("the grant is wrapped to a key that is not this identity's (key substitution)")
        sender = Party(grant.owner, verified_key(self.directory, grant.owner))
        return unwrap_from(self._secret, sender, Party(self.account, self.public_key), grant.wrapped_key, ctx)

    # -- sharing ---------------------------------------------------------------------------

    def _reader_grant(self, record_id: bytes, reader: str, reader_key: bytes, record_key: bytes, key_epoch: int) -> Action:
        wrapped = wrap_to(
            self._secret,
            Party(self.account, self.public_key),
            Party(reader, reader_key),
            record_key,
            record_key_context(self.account, record_id, key_epoch),
        )
        return ("grant", self._grant_data(record_id, reader, reader_key, key_epoch, wrapped))

    def share(self, record_id: bytes, reader: str, offered_key: bytes | None = None) -> None:
        """Grant ``reader`` read access: the record key wrapped to its directory-verified X25519 key.

        ``offered_key`` is a key someone else (the server, a contact card) proposed for
        the reader; it must equal the directory's (``vault.key_mismatch``).
        """
        if reader == self.account:
            raise VaultMalformedError("the owner already holds its own records")
        reader_key = verified_key(self.directory, reader, offered_key)
        key_epoch, record_key = self._current_record_key(self.account, record_id)
        self.server.submit(self.account, [self._reader_grant(record_id, reader, reader_key, record_key, key_epoch)])

    def readers(self, record_id: bytes) -> list[str]:
        grants = [parse_grant(raw) for raw in self.server.grants(self.account, check_record_id(record_id))]
        return sorted(g.reader for g in grants if g.reader != self.account and g.owner == self.account)

    def _rekey_record(self, record_id: bytes, drop: Sequence[str]) -> list[Action]:
        """Actions that re-encrypt every live field under a new record key and re-grant the remaining readers."""
        grants = [parse_grant(raw) for raw in self.server.grants(self.account, record_id)]
        if any(g.owner != self.account or g.record_id != record_id for g in grants):
            raise VaultTamperedError("the server listed grants of another record")
        readers = sorted({g.reader for g in grants} - {self.account} - set(drop))
        fresh_keys = {}
        for grant in grants:
            if grant.reader in readers:
                # A grant the chain holds for a key other than the reader's identity record
                # was substituted; re-wrapping would hand the new key to whoever holds it.
                fresh_keys[grant.reader] = verified_key(self.directory, grant.reader, grant.reader_key)
        old_epoch = max((g.key_epoch for g in grants if g.reader == self.account), default=0)
        if old_epoch == 0:
            raise VaultNoAccessError(f"record {record_id.hex()} has no owner grant")
        new_epoch = old_epoch + 1
        new_key = os.urandom(KEY_BYTES)
        actions: list[Action] = []
        for raw in self.server.fields(self.account, record_id):
            entry = parse_entry(raw)
            if entry.owner != self.account or entry.record_id != record_id:
                raise VaultTamperedError("the server listed fields of another record")
            if entry.deleted:
                continue
            plaintext = self.read(self.account, record_id, entry.field)
            actions.append(self._sealed_put(record_id, entry.field, plaintext, entry.version + 1, new_key, new_epoch))
        actions.append(self._owner_grant(record_id, new_key, new_epoch))
        for reader in readers:
            actions.append(self._reader_grant(record_id, reader, fresh_keys[reader], new_key, new_epoch))
        for reader in drop:
            actions.append(("revoke", {"owner": self.account, "record_id": record_id, "reader": reader}))
        return actions

    def revoke(self, record_id: bytes, reader: str) -> None:
        """Remove ``reader``: re-encrypt under a new record key, re-wrap for the readers who remain.

        The revoked reader may have kept the old key and old ciphertexts; it cannot
        read anything written after this.
        """
        check_record_id(record_id)
        if reader not in self.readers(record_id):
            raise VaultNoAccessError(f"{reader!r} holds no grant for record {record_id.hex()}")
        actions = self._rekey_record(record_id, [reader])
        self.server.submit(self.account, actions)
        for action, data in actions:
            if action == "put":
                self._seen_versions[(self.account, record_id, data["field"])] = data["version"]

    def record_ids(self) -> list[bytes]:
        return parse_record_ids(self.server.records(self.account))
