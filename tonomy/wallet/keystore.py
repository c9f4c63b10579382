"""The keystore: a private directory holding the identities of one device.

::

    <root>/                  0700
      device.json            this device's random id and name
      identities/<id>/       0700, one folder per identity (id = 32 hex chars)
        identity.json        public record + root seed sealed by the device key
        pin.json             device key sealed by Argon2id(PIN), attempt counter
        records.json         devices and app sessions (no secrets)

Every file is written atomically with mode 0600. Two ways in: the PIN (day to
day: PIN → device key → root seed) and the passphrase (always: re-derives the
root seed with Argon2id and checks it against the stored owner key). Neither the
passphrase, the PIN, the root seed nor any private key is ever written in the clear.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from tonomy.errors import (
    IdentityExistsError,
    KeystoreCorruptError,
    TonomyError,
    UnknownIdentityError,
    WalletLockedError,
    WrongPassphraseError,
)
from tonomy.wallet import derivation
from tonomy.wallet.device import DeviceInfo, load_or_create_device
from tonomy.wallet.files import ensure_private_dir, fsync_dir, locked_dir, read_json, remove_file, write_json
from tonomy.wallet.identity_file import ActiveKey, IdentityFile
from tonomy.wallet.kdf import PASSPHRASE_DEFAULT, PIN_DEFAULT, KdfParams
from tonomy.wallet.pin_lock import DEFAULT_MAX_ATTEMPTS, load_pin_lock, new_pin_lock, unwrap_device_key
from tonomy.wallet.pin_policy import check_pin
from tonomy.wallet.records import DeviceRecord, Records, SessionRecord, new_record_id
from tonomy.wallet.sealing import KEY_BYTES, open_sealed, seal
from tonomy.wallet.unlocked import UnlockedIdentity, check_seed_matches

_ID = re.compile(r"[0-9a-f]{32}")
IDENTITY_FILE = "identity.json"
PIN_FILE = "pin.json"
RECORDS_FILE = "records.json"


@dataclass(frozen=True)
class IdentitySummary:
    """What listing shows without unlocking; ``problem`` is an error code if the files are unreadable."""

    identity_id: str
    username: str | None
    network_id: bytes | None
    owner_public_key: bytes | None
    active_generation: int | None
    has_device_key: bool
    problem: str | None = None


def _now() -> int:
    return int(time.time())


class Keystore:
    def __init__(
        self, root: str | os.PathLike[str], *, device_name: str = "this device", clock: Callable[[], int] = _now
    ) -> None:
        self.root = ensure_private_dir(Path(root))
        self._identities = ensure_private_dir(self.root / "identities")
        self._clock = clock
        self.device: DeviceInfo = load_or_create_device(self.root / "device.json", device_name, clock())

    # --- paths and loading ------------------------------------------------------

    def _dir(self, identity_id: str) -> Path:
        if type(identity_id) is not str or not _ID.fullmatch(identity_id):
            raise UnknownIdentityError(f"{str(identity_id)[:40]!r} is not an identity id")
        return self._identities / identity_id

    def identity_dir(self, identity_id: str) -> Path:
        """The folder of an existing identity (for stores kept beside it, e.g. credentials)."""
        self._load(identity_id)
        return self._dir(identity_id)

    @contextmanager
    def _locked(self, identity_id: str) -> Iterator[Path]:
        """Serialise every change to one identity (PIN attempts above all) across processes."""
        folder = self._dir(identity_id)
        try:
            with locked_dir(folder):
                yield folder
        except FileNotFoundError as err:
            if err.filename is not None and Path(err.filename) == folder:
                raise UnknownIdentityError(f"no identity {identity_id} on this device") from None
            raise

    def _load(self, identity_id: str) -> IdentityFile:
        folder = self._dir(identity_id)
        try:
            raw = read_json(folder / IDENTITY_FILE)
        except FileNotFoundError:
            raise UnknownIdentityError(f"no identity {identity_id} on this device") from None
        return IdentityFile.from_dict(raw, identity_id)

    def _save(self, record: IdentityFile) -> None:
        write_json(self._dir(record.identity_id) / IDENTITY_FILE, record.to_dict())

    def _load_records(self, identity_id: str) -> Records:
        self._load(identity_id)  # the identity must exist (and be readable)
        try:
            return Records.from_dict(read_json(self._dir(identity_id) / RECORDS_FILE), identity_id)
        except FileNotFoundError:
            return Records(identity_id)

    def _save_records(self, records: Records) -> None:
        write_json(self._dir(records.identity_id) / RECORDS_FILE, records.to_dict())

    # --- identities -------------------------------------------------------------

    def list_identities(self) -> list[IdentitySummary]:
        """Every identity folder, sorted by id; unreadable ones are listed with their error code."""
        found: list[IdentitySummary] = []
        for entry in sorted(self._identities.iterdir()):
            if not entry.is_dir() or not _ID.fullmatch(entry.name):
                continue
            try:
                record = self._load(entry.name)
                try:
                    has_key = not load_pin_lock(entry / PIN_FILE, entry.name).wiped
                except WalletLockedError:
                    has_key = False
            except TonomyError as err:
                found.append(IdentitySummary(entry.name, None, None, None, None, False, err.code))
                continue
            found.append(
                IdentitySummary(
                    record.identity_id,
                    record.username,
                    record.network_id,
                    record.owner_public_key,
                    record.current_active.generation,
                    has_key and record.sealed_root_seed is not None,
                )
            )
        return found

    def create_identity(
        self,
        username: str,
        network_id: bytes,
        passphrase: str,
        pin: str,
        *,
        kdf: KdfParams = PASSPHRASE_DEFAULT,
        pin_kdf: KdfParams = PIN_DEFAULT,
        max_pin_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> UnlockedIdentity:
        """A new identity on this device (the chain registration comes later)."""
        return self._install(username, network_id, passphrase, pin, kdf, pin_kdf, max_pin_attempts, None)

    def restore_identity(
        self,
        username: str,
        network_id: bytes,
        passphrase: str,
        pin: str,
        *,
        kdf: KdfParams = PASSPHRASE_DEFAULT,
        pin_kdf: KdfParams = PIN_DEFAULT,
        max_pin_attempts: int = DEFAULT_MAX_ATTEMPTS,
        expected_owner_public_key: bytes | None = None,
        active_generation: int = 0,
    ) -> UnlockedIdentity:
        """The same identity on a new device, from its passphrase.

        ``kdf`` must be the parameters the identity was created with (they may come
        from a server: they are checked against the floor before any work).
        ``expected_owner_public_key`` (from the chain) turns a wrong passphrase into
        ``wallet.wrong_passphrase`` instead of a different identity.
        """
        return self._install(
            username,
            network_id,
            passphrase,
            pin,
            kdf,
            pin_kdf,
            max_pin_attempts,
            expected_owner_public_key,
            active_generation,
        )

    def _install(
        self,
        username: str,
        network_id: bytes,
        passphrase: str,
        pin: str,
        kdf: KdfParams,
        pin_kdf: KdfParams,
        max_pin_attempts: int,
        expected_owner: bytes | None,
        active_generation: int = 0,
    ) -> UnlockedIdentity:
        username = derivation.normalise_username(username)
        ident = derivation.identity_id(username, network_id)
        folder = self._dir(ident)
        if (folder / IDENTITY_FILE).exists():
            raise IdentityExistsError(f"identity {ident} ({username}) is already on this device")
        check_pin(pin)  # cheap checks first, before the slow derivation
        kdf.check()
        pin_kdf.check()
        root_seed = derivation.derive_root_seed(passphrase, username, network_id, kdf)
        keys = derivation.public_keys(root_seed, active_generation)
        if expected_owner is not None and keys.owner != expected_owner:
            raise WrongPassphraseError("this passphrase does not derive the identity's owner key")
        ensure_private_dir(folder)
        with self._locked(ident):
            if (folder / IDENTITY_FILE).exists():  # another process won the race
                raise IdentityExistsError(f"identity {ident} ({username}) is already on this device")
            return self._write_new_identity(
                ident, username, network_id, kdf, root_seed, keys, pin, pin_kdf, max_pin_attempts
            )

    def _write_new_identity(
        self,
        ident: str,
        username: str,
        network_id: bytes,
        kdf: KdfParams,
        root_seed: bytes,
        keys: derivation.PublicKeys,
        pin: str,
        pin_kdf: KdfParams,
        max_pin_attempts: int,
    ) -> UnlockedIdentity:
        now = self._clock()
        record = IdentityFile(
            identity_id=ident,
            username=username,
            network_id=network_id,
            kdf=kdf,
            owner_public_key=keys.owner,
            x25519_public_key=keys.x25519,
            active_keys=(ActiveKey(keys.active_generation, keys.active, now),),
            created_at=now,
        )
        record = self._seal_with_new_pin(record, root_seed, pin, pin_kdf, max_pin_attempts)
        records = Records(ident).with_device(self.device.device_id, self.device.name, now)
        self._save_records(records)
        fsync_dir(self._identities)
        return UnlockedIdentity(record, root_seed)

    def _seal_with_new_pin(
        self, record: IdentityFile, root_seed: bytes, pin: str, pin_kdf: KdfParams, max_attempts: int
    ) -> IdentityFile:
        """Fresh device key: seal the seed with it, wrap it under the PIN, write both files."""
        device_key = os.urandom(KEY_BYTES)
        lock = new_pin_lock(record.identity_id, pin, device_key, pin_kdf, max_attempts)
        sealed = record.with_sealed_seed(seal(device_key, root_seed, record.seal_context()))
        self._save(sealed)  # seed sealed under the new key first, then the key's wrapper
        write_json(self._dir(record.identity_id) / PIN_FILE, lock.to_dict())
        return sealed

    def unlock_with_pin(self, identity_id: str, pin: str) -> UnlockedIdentity:
        """Day-to-day unlock; ``wallet.wrong_pin`` / ``wallet.locked`` as the attempt counter decides."""
        with self._locked(identity_id) as folder:
            record = self._load(identity_id)
            try:
                device_key = unwrap_device_key(folder / PIN_FILE, identity_id, pin)
            except WalletLockedError:
                self._forget_sealed_seed(record)
                raise
        if record.sealed_root_seed is None:
            raise WalletLockedError(f"identity {identity_id} has no sealed seed on this device: use the passphrase")
        root_seed = open_sealed(device_key, record.sealed_root_seed, record.seal_context())
        if len(root_seed) != derivation.SEED_BYTES:
            raise KeystoreCorruptError(f"identity {identity_id}: the sealed seed has the wrong length")
        check_seed_matches(record, root_seed)
        return UnlockedIdentity(record, root_seed)

    def _forget_sealed_seed(self, record: IdentityFile) -> None:
        if record.sealed_root_seed is not None:
            self._save(record.with_sealed_seed(None))

    def unlock_with_passphrase(self, identity_id: str, passphrase: str) -> UnlockedIdentity:
        """Always possible, also after a PIN lock-out; does not touch the PIN state."""
        record = self._load(identity_id)  # refuses weak stored parameters before deriving
        root_seed = derivation.derive_root_seed(passphrase, record.username, record.network_id, record.kdf)
        if derivation.public_keys(root_seed).owner != record.owner_public_key:
            raise WrongPassphraseError(f"this passphrase does not open identity {identity_id}")
        check_seed_matches(record, root_seed)
        return UnlockedIdentity(record, root_seed)

    def set_pin(
        self,
        unlocked: UnlockedIdentity,
        pin: str,
        *,
        pin_kdf: KdfParams = PIN_DEFAULT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        """Set or change the PIN: a new device key replaces the old one (after a lock-out too)."""
        check_pin(pin)
        with self._locked(unlocked.identity_id):
            record = self._load(unlocked.identity_id)
            check_seed_matches(record, unlocked.root_seed_for_sealing())
            record = self._seal_with_new_pin(record, unlocked.root_seed_for_sealing(), pin, pin_kdf, max_attempts)
        unlocked._replace_record(record)

    def pin_attempts_left(self, identity_id: str) -> int:
        self._load(identity_id)
        try:
            return load_pin_lock(self._dir(identity_id) / PIN_FILE, identity_id).attempts_left
        except WalletLockedError:
            return 0

    def remove_identity(self, identity_id: str) -> None:
        """Delete the identity from this device (the passphrase can bring it back)."""
        with self._locked(identity_id) as folder:
            # The device key first: from then on the sealed seed is unreadable even if the rest lingers.
            remove_file(folder / PIN_FILE)
            shutil.rmtree(folder)
        fsync_dir(self._identities)

    # --- active key rotation ------------------------------------------------------

    def rotate_active_key(self, unlocked: UnlockedIdentity) -> ActiveKey:
        """Make the next active key generation current; the old key stays in the history, retired."""
        with self._locked(unlocked.identity_id):
            record = self._load(unlocked.identity_id)
            root_seed = unlocked.root_seed_for_sealing()
            check_seed_matches(record, root_seed)
            now = self._clock()
            current = record.current_active
            generation = current.generation + 1
            public = derivation.public_keys(root_seed, generation).active
            new_key = ActiveKey(generation, public, now)
            history = record.active_keys[:-1] + (replace(current, retired_at=now), new_key)
            record = replace(record, active_keys=history)
            self._save(record)
        unlocked._replace_record(record)
        return new_key

    # --- devices and app sessions -------------------------------------------------

    def devices(self, identity_id: str, *, include_revoked: bool = False) -> list[DeviceRecord]:
        records = self._load_records(identity_id)
        return [d for d in records.devices if include_revoked or d.active]

    def add_device(self, identity_id: str, name: str, public_key: bytes | None = None) -> DeviceRecord:
        """Record another device of this identity (its id is new and random)."""
        with self._locked(identity_id):
            records = self._load_records(identity_id).with_device(new_record_id(), name, self._clock(), public_key)
            self._save_records(records)
        return records.devices[-1]

    def revoke_device(self, identity_id: str, device_id: str) -> None:
        with self._locked(identity_id):
            self._save_records(self._load_records(identity_id).revoke_device(device_id, self._clock()))

    def sessions(self, identity_id: str, *, include_inactive: bool = False) -> list[SessionRecord]:
        now = self._clock()
        return [s for s in self._load_records(identity_id).sessions if include_inactive or s.is_active(now)]

    def add_session(
        self,
        identity_id: str,
        app: str,
        public_key: bytes,
        *,
        scopes: tuple[str, ...] = (),
        expires_at: int | None = None,
    ) -> SessionRecord:
        """Record that ``app`` holds a session key for this identity on this device."""
        with self._locked(identity_id):
            records, session = self._load_records(identity_id).with_session(
                app, self.device.device_id, public_key, tuple(scopes), self._clock(), expires_at
            )
            self._save_records(records)
        return session

    def revoke_session(self, identity_id: str, session_id: str) -> None:
        with self._locked(identity_id):
            self._save_records(self._load_records(identity_id).revoke_session(session_id, self._clock()))

