"""Receipts and event rows written directly are exactly the codec's bytes of their records."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy.chain import blocks, codec
from tonomy.chain.context import Event
from tonomy.chain.receipts import EXECUTED, FAILED, Receipt, event_key, event_record, new_receipt
from tonomy.errors import UnencodableError

texts = st.text(max_size=40)  # any code points: quotes, backslashes, controls, non-ASCII
counts = st.integers(min_value=0, max_value=(1 << 128) - 1)
events = st.builds(Event, st.sampled_from(["pay", "notes", "a.b-c"]) | texts, texts, st.binary(max_size=64))


def reference_rows(receipt: Receipt, height: int) -> list[tuple[str, bytes, bytes]]:
    """The rows as the codec writes them from the records (the path before the direct one)."""
    rows = [
        (blocks.RECEIPTS, blocks.tx_location(height, receipt.index), codec.encode(receipt.to_record())),
        (blocks.TX_INDEX, receipt.tx_id, blocks.tx_location(height, receipt.index)),
    ]
    for index, event in enumerate(receipt.events):
        record = {"tx_id": receipt.tx_id, **event_record(event)}
        rows.append((blocks.EVENTS, event_key(height, receipt.index, index), codec.encode(record)))
    return rows


@settings(max_examples=300, deadline=None)
@given(
    tx_id=st.binary(min_size=32, max_size=32),
    height=st.integers(min_value=0, max_value=(1 << 64) - 1),
    index=st.integers(min_value=0, max_value=(1 << 32) - 1),
    failed=st.booleans(),
    code=texts,
    message=st.none() | texts,
    emitted=st.lists(events, max_size=5),
    state_ops=counts,
    bytes_written=counts,
)
def test_direct_bytes_equal_the_codec_bytes(
    tx_id: bytes, height: int, index: int, failed: bool, code: str, message: str | None, emitted: list[Event], state_ops: int, bytes_written: int
) -> None:
    receipt = Receipt(
        tx_id=tx_id,
        height=height,
        index=index,
        status=FAILED if failed else EXECUTED,
        error_code=code if failed else None,
        error_message=message if failed else None,
        events=tuple(emitted),
        state_ops=state_ops,
        bytes_written=bytes_written,
    )
    try:
        expected = reference_rows(receipt, height)
    except UnencodableError:  # a lone surrogate: both paths refuse it alike
        with pytest.raises(UnencodableError):
            receipt.stored_rows(height)
        return
    assert receipt.stored_rows(height) == expected
    assert Receipt.decode(receipt.encode()).to_record() == receipt.to_record()


@pytest.mark.parametrize(
    "change",
    [
        {"state_ops": True},  # a bool is not a count
        {"state_ops": -1},
        {"bytes_written": 1 << 128},  # out of the codec's range: refused on both paths
        {"tx_id": bytearray(b"\x01" * 32)},
        {"events": [Event("pay", "x", b"{}")]},  # a list, not a tuple
        {"events": (Event("pay", "x", bytearray(b"{}")),)},  # type: ignore[arg-type]
        {"error_code": "pay.x", "error_message": None, "status": FAILED},
    ],
)
def test_unusual_field_types_take_the_codec_path(change: dict[str, Any]) -> None:
    fields: dict[str, Any] = dict(
        tx_id=b"\x01" * 32, height=3, index=0, status=EXECUTED, error_code=None, error_message=None,
        events=(Event("pay", "transferred", b'{"a":1}'),), state_ops=4, bytes_written=99,
    )
    receipt = Receipt(**(fields | change))
    try:
        expected = reference_rows(receipt, 3)
    except UnencodableError:
        with pytest.raises(UnencodableError):
            receipt.stored_rows(3)
        return
    assert receipt.stored_rows(3) == expected


def test_a_receipt_above_the_codec_size_limit_is_refused_as_before() -> None:
    big = tuple(Event("pay", "blob", b"\x00" * 60_000) for _ in range(10))
    receipt = Receipt(b"\x02" * 32, 1, 0, EXECUTED, None, None, big, 1, 1)
    with pytest.raises(UnencodableError):
        codec.encode(receipt.to_record())
    with pytest.raises(UnencodableError):
        receipt.encode()


def test_remembered_strings_are_keyed_by_the_whole_string() -> None:
    # Names that share a prefix, or differ only by an escaped character, must each get
    # their own spelling (a memo keyed on less than the whole string would mix them up).
    names = ["transferred", "transferred\n", 'transferred"', "transferre", "transferr\u00e9d"]
    for name in names + names:
        receipt = Receipt(b"\x03" * 32, 1, 0, EXECUTED, None, None, (Event("pay", name, b"1"),), 1, 1)
        assert receipt.encode() == codec.encode(receipt.to_record())


def test_a_receipt_built_fast_is_the_receipt_the_dataclass_builds() -> None:
    values = (b"\x05" * 32, 7, 3, FAILED, "pay.overdrawn", "too little", (Event("pay", "x", b"1"),), 4, 99)
    fast, slow = new_receipt(*values), Receipt(*values)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    # Every field is set, each from its own argument (distinct values: a swap would show).
    assert [getattr(fast, f.name) for f in fields(Receipt)] == list(values)
    assert fast.encode() == slow.encode()
    with pytest.raises(AttributeError):
        fast.status = EXECUTED  # type: ignore[misc]
