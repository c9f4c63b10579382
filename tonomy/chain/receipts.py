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
from tonomy.chain.blocks import EVENTS, RECEIPTS, TX_INDEX, tx_location
from tonomy.chain.context import Event
from tonomy.chain.memo import BoundedMemo

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
        """``codec.encode(self.to_record())``, written directly (see :func:`_spelled`)."""
        return self._encoded(_spelled_parts(self))

    def stored_rows(self, height: int) -> list[tuple[str, bytes, bytes]]:
        """What the block store keeps for this receipt: ``(table, key, value)`` of the
        receipt, its location and each of its events (in emission order).

        The receipt is keyed by its location (height ‖ index), not by the transaction id:
        a block's receipts then append to the table instead of landing on random pages
        of it (the tx index, with its small rows, finds it by id)."""
        parts = _spelled_parts(self)
        location = tx_location(height, self.index)
        rows = [(RECEIPTS, location, self._encoded(parts)), (TX_INDEX, self.tx_id, location)]
        for event_index, event in enumerate(self.events):
            if parts is None:
                row = codec.encode({"tx_id": self.tx_id, **event_record(event)})
            else:
                tx_tag, events = parts
                row = events[event_index] + b',"tx_id":' + tx_tag + b"}"
            rows.append((EVENTS, event_key(height, self.index, event_index), row))
        return rows

    def _encoded(self, parts: tuple[bytes, list[bytes]] | None) -> bytes:
        spelled = None if parts is None else _spelled(self, *parts)
        return codec.encode(self.to_record()) if spelled is None else spelled

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


# One receipt per transaction: the frozen dataclass's ``__init__`` sets each field through
# ``object.__setattr__`` (about twice the cost of the slots' own setters used here).
def _setter(name: str) -> Any:
    return getattr(Receipt, name).__set__


_set_tx_id, _set_height, _set_index = _setter("tx_id"), _setter("height"), _setter("index")
_set_status, _set_error_code, _set_error_message = _setter("status"), _setter("error_code"), _setter("error_message")
_set_events, _set_state_ops, _set_bytes_written = _setter("events"), _setter("state_ops"), _setter("bytes_written")


def new_receipt(
    tx_id: bytes, height: int, index: int, status: str, error_code: str | None, error_message: str | None,
    events: tuple[Event, ...], state_ops: int, bytes_written: int,
) -> Receipt:
    """``Receipt(...)`` with the same fields in the same order, built faster."""
    receipt: Receipt = object.__new__(Receipt)
    _set_tx_id(receipt, tx_id)
    _set_height(receipt, height)
    _set_index(receipt, index)
    _set_status(receipt, status)
    _set_error_code(receipt, error_code)
    _set_error_message(receipt, error_message)
    _set_events(receipt, events)
    _set_state_ops(receipt, state_ops)
    _set_bytes_written(receipt, bytes_written)
    return receipt


def event_record(event: Event) -> dict[str, Any]:
    return {"plugin": event.plugin, "name": event.name, "data": event.data}


def event_key(height: int, tx_index: int, event_index: int) -> bytes:
    """Events table key: ordered by block, then transaction, then emission."""
    return height.to_bytes(8, "big") + tx_index.to_bytes(4, "big") + event_index.to_bytes(4, "big")


# -- the canonical bytes of receipts and event rows, written directly ---------------------
#
# A block stores one receipt per transaction and one row per event; going through
# ``codec.encode`` builds a record per receipt and per event and then walks it again.
# Their shape is fixed, so the canonical form (keys sorted, no spaces, ints as digits,
# bytes as ``{"$bytes": hex}``) is written directly; every string still goes through
# the codec (memoised: the same few plugin, event and status names recur). Anything of
# an unexpected type returns None, and the caller takes the codec path, so the bytes are
# always exactly ``codec.encode`` of the record (tests/chain/test_receipts.py checks it).

_STRINGS: BoundedMemo[str, bytes] = BoundedMemo(4_096)


def _string(text: str) -> bytes:
    known = _STRINGS.get(text)
    if known is None:
        known = codec.encode(text)
        _STRINGS.put(text, known)
    return known


def _bytes_tag(data: bytes) -> bytes:
    return b'{"$bytes":"' + data.hex().encode("ascii") + b'"}'


def _count(value: object) -> bytes | None:
    return str(value).encode("ascii") if type(value) is int and 0 <= value <= codec.MAX_INT else None


def _spelled_parts(receipt: Receipt) -> tuple[bytes, list[bytes]] | None:
    """The id's bytes tag and each event's record without its closing brace (the receipt
    closes it, the event row adds the id first); None if a field has an unexpected type."""
    if type(receipt.tx_id) is not bytes or type(receipt.events) is not tuple:
        return None
    events = []
    for event in receipt.events:
        if type(event) is not Event or type(event.data) is not bytes or type(event.name) is not str or type(event.plugin) is not str:
            return None
        events.append(b'{"data":' + _bytes_tag(event.data) + b',"name":' + _string(event.name) + b',"plugin":' + _string(event.plugin))
    return _bytes_tag(receipt.tx_id), events


def _spelled(receipt: Receipt, tx_tag: bytes, events: list[bytes]) -> bytes | None:
    """The receipt's record in canonical form from :func:`_spelled_parts`; None if a field
    has an unexpected type."""
    height, index = _count(receipt.height), _count(receipt.index)
    state_ops, bytes_written = _count(receipt.state_ops), _count(receipt.bytes_written)
    if height is None or index is None or state_ops is None or bytes_written is None or type(receipt.status) is not str:
        return None
    if receipt.error_code is None:
        error = b"null"
    elif type(receipt.error_code) is str and (receipt.error_message is None or type(receipt.error_message) is str):
        error = b'{"code":' + _string(receipt.error_code) + b',"message":' + codec.encode(receipt.error_message or "") + b"}"
    else:
        return None
    data = b"".join(
        (
            b'{"error":', error,
            b',"events":[', b"},".join(events), b"}" if events else b"",
            b'],"height":', height,
            b',"index":', index,
            b',"resources":{"bytes_written":', bytes_written,
            b',"state_ops":', state_ops,
            b'},"status":', _string(receipt.status),
            b',"tx_id":', tx_tag, b"}",
        )
    )
    return None if len(data) > codec.MAX_ENCODED_SIZE else data
