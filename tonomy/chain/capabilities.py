"""App capabilities: what an app plugin's approved manifest lets it reach.

An *app* is a plugin published through the app registry (the plugin the system
parameter ``tonomy.app_registry_plugin`` names, ``marketplace`` by default). When the
network approves a release, the registry writes the release's capability record at
``p/<registry>/cap/<app>``; from then on the engine constrains that plugin, whatever
its code tries:

* it runs only inside a window of heights (``from`` ≤ height < ``until``): before its
  activation and after its revocation every action and query of it is refused
  (``tx.app_inactive``);
* its state is its own namespace **and**, inside it, only the key prefixes its
  manifest lists (``tx.capability_denied``);
* it may call only the ``plugin.action`` pairs and ask only the ``plugin.query``
  pairs its manifest lists (``tx.capability_denied``).

The record is chain state, written only by the registry plugin (nobody else can write
its namespace), read by every node at the same height: enforcement is deterministic.
A plugin with no capability record is a first-party or genesis plugin and is not
constrained here. A record the engine cannot read refuses everything (fail closed).

Record (canonical codec): ``{"windows": [{"from": int, "until": int | None,
"version": str, "state": [bytes], "calls": [str], "queries": [str]}]}``, windows in
activation order; the engine uses the last window whose ``from`` is at or below the
height.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tonomy.chain import codec
from tonomy.chain.context import Meter, NamespacedState
from tonomy.chain.state import StateView
from tonomy.errors import AppInactiveError, CapabilityDeniedError, InvalidInputError, TonomyError

#: Where, inside the registry plugin's namespace, the capability records live.
CAPABILITY_KEY_PREFIX = b"cap/"
#: The system parameter naming the app registry plugin.
APP_REGISTRY_PARAMETER = "app_registry_plugin"
#: Set (to True) by the app loader on every module it loads from a node's plugin
#: directory; app code cannot spell a dunder name (tonomy.plugin.appscan), so only the
#: host marks a plugin as an app, and such a plugin never runs without a record.
APP_MARKER = "__tonomy_app__"
MAX_WINDOWS = 64
MAX_ENTRIES = 64


def capability_key(registry_plugin: str, app: str) -> bytes:
    """The full state key of ``app``'s capability record."""
    return b"p/" + registry_plugin.encode("ascii") + b"/" + CAPABILITY_KEY_PREFIX + app.encode("ascii")


@dataclass(frozen=True, slots=True)
class Window:
    """One approved release's capabilities, in force from ``start`` until ``until`` (exclusive)."""

    start: int
    until: int | None
    version: str
    state: tuple[bytes, ...]
    calls: frozenset[str]
    queries: frozenset[str]

    @classmethod
    def from_record(cls, record: Any) -> Window:
        if not isinstance(record, Mapping):
            raise ValueError("a window is a record")
        start, until, version = record.get("from"), record.get("until"), record.get("version")
        state, calls, queries = record.get("state"), record.get("calls"), record.get("queries")
        if type(start) is not int or start < 0 or (until is not None and (type(until) is not int or until < start)):
            raise ValueError("a window has heights from <= until")
        if type(version) is not str:
            raise ValueError("a window names its version")
        for entries, kind in ((state, bytes), (calls, str), (queries, str)):
            if not isinstance(entries, list) or len(entries) > MAX_ENTRIES or not all(type(e) is kind for e in entries):
                raise ValueError("state, calls and queries are bounded lists")
        return cls(start, until, version, tuple(state), frozenset(calls), frozenset(queries))  # type: ignore[arg-type]

    def active_at(self, height: int) -> bool:
        return self.start <= height and (self.until is None or height < self.until)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The capability windows of one app, as the registry recorded them."""

    app: str
    windows: tuple[Window, ...]

    @classmethod
    def from_bytes(cls, app: str, raw: bytes) -> Capabilities:
        """Decode a stored record; anything unreadable gives an app with no window (refuses all)."""
        try:
            record = codec.decode(raw)
            windows = record["windows"] if isinstance(record, Mapping) else None
            if not isinstance(windows, list) or len(windows) > MAX_WINDOWS:
                raise ValueError("windows is a bounded list")
            return cls(app, tuple(Window.from_record(window) for window in windows))
        except (TonomyError, ValueError, KeyError, TypeError):
            return cls(app, ())

    def window_at(self, height: int) -> Window:
        """The window in force at ``height``; ``tx.app_inactive`` when there is none."""
        current = None
        for window in self.windows:
            if window.start <= height:
                current = window
        if current is None or not current.active_at(height):
            raise AppInactiveError(f"the app {self.app!r} is not active at height {height} (not yet activated, or revoked)")
        return current


def is_app_module(plugin: object) -> bool:
    """Was this plugin loaded from a node's plugin directory (an app, never first-party)?"""
    return getattr(plugin, APP_MARKER, False) is True


