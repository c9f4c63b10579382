"""``tonomy node``: run a node over a data directory (a validator when given its key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tonomy.cli.options import api_option, block_time_option, rate_limit_options


def _parse_p2p(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    from tonomy.node.config import parse_api_address
    from tonomy.node.errors import NodeConfigError

    try:
        return parse_api_address(value)
    except NodeConfigError as exc:
        raise click.BadParameter(exc.message) from None


def _timeouts(text: str | None) -> tuple[int, int, int, int, int, int] | None:
    if text is None:
        return None
    parts = [int(part) for part in text.split(",")]
    if len(parts) != 6:
        raise click.BadParameter("six comma-separated integers")
    return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


@click.command("node")
@click.option(
    "--data-dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Where the chain is stored."
)
@click.option(
    "--genesis", "genesis_file", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The network's genesis file (JSON).",
)
@click.option(
    "--validator-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="This validator's key file; without it the node only serves the API.",
)
@api_option
@block_time_option
@click.option(
    "--p2p", "p2p", default=None, callback=_parse_p2p,
    help="HOST:PORT the p2p layer listens on (default with peers or several validators: 127.0.0.1, any port).",
)
@click.option(
    "--peer", "peers", multiple=True,
    help="A peer to keep connected: HOST:PORT or NODEKEYHEX@HOST:PORT (repeat for several).",
)
@click.option("--consensus-timeouts-ms", default=None, hidden=True, help="Six comma-separated timeouts (tests).")
@rate_limit_options
@click.option(
    "--devnet-wallet", type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="DEVNET ONLY: a folder of demo-account key files the node signs with for the web UI (loopback clients only).",
)
def node_command(
    data_dir: Path,
    genesis_file: Path,
    validator_key: Path | None,
    api: tuple[str, int],
    block_time_ms: int,
    p2p: tuple[str, int] | None,
    peers: tuple[str, ...],
    consensus_timeouts_ms: str | None,
    rate_limit: float,
    rate_burst: int,
    rate_limit_loopback: bool,
    devnet_wallet: Path | None,
) -> None:
    """Run a node: produce blocks (with --validator-key) and serve the JSON API until Ctrl-C."""
    import asyncio
    import logging

    from tonomy.node.config import NodeConfig
    from tonomy.node.process import run_node

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = NodeConfig(
        data_dir=data_dir,
        genesis_file=genesis_file,
        validator_key_file=validator_key,
        api_host=api[0],
        api_port=api[1],
        block_time_ms=block_time_ms,
        p2p_address=p2p,
        peers=tuple(peers),
        consensus_timeouts_ms=_timeouts(consensus_timeouts_ms),
        rate_limit_per_s=rate_limit,
        rate_burst=rate_burst,
        rate_limit_loopback=rate_limit_loopback,
        devnet_wallet_dir=devnet_wallet,
    )

    def ready(url: str, head: Any) -> None:
        click.echo(f"tonomy node: API {url} (height {head.height})")

    asyncio.run(run_node(config, on_ready=ready, settle_gc=True))
    click.echo("tonomy node: stopped")


__all__ = ["node_command"]
