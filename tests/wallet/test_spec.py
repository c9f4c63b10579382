"""docs/wallet.md re-implemented independently (blake3, libsodium directly): the code follows the spec."""

from __future__ import annotations

import unicodedata

import blake3
import nacl.bindings
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from tonomy.wallet import FLOOR, derive_root_seed, generate_passphrase, identity_id, identity_salt, public_keys
from tonomy.wallet import derivation
from tonomy.wallet.sealing import SealContext, Sealed, open_sealed

NETWORK_ID = bytes(range(32))


def tagged(tag: str, data: bytes) -> bytes:
    return blake3.blake3(tag.encode() + b"\x00" + data).digest()


def test_salt_id_seed_and_sub_keys_follow_the_spec() -> None:
    phrase = generate_passphrase()
    typed = "\u3000" + phrase.upper().replace(" ", "  \t") + " "
    user = b"alice"
    binding = bytes([len(user)]) + user + NETWORK_ID
    salt = tagged("tonomy/wallet/salt/v1", binding)[:16]
    assert identity_salt(" Alice", NETWORK_ID) == salt
    assert identity_id("alice", NETWORK_ID) == tagged("tonomy/wallet/identity-id/v1", binding)[:16].hex()

    normalised = " ".join(unicodedata.normalize("NFKD", typed).lower().split())
    assert normalised == phrase
    root = nacl.bindings.crypto_pwhash_alg(
        32, normalised.encode(), salt, FLOOR.ops, FLOOR.memory, nacl.bindings.crypto_pwhash_ALG_ARGON2ID13
    )
    assert derive_root_seed(typed, "alice", NETWORK_ID, FLOOR) == root

    keys = public_keys(root, 7)
    assert keys.owner == bytes(SigningKey(tagged("tonomy/wallet/owner/v1", root)).verify_key)
    active_seed = tagged("tonomy/wallet/active/v1", root + (7).to_bytes(4, "big"))
    assert keys.active == bytes(SigningKey(active_seed).verify_key)
    assert keys.x25519 == bytes(PrivateKey(tagged("tonomy/wallet/x25519/v1", root)).public_key)
    assert derivation.vault_key(root) == tagged("tonomy/wallet/vault/v1", root)


def test_associated_data_follows_the_spec() -> None:
    key = bytes(range(32))
    nonce = bytes(range(24))
    ident, purpose = "15497b5a42b44792d9d955e64b5ff5a1", "root-seed"
    ad = b"tonomy/wallet/keystore\x00" + (1).to_bytes(2, "big")
    ad += bytes([32]) + ident.encode() + bytes([9]) + purpose.encode()
    context = SealContext(1, ident, purpose)
    assert context.associated_data() == ad
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(b"seed", ad, nonce, key)
    assert open_sealed(key, Sealed(nonce, ciphertext), context) == b"seed"
