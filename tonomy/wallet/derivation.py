"""The derivation tree: (passphrase, username, network) → root seed → sub-keys.

::

    salt      = BLAKE3_tagged("tonomy/wallet/salt/v1", len(user) ‖ user ‖ network_id)[:16]
    root seed = Argon2id(normalised passphrase, salt, params)             32 bytes
    owner     = BLAKE3_tagged("tonomy/wallet/owner/v1",  root)            Ed25519 seed
    active n  = BLAKE3_tagged("tonomy/wallet/active/v1", root ‖ u32be n)  Ed25519 seed, generation n
    x25519    = BLAKE3_tagged("tonomy/wallet/x25519/v1", root)            X25519 secret (clamped by libsodium)
    vault     = BLAKE3_tagged("tonomy/wallet/vault/v1",  root)            32-byte symmetric key

Everything is deterministic, so typing the passphrase on a new device gives the
same keys. The salt binds the seed to one username on one network: the same
passphrase used for two accounts (or on testnet and mainnet) gives unrelated keys,
and an attacker cannot precompute guesses for every user at once. Sub-keys are
one-way from the root: leaking an active key reveals neither the root nor the owner key.
"""

from __future__ import annotations

from dataclasses import dataclass

from nacl.public import PrivateKey

from tonomy import _core
from tonomy.chain.names import validate_account_name
from tonomy.errors import InvalidAccountNameError, InvalidInputError
from tonomy.wallet.kdf import SALT_BYTES, KdfParams, derive_key
from tonomy.wallet.passphrase import check_passphrase

NETWORK_ID_BYTES = 32
SEED_BYTES = 32
MAX_ACTIVE_GENERATION = 2**32 - 1

TAG_SALT = "tonomy/wallet/salt/v1"
TAG_IDENTITY_ID = "tonomy/wallet/identity-id/v1"
TAG_OWNER = "tonomy/wallet/owner/v1"
TAG_ACTIVE = "tonomy/wallet/active/v1"
TAG_X25519 = "tonomy/wallet/x25519/v1"
TAG_VAULT = "tonomy/wallet/vault/v1"


def normalise_username(username: str) -> str:
    """Trimmed and lowercased, then checked against the account-name rule (``account.invalid_name``)."""
    if type(username) is not str:
        raise InvalidAccountNameError(f"a username must be a string, got {type(username).__name__}")
    return validate_account_name(username.strip().lower())


def check_network_id(network_id: bytes) -> bytes:
    if type(network_id) is not bytes or len(network_id) != NETWORK_ID_BYTES:
        raise InvalidInputError(f"a network id is the {NETWORK_ID_BYTES}-byte chain id")
    return network_id


def _binding(username: str, network_id: bytes) -> bytes:
    user = normalise_username(username).encode("ascii")
    return bytes([len(user)]) + user + check_network_id(network_id)


def identity_salt(username: str, network_id: bytes) -> bytes:
    """The Argon2id salt of an identity: public, deterministic, unique per (username, network)."""
    return _core.hash_tagged(TAG_SALT, _binding(username, network_id))[:SALT_BYTES]


def identity_id(username: str, network_id: bytes) -> str:
    """The identity's id on every device: 32 hex characters (safe as a file name)."""
    return _core.hash_tagged(TAG_IDENTITY_ID, _binding(username, network_id))[:16].hex()


def derive_root_seed(passphrase: str, username: str, network_id: bytes, params: KdfParams) -> bytes:
    """Argon2id over the checked, normalised passphrase; refuses weak parameters (``wallet.weak_kdf``)."""
    params.check()
    normalised = check_passphrase(passphrase)
    return derive_key(normalised.encode("utf-8"), identity_salt(username, network_id), params, SEED_BYTES)


def _check_seed(root_seed: bytes) -> None:
    if len(root_seed) != SEED_BYTES:
        raise InvalidInputError(f"a root seed is {SEED_BYTES} bytes")


def owner_seed(root_seed: bytes) -> bytes:
    _check_seed(root_seed)
    return _core.hash_tagged(TAG_OWNER, bytes(root_seed))


def active_seed(root_seed: bytes, generation: int) -> bytes:
    _check_seed(root_seed)
    if type(generation) is not int or not 0 <= generation <= MAX_ACTIVE_GENERATION:
        raise InvalidInputError("an active key generation is an integer from 0 to 2^32-1")
    return _core.hash_tagged(TAG_ACTIVE, bytes(root_seed) + generation.to_bytes(4, "big"))


def x25519_secret(root_seed: bytes) -> PrivateKey:
    _check_seed(root_seed)
    return PrivateKey(_core.hash_tagged(TAG_X25519, bytes(root_seed)))


def vault_key(root_seed: bytes) -> bytes:
    _check_seed(root_seed)
    return _core.hash_tagged(TAG_VAULT, bytes(root_seed))


@dataclass(frozen=True)
class PublicKeys:
    """The public half of an identity's keys (what the chain will hold)."""

    owner: bytes
    active: bytes
    active_generation: int
    x25519: bytes


def public_keys(root_seed: bytes, active_generation: int = 0) -> PublicKeys:
    return PublicKeys(
        owner=_core.ed25519_public_key(owner_seed(root_seed)),
        active=_core.ed25519_public_key(active_seed(root_seed, active_generation)),
        active_generation=active_generation,
        x25519=bytes(x25519_secret(root_seed).public_key),
    )
