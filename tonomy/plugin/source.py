"""Where a plugin came from, and error messages that say so.

Every plugin error names the plugin, where it came from (entry point and
distribution) and what the user can do next, so nobody has to read a traceback
to find the culprit.
"""

from __future__ import annotations

from dataclasses import dataclass

from tonomy.errors import PluginError

ENV_BLOCK = "TONOMY_PLUGINS_BLOCK"


@dataclass(frozen=True, slots=True)
class PluginSource:
    """How a plugin reached the host: an entry point of a distribution, or passed in by code."""

    entry_point: str | None = None
    """``"name = module:attr"`` as declared in the ``tonomy`` entry-point group."""
    distribution: str | None = None
    """``"name version"`` of the installed distribution that declares the entry point."""

    def describe(self) -> str:
        if self.entry_point is None:
            return "passed in extra_plugins"
        text = f"entry point '{self.entry_point}'"
        if self.distribution:
            text += f" from {self.distribution}"
        return text

    def skip_hint(self, name: str) -> str:
        """The last resort a user has: not loading the plugin at all."""
        if self.entry_point is None:
            return "remove it from extra_plugins"
        return f"skip it with {ENV_BLOCK}={name}"


def plugin_failure(cls: type[PluginError], name: str | None, source: PluginSource, problem: str, advice: str) -> PluginError:
    """Build ``cls`` with a message naming the plugin, its origin, the problem and the way out."""
    who = f"plugin {name!r}" if name else "a plugin"
    message = f"{who} ({source.describe()}): {problem.rstrip('.')}. {advice}"
    return cls(message, plugin=name, entry_point=source.entry_point)


__all__ = ["PluginSource", "plugin_failure"]
