"""Checking one plugin on its own before it joins the others.

Each plugin is first registered alone in a scratch plugin manager: pluggy then
checks its hook signatures, ``check_pending`` finds misspelled hooks, and its
``tonomy_plugin_info`` is read, all attributed to this one plugin. Only a plugin
that passes joins the real manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy

from tonomy.errors import PluginError, PluginLoadError
from tonomy.plugin import PROJECT_NAME
from tonomy.plugin.source import PluginSource, plugin_failure
from tonomy.plugin.types import PluginInfo

HOOK_PREFIX = "tonomy_"


def new_scratch_manager() -> pluggy.PluginManager:
    """A bare manager with the Tonomy hook specs and no plugins."""
    from tonomy import hookspecs

    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def call_hook(
    caller: Any,
    hook_name: str,
    *,
    plugin_name: str | None,
    source: PluginSource,
    **kwargs: Any,
) -> list[Any]:
    """Call a hook caller whose only implementation is one plugin's; its exceptions name it.

    PluginErrors (raised by a register callback) pass through unchanged: they
    already name the plugin.
    """
    try:
        results: list[Any] = caller(**kwargs)
    except PluginError:
        raise
    except Exception as exc:
        raise plugin_failure(
            PluginLoadError,
            plugin_name,
            source,
            f"its {hook_name} hook raised {type(exc).__name__}: {exc}",
            f"This is a bug in the plugin: report it to its authors, or {source.skip_hint(plugin_name or '<name>')}.",
        ) from exc
    return results


def unmarked_hook_names(plugin: object, manager: pluggy.PluginManager) -> list[str]:
    """Callables named ``tonomy_*`` that lack ``@hookimpl``: pluggy would silently ignore them."""
    found: list[str] = []
    for attr in sorted(dir(plugin)):
        if not attr.startswith(HOOK_PREFIX):
            continue
        try:
            value = getattr(plugin, attr)
        except Exception:  # a property that raises is not a hook either way
            continue
        if callable(value) and manager.parse_hookimpl_opts(plugin, attr) is None:
            found.append(attr)
    return found


@dataclass
class Inspection:
    """What checking one plugin found: its info when readable, and every problem."""

    plugin: object
    source: PluginSource
    manager: pluggy.PluginManager
    info: PluginInfo | None = None
    problems: list[str] = field(default_factory=list)
    failure: PluginError | None = None
    """The first error to raise for this plugin (its message lists the problem and the way out)."""

    @property
    def name(self) -> str | None:
        return self.info.name if self.info is not None else None

    def fail(self, cls: type[PluginError], name: str | None, problem: str, advice: str) -> None:
        self.problems.append(problem)
        if self.failure is None:
            self.failure = plugin_failure(cls, name, self.source, problem, advice)


def inspect_plugin(plugin: object, source: PluginSource, *, expected_name: str | None, protocol: int) -> Inspection:
    """Register ``plugin`` alone and check its structure and info; never raises for plugin faults."""
    manager = new_scratch_manager()
    found = Inspection(plugin=plugin, source=source, manager=manager)
    label = expected_name
    skip = source.skip_hint(expected_name or "<name>")

    if isinstance(plugin, type):
        found.fail(
            PluginLoadError,
            label,
            f"it points at the class {plugin.__qualname__}, not at a module or an instance",
            "Point the entry point at the module that holds the hook functions, or at an instance.",
        )
        return found

    for attr in unmarked_hook_names(plugin, manager):
        found.fail(
            PluginLoadError,
            label,
            f"{attr} looks like a hook but is not marked with @hookimpl, so it would never be called",
            "Decorate it with @hookimpl (from tonomy.plugin import hookimpl) or rename it.",
        )

    try:
        manager.register(plugin, name=expected_name)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        found.fail(
            PluginLoadError,
            label,
            f"a hook implementation does not match the Tonomy hook specs: {' '.join(str(exc).split())}",
            f"Check the hook names and argument names against docs/plugins.md (or upgrade tonomy), or {skip}.",
        )
        return found

    try:
        infos = call_hook(manager.hook.tonomy_plugin_info, "tonomy_plugin_info", plugin_name=label, source=source)
    except PluginError as exc:
        found.problems.append(str(exc))
        found.failure = found.failure or exc
        return found

    if not infos:
        found.fail(
            PluginLoadError,
            label,
            "it has no tonomy_plugin_info hook (or the hook returned None)",
            "Add a @hookimpl tonomy_plugin_info() returning tonomy.plugin.PluginInfo.",
        )
        return found
    info = infos[0]
    if not isinstance(info, PluginInfo):
        found.fail(
            PluginLoadError,
            label,
            f"tonomy_plugin_info returned {type(info).__name__}, not a PluginInfo",
            "Return tonomy.plugin.PluginInfo(name=..., version=..., protocol_min=..., protocol_max=...).",
        )
        return found
    found.info = info
    label = info.name if expected_name is None else expected_name

    if expected_name is not None and info.name != expected_name:
        found.fail(
            PluginLoadError,
            label,
            f"its PluginInfo names it {info.name!r} but its entry point is named {expected_name!r}",
            "Make the entry-point name and PluginInfo.name the same.",
        )
    if not info.supports(protocol):
        found.fail(
            PluginLoadError,
            label,
            f"it supports protocol {info.protocol_range} but this host speaks protocol {protocol}",
            f"Install a version of the plugin that supports protocol {protocol} "
            f"(or a tonomy that speaks {info.protocol_range}), or {skip}.",
        )
    return found


__all__ = ["HOOK_PREFIX", "Inspection", "call_hook", "inspect_plugin", "new_scratch_manager", "unmarked_hook_names"]
