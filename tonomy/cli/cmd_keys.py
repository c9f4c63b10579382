"""``tonomy keys new|show``: Ed25519 key files for CLI users (mode 0600, never overwritten)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group("keys")
def keys_command() -> None:
    """Create and inspect key files."""


@keys_command.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--account", help="The account this key is for (a label stored in the file).")
def keys_new(path: Path, account: str | None) -> None:
    """Create a new key in PATH (readable by you only); prints the public key."""
    from tonomy.node.keys import KeyPair, write_key_file

    key = KeyPair.generate(account)
    write_key_file(path, key)
    click.echo(key.public_key.hex())


@keys_command.command("show")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (never the secret seed).")
def keys_show(path: Path, as_json: bool) -> None:
    """Show the public key (and account) of a key file; the secret never leaves the file."""
    from tonomy.node.keys import read_key_file

    key = read_key_file(path)
    if as_json:
        click.echo(json.dumps({"public_key": key.public_key.hex(), "account": key.account}))
        return
    click.echo(f"public key  {key.public_key.hex()}")
    if key.account is not None:
        click.echo(f"account     {key.account}")


__all__ = ["keys_command"]
