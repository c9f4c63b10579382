"""Checked action data remembered per engine, and the bounded memo under every chain-core memo."""

from __future__ import annotations

from typing import Any

import pytest

from tonomy.chain import codec
from tonomy.chain.actionmemo import MAX_DATA_BYTES, CheckedActions
from tonomy.chain.execution import ExecutionEngine
from tonomy.chain.memo import BoundedMemo
from tonomy.errors import InvalidActionDataError, PluginDisabledError
from tonomy.testing.ledger import build_manager

from .conftest import ledger_plugins

NOTE = codec.encode({"owner": "alice", "key": "k", "text": "hello"})


@pytest.fixture
def engine() -> ExecutionEngine:
    return ExecutionEngine(build_manager(ledger_plugins.plugins()).registry)


def test_the_same_bytes_decode_to_equal_records_that_callers_own(engine: ExecutionEngine) -> None:
    records: list[dict[str, Any]] = []
    for _ in range(3):
        record = engine.decode_action("notes", "write", NOTE)
        assert record == {"owner": "alice", "key": "k", "text": "hello"}
        assert all(record is not earlier for earlier in records)
        record["text"] = "changed by a handler"
        records.append(record)
    assert engine._checked.hits == 2


def test_bytes_checked_for_one_action_are_checked_again_for_another(engine: ExecutionEngine) -> None:
    engine.decode_action("notes", "write", NOTE)
    with pytest.raises(InvalidActionDataError, match="notes.erase: unknown field"):
        engine.decode_action("notes", "erase", NOTE)  # erase has no text field


def test_an_engine_with_the_plugin_disabled_refuses_what_another_engine_checked() -> None:
    registry = build_manager(ledger_plugins.plugins()).registry
    ExecutionEngine(registry).decode_action("notes", "write", NOTE)
    with pytest.raises(PluginDisabledError):
        ExecutionEngine(registry, frozenset({"notes"})).decode_action("notes", "write", NOTE)


class Counted:
    def __init__(self, record: Any = None, error: Exception | None = None) -> None:
        self.record, self.error, self.calls = record, error, 0

    def __call__(self, plugin: str, name: str, data: bytes) -> Any:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return dict(self.record) if isinstance(self.record, dict) else self.record


@pytest.mark.parametrize(
    ("check", "data"),
    [
        (Counted({"nested": {"a": 1}}), b"{}"),  # a handler could change the inner object
        (Counted({"list": [1]}), b"{}"),
        (Counted(error=InvalidActionDataError("refused")), b"{}"),  # failures are not kept
        (Counted({"a": 1}), b"x" * (MAX_DATA_BYTES + 1)),  # large data is not kept
        (Counted({"a": 1}), bytearray(b"{}")),  # only bytes are keys
    ],
)
def test_what_is_not_remembered_is_checked_every_time(check: Counted, data: Any) -> None:
    memo = CheckedActions()
    for _ in range(2):
        try:
            memo.decode("p", "a", data, check)
        except InvalidActionDataError:
            pass
    assert check.calls == 2 and len(memo) == 0


def test_flat_records_are_remembered_per_plugin_action_and_bytes() -> None:
    memo = CheckedActions()
    check = Counted({"a": 1, "b": None, "c": b"\x00", "d": True, "e": "s"})
    for plugin, name, data in [("p", "a", b"1"), ("p", "a", b"1"), ("p", "b", b"1"), ("q", "a", b"1"), ("p", "a", b"2")]:
        assert memo.decode(plugin, name, data, check) == check.record
    assert check.calls == 4 and memo.hits == 1


def test_the_bounded_memo_never_holds_more_than_its_size() -> None:
    memo: BoundedMemo[int, int] = BoundedMemo(3)
    for number in range(10):
        memo.put(number, number * 2)
        assert len(memo) <= 3
    assert memo.get(9) == 18
    assert memo.cached(9, lambda: -1) == 18
    assert memo.cached(100, lambda: 7) == 7 and memo.get(100) == 7
    nothing: BoundedMemo[int, int] = BoundedMemo(0)
    nothing.put(1, 1)
    assert len(nothing) == 0 and nothing.get(1) is None
    with pytest.raises(ValueError):
        BoundedMemo(-1)
