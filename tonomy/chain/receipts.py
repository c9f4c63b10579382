"""Receipts: what happened to one transaction in a block, stored and served by id.

A receipt is a canonical-codec record, so it is byte-identical on every node.
``status`` is ``"executed"`` (every action ran, writes kept) or ``"failed"``
(nothing the transaction wrote was kept; ``error_code``/``error_message`` say why).
A failed transaction is still in its block: its id is spent and it cannot be
replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tonomy.chain import codec
from tonomy.chain.context import Event

EXECUTED = "executed"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Receipt:
    tx_id: bytes
    height: int
    index: int  # position in the block
    status: str
    error_code: str | None
    error_message: str | None
    events: tuple[Event, ...]
    state_ops: int
    bytes_written: int

    @property
    def ok(self) -> bool:
        return self.status == EXECUTED

    def to_record(self) -> dict[str, Any]:
        return {
            "tx_id": self.tx_id,
            "height": self.height,
            "index": self.index,
            "status": self.status,
            "error": None if self.error_code is None else {"code": self.error_code, "message": self.error_message or ""},
            "events": [event_record(event) for event in self.events],
            "resources": {"state_ops": self.state_ops, "bytes_written": self.bytes_written},
        }

    def encode(self) -> bytes:
        return codec.encode(self.to_record())

    @classmethod
    def decode(cls, data: bytes) -> Receipt:
        return cls.from_record(codec.decode(data))

    @classmethod
    def from_record(cls, record: Any) -> Receipt:
        """The receipt from its record form (``to_record``), as stored or sent as JSON."""
        error = record["error"]
        return cls(
            tx_id=record["tx_id"],
            height=record["height"],
            index=record["index"],
            status=record["status"],
            error_code=None if error is None else error["code"],
            error_message=None if error is None else error["message"],
            events=tuple(Event(e["plugin"], e["name"], e["data"]) for e in record["events"]),
            state_ops=record["resources"]["state_ops"],
            bytes_written=record["resources"]["bytes_written"],
        )


def event_record(event: Event) -> dict[str, Any]:
    return {"plugin": event.plugin, "name": event.name, "data": event.data}


def event_key(height: int, tx_index: int, event_index: int) -> bytes:
    """Events table key: ordered by block, then transaction, then emission."""
    return height.to_bytes(8, "big") + tx_index.to_bytes(4, "big") + event_index.to_bytes(4, "big")
