"""The registry: every action, query and parameter of every loaded plugin, by (plugin, name).

Built once when the plugin manager is built, then read-only. Everything is keyed
by ``(plugin, name)`` and iterated in sorted order, so what a node derives from
it (genesis parameters, dispatch tables) never depends on discovery order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from tonomy.errors import PluginConflictError, PluginError, PluginLoadError
from tonomy.plugin.inspection import call_hook
from tonomy.plugin.source import PluginSource, plugin_failure
from tonomy.plugin.types import ActionSpec, ParameterSpec, PluginInfo, QuerySpec, VotingStrategySpec

SpecT = TypeVar("SpecT", ActionSpec, QuerySpec, ParameterSpec, VotingStrategySpec)


@dataclass(frozen=True, slots=True)
class PluginRecord:
    """One loaded plugin: who it is, where it came from, what it registered."""

    name: str
    info: PluginInfo
    source: PluginSource
    plugin: object
    actions: tuple[ActionSpec, ...] = ()
    queries: tuple[QuerySpec, ...] = ()
    parameters: tuple[ParameterSpec, ...] = ()
    voting_strategies: tuple[VotingStrategySpec, ...] = ()
    #: ``migrate(from_version=..., to_version=..., ctx=...)``: this version's
    #: ``tonomy_migrate_state`` hook, or None when the plugin does not implement it.
    migrate: Callable[..., Any] | None = field(default=None, compare=False)

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def entry_point(self) -> str | None:
        return self.source.entry_point


class SpecCollector(Generic[SpecT]):
    """The ``register`` callback one plugin receives for one kind of spec.

    It remembers the first error it raised, so a plugin that swallows the
    exception still fails to load.
    """

    def __init__(self, plugin_name: str, source: PluginSource, kind: str, spec_type: type[SpecT]) -> None:
        self.plugin_name = plugin_name
        self.source = source
        self.kind = kind
        self.spec_type: type[SpecT] = spec_type
        self.specs: dict[str, SpecT] = {}
        self.error: PluginError | None = None

    def __call__(self, spec: SpecT) -> None:
        error: PluginError | None = None
        if not isinstance(spec, self.spec_type):
            error = plugin_failure(
                PluginLoadError,
                self.plugin_name,
                self.source,
                f"it registered a {type(spec).__name__} as {self.kind}, expected a {self.spec_type.__name__}",
                f"Pass tonomy.plugin.{self.spec_type.__name__} objects to register().",
            )
        elif spec.name in self.specs:
            error = plugin_failure(
                PluginConflictError,
                self.plugin_name,
                self.source,
                f"it registered the {self.kind} {spec.name!r} twice",
                f"Give each {self.kind} of a plugin its own name.",
            )
        if error is not None:
            self.error = self.error or error
            raise error
        self.specs[spec.name] = spec

    def collected(self) -> tuple[SpecT, ...]:
        """The specs in name order; raises the remembered error, if any."""
        if self.error is not None:
            raise self.error
        return tuple(self.specs[name] for name in sorted(self.specs))


def collect_specs(
    caller: Any,
    hook_name: str,
    *,
    plugin_name: str,
    source: PluginSource,
    kind: str,
    spec_type: type[SpecT],
) -> tuple[SpecT, ...]:
    """Call one plugin's ``tonomy_register_<kind>s`` hook and return what it registered."""
    collector = SpecCollector(plugin_name, source, kind, spec_type)
    call_hook(caller, hook_name, plugin_name=plugin_name, source=source, register=collector)
    return collector.collected()


def collect_record(
    hook_caller: Callable[[str], Any],
    *,
    plugin: object,
    info: PluginInfo,
    source: PluginSource,
) -> PluginRecord:
    """Everything one plugin registers; ``hook_caller(name)`` gives that plugin's caller for a hook."""
    name = info.name
    actions = collect_specs(
        hook_caller("tonomy_register_actions"), "tonomy_register_actions", plugin_name=name, source=source, kind="action", spec_type=ActionSpec
    )
    queries = collect_specs(
        hook_caller("tonomy_register_queries"), "tonomy_register_queries", plugin_name=name, source=source, kind="query", spec_type=QuerySpec
    )
    parameters = collect_specs(
        hook_caller("tonomy_register_parameters"),
        "tonomy_register_parameters",
        plugin_name=name,
        source=source,
        kind="parameter",
        spec_type=ParameterSpec,
    )
    strategies = collect_specs(
        hook_caller("tonomy_voting_strategies"),
        "tonomy_voting_strategies",
        plugin_name=name,
        source=source,
        kind="voting strategy",
        spec_type=VotingStrategySpec,
    )
    migrate_caller = hook_caller("tonomy_migrate_state")
    return PluginRecord(
        name=name,
        info=info,
        source=source,
        plugin=plugin,
        actions=actions,
        queries=queries,
        parameters=parameters,
        voting_strategies=strategies,
        migrate=migrate_caller if migrate_caller.get_hookimpls() else None,
    )


