"""``tonomy pay ...``: placeholder until the node client lands."""

from __future__ import annotations

import click


@click.group(name="pay")
def pay_cli() -> None:
    """Tokens, transfers, payment requests and escrow."""
