"""An identity whose root seed is in memory: the only object that can sign.

It keeps the root seed in a ``bytearray`` and :meth:`close` (or leaving the
``with`` block) overwrites it. Python may still hold copies elsewhere (bytes
objects handed to the core), so this limits exposure rather than guaranteeing
erasure. Sub-keys are derived on demand and never cached.
"""

from __future__ import annotations

from types import TracebackType

from nacl.public import PrivateKey

from tonomy import _core
from tonomy.errors import IdentityClosedError, InvalidSignatureError, KeystoreTamperedError
from tonomy.wallet import derivation
from tonomy.wallet.identity_file import ActiveKey, IdentityFile


class UnlockedIdentity:
    def __init__(self, record: IdentityFile, root_seed: bytes) -> None:
        self._record = record
        self._seed: bytearray | None = bytearray(root_seed)

    # --- what it is -----------------------------------------------------------

    @property
    def record(self) -> IdentityFile:
        return self._record

    @property
    def identity_id(self) -> str:
        return self._record.identity_id

    @property
    def username(self) -> str:
        return self._record.username

    @property
    def network_id(self) -> bytes:
        return self._record.network_id

    @property
    def owner_public_key(self) -> bytes:
        return self._record.owner_public_key

    @property
    def active_public_key(self) -> bytes:
        return self._record.current_active.public_key

    @property
    def active_generation(self) -> int:
        return self._record.current_active.generation

    @property
    def active_history(self) -> tuple[ActiveKey, ...]:
        return self._record.active_keys

    @property
    def x25519_public_key(self) -> bytes:
        return self._record.x25519_public_key

    # --- secrets ----------------------------------------------------------------

    def _root(self) -> bytes:
        if self._seed is None:
            raise IdentityClosedError("this identity was closed; unlock it again")
        return bytes(self._seed)

    def sign_owner(self, message: bytes) -> bytes:
        return _core.ed25519_sign(derivation.owner_seed(self._root()), message)

    def sign_active(self, message: bytes) -> bytes:
        return _core.ed25519_sign(derivation.active_seed(self._root(), self.active_generation), message)

    def x25519_private_key(self) -> PrivateKey:
        return derivation.x25519_secret(self._root())

    def vault_key(self) -> bytes:
        return derivation.vault_key(self._root())

    def root_seed_for_sealing(self) -> bytes:
        """The root seed, for the keystore to re-seal it; not for application code."""
        return self._root()

    def verify_active(self, message: bytes, signature: bytes) -> ActiveKey:
        """Which active key generation (current or retired) signed ``message``; InvalidSignatureError if none."""
        return verify_with_history(self._record.active_keys, message, signature)

    # --- lifetime -------------------------------------------------------------

    def _replace_record(self, record: IdentityFile) -> None:
        """The keystore updates the record after a change it has persisted (rotation, re-sealing)."""
        if record.identity_id != self._record.identity_id:
            raise ValueError("a record can only be replaced by one of the same identity")
        self._record = record

    def close(self) -> None:
        if self._seed is not None:
            for i in range(len(self._seed)):
                self._seed[i] = 0
            self._seed = None

    @property
    def closed(self) -> bool:
        return self._seed is None

    def __enter__(self) -> UnlockedIdentity:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never the seed
        state = "closed" if self.closed else "open"
        return f"UnlockedIdentity({self.username!r}, id={self.identity_id}, {state})"


def verify_with_history(history: tuple[ActiveKey, ...], message: bytes, signature: bytes) -> ActiveKey:
    """Check ``signature`` against every active key the identity has had, newest first."""
    for key in reversed(history):
        try:
            _core.ed25519_verify(key.public_key, message, signature)
        except InvalidSignatureError:
            continue
        return key
    raise InvalidSignatureError("no active key of this identity, current or retired, made this signature")


def check_seed_matches(record: IdentityFile, root_seed: bytes) -> None:
    """Every public key in the record must derive from ``root_seed``; else the record was altered."""
    keys = derivation.public_keys(root_seed, record.current_active.generation)
    if keys.owner != record.owner_public_key or keys.x25519 != record.x25519_public_key:
        raise KeystoreTamperedError(f"identity {record.identity_id}: stored public keys do not match its seed")
    for active in record.active_keys:
        derived = _core.ed25519_public_key(derivation.active_seed(root_seed, active.generation))
        if derived != active.public_key:
            raise KeystoreTamperedError(
                f"identity {record.identity_id}: active key generation {active.generation} does not match its seed"
            )
