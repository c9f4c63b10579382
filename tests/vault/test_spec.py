"""docs/vault.md re-implemented from the text with blake3 and libsodium directly:
what the document says is what the code reads and writes."""

from __future__ import annotations

import json
import os

import blake3
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_scalarmult,
    crypto_scalarmult_base,
)

from tonomy import _core
from tonomy.vault import content_hash, open_field, seal_field
from tonomy.vault.client import record_key_context
from tonomy.vault.envelope import FieldAddress
from tonomy.vault.keyring import build_keyring, key_id
from tonomy.vault.wrapping import Party, unwrap_from, unwrap_symmetric, wrap_symmetric, wrap_to
from tonomy.wallet.kdf import FLOOR


def lp8(b: bytes) -> bytes:
    return bytes([len(b)]) + b


def test_content_hash() -> None:
    data = os.urandom(100)
    assert content_hash(data) == blake3.blake3(b"tonomy/vault/blob/v1\x00" + data).digest()


def field_ad(owner: str, rid: bytes, field: str, version: int, epoch: int) -> bytes:
    return (b"tonomy/vault/field\x00" + (1).to_bytes(2, "big") + b"\x01" + lp8(owner.encode()) + rid + lp8(field.encode())
            + version.to_bytes(8, "big") + epoch.to_bytes(4, "big"))


def test_envelope_by_hand() -> None:
    key, rid, nonce = os.urandom(32), os.urandom(16), os.urandom(24)
    framed = (7).to_bytes(4, "big") + b"by hand" + bytes(64 - 4 - 7)  # padme(max(4 + 7, 64)) = 64
    ct = crypto_aead_xchacha20poly1305_ietf_encrypt(framed, field_ad("alice", rid, "note", 7, 3), nonce, key)
    envelope = b"TVE1" + (1).to_bytes(2, "big") + b"\x01" + (3).to_bytes(4, "big") + (7).to_bytes(8, "big") + nonce + ct
    assert open_field(key, FieldAddress("alice", rid, "note", 7, 3), envelope) == b"by hand"
    sealed = seal_field(key, FieldAddress("alice", rid, "note", 7, 3), b"by code")
    assert sealed[:19] == envelope[:19] and len(sealed) == 43 + 64 + 16
    opened = crypto_aead_xchacha20poly1305_ietf_decrypt(sealed[43:], field_ad("alice", rid, "note", 7, 3), sealed[19:43], key)
    assert opened == (7).to_bytes(4, "big") + b"by code" + bytes(53)
    # a long value: 1000 bytes framed is 1004, Padmé class 1024
    long_value = os.urandom(1000)
    sealed = seal_field(key, FieldAddress("alice", rid, "note", 7, 3), long_value)
    assert len(sealed) == 43 + 1024 + 16


def wrap_ad(kind: int, purpose: bytes, owner: str, context: bytes) -> bytes:
    return b"tonomy/vault/wrap\x00" + (1).to_bytes(2, "big") + bytes([kind]) + lp8(purpose) + lp8(owner.encode()) + lp8(context)


def test_symmetric_wrap_by_hand() -> None:
    kek, key, rid, nonce = os.urandom(32), os.urandom(32), os.urandom(16), os.urandom(24)
    ctx = record_key_context("alice", rid, 2)
    ad = wrap_ad(1, b"record-key", "alice", rid + (2).to_bytes(4, "big"))
    ct = crypto_aead_xchacha20poly1305_ietf_encrypt(key, ad, nonce, kek)
    assert unwrap_symmetric(kek, b"TVK1\x00\x01\x01" + nonce + ct, ctx) == key
    made = wrap_symmetric(kek, key, ctx)
    assert crypto_aead_xchacha20poly1305_ietf_decrypt(made[7 + 24 :], ad, made[7 : 7 + 24], kek) == key


def test_x25519_wrap_by_hand() -> None:
    s, r, e = os.urandom(32), os.urandom(32), os.urandom(32)
    S, R, E = crypto_scalarmult_base(s), crypto_scalarmult_base(r), crypto_scalarmult_base(e)
    rid, key, nonce = os.urandom(16), os.urandom(32), os.urandom(24)
    wrapping = blake3.blake3(crypto_scalarmult(e, R) + crypto_scalarmult(s, R) + E + S + R, derive_key_context="tonomy/vault/x25519-wrap/v1").digest()
    ad = wrap_ad(2, b"record-key", "alice", rid + (1).to_bytes(4, "big")) + lp8(b"alice") + S + lp8(b"bob") + R
    ct = crypto_aead_xchacha20poly1305_ietf_encrypt(key, ad, nonce, wrapping)
    wrapped = b"TVK1\x00\x01\x02" + E + nonce + ct
    assert unwrap_from(r, Party("alice", S), Party("bob", R), wrapped, record_key_context("alice", rid, 1)) == key
    # and the code's wraps open by hand
    made = wrap_to(s, Party("alice", S), Party("bob", R), key, record_key_context("alice", rid, 1))
    E2, nonce2, ct2 = made[7:39], made[39:63], made[63:]
    k2 = blake3.blake3(crypto_scalarmult(r, E2) + crypto_scalarmult(r, S) + E2 + S + R, derive_key_context="tonomy/vault/x25519-wrap/v1").digest()
    assert crypto_aead_xchacha20poly1305_ietf_decrypt(ct2, ad, nonce2, k2) == key


def test_keyring_document() -> None:
    s, vk, kek = os.urandom(32), os.urandom(32), os.urandom(32)
    ring = build_keyring(owner="alice", epoch=4, kdf=FLOOR, kek=kek, vault_key=vk, owner_secret=s, owner_public=crypto_scalarmult_base(s), guardians=[], threshold=0)
    doc = json.loads(ring.to_bytes())
    assert doc["format"] == "tonomy-vault-keyring" and doc["version"] == 1 and doc["algorithm"] == "xchacha20poly1305-ietf"
    assert doc["kdf"] == {"algorithm": "argon2id13", "ops": 3, "memory": 64 * 1024 * 1024}
    assert bytes.fromhex(doc["vault_key_id"]) == key_id(vk) == _core.hash_tagged("tonomy/vault/key-id/v1", vk)[:16]
    wrapped = bytes.fromhex(doc["wrapped_vault_key"])
    ad = wrap_ad(1, b"vault-key", "alice", (4).to_bytes(4, "big"))
    assert crypto_aead_xchacha20poly1305_ietf_decrypt(wrapped[31:], ad, wrapped[7:31], kek) == vk
    assert ring.to_bytes() == json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
