"""Plugin lifecycle at a height: which plugins run, at which version, from which block.

The enabled plugin set is authenticated state (docs/upgrades.md), seeded at genesis from
the plugins the genesis pins. Only the governance plugin changes it, and only for the
future: ``ctx.schedule_plugin_change(op, plugin, version, height)`` records a change that
takes effect at the START of block ``height`` (at least ``plugin_change_min_delay`` blocks
ahead). At that block, on every node and on every replay:

* ``activate`` / ``upgrade``: the new version's parameters get their defaults (those it
  lacks), then its ``tonomy_migrate_state(from_version, to_version, ctx)`` hook runs once,
  on the plugin's own state only, inside a checkpoint of the block. If the migration
  fails, its writes are undone and the plugin stays as it was (the log says why): the
  outcome is the same on every node, so a broken migration never stalls the chain.
* ``disable``: the plugin's actions and queries are refused with ``tx.plugin_disabled``
  (a kill switch); its state stays, and a later ``activate`` brings it back.
* ``cancel``: removes the plugin's pending change (allowed until the height).

Then the block's transactions run with exactly the demanded versions. A node that has
not loaded a demanded version raises :class:`~tonomy.errors.PluginVersionMissingError`
before executing anything: it halts, it never applies the block with other code.

=====================================  ===============================================
key                                    value (canonical codec)
=====================================  ===============================================
``sys/plugin/<name>``                  ``{name, version, enabled, since}``
``sys/plugin_next/<name>``             the pending change ``{op, name, version, height}``
``sys/plugin_due/<height>/<name>``     ``null``: index of the changes due at a height
``sys/plugin_log/<name>/<height>``     ``{op, name, from, to, height, status, error}``
=====================================  ===============================================

Heights in keys are 20 decimal digits, so keys sort numerically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tonomy.chain import codec
from tonomy.chain.layout import SYSTEM_PREFIX
from tonomy.chain.overlay import WriteOverlay
from tonomy.chain.parameters import SYSTEM_PLUGIN, parameter_key
from tonomy.chain.state import StateView, scan_prefix
from tonomy.errors import PluginChangeRefusedError, PluginVersionMissingError, TonomyError
from tonomy.plugin.registry import PluginRecord, Registry
from tonomy.plugin.schema import name_problem

ACTIVATE = "activate"
UPGRADE = "upgrade"
DISABLE = "disable"
CANCEL = "cancel"
OPS = (ACTIVATE, UPGRADE, DISABLE, CANCEL)
MAX_VERSION_LENGTH = 64

APPLIED = "applied"
FAILED = "failed"


# -- layout -----------------------------------------------------------------------------


def _height(height: int) -> str:
    return f"{height:020d}"


def plugin_key(name: str) -> bytes:
    return SYSTEM_PREFIX + b"plugin/" + name.encode("ascii")


PLUGIN_PREFIX = SYSTEM_PREFIX + b"plugin/"
NEXT_PREFIX = SYSTEM_PREFIX + b"plugin_next/"


def next_key(name: str) -> bytes:
    return NEXT_PREFIX + name.encode("ascii")


def due_prefix(height: int) -> bytes:
    return SYSTEM_PREFIX + f"plugin_due/{_height(height)}/".encode("ascii")


def due_key(height: int, name: str) -> bytes:
    return due_prefix(height) + name.encode("ascii")


def log_prefix(name: str) -> bytes:
    return SYSTEM_PREFIX + f"plugin_log/{name}/".encode("ascii")


def log_key(name: str, height: int) -> bytes:
    return log_prefix(name) + _height(height).encode("ascii")


# -- records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PluginStatus:
    """One plugin as state knows it: its version and whether it runs, since which height."""

    name: str
    version: str
    enabled: bool
    since: int

    def to_record(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "enabled": self.enabled, "since": self.since}


@dataclass(frozen=True, slots=True)
class PluginChange:
    """A change scheduled for the start of block ``height`` (``version`` is "" for disable)."""

    op: str
    name: str
    version: str
    height: int

    def to_record(self) -> dict[str, Any]:
        return {"op": self.op, "name": self.name, "version": self.version, "height": self.height}


def _status(raw: bytes) -> PluginStatus:
    record = codec.decode(raw)
    return PluginStatus(record["name"], record["version"], record["enabled"], record["since"])


def _change(raw: bytes) -> PluginChange:
    record = codec.decode(raw)
    return PluginChange(record["op"], record["name"], record["version"], record["height"])


def seed_genesis(state: StateView, pins: Mapping[str, str]) -> None:
    """Every plugin the genesis pins is enabled at its pinned version from height 0."""
    for name, version in sorted(pins.items()):
        state.put(plugin_key(name), codec.encode(PluginStatus(name, version, True, 0).to_record()))


def plugin_statuses(state: StateView) -> list[PluginStatus]:
    """Every plugin state knows, enabled or not, sorted by name."""
    return [_status(raw) for _, raw in scan_prefix(state, PLUGIN_PREFIX)]


def find_status(state: StateView, name: str) -> PluginStatus | None:
    raw = state.get(plugin_key(name))
    return None if raw is None else _status(raw)


def enabled_versions(state: StateView) -> dict[str, str]:
    """``{name: version}`` of the plugins that run now."""
    return {status.name: status.version for status in plugin_statuses(state) if status.enabled}


def disabled_names(state: StateView) -> frozenset[str]:
    return frozenset(status.name for status in plugin_statuses(state) if not status.enabled)


def pending_changes(state: StateView) -> list[PluginChange]:
    """Every scheduled change, sorted by plugin name."""
    return [_change(raw) for _, raw in scan_prefix(state, NEXT_PREFIX)]


def plugin_log(state: StateView, name: str) -> list[dict[str, Any]]:
    """Every change applied (or failed) to ``name``, oldest first."""
    return [codec.decode(raw) for _, raw in scan_prefix(state, log_prefix(name))]


# -- scheduling (the governance plugin's privilege) ---------------------------------------


def schedule(state: StateView, change: PluginChange, *, current_height: int, min_delay: int, governance_plugin: str) -> None:
    """Check ``change`` against state and record it; raises ``lifecycle.refused`` otherwise.

    Only state is consulted, never what this node has installed: every node must agree on
    whether the change is accepted. Whether the version is installed matters at its height.
    """
    op, name, version, height = change.op, change.name, change.version, change.height
    if op not in OPS:
        raise PluginChangeRefusedError(f"the operation must be one of {', '.join(OPS)}, got {op!r}")
    problem = name_problem("plugin", name)
    if problem is not None:
        raise PluginChangeRefusedError(problem)
    if name == SYSTEM_PLUGIN:
        raise PluginChangeRefusedError(f"{SYSTEM_PLUGIN!r} is the chain's built-in system plugin; it has no lifecycle")
    if type(height) is not int or type(current_height) is not int:
        raise PluginChangeRefusedError("heights are integers")
    pending = state.get(next_key(name))
    if op == CANCEL:
        if pending is None:
            raise PluginChangeRefusedError(f"no change of {name} is scheduled")
        _unschedule(state, _change(pending))
        return
    if pending is not None:
        raise PluginChangeRefusedError(f"a change of {name} is already scheduled ({_describe(_change(pending))}); cancel it first")
    if height < current_height + min_delay or height >= 1 << 63:
        raise PluginChangeRefusedError(
            f"a plugin change must be scheduled at least {min_delay} blocks ahead (height >= {current_height + min_delay}), got {height}"
        )
    status = find_status(state, name)
    if op == DISABLE:
        if version != "":
            raise PluginChangeRefusedError("disable takes no version")
        if status is None or not status.enabled:
            raise PluginChangeRefusedError(f"{name} is not enabled")
        if name == governance_plugin:
            raise PluginChangeRefusedError(f"{name} is the governance plugin: disabling it would leave the chain ungovernable")
    else:
        if type(version) is not str or not 0 < len(version) <= MAX_VERSION_LENGTH or version != version.strip():
            raise PluginChangeRefusedError(f"a version is a non-empty string of at most {MAX_VERSION_LENGTH} characters without spaces around")
        if op == ACTIVATE and status is not None and status.enabled:
            raise PluginChangeRefusedError(f"{name} is enabled already (at {status.version}); use upgrade")
        if op == UPGRADE:
            if status is None or not status.enabled:
                raise PluginChangeRefusedError(f"{name} is not enabled; use activate")
            if status.version == version:
                raise PluginChangeRefusedError(f"{name} runs {version} already")
    state.put(next_key(name), codec.encode(change.to_record()))
    state.put(due_key(height, name), codec.encode(None))


def _unschedule(state: StateView, change: PluginChange) -> None:
    state.delete(next_key(change.name))
    state.delete(due_key(change.height, change.name))


def _describe(change: PluginChange) -> str:
    target = f" {change.version}" if change.version else ""
    return f"{change.op}{target} at height {change.height}"


# -- the switch at a height ---------------------------------------------------------------


def due_changes(state: StateView, height: int) -> list[PluginChange]:
    """The changes that take effect at the start of block ``height``, by plugin name."""
    changes = []
    for key, _ in scan_prefix(state, due_prefix(height)):
        raw = state.get(NEXT_PREFIX + key[len(due_prefix(height)):])
        if raw is not None:
            changes.append(_change(raw))
    return changes


def demanded_versions(state: StateView, height: int) -> dict[str, str]:
    """``{name: version}`` that must run in block ``height`` (its due changes applied)."""
    versions = enabled_versions(state)
    for change in due_changes(state, height):
        if change.op == DISABLE:
            versions.pop(change.name, None)
        else:
            versions[change.name] = change.version
    return versions


def check_available(available: Registry, demanded: Mapping[str, str], height: int) -> None:
    """Raise the halt error naming the first demanded version this node has not loaded."""
    for name, version in sorted(demanded.items()):
        if available.record_at(name, version) is None:
            loaded = ", ".join(available.versions(name)) or "none"
            raise PluginVersionMissingError(
                f"the chain runs plugin {name} at version {version} in block {height}, but this node has not loaded that "
                f"version (loaded versions of {name}: {loaded}). This node stops applying blocks instead of forking: "
                f"install {name} {version} (keep the older versions for replay) and restart the node."
            )


#: ``migrate(record, from_version)``: runs a version's migration hook; raises on failure.
Migrator = Callable[[PluginRecord, "str | None"], None]


def begin_block(overlay: WriteOverlay, height: int, available: Registry, migrate: Migrator, node_faults: tuple[type[BaseException], ...]) -> None:
    """Apply the changes due at ``height`` to ``overlay``; every node does exactly this.

    :raises PluginVersionMissingError: a version demanded in this block is not loaded here
        (checked before anything is written).
    """
    demanded = demanded_versions(overlay, height)
    check_available(available, demanded, height)
    for change in due_changes(overlay, height):
        _unschedule(overlay, change)
        before = find_status(overlay, change.name)
        entry: dict[str, Any] = {
            "op": change.op,
            "name": change.name,
            "from": None if before is None else before.version,
            "to": change.version or None,
            "height": height,
            "status": APPLIED,
            "error": None,
        }
        if change.op == DISABLE:
            if before is not None:
                overlay.put(plugin_key(change.name), codec.encode(PluginStatus(before.name, before.version, False, height).to_record()))
        else:
            record = available.record_at(change.name, change.version)
            assert record is not None  # check_available passed
            overlay.checkpoint()
            try:
                _write_missing_parameters(overlay, record)
                migrate(record, entry["from"])
            except node_faults:
                overlay.rollback()
                raise
            except TonomyError as exc:
                overlay.rollback()
                entry.update(status=FAILED, error=f"[{exc.code}] {exc.message}")
            except Exception as exc:  # a bug in the migration: the same failure on every node
                overlay.rollback()
                entry.update(status=FAILED, error=f"[tx.handler_error] {type(exc).__name__}: {exc}")
            else:
                overlay.release()
                overlay.put(plugin_key(change.name), codec.encode(PluginStatus(change.name, change.version, True, height).to_record()))
        overlay.put(log_key(change.name, height), codec.encode(entry))


def _write_missing_parameters(state: StateView, record: PluginRecord) -> None:
    """A version's parameters that state lacks (or holds with a value it refuses) get its defaults."""
    for spec in record.parameters:
        key = parameter_key(record.name, spec.name)
        raw = state.get(key)
        if raw is not None:
            try:
                spec.validate(codec.decode(raw))
                continue
            except TonomyError:
                pass
        state.put(key, codec.encode(spec.default))


