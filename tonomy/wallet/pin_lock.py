"""``pin.json``: the device key wrapped by a PIN, with a persisted attempt counter.

The device key is 32 random bytes that seal the identity's root seed on this
device. It is sealed (context: format version, identity id, ``device-key``)
under ``Argon2id(PIN, random salt)``. Unwrapping follows a strict order so that
killing the process mid-try cannot give free guesses:

1. the failure counter is incremented and the file durably written;
2. only then is the PIN tried;
3. success writes the counter back to zero; failure leaves it counted, and the
   last allowed failure wipes the sealed device key (the file keeps the counter
   so the state is visible), after which only the passphrase opens the identity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tonomy.errors import InvalidInputError, KeystoreTamperedError, WalletLockedError, WrongPinError
from tonomy.wallet import fields
from tonomy.wallet.files import read_json, write_json
from tonomy.wallet.kdf import SALT_BYTES, KdfParams, derive_key
from tonomy.wallet.pin_policy import check_pin
from tonomy.wallet.sealing import KEY_BYTES, Sealed, SealContext, open_sealed, seal

FORMAT = "tonomy-wallet-pin"
VERSION = 1
PURPOSE_DEVICE_KEY = "device-key"
DEFAULT_MAX_ATTEMPTS = 5
#: A file may lower the limit but never raise it past this.
MAX_ATTEMPTS_CEILING = 10


@dataclass(frozen=True)
class PinLock:
    identity_id: str
    kdf: KdfParams
    salt: bytes
    failures: int
    max_attempts: int
    sealed_device_key: Sealed | None

    @property
    def wiped(self) -> bool:
        return self.sealed_device_key is None

    @property
    def attempts_left(self) -> int:
        return 0 if self.wiped else max(0, self.max_attempts - self.failures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "identity_id": self.identity_id,
            "kdf": self.kdf.to_dict(),
            "salt": self.salt.hex(),
            "failures": self.failures,
            "max_attempts": self.max_attempts,
            "sealed_device_key": None if self.sealed_device_key is None else self.sealed_device_key.to_dict(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any], expected_id: str) -> PinLock:
        what = "pin.json"
        fields.check_header(raw, FORMAT, VERSION, what)
        raw = fields.require_keys(
            raw,
            what,
            {"format", "version", "identity_id", "kdf", "salt", "failures", "max_attempts", "sealed_device_key"},
        )
        kdf = KdfParams.from_dict(raw["kdf"])
        ident = fields.hex_id(raw["identity_id"], 16, f"{what}.identity_id")
        if ident != expected_id:
            raise KeystoreTamperedError(f"{what} belongs to identity {ident}, found in the folder of {expected_id}")
        sealed = raw["sealed_device_key"]
        return cls(
            identity_id=ident,
            kdf=kdf,
            salt=fields.hex_bytes(raw["salt"], SALT_BYTES, f"{what}.salt"),
            failures=fields.integer(raw["failures"], f"{what}.failures", 0, MAX_ATTEMPTS_CEILING),
            max_attempts=fields.integer(raw["max_attempts"], f"{what}.max_attempts", 1, MAX_ATTEMPTS_CEILING),
            sealed_device_key=None if sealed is None else Sealed.from_dict(sealed, f"{what}.sealed_device_key"),
        )


def _context(identity_id: str) -> SealContext:
    return SealContext(VERSION, identity_id, PURPOSE_DEVICE_KEY)


def new_pin_lock(
    identity_id: str, pin: str, device_key: bytes, kdf: KdfParams, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> PinLock:
    """Wrap ``device_key`` under a checked PIN with a fresh salt."""
    check_pin(pin)
    kdf.check()
    if type(max_attempts) is not int or not 1 <= max_attempts <= MAX_ATTEMPTS_CEILING:
        raise InvalidInputError(f"max_attempts must be 1 to {MAX_ATTEMPTS_CEILING}")
    salt = os.urandom(SALT_BYTES)
    pin_key = derive_key(pin.encode("ascii"), salt, kdf, KEY_BYTES)
    sealed = seal(pin_key, device_key, _context(identity_id))
    return PinLock(identity_id, kdf, salt, 0, max_attempts, sealed)


def load_pin_lock(path: Path, identity_id: str) -> PinLock:
    try:
        return PinLock.from_dict(read_json(path), identity_id)
    except FileNotFoundError:
        raise WalletLockedError(
            f"identity {identity_id} has no PIN on this device: unlock it with the passphrase"
        ) from None


def unwrap_device_key(path: Path, identity_id: str, pin: str) -> bytes:
    """The device key for ``pin``; counts the attempt durably before trying it.

    The caller holds the identity folder's lock (``files.locked_dir``) so that
    concurrent attempts are counted one after the other. Raises
    ``wallet.wrong_pin`` (with ``attempts_left``) or, once the limit is reached
    and the key wiped, ``wallet.locked``.
    """
    lock = load_pin_lock(path, identity_id)
    if lock.sealed_device_key is None or lock.failures >= lock.max_attempts:
        if lock.sealed_device_key is not None:
            write_json(path, replace(lock, sealed_device_key=None).to_dict())
        raise WalletLockedError(f"identity {identity_id} is locked on this device: unlock it with the passphrase")
    if type(pin) is not str or not pin.isascii() or not pin.isdigit() or len(pin) > 64:
        # Not a PIN at all: no Argon2id run, but the attempt still counts below
        pin_bytes = None
    else:
        pin_bytes = pin.encode("ascii")
    counted = replace(lock, failures=lock.failures + 1)
    write_json(path, counted.to_dict())  # durable BEFORE the try
    device_key: bytes | None = None
    if pin_bytes is not None:
        pin_key = derive_key(pin_bytes, lock.salt, lock.kdf, KEY_BYTES)
        try:
            device_key = open_sealed(pin_key, lock.sealed_device_key, _context(identity_id))
        except KeystoreTamperedError:
            device_key = None
    if device_key is not None and len(device_key) == KEY_BYTES:
        write_json(path, replace(counted, failures=0).to_dict())
        return device_key
    if counted.failures >= counted.max_attempts:
        write_json(path, replace(counted, sealed_device_key=None).to_dict())
        raise WalletLockedError(
            f"wrong PIN {counted.failures} times: the device key of identity {identity_id} is wiped; "
            "unlock it with the passphrase"
        )
    left = counted.max_attempts - counted.failures
    raise WrongPinError(f"wrong PIN; {left} attempt(s) left before the device key is wiped", attempts_left=left)

