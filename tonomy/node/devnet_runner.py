"""What ``tonomy devnet`` shows while it runs: the API URL, the accounts, then progress.

Funding runs on a helper thread through the HTTP client, exactly as any wallet
would submit transactions, so the node's event loop keeps producing blocks.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from tonomy.node.devnet import DEMO_ACCOUNTS, Devnet


class DevnetProgress:
    def __init__(self, devnet: Devnet, console: Console, *, every_s: float = 5.0) -> None:
        self.devnet = devnet
        self.console = console
        self.every_s = every_s
        self.transactions = 0
        self._last_report = 0.0
        self.url = ""

    def ready(self, url: str, head: Any) -> None:
        self.url = url
        table = Table(title="Tonomy devnet", show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_row("web UI", f"[bold]{url}/[/bold]")
        table.add_row("API", f"{url}  (try {url}/v1/health)")
        table.add_row("data", str(self.devnet.root))
        table.add_row("genesis", str(self.devnet.genesis_file))
        for name in DEMO_ACCOUNTS:
            table.add_row(name, str(self.devnet.key_file(name)))
        table.add_row("height", str(head.height))
        self.console.print(table)
        self.console.print("Ctrl-C stops the network; running `tonomy devnet` again continues it.")
        if not self.devnet.funded:
            threading.Thread(target=self._fund, name="devnet-funding", daemon=True).start()

    def _fund(self) -> None:
        from tonomy.node.client import NodeClient
        from tonomy.node.devnet import fund_demo_accounts

        try:
            with NodeClient(self.url) as client:
                message = fund_demo_accounts(self.devnet, client)
        except Exception as exc:  # reported, never fatal: the network runs without funds
            self.console.print(f"[yellow]could not fund the demo accounts:[/yellow] {exc}")
            return
        self.console.print(message)

    def block(self, header: Any, transaction_count: int) -> None:
        self.transactions += transaction_count
        now = time.monotonic()
        if transaction_count or now - self._last_report >= self.every_s:
            self._last_report = now
            self.console.print(
                f"height [bold]{header.height}[/bold]  txs in block {transaction_count}  total txs {self.transactions}"
            )


def run_multi_validator_devnet(
    devnet: Devnet, console: Console, *, api: tuple[str, int], p2p_port: int, block_time_ms: int
) -> None:
    """Run the devnet's validators as separate processes until Ctrl-C (see devnet_cluster)."""
    from tonomy.node.client import NodeClient
    from tonomy.node.devnet_cluster import run_cluster, validator_processes

    processes = validator_processes(devnet, api_host=api[0], api_port=api[1], p2p_port=p2p_port, block_time_ms=block_time_ms)
    progress = DevnetProgress(devnet, console)
    last = [0.0]

    def ready(urls: list[str]) -> None:
        with NodeClient(urls[0]) as client:
            head = client.head()
        progress.ready(urls[0], head)
        for validator, url in zip(processes, urls, strict=True):
            console.print(f"validator {validator.index}: API {url}  data {validator.data_dir}  log {validator.log_path}")

    def poll() -> None:
        import httpx

        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        heights = []
        for validator in processes:
            try:
                heights.append(str(httpx.get(f"{validator.url}/v1/health", timeout=2).json()["height"]))
            except httpx.HTTPError:
                heights.append("?")
        console.print(f"heights {' '.join(heights)}")

    console.print(f"starting {len(processes)} validators (logs in {devnet.root})")
    run_cluster(processes, ready, poll)
    console.print("[bold]devnet stopped[/bold]; run `tonomy devnet` again to continue this chain")


PROGRESS_EVERY_S = 5.0

__all__ = ["DevnetProgress", "run_multi_validator_devnet"]
