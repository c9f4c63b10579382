"""``tonomy version``: host, native core and protocol versions (loads no plugin)."""

from __future__ import annotations

import importlib
import json

import click
from rich.console import Console
from rich.table import Table

NOT_BUILT = "not built"


def versions() -> dict[str, str | int]:
    """The versions a bug report needs; a missing native core is reported, not raised."""
    import tonomy

    try:
        core_version: str = importlib.import_module("tonomy._core").__version__
    except ImportError:
        core_version = NOT_BUILT
    return {"tonomy": tonomy.__version__, "core": core_version, "protocol": tonomy.PROTOCOL_VERSION}


@click.command("version")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def version_command(as_json: bool) -> None:
    """Show the host, native core and protocol versions."""
    found = versions()
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_row("tonomy (host)", str(found["tonomy"]))
    core = str(found["core"])
    table.add_row("native core", core if core != NOT_BUILT else "not built: run `make build`")
    table.add_row("protocol", str(found["protocol"]))
    Console(highlight=False).print(table)


__all__ = ["version_command", "versions"]