def read_capabilities(state: StateView, registry_plugin: str, app: str, *, loaded_as_app: bool = False) -> Capabilities | None:
    """``app``'s capabilities; None for a plugin the registry never listed that was not
    loaded as an app (a first-party or genesis plugin). An app without a record gets no
    window at all: it cannot run."""
    raw = state.get(capability_key(registry_plugin, app)) if registry_plugin and registry_plugin != app else None
    if raw is None:
        return Capabilities(app, ()) if loaded_as_app else None
    return Capabilities.from_bytes(app, raw)


def check_state_key(window: Window, app: str, key: bytes) -> None:
    """A state key of an app must start with a prefix its manifest owns."""
    if not any(key.startswith(prefix) for prefix in window.state):
        shown = key[:64]
        raise CapabilityDeniedError(
            f"the app {app!r} {window.version} touched the state key {shown!r}, outside the state its manifest owns"
        )


def check_reach(window: Window, app: str, kind: str, plugin: str, name: str) -> None:
    """An app may call an action (``kind="calls"``) or ask a query (``"queries"``) only if listed."""
    allowed = window.calls if kind == "calls" else window.queries
    target = f"{plugin}.{name}"
    if target not in allowed:
        what = "call the action" if kind == "calls" else "ask the query"
        raise CapabilityDeniedError(f"the app {app!r} {window.version} may not {what} {target}: its manifest does not list it")




def prefix_end(prefix: bytes) -> bytes | None:
    """The first key after every key starting with ``prefix`` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


class AppState(NamespacedState):
    """An app's state handle: its namespace, and inside it only the prefixes its manifest owns."""

    __slots__ = ("_window", "_app")

    def __init__(self, inner: StateView, plugin: str, meter: Meter, window: Window) -> None:
        super().__init__(inner, plugin, meter)
        self._window = window
        self._app = plugin
        self._check_key = self._owned

    def _owned(self, key: bytes) -> None:
        check_state_key(self._window, self._app, key)

    def items(self, start: bytes = b"", end: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """A range scan must lie inside one owned prefix (an open end stops at its bound)."""
        if type(start) is not bytes or (end is not None and type(end) is not bytes):
            raise InvalidInputError("range bounds are bytes")
        for prefix in self._window.state:
            if start.startswith(prefix):
                bound = prefix_end(prefix)
                if end is None:
                    end = bound
                if bound is None or (end is not None and end <= bound):
                    return super().items(start, end)
        raise CapabilityDeniedError(
            f"the app {self._app!r} {self._window.version} scanned from {start[:64]!r}, outside the state its manifest owns"
        )

__all__ = [
    "APP_MARKER",
    "APP_REGISTRY_PARAMETER",
    "AppState",
    "CAPABILITY_KEY_PREFIX",
    "Capabilities",
    "Window",
    "capability_key",
    "check_reach",
    "check_state_key",
    "is_app_module",
    "prefix_end",
    "read_capabilities",
]
