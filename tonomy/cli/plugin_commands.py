"""Commands that plugins add to the CLI through ``tonomy_register_cli_commands``.

Each plugin is asked on its own, so a clash names both plugins (or the
built-in command a plugin tried to take).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import click

from tonomy.errors import PluginConflictError, PluginError, PluginLoadError
from tonomy.plugin.inspection import call_hook
from tonomy.plugin.manager import TonomyPluginManager
from tonomy.plugin.registry import PluginRecord
from tonomy.plugin.source import PluginSource, plugin_failure

HOOK_NAME = "tonomy_register_cli_commands"
COMMAND_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,63}")


@dataclass(frozen=True, slots=True)
class PluginCommand:
    """A top-level CLI command and the plugin that added it."""

    plugin: str
    command: click.Command

    @property
    def name(self) -> str:
        return self.command.name or ""


class CommandCollector:
    """The ``register`` callback one plugin receives; checks type, name and clashes."""

    def __init__(self, plugin_name: str, source: PluginSource, taken: Mapping[str, str]) -> None:
        self.plugin_name = plugin_name
        self.source = source
        self.taken = taken
        self.commands: dict[str, click.Command] = {}
        self.error: PluginError | None = None

    def __call__(self, command: click.Command) -> None:
        error = self._problem(command)
        if error is not None:
            self.error = self.error or error
            raise error
        assert command.name is not None
        self.commands[command.name] = command

    def _problem(self, command: object) -> PluginError | None:
        if not isinstance(command, click.Command):
            return plugin_failure(
                PluginLoadError,
                self.plugin_name,
                self.source,
                f"it registered a {type(command).__name__} as a CLI command, expected a click.Command",
                "Pass click commands or groups (made with @click.command / @click.group) to register().",
            )
        name = command.name
        if not isinstance(name, str) or not COMMAND_NAME_PATTERN.fullmatch(name):
            return plugin_failure(
                PluginLoadError,
                self.plugin_name,
                self.source,
                f"its CLI command name {name!r} is not lower case letters, digits and dashes",
                "Name the command like 'wallet' or 'wallet-export'.",
            )
        owner = self.taken.get(name)
        if owner is not None or name in self.commands:
            return plugin_failure(
                PluginConflictError,
                self.plugin_name,
                self.source,
                f"it adds the CLI command {name!r}, which {owner or 'it already added'} uses",
                "Pick another name; a group named after the plugin (tonomy <plugin> ...) never clashes.",
            )
        return None

    def collected(self) -> dict[str, click.Command]:
        if self.error is not None:
            raise self.error
        return self.commands


def collect_plugin_commands(manager: TonomyPluginManager, taken: Mapping[str, str]) -> dict[str, PluginCommand]:
    """Every plugin's commands by name; ``taken`` maps names already in use to their owner."""
    owners: dict[str, str] = dict(taken)
    found: dict[str, PluginCommand] = {}
    for record in manager.registry.plugins:
        for name, command in commands_of(manager, record, owners).items():
            owners[name] = f"plugin {record.name!r}"
            found[name] = PluginCommand(plugin=record.name, command=command)
    return {name: found[name] for name in sorted(found)}


def commands_of(manager: TonomyPluginManager, record: PluginRecord, taken: Mapping[str, str]) -> dict[str, click.Command]:
    """The commands one plugin registers; clashes with ``taken`` raise PluginConflictError."""
    collector = CommandCollector(record.name, record.source, taken)
    caller = manager.hook_caller_for(record.name, HOOK_NAME)
    call_hook(caller, HOOK_NAME, plugin_name=record.name, source=record.source, register=collector)
    return collector.collected()


__all__ = ["COMMAND_NAME_PATTERN", "CommandCollector", "PluginCommand", "collect_plugin_commands", "commands_of"]
