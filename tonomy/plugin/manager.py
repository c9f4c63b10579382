"""The plugin manager factory: find, check, load and register every plugin, then freeze.

Nothing is loaded at import time: a command or a test calls
:func:`build_plugin_manager` when it needs plugins, and gets a fresh manager.

Loading, in order (any failure raises a PluginError naming the plugin, where it
came from, and what to do):

1. discover entry points of the ``tonomy`` group (unless autoload is off),
   drop blocked names, keep only allowed names, sort by name;
2. import each, in that order;
3. check each plugin alone (hook signatures, misspelled hooks, plugin info,
   protocol range, name = entry-point name);
4. register all of them in the real manager, sorted by plugin name, and run
   ``check_pending()``;
5. collect each plugin's actions, queries and parameters into the registry,
   refusing duplicates.

Several versions of one plugin may be loaded (an upgrade scheduled on chain needs the
old version until its height and the new one after it, and replay needs both). The
newest (by :func:`version_key`) is the plugin's *primary* record, registered in the
pluggy manager (its CLI commands and web pages are the node's); the others are kept
in the registry as *retained* versions, each checked alone like any plugin.

pluggy calls implementations in reverse registration order (then tryfirst/
trylast), so a hook called across all plugins runs in reverse name order:
fixed by the names, never by the order distributions happen to be found.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pluggy

from tonomy.errors import PluginConflictError, PluginLoadError
from tonomy.plugin import PROJECT_NAME
from tonomy.plugin.discovery import (
    ENV_ALLOW,
    ENV_BLOCK,
    autoload_disabled,
    discover_entry_points,
    load_entry_point,
    resolve_name_list,
    source_of,
)
from tonomy.plugin.inspection import Inspection, inspect_plugin
from tonomy.plugin.registry import PluginRecord, Registry, collect_record, version_key
from tonomy.plugin.source import PluginSource, plugin_failure


class TonomyPluginManager(pluggy.PluginManager):
    """A pluggy manager with the Tonomy hook specs, plus what was loaded into it."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        from tonomy import hookspecs

        self.add_hookspecs(hookspecs)
        self._registry = Registry()
        self.autoloaded = False

    @property
    def registry(self) -> Registry:
        """Every loaded plugin with its actions, queries and parameters."""
        return self._registry

    def hook_caller_for(self, plugin_name: str, hook_name: str) -> Any:
        """A caller of ``hook_name`` that runs only ``plugin_name``'s implementation.

        Used to attribute what each plugin registers; the call still goes
        through pluggy, so argument checking and hook wrappers apply.
        """
        plugin = self.get_plugin(plugin_name)
        if plugin is None:
            raise KeyError(f"no plugin named {plugin_name!r} is registered")
        others = [other for other in self.get_plugins() if other is not plugin]
        return self.subset_hook_caller(hook_name, remove_plugins=others)


def build_plugin_manager(
    *,
    autoload: bool = True,
    allow: Iterable[str] | None = None,
    block: Iterable[str] | None = None,
    extra_plugins: Iterable[object] = (),
    protocol: int | None = None,
) -> TonomyPluginManager:
    """Build a plugin manager with every allowed plugin loaded and checked.

    :param autoload: load plugins found through the ``tonomy`` entry-point group;
        ``TONOMY_DISABLE_PLUGIN_AUTOLOAD=1`` turns this off whatever the argument.
    :param allow: load only these entry-point names (default: ``TONOMY_PLUGINS_ALLOW``,
        comma-separated; unset means all). Naming an uninstalled plugin is an error.
    :param block: never import these entry-point names (default: ``TONOMY_PLUGINS_BLOCK``).
    :param extra_plugins: plugin modules or objects to load as well, whatever the
        autoload setting and lists (the caller chose them explicitly).
    :param protocol: the protocol version to check plugins against (default:
        :data:`tonomy.PROTOCOL_VERSION`).
    :raises PluginLoadError: a plugin cannot be imported, breaks the hook contract,
        lacks or has bad plugin info, or does not support the protocol.
    :raises PluginConflictError: two plugins share a name, or one registers a name twice.
    """
    if protocol is None:
        from tonomy import PROTOCOL_VERSION

        protocol = PROTOCOL_VERSION

    manager = TonomyPluginManager()
    inspections: list[Inspection] = []

    if autoload and not autoload_disabled():
        manager.autoloaded = True
        allowed = resolve_name_list(allow, ENV_ALLOW)
        blocked = resolve_name_list(block, ENV_BLOCK)
        for entry_point in discover_entry_points(allow=allowed, block=blocked):
            plugin = load_entry_point(entry_point)
            inspections.append(inspect_plugin(plugin, source_of(entry_point), expected_name=entry_point.name, protocol=protocol))
            _raise_first_failure(inspections[-1])

    for plugin in extra_plugins:
        inspections.append(inspect_plugin(plugin, PluginSource(), expected_name=None, protocol=protocol))
        _raise_first_failure(inspections[-1])

    ordered, retained_versions = _primary_versions(inspections)
    for found in ordered:
        manager.register(found.plugin, name=found.name)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:  # each plugin passed alone, so this is a host bug
        raise PluginLoadError(f"hook check failed after loading all plugins: {exc}", plugin=None) from exc

    records: list[PluginRecord] = []
    for found in ordered:
        assert found.info is not None  # guaranteed by _raise_first_failure
        callers = functools.partial(manager.hook_caller_for, found.info.name)
        records.append(collect_record(callers, plugin=found.plugin, info=found.info, source=found.source))
    retained = [
        collect_record(functools.partial(getattr, found.manager.hook), plugin=found.plugin, info=found.info, source=found.source)
        for found in retained_versions
        if found.info is not None
    ]
    manager._registry = Registry(records, retained)
    return manager


def _raise_first_failure(found: Inspection) -> None:
    if found.failure is not None:
        raise found.failure
    if found.info is None:  # cannot happen: no info is always reported as a failure
        raise plugin_failure(PluginLoadError, None, found.source, "its plugin info could not be read", "Report this to tonomy.")


def _primary_versions(inspections: list[Inspection]) -> tuple[list[Inspection], list[Inspection]]:
    """Per plugin name, the newest version (sorted by name) and the other loaded versions.

    Two plugins with one name AND one version is a conflict naming both origins.
    """
    by_version: dict[tuple[str, str], Inspection] = {}
    for found in inspections:
        assert found.info is not None
        key = (found.info.name, found.info.version)
        other = by_version.get(key)
        if other is not None:
            raise plugin_failure(
                PluginConflictError,
                key[0],
                found.source,
                f"another plugin already has this name and version {key[1]} ({other.source.describe()})",
                "Rename one of them, or load only one.",
            )
        by_version[key] = found
    newest: dict[str, Inspection] = {}
    for (name, version), found in by_version.items():
        current = newest.get(name)
        if current is None or version_key(version) > version_key(current.info.version):  # type: ignore[union-attr]
            newest[name] = found
    primary = [newest[name] for name in sorted(newest)]
    chosen = {id(found) for found in primary}
    others = [by_version[key] for key in sorted(by_version) if id(by_version[key]) not in chosen]
    return primary, others


__all__ = ["TonomyPluginManager", "build_plugin_manager"]
