"""Type stubs for the native core, ``tonomy._core`` (checked by mypy.stubtest).

Errors raised here are ``tonomy.errors`` classes chosen by stable code.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import final

__version__: str
ERROR_CODES: list[str]

# --- hash -------------------------------------------------------------------

def hash_tagged(tag: str, data: bytes) -> bytes:
    """``blake3(tag ‖ 0x00 ‖ data)``; raises InvalidInputError for a bad tag."""

def hash_plain(data: bytes) -> bytes:
    """Plain BLAKE3 (content addressing)."""

# --- merkle -----------------------------------------------------------------

# --- smt (authenticated state) ----------------------------------------------

MAX_STATE_KEY_LEN: int
MAX_STATE_VALUE_LEN: int

def verify_state_proof(root: bytes, key: bytes, value: bytes | None, proof: bytes) -> None:
    """Check that under ``root`` ``key`` holds ``value`` (None: absent).

    Pure: needs no store. Raises InvalidProofError if the proof does not show exactly
    that, InvalidInputError for a root that is not 32 bytes or a bad key.
    """

def empty_state_root() -> bytes:
    """The root of the empty state (the same at every version)."""

# --- store (LMDB) -----------------------------------------------------------

AUX_TABLES: list[str]

@final
class Store:
    """An LMDB data directory: authenticated state, its history and the ledger tables.

    Every commit is one durable LMDB transaction; safe to share between threads.
    """

    def __new__(
        cls,
        path: str | os.PathLike[str],
        *,
        map_size: int | None = None,
        max_map_size: int | None = None,
        max_readers: int | None = None,
        durable: bool = True,
        keep_versions: int | None = None,
    ) -> Store: ...
    def commit(
        self,
        version: int,
        writes: Mapping[bytes, bytes | None] | Iterable[tuple[bytes, bytes | None]],
        aux: Iterable[tuple[str, bytes, bytes | None]] | None = None,
    ) -> bytes:
        """Commit state and aux writes as ``version`` (after the latest); returns the root.

        Raises ConflictError for a version not after the latest, StorageFullError when
        the map cannot grow; on any error nothing is written.
        """

    def get(self, key: bytes, version: int | None = None) -> bytes | None:
        """The value of ``key`` at ``version`` (latest when None); NotFoundError for an
        unknown or pruned version."""

    def get_with_proof(self, key: bytes, version: int | None = None) -> tuple[bytes | None, bytes]:
        """``(value or None, proof)``, checkable with :func:`verify_state_proof`."""

    def root(self, version: int | None = None) -> bytes:
        """The state root at ``version`` (latest when None)."""

    def latest_version(self) -> int | None:
        """The latest committed version, or None for a fresh store."""

    def aux_get(self, table: str, key: bytes) -> bytes | None:
        """The value under ``key`` in the aux table ``table`` (one of AUX_TABLES)."""

    def aux_range(
        self, table: str, start: bytes | None = None, end: bytes | None = None, limit: int = 1000
    ) -> list[tuple[bytes, bytes]]:
        """Up to ``limit`` pairs with ``start <= key < end``, in key order."""

    def prune(self, keep_from_version: int) -> int:
        """Forget versions before ``keep_from_version``; returns nodes deleted."""

    def map_size(self) -> int:
        """Current size of the LMDB memory map, in bytes."""

    def close(self) -> None:
        """Close once running calls finish; later calls raise StorageError."""

    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...
    def __enter__(self) -> Store: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...

# --- crypto (Ed25519) -------------------------------------------------------

# --- wire (Cap'n Proto) -----------------------------------------------------
