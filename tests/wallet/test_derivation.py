"""The derivation tree: deterministic, bound to username and network, sub-keys separated."""

from __future__ import annotations

import pytest
from nacl.public import Box, PrivateKey

from tonomy import _core
from tonomy.errors import InvalidAccountNameError, InvalidInputError, InvalidPassphraseError
from tonomy.wallet import (
    FLOOR,
    KdfParams,
    PASSPHRASE_DEFAULT,
    derive_root_seed,
    generate_passphrase,
    identity_id,
    identity_salt,
    normalise_username,
    public_keys,
)
from tonomy.wallet import derivation

NETWORK_ID = bytes(range(32))
OTHER_NETWORK = bytes(range(1, 33))


@pytest.fixture(scope="module")
def phrase() -> str:
    return generate_passphrase()


@pytest.fixture(scope="module")
def root(phrase: str) -> bytes:
    return derive_root_seed(phrase, "alice", NETWORK_ID, FLOOR)


def test_root_seed_is_deterministic_and_input_normalised(phrase: str, root: bytes) -> None:
    assert len(root) == 32
    sloppy = "  " + phrase.upper().replace(" ", "\t ") + "\n"
    assert derive_root_seed(sloppy, " Alice ", NETWORK_ID, FLOOR) == root


def test_root_seed_is_bound_to_username_network_and_cost(phrase: str, root: bytes) -> None:
    others = {
        derive_root_seed(phrase, "alicf", NETWORK_ID, FLOOR),
        derive_root_seed(phrase, "alice", OTHER_NETWORK, FLOOR),
        derive_root_seed(phrase, "alice", NETWORK_ID, KdfParams(ops=4, memory=FLOOR.memory)),
        derive_root_seed(generate_passphrase(), "alice", NETWORK_ID, FLOOR),
    }
    assert root not in others and len(others) == 4


def test_default_parameters_for_real(phrase: str) -> None:
    # The production cost (256 MiB): once here, and in the new-device test of the keystore.
    assert PASSPHRASE_DEFAULT.memory == 256 * 1024 * 1024
    a = derive_root_seed(phrase, "alice", NETWORK_ID, PASSPHRASE_DEFAULT)
    assert a != derive_root_seed(phrase, "alice", NETWORK_ID, FLOOR)
    assert len(a) == 32


def test_salt_and_id_are_public_deterministic_and_distinct() -> None:
    salt = identity_salt("alice", NETWORK_ID)
    assert len(salt) == 16 and salt == identity_salt("ALICE", NETWORK_ID)
    assert salt != identity_salt("alice", OTHER_NETWORK)
    assert salt != identity_salt("alice2", NETWORK_ID)
    ident = identity_id("alice", NETWORK_ID)
    assert len(ident) == 32 and int(ident, 16) >= 0
    assert ident != identity_id("alice", OTHER_NETWORK)
    # The id and the salt come from different tags: knowing one is not knowing the other.
    assert bytes.fromhex(ident) != salt


def test_sub_keys_are_separated(root: bytes) -> None:
    secrets = [
        derivation.owner_seed(root),
        derivation.active_seed(root, 0),
        derivation.active_seed(root, 1),
        derivation.active_seed(root, 2**32 - 1),
        bytes(derivation.x25519_secret(root)),
        derivation.vault_key(root),
        root,
    ]
    assert len(set(secrets)) == len(secrets)
    keys = public_keys(root)
    assert keys.owner == _core.ed25519_public_key(derivation.owner_seed(root))
    assert keys.active == _core.ed25519_public_key(derivation.active_seed(root, 0))
    assert public_keys(root, 5).active == _core.ed25519_public_key(derivation.active_seed(root, 5))
    assert keys.owner != keys.active


def test_keys_work(root: bytes) -> None:
    message = b"tonomy wallet"
    _core.ed25519_verify(public_keys(root).owner, message, _core.ed25519_sign(derivation.owner_seed(root), message))
    ours = derivation.x25519_secret(root)
    theirs = PrivateKey.generate()
    sealed = Box(theirs, ours.public_key).encrypt(b"for alice")
    assert Box(ours, theirs.public_key).decrypt(sealed) == b"for alice"
    assert bytes(ours.public_key) == public_keys(root).x25519


@pytest.mark.parametrize("generation", [-1, 2**32, 1.0, True])
def test_bad_generation(root: bytes, generation: object) -> None:
    with pytest.raises(InvalidInputError):
        derivation.active_seed(root, generation)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33)])
def test_bad_seed_size(seed: bytes) -> None:
    for fn in (derivation.owner_seed, derivation.vault_key, derivation.x25519_secret):
        with pytest.raises(InvalidInputError):
            fn(seed)


@pytest.mark.parametrize("username", ["", "ab", "1alice", "al ice", "tonomy..x", "a" * 33, "alicé", None, b"alice"])
def test_bad_usernames(username: object) -> None:
    with pytest.raises(InvalidAccountNameError):
        normalise_username(username)  # type: ignore[arg-type]


@pytest.mark.parametrize("network", [b"", bytes(31), bytes(33), "00" * 32, None])
def test_bad_network_ids(network: object) -> None:
    with pytest.raises(InvalidInputError):
        identity_salt("alice", network)  # type: ignore[arg-type]


def test_invalid_passphrase_fails_before_deriving() -> None:
    with pytest.raises(InvalidPassphraseError):
        derive_root_seed("correct horse battery staple", "alice", NETWORK_ID, FLOOR)
