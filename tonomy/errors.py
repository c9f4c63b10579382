"""The Tonomy exception hierarchy, keyed by stable codes.

Every error a user or client can see carries a ``code`` of the form
``domain.reason`` that never changes meaning. Classes subclass the stdlib
exception whose meaning matches, so ``except ValueError`` still works.
The native core raises through :func:`from_core`, so the code → class table
lives here and only here.
"""

from __future__ import annotations

from typing import ClassVar


class TonomyError(Exception):
    """Base of every Tonomy error; ``code`` is stable, the message is for people."""

    code: ClassVar[str] = "tonomy.error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" if self.message else f"[{self.code}]"


class InvalidInputError(TonomyError, ValueError):
    code = "core.invalid_input"


class MalformedError(TonomyError, ValueError):
    code = "wire.malformed"


class TooLargeError(MalformedError):
    code = "wire.too_large"


class InvalidPublicKeyError(TonomyError, ValueError):
    code = "crypto.invalid_public_key"


class InvalidSignatureError(TonomyError, ValueError):
    code = "crypto.invalid_signature"


class InvalidProofError(TonomyError, ValueError):
    code = "proof.invalid"


class NotFoundError(TonomyError, KeyError):
    code = "store.not_found"

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return TonomyError.__str__(self)


class StorageError(TonomyError, OSError):
    code = "store.error"


class StorageFullError(StorageError):
    code = "store.full"


class ConflictError(StorageError):
    code = "store.conflict"


class InternalError(TonomyError, RuntimeError):
    code = "core.internal"