class MigrationDispatcher:
    """What a migration's context may reach: parameters (read-only), nothing else.

    A migration runs on its own state only: calls, queries, privileged operations and
    account lookups are refused, so what it writes depends on its own records alone.
    """

    def __init__(self, state: StateView, meter: Any) -> None:
        self._state = state
        self._meter = meter

    def read_parameter(self, caller: Any, plugin: str, name: str) -> Any:
        self._meter.charge_op()
        raw = self._state.get(parameter_key(plugin, name)) if name_problem("plugin", plugin) is None else None
        if raw is None:
            raise PluginChangeRefusedError(f"no parameter {plugin}.{name}")
        return codec.decode(raw)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise PluginChangeRefusedError("a migration runs on its own state only: no calls, queries or privileged operations")

    call_action = call_query = plugin_authority_call = account_exists = write_parameter = system_call = _refuse
    voting_strategies = schedule_plugin_change = _refuse


# -- queries ------------------------------------------------------------------------------


def query_plugins(state: StateView, params: Mapping[str, Any]) -> dict[str, Any]:
    """System query ``tonomy.plugins``: every plugin's status and the scheduled changes.

    With ``{"name": <plugin>}`` it also returns that plugin's change log.
    """
    unknown = sorted(set(params) - {"name"})
    if unknown:
        from tonomy.errors import InvalidActionDataError

        raise InvalidActionDataError(f"unknown field(s): {', '.join(unknown)}")
    answer: dict[str, Any] = {
        "plugins": [status.to_record() for status in plugin_statuses(state)],
        "scheduled": [change.to_record() for change in pending_changes(state)],
    }
    name = params.get("name")
    if name is not None:
        if name_problem("plugin", name) is not None:
            from tonomy.errors import InvalidActionDataError

            raise InvalidActionDataError(f"{name!r} is not a plugin name")
        answer["log"] = plugin_log(state, name)
    return answer


__all__ = [
    "ACTIVATE",
    "CANCEL",
    "DISABLE",
    "OPS",
    "UPGRADE",
    "PluginChange",
    "PluginStatus",
    "begin_block",
    "check_available",
    "demanded_versions",
    "disabled_names",
    "enabled_versions",
    "plugin_log",
    "plugin_statuses",
    "query_plugins",
    "schedule",
    "seed_genesis",
]
