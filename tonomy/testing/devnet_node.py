"""A funded devnet (alice, bob, carol hold TONO) served by a real node process.

For tests of anything that needs payments on a live node: the event stream, the
web UI. The node runs with the devnet wallet (``--devnet-wallet``), as ``tonomy devnet`` does.
"""

from __future__ import annotations

from pathlib import Path

from tonomy.node.devnet import Devnet, fund_demo_accounts, prepare_devnet
from tonomy.testing.node_process import NodeProcess


def start_devnet_node(root: Path, *, block_time_ms: int = 50, extra_args: list[str] | None = None) -> tuple[Devnet, NodeProcess]:
    """Prepare a devnet in ``root``, start its node, fund the demo accounts; stop the node when done."""
    from tonomy.node.client import NodeClient

    devnet = prepare_devnet(root)
    node = NodeProcess(
        devnet.chain_dir,
        devnet.genesis_file,
        devnet.validator_key_file,
        block_time_ms=block_time_ms,
        log_file=root / "node.log",
        extra_args=["--devnet-wallet", str(devnet.keys_dir), *(extra_args or [])],
    )
    node.start()
    try:
        if not devnet.funded:
            with NodeClient(node.url) as client:
                message = fund_demo_accounts(devnet, client)
            if not devnet.funded:
                raise RuntimeError(f"devnet funding failed: {message}")
    except BaseException:
        node.kill()
        raise
    return devnet, node


__all__ = ["start_devnet_node"]