class PluginError(TonomyError, RuntimeError):
    """A plugin failed to load, or broke the plugin contract; the message names it.

    ``plugin`` and ``entry_point`` repeat what the message says, for code that
    wants to act on them (the CLI, tests) without parsing text.
    """

    code = "plugin.error"

    def __init__(
        self,
        message: str = "",
        *,
        plugin: str | None = None,
        entry_point: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.plugin = plugin
        self.entry_point = entry_point


class PluginLoadError(PluginError):
    code = "plugin.load_failed"


class PluginConflictError(PluginError):
    code = "plugin.conflict"


class CodecError(MalformedError):
    """Bytes that are not the canonical encoding of a chain state value."""

    code = "codec.malformed"


class UnencodableError(InvalidInputError):
    """A value the canonical codec cannot represent (float, unsupported type, out-of-range int)."""

    code = "codec.unencodable"


class InvalidAccountNameError(TonomyError, ValueError):
    code = "account.invalid_name"


class InvalidAccountTypeError(TonomyError, ValueError):
    code = "account.invalid_type"


class ReservedAccountNameError(TonomyError, ValueError):
    """A system name (``tonomy`` or ``tonomy.*``) or the system type used outside genesis/system."""

    code = "account.reserved_name"


class AccountExistsError(TonomyError, ValueError):
    code = "account.exists"


class UnknownAccountError(TonomyError, LookupError):
    code = "auth.unknown_account"


class UnknownPermissionError(TonomyError, LookupError):
    code = "auth.unknown_permission"


class UnknownLinkError(TonomyError, LookupError):
    code = "auth.unknown_link"


class InvalidNameError(TonomyError, ValueError):
    """A permission, plugin or action name that breaks the naming rule."""

    code = "auth.invalid_name"


class InvalidAuthorityError(TonomyError, ValueError):
    """An authority definition that is malformed, unreachable or too large."""

    code = "auth.invalid_authority"


class InvalidPermissionUpdateError(TonomyError, ValueError):
    """A permission change that would break the tree rules (owner, active, parents, limits)."""

    code = "auth.invalid_permission_update"


class PermissionInUseError(TonomyError, ValueError):
    """A permission that still has children or linked actions cannot be deleted."""

    code = "auth.permission_in_use"


class InvalidLinkError(TonomyError, ValueError):
    code = "auth.invalid_link"


class InvalidAuthorizationError(TonomyError, ValueError):
    """An action's declared authorizations are malformed (duplicates, wrong count)."""

    code = "auth.invalid_authorization"


class InsufficientAuthorityError(TonomyError, PermissionError):
    """The declared permission is not allowed for the action, or its authority is not satisfied."""

    code = "auth.insufficient"


class IrrelevantSignatureError(TonomyError, PermissionError):
    """A transaction carries signatures that no checked authority used."""

    code = "auth.irrelevant_signature"


class AuthorityTooComplexError(TonomyError, PermissionError):
    """Checking the authorizations would evaluate more permissions than the limit allows."""

    code = "auth.too_complex"


class ActionFailedError(TonomyError, RuntimeError):
    """A plugin's handler refused an action; ``code`` is the plugin's own (``<plugin>.<reason>``)."""

    code = "tx.action_failed"


class ResourceLimitError(TonomyError, RuntimeError):
    """A transaction used more state operations or bytes than the limits allow."""

    code = "tx.resource_limit"


class MissingAuthorizationError(TonomyError, PermissionError):
    """An action's handler needs an authorization the action does not carry."""

    code = "tx.missing_authorization"


class UnknownQueryError(TonomyError, LookupError):
    code = "query.unknown"


# --- transaction admission and execution (docs/ledger.md) -----------------------------


class TransactionRejectedError(TonomyError, ValueError):
    """Base of every reason a transaction is refused before it runs; nothing is stored."""

    code = "tx.rejected"


class MalformedTransactionError(TransactionRejectedError):
    """The bytes are not a canonical SignedTransaction (the message names the field)."""

    code = "tx.malformed"


class TransactionTooLargeError(MalformedTransactionError):
    code = "tx.too_large"


class WrongChainError(TransactionRejectedError):
    code = "tx.wrong_chain"


class TransactionExpiredError(TransactionRejectedError):
    code = "tx.expired"


class ExpirationTooFarError(TransactionRejectedError):
    code = "tx.expiration_too_far"


class TaposError(TransactionRejectedError):
    """The reference block (refBlockNum/refBlockPrefix) is unknown or is not on this chain."""

    code = "tx.tapos"


class DuplicateTransactionError(TransactionRejectedError):
    code = "tx.duplicate"


class BadSignatureError(TransactionRejectedError):
    code = "tx.bad_signature"


class UnknownPluginError(TransactionRejectedError, LookupError):
    code = "tx.unknown_plugin"


class UnknownActionError(TransactionRejectedError, LookupError):
    code = "tx.unknown_action"


class InvalidActionDataError(TransactionRejectedError):
    """Action data that is not canonical-codec bytes or does not fit the action's schema."""

    code = "tx.invalid_data"


class TransactionUnauthorizedError(TransactionRejectedError, PermissionError):
    """The signatures do not authorize the actions; the message carries the checker's reason."""

    code = "tx.unauthorized"


class MempoolFullError(TransactionRejectedError):
    code = "tx.mempool_full"


class QuotaExceededError(TransactionRejectedError):
    """The account has used its share of the block or the mempool (anti-spam, no fees)."""

    code = "tx.quota_exceeded"


class PluginDisabledError(TransactionRejectedError, LookupError):
    """The plugin was disabled by governance (docs/upgrades.md): its actions and queries are refused."""

    code = "tx.plugin_disabled"


class HandlerCrashedError(TonomyError, RuntimeError):
    """A plugin handler raised something other than a Tonomy error (a bug in the plugin)."""

    code = "tx.handler_error"


class CapabilityDeniedError(TonomyError, PermissionError):
    """An app reached state, an action or a query its approved manifest does not list."""

    code = "tx.capability_denied"


class AppInactiveError(TonomyError, PermissionError):
    """An app ran outside its activation window (not yet activated, or revoked)."""

    code = "tx.app_inactive"


class AppRefusedError(TonomyError, ValueError):
    """An app package was refused at install or load (forbidden module, bad archive, hash mismatch)."""

    code = "app.refused"


class GenesisError(TonomyError, ValueError):
    code = "chain.invalid_genesis"


class ChainStateError(TonomyError, RuntimeError):
    """The data directory does not match the genesis or is inconsistent."""

    code = "chain.state"


class PluginVersionMissingError(ChainStateError):
    """State demands a plugin version this node has not loaded: the node halts rather than fork.

    The message names the plugin, the version, the height and what to install.
    """

    code = "chain.plugin_version_missing"


class PluginChangeRefusedError(TonomyError, ValueError):
    """A scheduled plugin activation, upgrade, disable or cancel that the lifecycle rules refuse."""

    code = "lifecycle.refused"


# --- wallet (client-side identity keys; tonomy.wallet) -----------------------


class WalletError(TonomyError):
    """Base of the client wallet's errors (``wallet.*``); raised on the device, never by a node."""

    code = "wallet.error"


class InvalidPassphraseError(WalletError, ValueError):
    """Not a wallet passphrase: too few words, or a word outside the word list."""

    code = "wallet.invalid_passphrase"


class WrongPassphraseError(WalletError, PermissionError):
    """A well-formed passphrase that does not derive this identity's keys."""

    code = "wallet.wrong_passphrase"


class WeakKdfError(WalletError, ValueError):
    """Key-derivation parameters below the floor or another algorithm (a downgrade is refused)."""

    code = "wallet.weak_kdf"


class InvalidKdfError(WalletError, ValueError):
    """Key-derivation parameters that are malformed or above the ceiling (memory/time bombs)."""

    code = "wallet.invalid_kdf"


class WeakPinError(WalletError, ValueError):
    """A PIN that breaks the PIN rules (too short, not digits, trivial)."""

    code = "wallet.weak_pin"


class WrongPinError(WalletError, PermissionError):
    """A wrong PIN; ``attempts_left`` says how many tries remain before the device key is wiped."""

    code = "wallet.wrong_pin"

    def __init__(self, message: str = "", *, attempts_left: int = 0, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.attempts_left = attempts_left


class WalletLockedError(WalletError, PermissionError):
    """No device key (never set, or wiped after too many wrong PINs): only the passphrase unlocks."""

    code = "wallet.locked"


class KeystoreCorruptError(WalletError, ValueError):
    """A keystore file that is truncated, not the keystore format, or has fields of the wrong shape."""

    code = "wallet.keystore_corrupt"


class KeystoreTamperedError(WalletError, ValueError):
    """Authenticated decryption failed or stored keys disagree with the seed: the file was altered or swapped."""

    code = "wallet.keystore_tampered"


class UnsupportedKeystoreVersionError(WalletError, ValueError):
    code = "wallet.unsupported_version"


class UnknownIdentityError(WalletError, LookupError):
    code = "wallet.unknown_identity"


class IdentityExistsError(WalletError, ValueError):
    code = "wallet.identity_exists"


class IdentityClosedError(WalletError, RuntimeError):
    """The unlocked identity was closed (its seed erased from memory); unlock it again."""

    code = "wallet.closed"


class UnknownRecordError(WalletError, LookupError):
    """No device or app-session record with that id for this identity."""

    code = "wallet.unknown_record"


def _all_error_classes() -> list[type[TonomyError]]:
    found: list[type[TonomyError]] = []
    pending: list[type[TonomyError]] = [TonomyError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


#: code → class for every error class defined in this module (and subclasses elsewhere).
ERRORS_BY_CODE: dict[str, type[TonomyError]] = {}


def register_error(cls: type[TonomyError]) -> type[TonomyError]:
    """Add an error class to the code table; codes are unique across Tonomy."""
    existing = ERRORS_BY_CODE.get(cls.code)
    if existing is not None and existing is not cls:
        raise ValueError(f"error code {cls.code!r} is already used by {existing.__qualname__}")
    ERRORS_BY_CODE[cls.code] = cls
    return cls


for _cls in _all_error_classes():
    register_error(_cls)


def from_core(code: str, message: str) -> TonomyError:
    """Build the exception for a code raised by the native core."""
    cls = ERRORS_BY_CODE.get(code, TonomyError)
    if cls is TonomyError:
        return TonomyError(message, code=code)
    return cls(message)


__all__ = [name for name, value in globals().items() if isinstance(value, type) and issubclass(value, TonomyError)] + [
    "ERRORS_BY_CODE",
    "from_core",
    "register_error",
]


# --- vault (private data): client library tonomy.vault and plugin vault ---------------------


class VaultError(TonomyError):
    """Base of the private-data vault's errors (client and node side)."""

    code = "vault.error"


class VaultMalformedError(VaultError, ValueError):
    """A vault format (record envelope, wrapped key, keyring, server answer) that does not parse."""

    code = "vault.malformed"


class VaultDowngradeError(VaultError, ValueError):
    """A format version or algorithm below the client's floor, offered by a server or a file."""

    code = "vault.downgrade"


class VaultWeakKdfError(VaultDowngradeError):
    """Key-derivation parameters below the floor (a downgrade of the passphrase work)."""

    code = "vault.weak_kdf"


class VaultUnsupportedVersionError(VaultError, ValueError):
    """A format version newer than this client reads (refused, not guessed at)."""

    code = "vault.unsupported_version"


class VaultTamperedError(VaultError, ValueError):
    """Authentication failed: a ciphertext swapped between records, fields, versions or keys, or altered."""

    code = "vault.tampered"


class VaultRollbackError(VaultError, ValueError):
    """An older version than one this client already saw (a replay)."""

    code = "vault.rollback"


class VaultKeyMismatchError(VaultError, ValueError):
    """A public key that disagrees with the identity record the caller trusts (key substitution)."""

    code = "vault.key_mismatch"


class VaultNoAccessError(VaultError, PermissionError):
    """This identity holds no grant for the record (never shared, or revoked)."""

    code = "vault.no_access"


class VaultNotFoundError(VaultError, LookupError):
    """No such record, field, blob or keyring."""

    code = "vault.not_found"

    def __str__(self) -> str:
        return TonomyError.__str__(self)


class VaultRecoveryError(VaultError, ValueError):
    """Recovery shares that are too few, duplicated, or do not rebuild the vault key."""

    code = "vault.recovery_failed"


class VaultHashMismatchError(VaultError, ValueError):
    """Bytes whose BLAKE3 content hash is not the one asked for (blob store, client fetch)."""

    code = "vault.hash_mismatch"


for _cls in (
    VaultError,
    VaultMalformedError,
    VaultDowngradeError,
    VaultWeakKdfError,
    VaultUnsupportedVersionError,
    VaultTamperedError,
    VaultRollbackError,
    VaultKeyMismatchError,
    VaultNoAccessError,
    VaultNotFoundError,
    VaultRecoveryError,
    VaultHashMismatchError,
):
    register_error(_cls)
    __all__.append(_cls.__name__)


class CredentialError(TonomyError, ValueError):
    """A verifiable credential or presentation fails a check (``credential.<reason>``).

    Reasons (docs/credentials.md): ``invalid_json``, ``malformed``, ``bad_proof``,
    ``bad_disclosure``, ``wrong_nonce``, ``wrong_domain``, ``expired``, ``revoked``,
    ``untrusted_issuer``, ``unknown_issuer``.
    """

    code = "credential.error"
