"""Finality over the network: 4 validator processes on loopback, Pay transfers submitted
round-robin to all four nodes, timed from submit until the node reports them committed
(i.e. finalized by a 2/3+ precommit quorum and applied).

Absolute figures in ``extra_info`` (there is no peer implementation to set beside a
whole network, so the group has no core/baseline pair): finalized transfers per second
and p50/p99 submit-to-final latency. As a smoke test (``--benchmark-disable``) it runs a
few transfers and checks every one committed and the balance adds up.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("tonomy_pay")

from tonomy.chain.txbuilder import action, build_transaction  # noqa: E402
from tonomy.node.client import NodeClient  # noqa: E402
from tonomy.node.keys import read_key_file  # noqa: E402
from tonomy.testing.cluster import make_cluster  # noqa: E402

SYMBOL = "TONO"
FUNDS = 10**12
ROOMY = {"tonomy": {"max_account_txs_per_block": 4096, "mempool_max_per_account": 100_000, "max_block_transactions": 4096}}
CLIENT_THREADS = 8


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@pytest.mark.benchmark(group="network-4-validators")
@pytest.mark.timeout(300)
def test_four_validators_finalize_transfers(benchmark: Any, tmp_path: Path) -> None:
    count = 20 if benchmark.disabled else 400
    cluster = make_cluster(tmp_path / "cluster", 4, block_time_ms=200, parameters=ROOMY)
    cluster.start()
    try:
        urls = [node.url for node in cluster.nodes]
        seeds = [read_key_file(path).seed for path in cluster.validator_keys]
        with NodeClient(urls[0]) as client:
            head = client.head()
            system = ["tonomy@active"]
            token = {"issuer": "tonomy", "symbol": SYMBOL, "decimals": 0, "max_supply": FUNDS}
            funding = [
                action("pay", "create_token", token, system),
                action("pay", "issue", {"symbol": SYMBOL, "to": "alice", "amount": FUNDS, "memo": ""}, system),
            ]
            status = client.submit_and_wait(build_transaction(head.chain_id, head, funding, seeds[:3]), timeout=60)
            assert status.receipt is not None and status.receipt.ok
        alice = cluster.keys["alice"].seed
        latencies: list[float] = []
        nonce = [0]

        def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
            with NodeClient(urls[0]) as c:
                head = c.head()
            transfer = {"from": "alice", "to": "bob", "symbol": SYMBOL, "amount": 1, "memo": ""}
            batch = [
                build_transaction(head.chain_id, head, [action("pay", "transfer", transfer, ["alice@active"])], [alice], nonce=nonce[0] + i)
                for i in range(count)
            ]
            nonce[0] += count
            return (batch,), {}

        def run(batch: list[bytes]) -> None:
            latencies.extend(_submit_round_robin(urls, batch))

        benchmark.pedantic(run, setup=setup, rounds=1 if benchmark.disabled else 2)
        with NodeClient(urls[3]) as c:
            deadline = time.monotonic() + 30
            while c.query("pay", "balance", {"account": "bob", "symbol": SYMBOL}) != nonce[0]:
                assert time.monotonic() < deadline, "not every transfer reached the last node"
                time.sleep(0.1)
        stats = benchmark.stats
        if stats is not None:
            benchmark.extra_info["validators"] = 4
            benchmark.extra_info["transfers_per_round"] = count
            benchmark.extra_info["finalized_transfers_per_second"] = round(count / stats.stats.median, 1)
            benchmark.extra_info["latency_p50_ms"] = round(_percentile(latencies, 0.50) * 1000, 1)
            benchmark.extra_info["latency_p99_ms"] = round(_percentile(latencies, 0.99) * 1000, 1)
    finally:
        cluster.stop()


def _submit_round_robin(urls: list[str], batch: list[bytes]) -> list[float]:
    """Each thread submits to one node and waits for each of its transactions' commit."""
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int, part: list[bytes]) -> None:
        try:
            with NodeClient(urls[index % len(urls)]) as c:
                pending = [(time.perf_counter(), c.submit(tx)) for tx in part]
                for started, tx_id in pending:
                    status = c.wait(tx_id, timeout=60)
                    assert status.committed and status.receipt is not None and status.receipt.ok
                    with lock:
                        latencies.append(time.perf_counter() - started)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, batch[i::CLIENT_THREADS])) for i in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert len(latencies) == len(batch)
    return latencies
