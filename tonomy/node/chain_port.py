"""What the node needs from a chain: the shape of ``tonomy.chain.chain.Chain``.

The node depends on this Protocol rather than on the engine's module, so the
node's own code (schedule, API, commit watch) reads without the engine's
internals, and the engine can change anything the node does not call.
"""

from __future__ import annotations

from typing import Any, Protocol


class ChainPort(Protocol):
    """The calls the node makes; every one may block (LMDB, signatures, plugins)."""

    @property
    def head(self) -> Any:
        """The latest committed block header (``height``, ``time``, ``state_root``, ...)."""

    def submit(self, tx_bytes: bytes) -> bytes:
        """Admit a signed transaction to the mempool; returns its id or raises a coded error."""

    def submit_many(self, txs: Any) -> list[Any]:
        """Admit each transaction as ``submit`` would, in order: its id or the coded error that refused it."""

    def produce_block(self, time_ms: int) -> Any:
        """Build, execute and durably commit the next block at ``time_ms``; returns its header."""

    def get_block(self, height: int) -> Any:
        """The committed block at ``height``."""

    def get_receipt(self, tx_id: bytes) -> Any:
        """The receipt of a committed transaction, or None."""

    def get_transaction(self, tx_id: bytes) -> Any:
        """A committed (or pending) transaction by id, or None."""

    def get_state(self, plugin: str, key: bytes, height: int | None = None) -> tuple[bytes | None, bytes, Any]:
        """``(value, proof, header)`` at the head (or ``height``): the proof checks against ``header.state_root``."""

    def query(self, plugin: str, name: str, params: Any) -> Any:
        """A plugin's read-only query against the head state."""

    def close(self) -> None:
        """Release the data directory."""


__all__ = ["ChainPort"]
