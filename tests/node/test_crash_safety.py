"""Crash safety (ledger issue): kill -9 the node under load 30 times; after each restart the
state root equals a replay of the stored blocks, and no acknowledged transaction is lost.

"Acknowledged" means a client heard "committed" from the node's wait endpoint before the
kill. Bounded: 50 ms blocks, short load bursts, a kill at a seeded-random moment.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tonomy.node.client import NodeClient
from tonomy.testing.node_process import NodeProcess

from tonomy.testing.network import Network, fresh_account_name, make_network, newaccount_tx

ROUNDS = 30
LOAD_THREADS = 3


def _load(url: str, make: Callable[[object, str], bytes], acked: list[tuple[bytes, int]], stop: threading.Event) -> None:
    """Submit and wait, one transaction after another, until the node dies or ``stop``."""
    try:
        with NodeClient(url, timeout=5) as client:
            while not stop.is_set():
                tx = make(client.head(), fresh_account_name("load"))
                status = client.submit_and_wait(tx, timeout=5)
                if status.committed:
                    assert status.height is not None
                    acked.append((status.id, status.height))
    except Exception:  # the node was killed under us: expected
        return


def _replay_roots(network: Network, data_dir: Path, into: Path) -> dict[int, bytes]:
    from tonomy.chain.chain import Chain
    from tonomy.plugin import build_plugin_manager

    return Chain.replay(data_dir, network.genesis_file, build_plugin_manager(), into=into)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_kill_9_under_load_loses_nothing(tmp_path: Path) -> None:
    network = make_network(tmp_path / "net")

    def make(head: object, name: str) -> bytes:
        raw: bytes = newaccount_tx(network, head, name)
        return raw

    node = NodeProcess(tmp_path / "chain", network.genesis_file, network.validator_key_file, block_time_ms=50)
    rng = random.Random(20261129)  # seeded: the same kill moments every run
    acked: list[tuple[bytes, int]] = []
    heights_seen = 0
    roots: dict[int, bytes] = {}
    checked = 0
    try:
        for round_no in range(ROUNDS + 1):
            url = node.start()  # a restart after a kill -9 (except the first)
            with NodeClient(url) as client:
                if roots:
                    # The restarted node serves exactly what a replay of its stored blocks computes.
                    top = max(roots)
                    assert client.head().height >= top
                    for height in sorted({top, max(1, top // 2), 1}):
                        assert client.block(height).header.state_root == roots[height], (round_no, height)
                # Acknowledged before the last kill: still committed, at the same height (all of
                # them after the last restart; each round's new ones after every other).
                for tx_id, height in acked if round_no == ROUNDS else acked[checked:]:
                    status = client.status(tx_id)
                    assert status.committed and status.height == height, (round_no, tx_id.hex())
            checked = len(acked)
            if round_no == ROUNDS:
                break
            stop = threading.Event()
            workers = [threading.Thread(target=_load, args=(url, make, acked, stop)) for _ in range(LOAD_THREADS)]
            for worker in workers:
                worker.start()
            # Kill mid-load: once this round has an acknowledged transaction, at a seeded moment.
            deadline = time.monotonic() + 30
            while len(acked) == checked and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(acked) > checked, f"round {round_no}: no transaction was acknowledged within 30 s"
            time.sleep(rng.uniform(0.1, 0.4))
            assert node.kill() == -9
            stop.set()
            for worker in workers:
                worker.join(30)
            roots = _replay_roots(network, node.data_dir, tmp_path / f"replay{round_no}")
            assert max(roots) >= heights_seen  # nothing committed disappeared
            heights_seen = max(roots)
    finally:
        node.stop()
    assert len(acked) >= ROUNDS  # the load really ran: acknowledged transactions in every round
