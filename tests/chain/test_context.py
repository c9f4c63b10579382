"""The execution context: namespacing, metering, deterministic randomness, auth and events."""

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from tonomy.chain import codec
from tonomy.chain.authority import PermissionLevel
from tonomy.chain.context import (
    ActionContext,
    BlockInfo,
    DeterministicRandom,
    Meter,
    NamespacedState,
    ResourceLimits,
)
from tonomy.chain.state import MemoryState
from tonomy.errors import ActionFailedError, InvalidInputError, MissingAuthorizationError, ResourceLimitError


class RecordingDispatcher:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], tuple[PermissionLevel, ...]]] = []

    def call_action(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None:
        self.calls.append((plugin, name, dict(data), tuple(authorization)))

    def call_query(self, caller: ActionContext, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        return {"plugin": plugin, "name": name}

    def account_exists(self, name: str) -> bool:
        return name == "alice"


def make_ctx(state: MemoryState, limits: ResourceLimits | None = None, auth: tuple[str, ...] = ("alice@active",)) -> ActionContext:
    meter = Meter(limits or ResourceLimits())
    return ActionContext(
        plugin="pay",
        action="transfer",
        authorization=tuple(PermissionLevel.parse(a) for a in auth),
        block=BlockInfo(height=7, time_ms=1_000),
        state=NamespacedState(state, "pay", meter),
        random=DeterministicRandom(b"\x01" * 32),
        meter=meter,
        dispatcher=RecordingDispatcher(),
    )


def test_plugin_state_is_namespaced_and_ordered() -> None:
    raw = MemoryState()
    raw.put(b"p/other/a", b"x")
    ctx = make_ctx(raw)
    ctx.state.put(b"b", b"2")
    ctx.state.put(b"a", b"1")
    assert raw.get(b"p/pay/a") == b"1"
    assert list(ctx.state.items()) == [(b"a", b"1"), (b"b", b"2")]
    assert ctx.state.get(b"p/other/a") is None  # cannot reach another namespace


def test_records_round_trip_through_the_codec() -> None:
    ctx = make_ctx(MemoryState())
    ctx.state.put_record(b"bal/alice", {"amount": 5})
    assert ctx.state.get_record(b"bal/alice") == {"amount": 5}
    assert ctx.state.get_record(b"missing") is None


@pytest.mark.parametrize("key", [b"", b"x" * 257, "text"])
def test_hostile_keys_are_refused(key: object) -> None:
    ctx = make_ctx(MemoryState())
    with pytest.raises(InvalidInputError):
        ctx.state.put(key, b"v")  # type: ignore[arg-type]


def test_meter_stops_a_runaway_transaction() -> None:
    ctx = make_ctx(MemoryState(), ResourceLimits(max_state_ops=3))
    for i in range(3):
        ctx.state.put(bytes([65 + i]), b"v")
    with pytest.raises(ResourceLimitError) as info:
        ctx.state.get(b"A")
    assert info.value.code == "tx.resource_limit"


def test_bytes_written_limit() -> None:
    ctx = make_ctx(MemoryState(), ResourceLimits(max_bytes_written=100))
    with pytest.raises(ResourceLimitError):
        ctx.state.put(b"k", b"v" * 200)


def test_random_is_deterministic_and_seed_dependent() -> None:
    a, b, c = DeterministicRandom(b"\x01" * 32), DeterministicRandom(b"\x01" * 32), DeterministicRandom(b"\x02" * 32)
    draws_a = [a.randbelow(1000) for _ in range(50)]
    assert draws_a == [b.randbelow(1000) for _ in range(50)]
    assert draws_a != [c.randbelow(1000) for _ in range(50)]
    assert all(0 <= d < 1000 for d in draws_a)
    assert len(set(draws_a)) > 30
    with pytest.raises(InvalidInputError):
        a.randbelow(0)


def test_require_auth_and_fail_codes() -> None:
    ctx = make_ctx(MemoryState())
    ctx.require_auth("alice")
    ctx.require_auth("alice", "active")
    with pytest.raises(MissingAuthorizationError):
        ctx.require_auth("bob")
    with pytest.raises(MissingAuthorizationError):
        ctx.require_auth("alice", "owner")
    with pytest.raises(ActionFailedError) as info:
        ctx.fail("insufficient_funds", "alice has 3, needs 5")
    assert info.value.code == "pay.insufficient_funds"


def test_events_are_canonical_and_limited() -> None:
    ctx = make_ctx(MemoryState(), ResourceLimits(max_events=1))
    ctx.emit("transfer", {"to": "bob", "amount": 5})
    assert codec.decode(ctx.events[0].data) == {"to": "bob", "amount": 5}
    with pytest.raises(ResourceLimitError):
        ctx.emit("transfer", {})


def test_calls_cannot_escalate_authorization() -> None:
    ctx = make_ctx(MemoryState())
    ctx.call("token", "burn", {"amount": 1})
    dispatcher = ctx.dispatcher
    assert isinstance(dispatcher, RecordingDispatcher)
    assert dispatcher.calls[0][3] == (PermissionLevel("alice", "active"),)
    with pytest.raises(MissingAuthorizationError):
        ctx.call("token", "burn", {}, [PermissionLevel("bob", "active")])
    assert ctx.query("token", "supply", {}) == {"plugin": "token", "name": "supply"}
    assert ctx.account_exists("alice") and not ctx.account_exists("carol")
