"""Finding plugins: entry points of the ``tonomy`` group, filtered by allow/block lists.

First-party and third-party plugins are found the same way. Discovery only reads
distribution metadata; nothing is imported until :func:`load_entry_point`, and
a blocked plugin is never imported at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

from tonomy.errors import PluginConflictError, PluginLoadError
from tonomy.plugin.source import ENV_BLOCK, PluginSource, plugin_failure

ENTRY_POINT_GROUP = "tonomy"
ENV_DISABLE_AUTOLOAD = "TONOMY_DISABLE_PLUGIN_AUTOLOAD"
ENV_ALLOW = "TONOMY_PLUGINS_ALLOW"

_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def autoload_disabled(environ: Mapping[str, str] = os.environ) -> bool:
    """True when ``TONOMY_DISABLE_PLUGIN_AUTOLOAD`` is set to anything but 0/false/no/off."""
    return environ.get(ENV_DISABLE_AUTOLOAD, "").strip().lower() not in _FALSE_WORDS


def parse_name_list(text: str) -> frozenset[str]:
    """``"a, b,,c"`` → ``{"a", "b", "c"}``: comma-separated, blanks ignored."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())


def resolve_name_list(explicit: Iterable[str] | None, env_var: str, environ: Mapping[str, str] = os.environ) -> frozenset[str] | None:
    """The explicit list if given, else the environment's, else None (no list).

    An explicit argument replaces the environment variable rather than merging
    with it, so code that passes a list gets exactly that list.
    """
    if explicit is not None:
        if isinstance(explicit, str):  # a lone str would iterate by character
            return parse_name_list(explicit)
        return frozenset(explicit)
    text = environ.get(env_var, "")
    return parse_name_list(text) if text.strip() else None


def source_of(entry_point: EntryPoint) -> PluginSource:
    dist = entry_point.dist
    distribution = f"{dist.name} {dist.version}" if dist is not None else None
    return PluginSource(entry_point=f"{entry_point.name} = {entry_point.value}", distribution=distribution)


def discover_entry_points(*, allow: frozenset[str] | None, block: frozenset[str] | None) -> list[EntryPoint]:
    """Entry points of the ``tonomy`` group to load, sorted by name; nothing is imported.

    Raises PluginConflictError when two distributions declare the same plugin
    name, and PluginLoadError when the allow list names a plugin that is not
    installed (most likely a typo that would otherwise go unnoticed).
    """
    by_name: dict[str, list[EntryPoint]] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        by_name.setdefault(entry_point.name, []).append(entry_point)

    if allow is not None:
        missing = sorted(allow - set(by_name))
        if missing:
            installed = ", ".join(sorted(by_name)) or "none"
            raise PluginLoadError(
                f"the allow list ({ENV_ALLOW} or allow=) names {', '.join(repr(m) for m in missing)}, "
                f"but no installed plugin has that name (installed: {installed}). "
                "Install the plugin or correct the list.",
                plugin=missing[0],
            )

    selected: list[EntryPoint] = []
    for name in sorted(by_name):
        if block is not None and name in block:
            continue
        if allow is not None and name not in allow:
            continue
        found = by_name[name]
        if len(found) > 1:
            sources = "; ".join(source_of(ep).describe() for ep in found)
            raise PluginConflictError(
                f"plugin name {name!r} is declared by more than one installed distribution ({sources}). "
                f"Uninstall all but one of them, or skip the name with {ENV_BLOCK}={name}.",
                plugin=name,
                entry_point=source_of(found[0]).entry_point,
            )
        selected.append(found[0])
    return selected


def load_entry_point(entry_point: EntryPoint) -> object:
    """Import the object an entry point names; any failure becomes PluginLoadError."""
    source = source_of(entry_point)
    try:
        return entry_point.load()
    except Exception as exc:  # an import may fail in any way; all of them mean "cannot load"
        raise plugin_failure(
            PluginLoadError,
            entry_point.name,
            source,
            f"importing it failed with {type(exc).__name__}: {exc}",
            f"Reinstall or fix the package (is a dependency missing?), or {source.skip_hint(entry_point.name)}.",
        ) from exc


__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_ALLOW",
    "ENV_BLOCK",
    "ENV_DISABLE_AUTOLOAD",
    "autoload_disabled",
    "discover_entry_points",
    "load_entry_point",
    "parse_name_list",
    "resolve_name_list",
    "source_of",
]
