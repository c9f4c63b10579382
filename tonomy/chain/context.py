"""What an action handler gets: the execution context.

A handler sees only what keeps execution deterministic and contained:

* ``ctx.state``: the plugin's own namespace of the chain state (keys are prefixed by
  the host, so a plugin cannot read or write another plugin's records), metered;
* ``ctx.height`` / ``ctx.time_ms``: the block's height and time (never the wall clock);
* ``ctx.random``: a deterministic random source seeded from the block, the transaction
  and the action index, the same on every node;
* ``ctx.emit``: events, recorded in the receipt;
* ``ctx.require_auth`` / ``ctx.has_auth``: the authorizations the action carries
  (already checked against the signatures before the handler runs);
* ``ctx.call`` / ``ctx.query``: other plugins' public actions and queries, never
  their internals; ``ctx.caller``: the plugin that called this action, if any;
* ``ctx.fail``: refuse the action with the plugin's own stable error code;
* ``ctx.parameter``: a parameter's value in force (any plugin's; parameters are public);
* ``ctx.voting_strategies``: the voting strategies of the chain's plugins.

Two privileged operations exist for the ONE plugin the system parameter
``tonomy.governance_plugin`` names (the engine checks which plugin's handler is
really running, not what the context says): ``ctx.set_parameter`` (validated against
the owning plugin's spec), ``ctx.call_as_system`` (another plugin's action carrying
the system account's authority) and ``ctx.schedule_plugin_change`` (a plugin's
activation, upgrade or disable at a future height, docs/upgrades.md). Every other plugin gets ``tx.missing_authorization``.

Everything a transaction writes goes to a write overlay; a failure anywhere rolls
back the whole transaction, so a handler never needs to undo its own writes.

Plugin authority: ``ctx.call_with_plugin_authority`` is ``ctx.call`` that may also carry
permissions whose authority lists this plugin's level ``tonomy.code@<plugin>`` (an
account's explicit, revocable consent to let this plugin act for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import blake3

from tonomy import _core
from tonomy.chain import codec
from tonomy.chain.authority import PermissionLevel
from tonomy.chain.state import StateView
from tonomy.errors import (
    ActionFailedError,
    InvalidInputError,
    MissingAuthorizationError,
    ResourceLimitError,
)

#: Every plugin's records live under ``p/<plugin>/``; ``sys/`` belongs to the chain core.
PLUGIN_STATE_PREFIX = b"p/"
MAX_KEY_SIZE = 256
MAX_VALUE_SIZE = 64 * 1024
MAX_EVENT_NAME = 64


def plugin_prefix(plugin: str) -> bytes:
    return PLUGIN_STATE_PREFIX + plugin.encode("ascii") + b"/"


@dataclass(frozen=True, slots=True)
class ResourceLimits:
    """Per-transaction limits (governable parameters of the chain)."""

    max_state_ops: int = 10_000
    max_bytes_written: int = 1 << 20
    max_events: int = 256
    max_call_depth: int = 4


#: Counts what one transaction costs (``state_ops``, ``bytes_written``) and stops it at
#: its ``limits`` (``charge_op``, ``charge_write``: ResourceLimitError): the core's meter,
#: so a plugin state in the core charges it without a call back into Python.
Meter = _core.Meter


@dataclass(frozen=True, slots=True)
class Event:
    """Something a plugin announces; ``data`` is canonical-codec bytes."""

    plugin: str
    name: str
    data: bytes


class NamespacedState:
    """A plugin's view of the state: its own prefix only, every operation metered."""

    __slots__ = ("_inner", "_prefix", "_meter", "_get", "_put", "_delete", "_check_key", "_get_decoded")

    def __init__(self, inner: StateView, plugin: str, meter: Meter, primitives: Primitives | None = None) -> None:
        """``primitives``: ``unchecked_primitives(inner)`` if the caller has them already."""
        self._inner = inner
        self._prefix = plugin_prefix(plugin)
        self._meter = meter
        # Keys and values are checked here (exact bytes, bounded sizes), so a view that
        # offers unchecked primitives (the write overlay) is used through them: the same
        # answers without checking every key twice.
        self._get: Callable[[bytes], bytes | None]
        self._put: Callable[[bytes, bytes], None]
        self._delete: Callable[[bytes], None]
        self._get, self._put, self._delete = unchecked_primitives(inner) if primitives is None else primitives
        #: A further check of every (well-formed) key, or None (a subclass may narrow the namespace).
        self._check_key: Callable[[bytes], None] | None = None
        #: ``codec.decode(get(key))`` in one call, where the view's core offers it (a write overlay).
        native = getattr(inner, "native", None)
        self._get_decoded: Callable[[bytes], Any] | None = None if native is None else native.get_record

    def _full(self, key: bytes) -> bytes:
        if type(key) is not bytes:
            raise InvalidInputError(f"state keys are bytes, got {type(key).__name__}")
        if not 0 < len(key) <= MAX_KEY_SIZE:
            raise InvalidInputError(f"state keys are 1 to {MAX_KEY_SIZE} bytes, got {len(key)}")
        check = self._check_key
        if check is not None:
            check(key)
        return self._prefix + key

    def get(self, key: bytes) -> bytes | None:
        full = self._full(key)
        self._meter.charge_op()
        return self._get(full)

    def put(self, key: bytes, value: bytes) -> None:
        full = self._full(key)
        if type(value) is not bytes:
            raise InvalidInputError(f"state values are bytes, got {type(value).__name__}")
        if len(value) > MAX_VALUE_SIZE:
            raise InvalidInputError(f"state values are at most {MAX_VALUE_SIZE} bytes, got {len(value)}")
        self._meter.charge_write(len(full) + len(value))
        self._put(full, value)

    def delete(self, key: bytes) -> None:
        full = self._full(key)
        self._meter.charge_op()
        self._delete(full)

    def items(self, start: bytes = b"", end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """Ascending pairs with ``start <= key < end`` inside this plugin's namespace."""
        return _namespaced_items(self._inner, self._prefix, self._meter, start, end)

    # Records encoded with the canonical codec: the common case for plugin state.
    def get_record(self, key: bytes) -> Any:
        full = self._full(key)
        self._meter.charge_op()
        get_decoded = self._get_decoded
        if get_decoded is not None:  # read and decoded in one core call
            return get_decoded(full)
        raw = self._get(full)
        return None if raw is None else codec.decode(raw)

    def put_record(self, key: bytes, record: Any) -> None:
        self.put(key, codec.encode(record))


class CoreNamespacedState(_core.PluginState):
    """:class:`NamespacedState` over a write overlay with no further key check: every
    ``get``, ``get_record``, ``put``, ``put_record`` and ``delete`` is one call into the
    core (same checks in the same order, same messages, same metering); ``items`` is
    the shared Python iteration. Built as ``CoreNamespacedState(overlay, plugin_prefix(plugin), meter)``."""

    __slots__ = ()

    def items(self, start: bytes = b"", end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """Ascending pairs with ``start <= key < end`` inside this plugin's namespace."""
        return _namespaced_items(self.view, self.prefix, self.meter, start, end)


#: What ``ctx.state`` is: the same API either way.
PluginStateView = NamespacedState | CoreNamespacedState


def _namespaced_items(inner: StateView, prefix: bytes, meter: Meter, start: bytes, end: bytes | None) -> Iterator[tuple[bytes, bytes]]:
    low = prefix + start
    high = prefix + end if end is not None else _after_prefix(prefix)
    cut = len(prefix)
    for key, value in inner.items(low, high):
        meter.charge_op()
        yield key[cut:], value


def unchecked_primitives(view: StateView) -> Primitives:
    """``get``, ``put``, ``delete`` of ``view``, without its own argument checks if it has such."""
    unchecked = getattr(view, "unchecked", None)
    if unchecked is not None:
        primitives: Primitives = unchecked()
        return primitives
    return view.get, view.put, view.delete


#: A state view's ``get``, ``put`` and ``delete``.
Primitives = tuple[Callable[[bytes], "bytes | None"], Callable[[bytes, bytes], None], Callable[[bytes], None]]


def _after_prefix(prefix: bytes) -> bytes:
    # Plugin prefixes end with b"/", never 0xff, so incrementing the last byte is safe.
    return prefix[:-1] + bytes([prefix[-1] + 1])


class DeterministicRandom:
    """Random numbers every node draws alike: a BLAKE3 stream keyed by the seed."""

    __slots__ = ("_stream", "_offset", "_seed", "_derive")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise InvalidInputError("a random seed is 32 bytes")
        self._seed: bytes | None = seed
        self._derive: tuple[Callable[..., bytes], tuple[Any, ...]] | None = None
        self._stream: Any = None
        self._offset = 0

    @classmethod
    def deferred(cls, derive: Callable[..., bytes], *args: Any) -> DeterministicRandom:
        """The source seeded by ``derive(*args)``, derived only once a number is drawn
        (most actions draw none, and the seed costs a hash)."""
        source = cls.__new__(cls)
        source._seed = None
        source._derive = (derive, args)
        source._stream = None
        source._offset = 0
        return source

    def _started(self) -> Any:
        stream = self._stream
        if stream is None:
            seed = self._seed
            if seed is None and self._derive is not None:
                derive, args = self._derive
                seed = derive(*args)
            if seed is None or len(seed) != 32:
                raise InvalidInputError("a random seed is 32 bytes")
            stream = self._stream = blake3.blake3(b"tonomy/random/v1\x00" + seed)
        return stream

    def randbytes(self, count: int) -> bytes:
        if count < 0:
            raise InvalidInputError("randbytes needs a count >= 0")
        out: bytes = self._started().digest(length=count, seek=self._offset)
        self._offset += count
        return out

    def randbelow(self, bound: int) -> int:
        """Uniform in ``[0, bound)`` by rejection sampling (no modulo bias)."""
        if type(bound) is not int or bound <= 0:
            raise InvalidInputError("randbelow needs an int bound > 0")
        width = max(1, (bound.bit_length() + 7) // 8)
        span = 1 << (8 * width)
        limit = span - span % bound
        while True:
            value = int.from_bytes(self.randbytes(width), "big")
            if value < limit:
                return value % bound


class Dispatcher(Protocol):
    """What the engine offers a context for cross-plugin calls."""

    def call_action(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None: ...

    def call_query(self, caller: ActionContext, plugin: str, name: str, params: Mapping[str, Any]) -> object: ...

    def plugin_authority_call(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None: ...

    def account_exists(self, name: str) -> bool: ...

    def read_parameter(self, caller: ActionContext, plugin: str, name: str) -> Any: ...

    def write_parameter(self, caller: ActionContext, plugin: str, name: str, value: Any) -> Any: ...

    def system_call(self, caller: ActionContext, plugin: str, name: str, data: Mapping[str, Any], permission: str) -> None: ...

    def voting_strategies(self) -> Mapping[str, Any]: ...

    def schedule_plugin_change(self, caller: ActionContext, op: str, plugin: str, version: str, height: int) -> None: ...


# One event per transfer: the frozen dataclass's ``__init__`` sets each field through
# ``object.__setattr__``; the slots' own setters cost about half (same fields, same object).
_set_event_plugin, _set_event_name, _set_event_data = (getattr(Event, name).__set__ for name in ("plugin", "name", "data"))


def _new_event(plugin: str, name: str, data: bytes) -> Event:
    """``Event(plugin, name, data)``, built faster."""
    event: Event = object.__new__(Event)
    _set_event_plugin(event, plugin)
    _set_event_name(event, name)
    _set_event_data(event, data)
    return event


@dataclass(frozen=True, slots=True)
class BlockInfo:
    height: int
    time_ms: int


@dataclass(slots=True)
class ActionContext:
    """The context of one action; handlers must not keep it past their call."""

    plugin: str
    action: str
    authorization: tuple[PermissionLevel, ...]
    block: BlockInfo
    state: PluginStateView
    random: DeterministicRandom
    meter: Meter
    dispatcher: Dispatcher
    events: list[Event] = field(default_factory=list)
    depth: int = 0
    #: The plugin whose handler called this action (``None``: an action of the transaction
    #: itself). Set by the engine from what really runs, so a callee can require that a
    #: call came from, say, the governance plugin executing a proposal.
    caller: str | None = None

    @property
    def height(self) -> int:
        return self.block.height

    @property
    def time_ms(self) -> int:
        return self.block.time_ms

    def has_auth(self, account: str, permission: str | None = None) -> bool:
        for level in self.authorization:
            if level.actor == account and (permission is None or level.permission == permission):
                return True
        return False

    def require_auth(self, account: str, permission: str | None = None) -> None:
        if not self.has_auth(account, permission):
            needed = account if permission is None else f"{account}@{permission}"
            raise MissingAuthorizationError(f"{self.plugin}.{self.action} needs the authorization of {needed}")

    def emit(self, name: str, data: Mapping[str, Any]) -> None:
        if not isinstance(name, str) or not 0 < len(name) <= MAX_EVENT_NAME:
            raise InvalidInputError(f"event names are 1 to {MAX_EVENT_NAME} characters")
        if len(self.events) >= self.meter.limits.max_events:
            raise ResourceLimitError(f"the transaction emitted more than {self.meter.limits.max_events} events")
        # A dict is encoded as it is (the codec does not change it); any other mapping as a dict.
        self.events.append(_new_event(self.plugin, name, codec.encode(data if type(data) is dict else dict(data))))

    def fail(self, reason: str, message: str) -> NoReturn:
        """Refuse the action with the stable code ``<plugin>.<reason>``."""
        raise ActionFailedError(message, code=f"{self.plugin}.{reason}")

    def call(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel] | None = None) -> None:
        """Run another plugin's public action inside this transaction.

        The callee may only carry authorizations this action carries (no escalation).
        """
        levels = tuple(authorization) if authorization is not None else self.authorization
        for level in levels:
            if level not in self.authorization:
                raise MissingAuthorizationError(f"{self.plugin}.{self.action} cannot pass {level} on: the action does not carry it")
        if self.depth + 1 > self.meter.limits.max_call_depth:
            raise ResourceLimitError(f"cross-plugin calls nest deeper than {self.meter.limits.max_call_depth}")
        self.dispatcher.call_action(self, plugin, name, data, levels)

    def call_with_plugin_authority(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[PermissionLevel]) -> None:
        """Run an action carrying ``authorization``, which this plugin itself satisfies.

        Each level must be carried by this action or be satisfied by this plugin's
        authority level ``tonomy.code@<plugin>`` alone (the account listed it in that
        permission's authority, with enough weight). The engine checks which plugin's
        handler is really running; the callee's links and the tree operations' own
        requirements apply as for any call.
        """
        if self.depth + 1 > self.meter.limits.max_call_depth:
            raise ResourceLimitError(f"cross-plugin calls nest deeper than {self.meter.limits.max_call_depth}")
        self.dispatcher.plugin_authority_call(self, plugin, name, data, tuple(authorization))

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> object:
        return self.dispatcher.call_query(self, plugin, name, params)

    def account_exists(self, name: str) -> bool:
        return self.dispatcher.account_exists(name)

    def parameter(self, name: str, plugin: str | None = None) -> Any:
        """The value in force of a parameter (this plugin's unless ``plugin`` is given)."""
        return self.dispatcher.read_parameter(self, self.plugin if plugin is None else plugin, name)

    def set_parameter(self, plugin: str, name: str, value: Any) -> Any:
        """Governance plugin only: validate ``value`` by the owner's spec, store it, return the old value."""
        return self.dispatcher.write_parameter(self, plugin, name, value)

    def call_as_system(self, plugin: str, name: str, data: Mapping[str, Any], permission: str = "active") -> None:
        """Governance plugin only: run an action carrying ``tonomy@<permission>``."""
        if self.depth + 1 > self.meter.limits.max_call_depth:
            raise ResourceLimitError(f"cross-plugin calls nest deeper than {self.meter.limits.max_call_depth}")
        self.dispatcher.system_call(self, plugin, name, data, permission)

    def voting_strategies(self) -> Mapping[str, Any]:
        """``{"<plugin>.<name>": VotingStrategySpec}`` of the plugins this chain runs, sorted."""
        return self.dispatcher.voting_strategies()

    def schedule_plugin_change(self, op: str, plugin: str, version: str, height: int) -> None:
        """Governance plugin only: schedule ``op`` (activate, upgrade, disable, cancel) of
        ``plugin`` at ``version`` (``""`` for disable and cancel) from block ``height``.

        Refused with ``lifecycle.refused`` unless ``height`` is at least the system parameter
        ``plugin_change_min_delay`` blocks ahead and the change fits the plugin's status
        (docs/upgrades.md).
        """
        self.dispatcher.schedule_plugin_change(self, op, plugin, version, height)
