"""The ``tonomy`` command group: built-in commands, then whatever plugins add.

Built-in commands resolve without loading a single plugin; the plugin list is
only built when a command name is not built in, or when help lists commands.
"""

from __future__ import annotations

import click

from tonomy.cli.cmd_devnet import devnet_command
from tonomy.cli.cmd_keys import keys_command
from tonomy.cli.cmd_node import node_command
from tonomy.cli.cmd_plugin import plugin_command
from tonomy.cli.cmd_plugins import plugins_command
from tonomy.cli.cmd_version import version_command
from tonomy.cli.cmd_wallet import wallet_command
from tonomy.cli.session import PluginSession
from tonomy.errors import PluginError

#: Names that will be tonomy's own once their code exists; plugins cannot take them.
#: (Empty now: ``node`` and ``devnet`` were reserved here until the node commands existed.)
RESERVED_COMMANDS: dict[str, str] = {}


def _add_builtin_commands(group: click.Group) -> None:
    group.add_command(version_command)
    group.add_command(plugins_command)
    group.add_command(plugin_command)  # tonomy plugin new NAME  (scaffold a plugin package)
    group.add_command(keys_command)
    group.add_command(wallet_command)  # tonomy wallet ...  (the client keystore)
    group.add_command(node_command)  # tonomy node ...  (run a validator or full node)
    group.add_command(devnet_command)  # tonomy devnet  (local network; `make run` calls it)


class TonomyGroup(click.Group):
    """A click group that asks the plugins for commands only when it must."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _add_builtin_commands(self)
        taken = {name: "tonomy" for name in self.commands} | RESERVED_COMMANDS
        self.plugins = PluginSession(taken)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands)
        try:
            names.update(self.plugins.commands())
        except PluginError:  # help must still work when a plugin is broken; the epilog says why
            pass
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        builtin = self.commands.get(cmd_name)
        if builtin is not None or cmd_name in RESERVED_COMMANDS:
            return builtin
        found = self.plugins.commands().get(cmd_name)  # a broken plugin raises its PluginError here
        return found.command if found is not None else None

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        error = self.plugins.error
        if error is not None:
            with formatter.section("Plugins"):
                formatter.write_text(f"Plugin commands are missing because a plugin failed to load: {error}")
                formatter.write_text("Run `tonomy plugins` to see the error alone.")


def build_cli() -> TonomyGroup:
    """A fresh command group (and plugin session) for one run of the CLI."""

    @click.group(
        cls=TonomyGroup,
        context_settings={"help_option_names": ["-h", "--help"]},
        epilog="Plugins add commands of their own; `tonomy plugins` lists the loaded plugins.",
    )
    @click.option("--debug", is_flag=True, envvar="TONOMY_DEBUG", help="Show the full traceback when a command fails.")
    def tonomy(debug: bool) -> None:
        """Tonomy: sovereign identity and self-governing networks."""

    return tonomy


__all__ = ["RESERVED_COMMANDS", "TonomyGroup", "build_cli"]
