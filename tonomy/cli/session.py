"""The plugins of one CLI run: built on first need, at most once.

``tonomy version`` never loads a plugin; ``tonomy --help`` and plugin commands
do. A load failure is remembered so every command that needs plugins reports
the same error.
"""

from __future__ import annotations

from collections.abc import Mapping

import click

from tonomy.cli.plugin_commands import PluginCommand, collect_plugin_commands
from tonomy.errors import PluginError
from tonomy.plugin.manager import TonomyPluginManager, build_plugin_manager


class PluginSession:
    def __init__(self, taken: Mapping[str, str]) -> None:
        self._taken = taken
        self._manager: TonomyPluginManager | None = None
        self._commands: dict[str, PluginCommand] | None = None
        self._error: PluginError | None = None

    def manager(self) -> TonomyPluginManager:
        """The plugin manager; raises the PluginError that stopped loading, every time."""
        if self._error is not None:
            raise self._error
        if self._manager is None:
            try:
                self._manager = build_plugin_manager()
            except PluginError as exc:
                self._error = exc
                raise
        return self._manager

    def commands(self) -> Mapping[str, PluginCommand]:
        """Plugin-contributed commands by name."""
        if self._commands is None:
            manager = self.manager()
            try:
                self._commands = dict(collect_plugin_commands(manager, self._taken))
            except PluginError as exc:
                self._error = exc
                raise
        return self._commands

    @property
    def error(self) -> PluginError | None:
        return self._error




def session_of(ctx: click.Context) -> PluginSession:
    """The plugin session of the ``tonomy`` group running this command.

    A command invoked on its own (outside the group, as in some tests) gets a
    fresh session with no names taken.
    """
    session = getattr(ctx.find_root().command, "plugins", None)
    if isinstance(session, PluginSession):
        return session
    return PluginSession({})


__all__ = ["PluginSession", "session_of"]
