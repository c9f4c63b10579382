"""The few primitives the plugin needs, all from the native core.

Hashes are domain-separated BLAKE3 (``hash_tagged(tag, data)``); signatures are the
core's strict Ed25519 verification, the same rules the chain applies to transactions,
so a signature means the same on every node and in every client.
"""

from __future__ import annotations

from tonomy import _core
from tonomy.errors import TonomyError

ED25519_MULTICODEC = b"\xed\x01"
X25519_MULTICODEC = b"\xec\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def tagged_hash(tag: str, data: bytes) -> bytes:
    return _core.hash_tagged(tag, data)


def signature_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only for a valid strict Ed25519 signature (any malformed input is False)."""
    if type(public_key) is not bytes or type(signature) is not bytes or type(message) is not bytes:
        return False
    try:
        _core.ed25519_verify(public_key, message, signature)
    except (TonomyError, ValueError, TypeError):
        return False
    return True


def sign(seed: bytes, message: bytes) -> bytes:
    return _core.ed25519_sign(seed, message)


def public_key(seed: bytes) -> bytes:
    return _core.ed25519_public_key(seed)


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def multibase_key(codec_prefix: bytes, key: bytes) -> str:
    """``z`` + base58btc(multicodec ‖ key): the Multikey ``publicKeyMultibase`` form."""
    return "z" + base58btc(codec_prefix + key)
