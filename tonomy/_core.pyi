"""Type stubs for the native core, ``tonomy._core`` (checked by mypy.stubtest).

Errors raised here are ``tonomy.errors`` classes chosen by stable code.
"""

from collections.abc import Sequence

__version__: str
ERROR_CODES: list[str]

# --- hash -------------------------------------------------------------------

# --- merkle -----------------------------------------------------------------

# --- smt (authenticated state) ----------------------------------------------

# --- store (LMDB) -----------------------------------------------------------

# --- crypto (Ed25519) -------------------------------------------------------

# --- wire (Cap'n Proto) -----------------------------------------------------
