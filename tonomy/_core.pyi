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

# --- smt (authenticated state) ----------------------------------------------

# --- store (LMDB) -----------------------------------------------------------

# --- crypto (Ed25519) -------------------------------------------------------

# --- wire (Cap'n Proto) -----------------------------------------------------
