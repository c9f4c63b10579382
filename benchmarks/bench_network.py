"""Finality over the network: 4 validator processes on loopback, Pay transfers from 256
accounts (each signs with its own key) submitted round-robin to all four nodes, timed from submit until they are final (decided by a 2/3+
precommit quorum and committed by the node).

* ``network-4-validators`` (absolute): transfers submitted in batches
  (``POST /v1/transactions/batch``); ``extra_info`` has finalized transfers per second and
  p50/p99 submit-to-final latency.
* ``network-submit-batch-vs-single``: the same number of transfers on the same cluster,
  submitted in batches (core) or one request per transfer (baseline), each until every
  transfer is final; the ratio is the end-to-end gain of batch submission.
* ``network-sustained`` (absolute): transfers offered at a fixed rate (``SUSTAINED_RATES``,
  or ``TONOMY_BENCH_RATES=3000,5000``) for ``SUSTAINED_S`` seconds, a batch every
  ``TICK_S`` to the next node in turn. A burst measures one queue draining; this measures
  what the network keeps up with. Latency runs from each batch's scheduled time (so a
  client held up by a slow node counts against the network, not for it); ``extra_info``
  has the offered rate, the finalized rate after the first ``WARM_S`` seconds, and p50/p99.

A transaction's final time is when the client sees it in a block of the first node
(followed by a thread polling ``/v1/health`` and reading each new block); every node
commits a decided block within milliseconds of the others. As a smoke test
(``--benchmark-disable``) each test runs a few transfers and checks every one committed
executed and the balance adds up on the last node.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("tonomy_pay")

from tonomy.chain.txbuilder import action, build_transaction  # noqa: E402
from tonomy.node.client import NodeClient  # noqa: E402
from tonomy.node.keys import read_key_file  # noqa: E402
from tonomy.testing.cluster import Cluster, make_cluster  # noqa: E402

SYMBOL = "TONO"
FUNDS = 10**12
ROOMY = {
    "tonomy": {
        "max_account_txs_per_block": 4096,
        "mempool_max_per_account": 200_000,
        "mempool_max": 200_000,
        "max_block_transactions": 4096,
    }
}
BLOCK_TIME_MS = 200
#: Transfers per batch request (the API takes up to 500).
BATCH = 250
#: Client threads submitting one transfer per request (the baseline).
SINGLE_THREADS = 8
TIMEOUT_S = 120.0
#: Accounts that sign the transfers in turn, each with its own key (one sender would flatter
#: every per-key and per-account memo: verdicts, signature batching).
SENDERS = 256
#: Offered rates (transfers/s) of the sustained runs, each for SUSTAINED_S seconds.
SUSTAINED_RATES = tuple(int(r) for r in os.environ.get("TONOMY_BENCH_RATES", "3000,5000").split(","))
SUSTAINED_S = 10.0
#: The finalized rate is counted after this many seconds (the pipeline filling up).
WARM_S = 2.0
TICK_S = 0.05
#: Longest wait of one finality long poll (a block commits every BLOCK_TIME_MS).
POLL_S = 2.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Funded:
    """A running cluster in which SENDERS accounts hold the tokens they transfer to bob."""

    cluster: Cluster
    urls: list[str]
    chain_id: bytes
    senders: list[tuple[str, bytes]]  # (account, key seed)
    nonce: int = 0
    transferred: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check_all_arrived(self) -> None:
        """Every transfer of every round committed exactly once, on the last node too."""
        with NodeClient(self.urls[-1]) as client:
            deadline = time.monotonic() + 30
            while client.query("pay", "balance", {"account": "bob", "symbol": SYMBOL}) != self.transferred:
                assert time.monotonic() < deadline, "not every transfer reached the last node"
                time.sleep(0.1)

    def transfers(self, count: int, expires_in_s: int = 60) -> list[bytes]:
        """``count`` signed transfers of 1 unit to bob, the senders in turn, on the current head (untimed)."""
        with NodeClient(self.urls[0]) as client:
            head = client.head()
        txs = []
        for nonce in range(self.nonce, self.nonce + count):
            account, seed = self.senders[nonce % len(self.senders)]
            # A distinct memo each: no two transfers carry the same action data (as in real use).
            transfer = {"from": account, "to": "bob", "symbol": SYMBOL, "amount": 1, "memo": f"t{nonce}"}
            txs.append(build_transaction(head.chain_id, head, [action("pay", "transfer", transfer, [f"{account}@active"])], [seed],
                                         nonce=nonce, expires_in_s=expires_in_s))
        self.nonce += count
        return txs


def _sender_names() -> tuple[str, ...]:
    return tuple(f"sender{i}" for i in range(SENDERS))


@pytest.fixture(scope="module")
def funded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Funded]:
    with funded_cluster(tmp_path_factory.mktemp("cluster")) as ready:
        yield ready


@contextlib.contextmanager
def funded_cluster(root: Path) -> Iterator[Funded]:
    """4 validator processes under ``root`` with every sender funded (also for ad-hoc profiling runs)."""
    cluster = make_cluster(root, 4, ("alice", "bob", *_sender_names()), block_time_ms=BLOCK_TIME_MS, parameters=ROOMY)
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
            # alice funds every sender, then each transfer is signed by its own sender's key.
            head = client.head()
            share = FUNDS // (2 * SENDERS)
            alice = cluster.keys["alice"].seed
            gifts = [
                build_transaction(head.chain_id, head, [action("pay", "transfer", {"from": "alice", "to": name, "symbol": SYMBOL,
                                                                                   "amount": share, "memo": ""}, ["alice@active"])],
                                  [alice], nonce=i)
                for i, name in enumerate(_sender_names())
            ]
            ids = [r for r in client.submit_many(gifts) if isinstance(r, bytes)]
            assert len(ids) == SENDERS
            assert len(client.wait_many(ids, head.height, timeout=60)) == SENDERS
        senders = [(name, cluster.keys[name].seed) for name in _sender_names()]
        yield Funded(cluster, urls, head.chain_id, senders)
    finally:
        cluster.stop()


class FinalityWatch:
    """Follows one node's committed blocks and notes when each transaction id shows up.

    One long poll per block (``/v1/blocks/transaction-ids``): the node answers when the
    next block commits, with its ids only, so watching costs little on either side.
    """

    def __init__(self, url: str) -> None:
        self._client = NodeClient(url)
        self._height = int(self._client.health()["height"])
        self.final_at: dict[bytes, float] = {}
        self._seen = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="finality-watch", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            while not self._stop.is_set():
                blocks = self._client.block_transaction_ids(self._height + 1, timeout=POLL_S)
                seen = time.perf_counter()
                for block in blocks:
                    for tx_id in block.transaction_ids:
                        self.final_at.setdefault(tx_id, seen)
                    self._height = block.height
                if blocks:
                    with self._seen:
                        self._seen.notify_all()
        finally:
            with self._seen:
                self._seen.notify_all()

    def wait_for(self, ids: list[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        missing = ids
        with self._seen:
            while True:
                missing = [tx_id for tx_id in missing if tx_id not in self.final_at]
                if not missing:
                    return
                assert self._thread.is_alive(), "the finality watch stopped"
                left = deadline - time.monotonic()
                assert left > 0, f"{len(missing)} transfers not final in {timeout}s"
                self._seen.wait(min(left, 1.0))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10 + POLL_S)
        self._client.close()


def _in_parallel(work: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(fn,)) for fn in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def submit_in_batches(urls: list[str], txs: list[bytes]) -> list[tuple[bytes, float]]:
    """One thread per node, each sending its share of batches at once; (id, submit time) per transfer."""
    return _submit_batches(urls, [(None, txs[i : i + BATCH]) for i in range(0, len(txs), BATCH)])


def _submit_batches(urls: list[str], batches: list[tuple[float | None, list[bytes]]]) -> list[tuple[bytes, float]]:
    """Batches to the nodes in turn (one thread per node), each sent at its due time (None:
    at once); (id, due time, or the send time when there is none) per transfer."""
    submitted: list[tuple[bytes, float]] = []
    lock = threading.Lock()

    def node_worker(index: int) -> Callable[[], None]:
        def run() -> None:
            with NodeClient(urls[index], timeout=TIMEOUT_S) as client:
                for due, batch in batches[index :: len(urls)]:
                    if due is not None and due > time.perf_counter():
                        time.sleep(due - time.perf_counter())
                    started = time.perf_counter() if due is None else due
                    results = client.submit_many(batch)
                    ids = [r for r in results if isinstance(r, bytes)]
                    assert len(ids) == len(batch), [r for r in results if not isinstance(r, bytes)][:3]
                    with lock:
                        submitted.extend((tx_id, started) for tx_id in ids)

        return run

    _in_parallel([node_worker(i) for i in range(len(urls))])
    return submitted


def submit_one_by_one(urls: list[str], txs: list[bytes]) -> list[tuple[bytes, float]]:
    """SINGLE_THREADS threads round-robin over the nodes, one request per transfer."""
    submitted: list[tuple[bytes, float]] = []
    lock = threading.Lock()

    def thread_worker(index: int) -> Callable[[], None]:
        def run() -> None:
            with NodeClient(urls[index % len(urls)], timeout=TIMEOUT_S) as client:
                for tx in txs[index::SINGLE_THREADS]:
                    started = time.perf_counter()
                    tx_id = client.submit(tx)
                    with lock:
                        submitted.append((tx_id, started))

        return run

    _in_parallel([thread_worker(i) for i in range(SINGLE_THREADS)])
    return submitted


def run_transfers(benchmark: Any, funded: Funded, count: int, submit: Callable[[list[str], list[bytes]], list[tuple[bytes, float]]]) -> None:
    """Time ``count`` transfers from the first submit until the last one is final."""
    latencies: list[float] = []
    spans: list[float] = []

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        return (funded.transfers(count),), {}

    def run(txs: list[bytes]) -> None:
        watch = FinalityWatch(funded.urls[0])
        try:
            started = time.perf_counter()
            submitted = submit(funded.urls, txs)
            assert len(submitted) == count
            watch.wait_for([tx_id for tx_id, _ in submitted], TIMEOUT_S)
            spans.append(max(watch.final_at[tx_id] for tx_id, _ in submitted) - started)
            latencies.extend(watch.final_at[tx_id] - at for tx_id, at in submitted)
        finally:
            watch.close()
        funded.transferred += count

    benchmark.pedantic(run, setup=setup, rounds=1 if benchmark.disabled else 2)
    funded.check_all_arrived()
    if benchmark.stats is not None:
        benchmark.extra_info["validators"] = 4
        benchmark.extra_info["block_time_ms"] = BLOCK_TIME_MS
        benchmark.extra_info["transfers_per_round"] = count
        benchmark.extra_info["finalized_transfers_per_second"] = round(count / (sum(spans) / len(spans)), 1)
        benchmark.extra_info["latency_p50_ms"] = round(_percentile(latencies, 0.50) * 1000, 1)
        benchmark.extra_info["latency_p99_ms"] = round(_percentile(latencies, 0.99) * 1000, 1)


@pytest.mark.benchmark(group="network-4-validators")
@pytest.mark.timeout(600)
def test_four_validators_finalize_transfers(benchmark: Any, funded: Funded) -> None:
    run_transfers(benchmark, funded, 20 if benchmark.disabled else 2000, submit_in_batches)


@pytest.mark.benchmark(group="network-submit-batch-vs-single")
@pytest.mark.timeout(600)
def test_transfers_submitted_in_batches(benchmark: Any, funded: Funded) -> None:
    benchmark.extra_info["side"] = "core"
    run_transfers(benchmark, funded, 20 if benchmark.disabled else 1000, submit_in_batches)


@pytest.mark.benchmark(group="network-submit-batch-vs-single")
@pytest.mark.timeout(600)
def test_transfers_submitted_one_by_one(benchmark: Any, funded: Funded) -> None:
    benchmark.extra_info["side"] = "baseline"
    run_transfers(benchmark, funded, 20 if benchmark.disabled else 1000, submit_one_by_one)


def submit_at_rate(urls: list[str], txs: list[bytes], rate: int, started: float) -> list[tuple[bytes, float]]:
    """A batch of ``rate * TICK_S`` transfers due every TICK_S from ``started``, to the nodes in
    turn; (id, scheduled time) per transfer."""
    per_tick = max(1, round(rate * TICK_S))
    return _submit_batches(urls, [(started + k * TICK_S, txs[i : i + per_tick]) for k, i in enumerate(range(0, len(txs), per_tick))])


@pytest.mark.benchmark(group="network-sustained")
@pytest.mark.timeout(900)
@pytest.mark.parametrize("rate", SUSTAINED_RATES)
def test_sustained_offered_rate(benchmark: Any, funded: Funded, rate: int) -> None:
    offered, seconds = (200, 1.0) if benchmark.disabled else (rate, SUSTAINED_S)
    count = int(offered * seconds)
    outcome: dict[str, float] = {}

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        return (funded.transfers(count, expires_in_s=int(seconds) + 120),), {}

    def run(txs: list[bytes]) -> None:
        watch = FinalityWatch(funded.urls[0])
        try:
            started = time.perf_counter() + 0.2
            submitted = submit_at_rate(funded.urls, txs, offered, started)
            assert len(submitted) == count
            watch.wait_for([tx_id for tx_id, _ in submitted], TIMEOUT_S)
            finals = [watch.final_at[tx_id] for tx_id, _ in submitted]
            warm = min(WARM_S, seconds / 2)
            steady = [t for t in finals if started + warm <= t <= started + seconds]
            outcome["finalized_per_second"] = len(steady) / (seconds - warm)
            outcome["all_final_s"] = max(finals) - started
            latencies = [watch.final_at[tx_id] - due for tx_id, due in submitted]
            outcome["p50"] = _percentile(latencies, 0.50)
            outcome["p99"] = _percentile(latencies, 0.99)
        finally:
            watch.close()
        funded.transferred += count

    benchmark.pedantic(run, setup=setup, rounds=1)
    funded.check_all_arrived()
    if benchmark.stats is not None:
        benchmark.extra_info.update(
            side="absolute",
            validators=4,
            block_time_ms=BLOCK_TIME_MS,
            offered_per_second=offered,
            seconds=seconds,
            finalized_per_second=round(outcome["finalized_per_second"], 1),
            all_final_after_s=round(outcome["all_final_s"], 2),
            latency_p50_ms=round(outcome["p50"] * 1000, 1),
            latency_p99_ms=round(outcome["p99"] * 1000, 1),
        )
