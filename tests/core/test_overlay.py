"""The core's meter and plugin state (``_core.Meter``, ``_core.PluginState``) through the bindings.

The core plugin state must answer exactly like the Python ``NamespacedState`` with the
meter as it was written in Python (below, ``ReferenceMeter``): the same results, the same
refusals (class, code and message, recorded in receipts), the same counts after every
operation, the same writes. A script of random operations, hostile ones included, runs
on both over the same committed state.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tonomy import _core
from tonomy.chain.context import CoreNamespacedState, Meter, NamespacedState, ResourceLimits, plugin_prefix
from tonomy.chain.overlay import WriteOverlay
from tonomy.errors import InvalidInputError, ResourceLimitError, TonomyError


@dataclass(slots=True)
class ReferenceMeter:
    """The meter as it was in Python before it moved to the core (the model)."""

    limits: ResourceLimits
    state_ops: int = 0
    bytes_written: int = 0

    def charge_op(self) -> None:
        self.state_ops += 1
        if self.state_ops > self.limits.max_state_ops:
            raise ResourceLimitError(f"the transaction exceeded {self.limits.max_state_ops} state operations")

    def charge_write(self, size: int) -> None:
        self.charge_op()
        self.bytes_written += size
        if self.bytes_written > self.limits.max_bytes_written:
            raise ResourceLimitError(f"the transaction wrote more than {self.limits.max_bytes_written} bytes of state")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[_core.Store]:
    with _core.Store(tmp_path / "db", durable=False) as opened:
        committed = [(b"p/pay/k%02d" % i, _core.codec_encode(i)) for i in range(0, 40, 3)]
        committed += [(b"p/pay/raw%02d" % i, b"\xff\x00garbage") for i in range(3)]  # not canonical records
        committed += [(b"p/other/k01", _core.codec_encode("not yours"))]
        opened.commit(1, committed)
        yield opened


def _keys(rng: random.Random) -> Any:
    return rng.choice(
        [b"k%02d" % rng.randrange(40)] * 6
        + [b"raw%02d" % rng.randrange(3), b"", b"x" * 256, b"x" * 257, "k01", bytearray(b"k01"), None, 7, b"\x00" * 250]
    )


def _values(rng: random.Random) -> Any:
    return rng.choice([b"v%d" % rng.randrange(99), b"", b"y" * 65536, b"y" * 65537, "text", bytearray(b"v"), None])


def _records(rng: random.Random) -> Any:
    return rng.choice([rng.randrange(10**6), "text", {"a": [1, b"x"]}, None, 1.5, {1, 2}, b"z" * 70_000, [b"w" * 300]])


def _script(seed: int, length: int) -> list[tuple[str, tuple[Any, ...]]]:
    rng = random.Random(seed)
    ops: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(length):
        op = rng.choice(["get", "get_record", "put", "put_record", "delete"])
        if op in ("get", "get_record", "delete"):
            ops.append((op, (_keys(rng),)))
        elif op == "put":
            ops.append((op, (_keys(rng), _values(rng))))
        else:
            ops.append((op, (_keys(rng), _records(rng))))
    return ops


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except TonomyError as exc:
        return type(exc).__name__, (exc.code, exc.message)


@pytest.mark.parametrize(("seed", "max_ops", "max_bytes"), [(1, 10_000, 1 << 20), (2, 60, 1 << 20), (3, 10_000, 3_000), (4, 10_000, 200_000)])
def test_core_plugin_state_answers_like_the_python_one(store: _core.Store, seed: int, max_ops: int, max_bytes: int) -> None:
    limits = ResourceLimits(max_state_ops=max_ops, max_bytes_written=max_bytes)
    python_view, core_view = WriteOverlay(store), WriteOverlay(store, remember_reads=True)
    python_meter, core_meter = ReferenceMeter(limits), Meter(limits)
    python_state = NamespacedState(python_view, "pay", python_meter)  # type: ignore[arg-type]
    core_state = CoreNamespacedState(core_view, plugin_prefix("pay"), core_meter)
    refusals = set()
    for op, args in _script(seed, 400):
        expected = _outcome(lambda: getattr(python_state, op)(*args))
        got = _outcome(lambda: getattr(core_state, op)(*args))
        assert got == expected, (op, args[:1])
        assert (core_meter.state_ops, core_meter.bytes_written) == (python_meter.state_ops, python_meter.bytes_written)
        refusals.add(expected[0])
    assert python_view.native.write_set() == core_view.native.write_set()
    assert _outcome(lambda: list(python_state.items())) == _outcome(lambda: list(core_state.items()))
    assert core_meter.state_ops == python_meter.state_ops
    # The script did reach the refusals it is meant to compare.
    assert {"ok", "InvalidInputError", "CodecError"} <= refusals
    if max_ops < 10_000 or max_bytes < 1 << 20:
        assert "ResourceLimitError" in refusals


def test_refused_operations_change_nothing_but_the_counts(store: _core.Store) -> None:
    view = WriteOverlay(store)
    meter = Meter(ResourceLimits(max_state_ops=100, max_bytes_written=100))
    state = CoreNamespacedState(view, plugin_prefix("pay"), meter)
    for op, args in [("put", (b"k" * 300, b"v")), ("put", ("k", b"v")), ("put", (b"k", b"v" * 70_000)), ("put_record", (b"k", 1.5)), ("get", (b"k" * 10_000_000,))]:
        with pytest.raises(TonomyError):
            getattr(state, op)(*args)
    assert (meter.state_ops, meter.bytes_written, len(view.native)) == (0, 0, 0), "checks come before the meter"
    with pytest.raises(ResourceLimitError, match="wrote more than 100 bytes"):
        state.put(b"big", b"v" * 100)
    assert (meter.state_ops, meter.bytes_written, len(view.native)) == (1, 109, 0)
    assert state.get(b"big") is None


def test_the_meter_is_shared_with_the_host(store: _core.Store) -> None:
    meter = Meter(ResourceLimits(max_state_ops=3))
    state = CoreNamespacedState(WriteOverlay(store), plugin_prefix("pay"), meter)
    assert state.get_record(b"k03") == 3
    meter.charge_op()  # the host's own metered read
    state.put_record(b"k03", 4)
    assert (meter.state_ops, meter.bytes_written) == (3, len(b"p/pay/k03") + len(_core.codec_encode(4)))
    with pytest.raises(ResourceLimitError) as refused:
        state.delete(b"k03")
    assert refused.value.code == "tx.resource_limit" and refused.value.message == "the transaction exceeded 3 state operations"
    assert meter.state_ops == 4 and state.meter is meter and state.prefix == b"p/pay/"


def test_the_meter_refuses_hostile_arguments_with_a_stable_code() -> None:
    limits = ResourceLimits()
    for bad in [object(), ResourceLimits(max_state_ops=-1), ResourceLimits(max_bytes_written=2**64), ResourceLimits(max_state_ops="9")]:  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            Meter(bad)
    hostile: list[Any] = [-1, 2**64, "1", 1.0]
    for ops in hostile:
        with pytest.raises(InvalidInputError):
            Meter(limits, state_ops=ops)
    meter = Meter(limits, state_ops=5, bytes_written=7)
    for attribute in ("state_ops", "bytes_written"):
        with pytest.raises(InvalidInputError):
            setattr(meter, attribute, -1)
    for size in [-1, 2**64, None]:
        with pytest.raises(InvalidInputError):
            meter.charge_write(size)  # type: ignore[arg-type]
    assert (meter.state_ops, meter.bytes_written) == (5, 7), "nothing counted"
    with pytest.raises(ResourceLimitError, match="exceeded 10000 state operations"):
        meter.refuse_ops()
    huge = Meter(ResourceLimits(max_state_ops=2**64 - 1, max_bytes_written=2**64 - 1), state_ops=2**64 - 1)
    huge.charge_write(2**64 - 1)
    assert (huge.state_ops, huge.bytes_written) == (2**64 - 1, 2**64 - 1), "counts saturate, never wrap"
    assert meter.limits is limits


def test_the_plugin_state_refuses_hostile_construction(store: _core.Store) -> None:
    meter = Meter(ResourceLimits())
    view = WriteOverlay(store)
    cases: list[tuple[Any, Any, Any]] = [(object(), b"p/pay/", meter), (view, "p/pay/", meter), (view, b"", meter), (view, b"p" * 129, meter), (view, b"p/pay/", ReferenceMeter(ResourceLimits()))]
    for args in cases:
        with pytest.raises(InvalidInputError):
            CoreNamespacedState(*args)
