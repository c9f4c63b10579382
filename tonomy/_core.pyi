"""Type stubs for the native core, ``tonomy._core`` (checked by mypy.stubtest).

Errors raised here are ``tonomy.errors`` classes chosen by stable code.
"""

from collections.abc import Sequence

__version__: str
ERROR_CODES: list[str]

# --- hash -------------------------------------------------------------------

def hash_tagged(tag: str, data: bytes) -> bytes:
    """``blake3(tag ‖ 0x00 ‖ data)``; raises InvalidInputError for a bad tag."""

def hash_plain(data: bytes) -> bytes:
    """Plain BLAKE3 (content addressing)."""

# --- merkle -----------------------------------------------------------------

def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962-shaped root over domain-separated BLAKE3; GIL released for large lists."""

def merkle_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Inclusion proof of ``leaves[index]``, sibling first; InvalidInputError if out of range."""

def merkle_verify(root: bytes, leaf: bytes, index: int, count: int, proof: Sequence[bytes]) -> None:
    """None if ``leaf`` is at ``index`` of ``count`` under ``root``; raises InvalidProofError."""

# --- smt (authenticated state) ----------------------------------------------

# --- store (LMDB) -----------------------------------------------------------

# --- crypto (Ed25519) -------------------------------------------------------

def ed25519_public_key(seed: bytes) -> bytes:
    """The 32-byte public key of a 32-byte seed; InvalidInputError for another size."""

def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """RFC 8032 deterministic 64-byte signature."""

def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> None:
    """None if valid under the fixed rule set; raises InvalidPublicKeyError or InvalidSignatureError."""

def ed25519_verify_batch(
    public_keys: Sequence[bytes], messages: Sequence[bytes], signatures: Sequence[bytes]
) -> list[bool]:
    """One bool per item, as ``ed25519_verify`` decides it; GIL released; InvalidInputError on length mismatch."""

# --- wire (Cap'n Proto) -----------------------------------------------------