class Registry:
    """Read-only view of all loaded plugins and what they registered.

    One record per plugin name is *primary* (``plugins``, ``plugin(name)``, lookups by
    name): the newest loaded version. A node may also keep older or newer versions of a
    plugin loaded (``retained``), because the chain runs the version its state demands
    at each height (docs/upgrades.md); ``record_at`` and ``select`` reach every version.
    """

    def __init__(self, records: Iterable[PluginRecord] = (), retained: Iterable[PluginRecord] = ()) -> None:
        by_name: dict[str, PluginRecord] = {}
        for record in records:
            other = by_name.get(record.name)
            if other is not None:
                raise plugin_failure(
                    PluginConflictError,
                    record.name,
                    record.source,
                    f"another plugin already has this name ({other.source.describe()})",
                    "Uninstall or stop passing one of the two.",
                )
            by_name[record.name] = record
        self._plugins: Mapping[str, PluginRecord] = MappingProxyType({name: by_name[name] for name in sorted(by_name)})
        versions: dict[tuple[str, str], PluginRecord] = {(record.name, record.version): record for record in by_name.values()}
        for record in retained:
            if (record.name, record.version) in versions:
                raise plugin_failure(
                    PluginConflictError,
                    record.name,
                    record.source,
                    f"version {record.version} is loaded twice ({versions[(record.name, record.version)].source.describe()})",
                    "Load each version of a plugin once.",
                )
            versions[(record.name, record.version)] = record
        self._versions: Mapping[tuple[str, str], PluginRecord] = MappingProxyType(dict(sorted(versions.items())))

    def record_at(self, name: str, version: str) -> PluginRecord | None:
        """The loaded record of ``name`` at exactly ``version`` (primary or retained), or None."""
        return self._versions.get((name, version))

    def versions(self, name: str) -> tuple[str, ...]:
        """Every loaded version of ``name``, sorted as strings (empty if none)."""
        return tuple(version for (plugin, version) in self._versions if plugin == name)

    def select(self, pins: Mapping[str, str]) -> Registry:
        """A registry of exactly ``{name: version}``, each at that version, all primary.

        :raises KeyError: a pinned version is not loaded (the message lists what is).
        """
        chosen = []
        for name, version in sorted(pins.items()):
            record = self.record_at(name, version)
            if record is None:
                raise KeyError(f"{name} {version} is not loaded (loaded versions: {', '.join(self.versions(name)) or 'none'})")
            chosen.append(record)
        return Registry(chosen)

    @property
    def plugins(self) -> tuple[PluginRecord, ...]:
        """Loaded plugins, sorted by name."""
        return tuple(self._plugins.values())

    def plugin(self, name: str) -> PluginRecord:
        try:
            return self._plugins[name]
        except KeyError:
            raise KeyError(f"no plugin named {name!r} is loaded (loaded: {', '.join(self._plugins) or 'none'})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __len__(self) -> int:
        return len(self._plugins)

    def action(self, plugin: str, name: str) -> ActionSpec:
        return _find(self.plugin(plugin).actions, plugin, "action", name)

    def query(self, plugin: str, name: str) -> QuerySpec:
        return _find(self.plugin(plugin).queries, plugin, "query", name)

    def parameter(self, plugin: str, name: str) -> ParameterSpec:
        return _find(self.plugin(plugin).parameters, plugin, "parameter", name)

    def actions(self) -> tuple[tuple[str, ActionSpec], ...]:
        """``(plugin, spec)`` for every action, sorted by plugin then action name."""
        return tuple((record.name, spec) for record in self._plugins.values() for spec in record.actions)

    def queries(self) -> tuple[tuple[str, QuerySpec], ...]:
        return tuple((record.name, spec) for record in self._plugins.values() for spec in record.queries)

    def parameters(self) -> tuple[tuple[str, ParameterSpec], ...]:
        return tuple((record.name, spec) for record in self._plugins.values() for spec in record.parameters)

    def voting_strategies(self) -> tuple[tuple[str, VotingStrategySpec], ...]:
        """``(plugin, spec)`` for every voting strategy, sorted by plugin then name."""
        return tuple((record.name, spec) for record in self._plugins.values() for spec in record.voting_strategies)


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Order versions like ``0.2.0 < 0.10.0``: dot/dash-separated parts, numbers as numbers.

    A numeric part sorts before a text part at the same place; the order is total and
    fixed by the strings alone (it only picks a node's primary version, never consensus).
    """
    parts = version.replace("-", ".").replace("+", ".").split(".")
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts)


def _find(specs: tuple[SpecT, ...], plugin: str, kind: str, name: str) -> SpecT:
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in specs) or "none"
    raise KeyError(f"plugin {plugin!r} has no {kind} named {name!r} (it has: {known})")


__all__ = ["PluginRecord", "Registry", "SpecCollector", "collect_record", "collect_specs", "version_key"]
