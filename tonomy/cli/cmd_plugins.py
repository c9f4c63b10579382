"""``tonomy plugins``: the loaded plugins, as a table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table

from tonomy.cli.plugin_commands import PluginCommand
from tonomy.cli.session import session_of
from tonomy.plugin.manager import TonomyPluginManager


def describe_plugins(manager: TonomyPluginManager, commands: Mapping[str, PluginCommand]) -> dict[str, Any]:
    """A JSON-ready description of every loaded plugin, sorted by name."""
    import tonomy

    plugins = []
    for record in manager.registry.plugins:
        info = record.info
        plugins.append(
            {
                "name": record.name,
                "version": info.version,
                "description": info.description,
                "protocol_min": info.protocol_min,
                "protocol_max": info.protocol_max,
                "entry_point": record.source.entry_point,
                "distribution": record.source.distribution,
                "actions": [spec.name for spec in record.actions],
                "queries": [spec.name for spec in record.queries],
                "parameters": [spec.name for spec in record.parameters],
                "cli_commands": sorted(name for name, found in commands.items() if found.plugin == record.name),
            }
        )
    return {"protocol": tonomy.PROTOCOL_VERSION, "autoload": manager.autoloaded, "plugins": plugins}


def render_table(description: Mapping[str, Any]) -> Table:
    autoload = "on" if description["autoload"] else "off (TONOMY_DISABLE_PLUGIN_AUTOLOAD is set)"
    table = Table(
        title="Tonomy plugins",
        caption=f"this host speaks protocol {description['protocol']}; plugin autoload {autoload}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("Name", style="bold", no_wrap=True)
    table.add_column("Version", no_wrap=True)
    table.add_column("Protocol", no_wrap=True)
    table.add_column("Entry point", overflow="fold")
    table.add_column("Actions", justify="right")
    table.add_column("Queries", justify="right")
    table.add_column("Params", justify="right")
    for plugin in description["plugins"]:
        entry_point = plugin["entry_point"] or "(passed in code)"
        table.add_row(
            plugin["name"],
            plugin["version"],
            f"{plugin['protocol_min']}..{plugin['protocol_max']}",
            entry_point,
            str(len(plugin["actions"])),
            str(len(plugin["queries"])),
            str(len(plugin["parameters"])),
        )
    return table


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every name, not just counts).")
@click.pass_context
def plugins_command(ctx: click.Context, as_json: bool) -> None:
    """List the loaded plugins: name, version, protocol range, entry point, what they register."""
    session = session_of(ctx)
    description = describe_plugins(session.manager(), session.commands())
    if as_json:
        click.echo(json.dumps(description, indent=2))
        return
    console = Console(highlight=False)
    if not description["plugins"]:
        console.print("No plugins are loaded.", markup=False)
        return
    console.print(render_table(description))


__all__ = ["describe_plugins", "plugins_command", "render_table"]
