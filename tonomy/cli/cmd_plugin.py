"""``tonomy plugin new NAME``: scaffold a plugin package (loads no plugin, needs no node)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("plugin")
def plugin_command() -> None:
    """Tools for plugin authors (`tonomy plugins` lists the loaded plugins)."""


@plugin_command.command("new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Folder in which to create tonomy-<name>/.")
@click.option("--into", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Exact folder to create instead (must not exist).")
def new_command(name: str, parent: Path, folder: Path | None) -> None:
    """Create a plugin package NAME whose tests pass as generated; its README is its spec."""
    from tonomy.plugin.scaffold import scaffold

    made = scaffold(name, parent, folder)  # a bad name or an existing folder raises a coded error
    click.echo(f"created plugin {made.name!r} in {made.folder} (package {made.module}, distribution {made.distribution})")
    click.echo("next: cd into it, `pip install --no-build-isolation -e .`, then `python -m pytest`; edit README.md first")


__all__ = ["plugin_command"]
