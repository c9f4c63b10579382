"""The engine's memo and the context's faster paths give exactly the uncached answers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tonomy.chain import codec, layout
from tonomy.chain.accounts import find_account
from tonomy.chain.authority import PermissionLevel
from tonomy.chain.context import DeterministicRandom, Meter, NamespacedState, ResourceLimits
from tonomy.chain.engine_memo import EngineMemo
from tonomy.chain.execution import action_seed
from tonomy.chain.parameters import ChainParameters
from tonomy.chain.state import MemoryState
from tonomy.errors import CodecError, InvalidAccountNameError, InvalidInputError, TonomyError
from tonomy.plugin.registry import Registry


def uncached_exists(state: MemoryState, name: str) -> bool:
    try:
        return find_account(state, name) is not None
    except TonomyError:
        return False


def account_bytes(name: str) -> bytes:
    return codec.encode({"name": name, "type": "person", "creator": None, "created_at": 0})


def test_account_verdicts_are_keyed_by_the_name_and_the_exact_record() -> None:
    memo, state = EngineMemo(Registry()), MemoryState()
    alice = account_bytes("alice")
    state.put(layout.account_key("alice"), alice)
    assert memo.account_exists(state, "alice") is True
    # The same bytes under another name's key name another account: not an account of
    # that name. A verdict keyed by the bytes alone would answer True here.
    state.put(layout.account_key("zed"), alice)
    assert memo.account_exists(state, "zed") is False
    # The record is read every time: a write later in the block is seen.
    state.put(layout.account_key("zed"), account_bytes("zed"))
    assert memo.account_exists(state, "zed") is True
    state.put(layout.account_key("zed"), b"garbage")
    assert memo.account_exists(state, "zed") is False
    state.delete(layout.account_key("zed"))
    assert memo.account_exists(state, "zed") is False


@pytest.mark.parametrize("name", ["alice", "bob", "zed", "ab", "Alice", "", "x" * 33, "a..b", "tonomy"])
def test_account_verdicts_equal_the_uncached_lookup(name: str) -> None:
    memo, state = EngineMemo(Registry()), MemoryState()
    state.put(layout.account_key("alice"), account_bytes("alice"))
    state.put(layout.account_key("bob"), b'{"name":"bob"}')  # the wrong shape
    for _ in range(2):  # the second answer comes from the memo
        assert memo.account_exists(state, name) == uncached_exists(state, name)


def test_limits_follow_the_parameter_set_and_the_transactions_op_limit() -> None:
    memo = EngineMemo(Registry())
    params = ChainParameters.defaults()
    assert memo.limits(params, 0) == params.resource_limits(0)
    assert memo.limits(params, 7) == params.resource_limits(7)
    # Another parameter set (a later block's): a memo keyed only by max_ops would be wrong.
    lower = replace(params, max_state_ops=5, max_events=3)
    assert memo.limits(lower, 0) == lower.resource_limits(0) != params.resource_limits(0)
    assert memo.limits(lower, 7) == lower.resource_limits(7)


def test_permission_levels_are_validated_and_equal_fresh_ones() -> None:
    memo = EngineMemo(Registry())
    assert memo.level("alice", "active") == PermissionLevel("alice", "active")
    assert memo.level("alice", "owner") == PermissionLevel("alice", "owner")
    for _ in range(2):
        with pytest.raises(InvalidAccountNameError):
            memo.level("Alice", "active")


def test_an_unknown_parameter_is_refused_every_time() -> None:
    memo = EngineMemo(Registry())
    calls = []

    def spec_of(plugin: str, name: str) -> None:
        calls.append((plugin, name))
        if name != "known":
            raise InvalidInputError(f"no parameter {name}")

    for _ in range(2):
        with pytest.raises(InvalidInputError):
            memo.parameter_key("pay", "unknown", spec_of)
    assert memo.parameter_key("pay", "known", spec_of) == memo.parameter_key("pay", "known", spec_of)
    assert calls == [("pay", "unknown"), ("pay", "unknown"), ("pay", "known")]


def test_deferred_randomness_draws_the_same_numbers_and_costs_nothing_undrawn() -> None:
    block_seed, tx_id = b"\x07" * 32, b"\x09" * 32
    eager = DeterministicRandom(action_seed(block_seed, tx_id, 2))
    lazy = DeterministicRandom.deferred(action_seed, block_seed, tx_id, 2)
    assert [lazy.randbelow(1000) for _ in range(20)] == [eager.randbelow(1000) for _ in range(20)]
    assert lazy.randbytes(40) == eager.randbytes(40)
    derived: list[int] = []

    def derive() -> bytes:
        derived.append(1)
        return b"\x00" * 32

    undrawn = DeterministicRandom.deferred(derive)
    assert derived == []
    undrawn.randbytes(1)
    undrawn.randbytes(1)
    assert derived == [1]
    with pytest.raises(InvalidInputError):
        DeterministicRandom.deferred(lambda: b"short").randbytes(1)


def namespaced(state: MemoryState) -> NamespacedState:
    return NamespacedState(state, "pay", Meter(ResourceLimits()))


def test_ints_written_as_records_read_back_exactly() -> None:
    state = MemoryState()
    ns = namespaced(state)
    for value in (0, 12, 123, -1, 1, (1 << 127) - 1, -(1 << 127)):
        ns.put_record(b"k", value)
        assert ns.get_record(b"k") == value and type(ns.get_record(b"k")) is int
    # Other records under the same key are decoded, never taken for a remembered int.
    for record in (True, "12", [12], {"a": 12}, None, b"\x01"):
        ns.put_record(b"k", record)
        assert ns.get_record(b"k") == record and type(ns.get_record(b"k")) is type(record)
    # Bytes that are not the canonical spelling of the int stay refused by the codec.
    state.put(b"p/pay/k", b"012")
    with pytest.raises(CodecError):
        ns.get_record(b"k")


def test_record_reads_and_writes_are_metered_as_before() -> None:
    state = MemoryState()
    meter = Meter(ResourceLimits(max_state_ops=3))
    ns = NamespacedState(state, "pay", meter)
    ns.put_record(b"k", 5)
    assert ns.get_record(b"k") == 5 and ns.get_record(b"missing") is None
    assert (meter.state_ops, meter.bytes_written) == (3, len(b"p/pay/k") + 1)
    with pytest.raises(TonomyError):
        ns.get_record(b"k")  # the fourth operation


@pytest.mark.parametrize("key", ["text", b"", b"x" * 257, bytearray(b"k")])
def test_bad_keys_are_refused_over_the_overlay_primitives_too(key: object, tmp_path: object) -> None:
    ns = namespaced(MemoryState())
    with pytest.raises(InvalidInputError):
        ns.get(key)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        ns.put(key, b"v")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        ns.delete(key)  # type: ignore[arg-type]


def test_records_read_through_the_overlay_core_equal_the_uncached_reads(tmp_path: Any) -> None:
    from tonomy._core import Store
    from tonomy.chain.overlay import WriteOverlay

    records: list[Any] = [0, -5, (1 << 127) - 1, "text", b"\x00\xff", None, True, [1, [2]], {"a": 1, "b": {"c": [b"x"]}}]
    store = Store(tmp_path / "db", durable=False)
    store.commit(1, [(b"p/pay/c%d" % i, codec.encode(record)) for i, record in enumerate(records)])
    overlay = WriteOverlay(store, remember_reads=True)
    model = MemoryState()
    for key, value in store.range(limit=100):
        model.put(key, value)
    fast, slow = NamespacedState(overlay, "pay", Meter(ResourceLimits())), namespaced(model)
    for _ in range(2):  # read from the store, then remembered
        for i, record in enumerate(records):
            assert fast.get_record(b"c%d" % i) == slow.get_record(b"c%d" % i) == record
    for view in (fast, slow):  # pending writes and deletions over committed values
        view.put_record(b"c0", {"n": 1})
        view.delete(b"c1")
        view.put_record(b"new", [3])
    for key in (b"c0", b"c1", b"new", b"absent"):
        assert fast.get_record(key) == slow.get_record(key)
    # Each read builds its own value: changing one changes no other reader's.
    for view in (fast, slow):
        first = view.get_record(b"c0")
        first["n"] = 2
        assert view.get_record(b"c0") == {"n": 1}
    # The same metering, and non-canonical bytes refused alike.
    assert (fast._meter.state_ops, fast._meter.bytes_written) == (slow._meter.state_ops, slow._meter.bytes_written)
    overlay.put(b"p/pay/bad", b'{"b":1,"a":2}')
    model.put(b"p/pay/bad", b'{"b":1,"a":2}')
    for view in (fast, slow):
        with pytest.raises(CodecError):
            view.get_record(b"bad")
    with pytest.raises(InvalidInputError):
        overlay.native.get_record(b"")
    store.close()


def test_an_app_state_checks_record_keys_against_its_manifest() -> None:
    from tonomy.chain.capabilities import AppState, Window
    from tonomy.errors import CapabilityDeniedError

    window = Window(0, None, "1.0", (b"own/",), frozenset(), frozenset())
    meter = Meter(ResourceLimits())
    app = AppState(MemoryState(), "app", meter, window)
    app.put_record(b"own/x", {"a": 1})
    assert app.get_record(b"own/x") == {"a": 1}
    for call in (lambda: app.get_record(b"other"), lambda: app.put_record(b"other", 1), lambda: app.get(b"other")):
        with pytest.raises(CapabilityDeniedError):
            call()
    # The encoding is checked before the key, as on a plain namespace.
    from tonomy.errors import UnencodableError

    with pytest.raises(UnencodableError):
        app.put_record(b"other", 1.5)
    assert meter.state_ops == 2


def test_capability_keys_follow_the_registry_and_the_plugin() -> None:
    from tonomy.chain.capabilities import capability_key

    memo = EngineMemo(Registry([]))
    assert memo.capability_key("marketplace", "pay") == capability_key("marketplace", "pay")
    assert memo.capability_key("market2", "pay") == capability_key("market2", "pay") != memo.capability_key("marketplace", "pay")
    assert memo.capability_key("marketplace", "marketplace") is None  # the registry reads no record of itself
    assert memo.capability_key("", "pay") is None  # no registry
