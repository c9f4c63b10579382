"""The binary batch framing and its compact answer, without a node: hostile bodies are
refused whole with ``api.bad_request`` before anything is parsed further, and the
client rebuilds exactly one result per transaction or refuses the answer."""

from __future__ import annotations

import struct

import pytest

from tonomy.errors import DuplicateTransactionError, TonomyError
from tonomy.node.batch_wire import compact_answer, encode_batch, merge_answer, split_batch
from tonomy.node.errors import BadRequestError, UntrustedAnswerError

LIMITS = {"max_entries": 4, "max_entry_bytes": 16}


def prefixed(*entries: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(e)) + e for e in entries)


def test_entries_round_trip_including_empty_ones() -> None:
    txs = [b"a", b"", b"x" * 16]
    body = encode_batch(txs)
    assert body == prefixed(*txs)
    assert split_batch(body, **LIMITS) == txs


@pytest.mark.parametrize(
    "body, why",
    [
        (b"", "at least one"),
        (b"\x00\x00\x00", "ends inside"),
        (prefixed(b"ab") + b"\x00\x00", "ends inside"),
        (struct.pack(">I", 3) + b"ab", "past the end"),
        (struct.pack(">I", 0xFFFF_FFFF) + b"ab", "past the end"),
        (prefixed(b"ok") + struct.pack(">I", 1 << 31), "past the end"),
        (prefixed(*[b"t"] * 5), "at most 4"),
        (prefixed(*[b""] * 5), "at most 4"),
    ],
)
def test_broken_framing_refuses_the_whole_body(body: bytes, why: str) -> None:
    with pytest.raises(BadRequestError, match=why) as raised:
        split_batch(body, **LIMITS)
    assert raised.value.code == "api.bad_request"


def test_an_oversized_entry_is_refused_alone() -> None:
    entries = split_batch(prefixed(b"a", b"y" * 17, b"b"), **LIMITS)
    assert entries[0] == b"a" and entries[2] == b"b"
    assert isinstance(entries[1], BadRequestError) and "larger than 16 bytes" in entries[1].message


def test_too_many_entries_is_noticed_before_reading_the_rest() -> None:
    # The fifth length claims far more than the body holds; the count is what refuses it.
    body = prefixed(*[b"t"] * 4) + struct.pack(">I", 1 << 30)
    with pytest.raises(BadRequestError, match="at most 4"):
        split_batch(body, **LIMITS)


def test_compact_answer_round_trips_through_merge() -> None:
    ids = [bytes([i]) * 32 for i in range(3)]
    results: list[bytes | TonomyError] = [ids[0], DuplicateTransactionError("again"), ids[1], BadRequestError("bad"), ids[2]]
    doc = compact_answer(results)
    assert doc["admitted"] == 3 and doc["ids"] == b"".join(ids).hex()
    assert [item["index"] for item in doc["refused"]] == [1, 3]
    merged = merge_answer(doc, len(results))
    assert merged[0] == ids[0] and merged[2] == ids[1] and merged[4] == ids[2]
    assert isinstance(merged[1], DuplicateTransactionError) and merged[1].message == "again"
    assert isinstance(merged[3], BadRequestError)


@pytest.mark.parametrize(
    "doc, count",
    [
        (None, 1),
        ([], 1),
        ({"ids": "", "refused": []}, 1),  # one result missing
        ({"ids": "00" * 32}, 1),
        ({"ids": "00" * 31, "refused": []}, 1),
        ({"ids": "00" * 64, "refused": []}, 1),  # one result too many
        ({"ids": "zz" * 32, "refused": []}, 1),
        ({"ids": 5, "refused": []}, 1),
        ({"ids": "", "refused": [{"index": 0, "problem": {}}, {"index": 0, "problem": {}}]}, 2),  # repeated index
        ({"ids": "", "refused": [{"index": 1, "problem": {}}, {"index": 0, "problem": {}}]}, 2),  # out of order
        ({"ids": "", "refused": [{"index": 1, "problem": {}}]}, 1),  # out of range
        ({"ids": "", "refused": [{"index": True, "problem": {}}]}, 1),
        ({"ids": "", "refused": ["x"]}, 1),
    ],
)
def test_a_malformed_answer_is_untrusted(doc: object, count: int) -> None:
    with pytest.raises(UntrustedAnswerError):
        merge_answer(doc, count)
