"""``tonomy devnet``: one command for a local chain (four validator processes by default, funded demo accounts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tonomy.cli.options import api_option, block_time_option, rate_limit_options

DEFAULT_DEVNET_DIR = Path(".tonomy") / "devnet"
PROGRESS_EVERY_S = 5.0
#: Four validators: the smallest set that tolerates one faulty validator (3f + 1, f = 1).
DEFAULT_VALIDATORS = 4


@click.command("devnet")
@click.option(
    "--data-dir", default=DEFAULT_DEVNET_DIR, show_default=True, type=click.Path(file_okay=False, path_type=Path),
    help="Where the devnet keeps its genesis, keys and chain (reused on the next run).",
)
@api_option
@block_time_option
@rate_limit_options
@click.option(
    "--validators", default=DEFAULT_VALIDATORS, show_default=True, type=click.IntRange(1, 64),
    help="How many validator processes (used when the devnet is created; later runs keep its genesis).",
)
@click.option(
    "--p2p-port", default=26656, show_default=True, type=click.IntRange(1, 65000),
    help="First p2p port of the validators on 127.0.0.1 (validator i listens on this + i).",
)
def devnet_command(
    data_dir: Path,
    api: tuple[str, int],
    block_time_ms: int,
    rate_limit: float,
    rate_burst: int,
    rate_limit_loopback: bool,
    validators: int,
    p2p_port: int,
) -> None:
    """Start a local network: validators, demo accounts alice, bob and carol (keys in DATA_DIR/keys)."""
    import asyncio

    from rich.console import Console

    from tonomy.node.config import NodeConfig
    from tonomy.node.devnet import prepare_devnet
    from tonomy.node.devnet_runner import DevnetProgress
    from tonomy.node.process import run_node

    console = Console(highlight=False)
    devnet = prepare_devnet(data_dir, validators)
    if devnet.validator_count() > 1:
        from tonomy.node.devnet_runner import run_multi_validator_devnet

        run_multi_validator_devnet(devnet, console, api=api, p2p_port=p2p_port, block_time_ms=block_time_ms)
        return
    config = NodeConfig(
        data_dir=devnet.chain_dir,
        genesis_file=devnet.genesis_file,
        validator_key_file=devnet.validator_key_file,
        api_host=api[0],
        api_port=api[1],
        block_time_ms=block_time_ms,
        rate_limit_per_s=rate_limit,
        rate_burst=rate_burst,
        rate_limit_loopback=rate_limit_loopback,
        devnet_wallet_dir=devnet.keys_dir,  # the web UI's Pay page signs with the demo keys
    )
    progress = DevnetProgress(devnet, console, every_s=PROGRESS_EVERY_S)
    asyncio.run(run_node(config, on_ready=progress.ready, on_block=progress.block))
    console.print("[bold]devnet stopped[/bold]; run `tonomy devnet` again to continue this chain")


__all__ = ["devnet_command"]
