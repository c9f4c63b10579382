"""Single-node throughput of Pay transfers, submit to commit.

Two measurements, absolute figures in ``extra_info`` (there is no peer implementation to
set beside a whole node, so these groups have no core/baseline pair):

* ``node-http``: a real ``tonomy node`` process, transfers pre-signed, submitted over
  HTTP by 4 client threads, timed from the first submit until every one is committed.
* ``node-split``: the same transfers through an in-process ``Chain`` (durable LMDB), the
  time split into verify (admission: decode, signatures, authority), execute (plugins) and
  commit (state tree + LMDB). The chain exposes no timings yet, so execute and commit are
  timed around its two internal steps.

As smoke tests (``--benchmark-disable``) they run once, small, and check every transfer
committed and the balances add up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("tonomy_pay")

from tonomy.chain import codec  # noqa: E402
from tonomy.chain.txbuilder import action, build_transaction  # noqa: E402
from tonomy.node.client import NodeClient  # noqa: E402
from tonomy.testing.network import make_network  # noqa: E402

SYMBOL = "TONO"
FUNDS = 10**12
ROOMY = {"tonomy": {"max_account_txs_per_block": 4096, "mempool_max_per_account": 100_000, "max_block_transactions": 4096}}
CLIENT_THREADS = 4


def _count(benchmark: Any, full: int, smoke: int) -> int:
    return smoke if benchmark.disabled else full


def _fund_actions() -> list[Any]:
    system = ["tonomy@active"]  # the system account: authorised by the validator key
    token = {"issuer": "tonomy", "symbol": SYMBOL, "decimals": 0, "max_supply": FUNDS}
    return [
        action("pay", "create_token", token, system),
        action("pay", "issue", {"symbol": SYMBOL, "to": "alice", "amount": FUNDS, "memo": ""}, system),
    ]


def _transfers(chain_id: bytes, head: Any, seed: bytes, count: int, first_nonce: int) -> list[bytes]:
    return [
        build_transaction(
            chain_id,
            head,
            [action("pay", "transfer", {"from": "alice", "to": "bob", "symbol": SYMBOL, "amount": 1, "memo": ""}, ["alice@active"])],
            [seed],
            nonce=first_nonce + i,
        )
        for i in range(count)
    ]


# -- over HTTP, a real node process ------------------------------------------------------------


@pytest.mark.benchmark(group="node-http")
@pytest.mark.timeout(300)
def test_node_http_transfers_per_second(benchmark: Any, tmp_path: Path) -> None:
    count = _count(benchmark, 1000, 40)
    network = make_network(tmp_path / "net", parameters=ROOMY)
    node = network.node("node", block_time_ms=100)
    url = node.start()
    nonce = [0]
    try:
        with NodeClient(url) as client:
            head = client.head()
            funding = build_transaction(head.chain_id, head, _fund_actions(), [_validator_seed(network)])
            assert client.submit_and_wait(funding).receipt.ok  # type: ignore[union-attr]

            def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
                head = client.head()
                batch = _transfers(head.chain_id, head, network.keys["alice"].seed, count, nonce[0])
                nonce[0] += count
                return (batch,), {}

            def run(batch: list[bytes]) -> None:
                _submit_all_and_wait(url, batch)

            benchmark.pedantic(run, setup=setup, rounds=1 if benchmark.disabled else 3)
            balance = client.query("pay", "balance", {"account": "bob", "symbol": SYMBOL})
            assert balance == nonce[0]  # every transfer of every round committed exactly once
            stats = benchmark.stats
            if stats is not None:
                benchmark.extra_info["side"] = "absolute"
                benchmark.extra_info["transfers_per_round"] = count
                benchmark.extra_info["transfers_per_second"] = round(count / stats.stats.median, 1)
    finally:
        node.stop()


def _validator_seed(network: Any) -> bytes:
    from tonomy.node.keys import read_key_file

    return read_key_file(network.validator_key_file).seed


def _submit_all_and_wait(url: str, batch: list[bytes]) -> None:
    ids: list[bytes] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(part: list[bytes]) -> None:
        try:
            with NodeClient(url) as c:
                mine = [c.submit(tx) for tx in part]
                with lock:
                    ids.extend(mine)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(batch[i::CLIENT_THREADS],)) for i in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    with NodeClient(url) as c:
        for tx_id in ids:
            status = c.wait(tx_id, timeout=60)
            assert status.committed and status.receipt is not None and status.receipt.ok


# -- in process: where the time goes --------------------------------------------------------------


def _timed(fn: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - start)

    return wrapper


@pytest.mark.benchmark(group="node-split")
@pytest.mark.timeout(300)
def test_chain_transfer_time_split(benchmark: Any, tmp_path: Path) -> None:
    import tonomy_pay  # type: ignore[import-untyped]

    from tonomy.chain.chain import Chain
    from tonomy.testing.ledger import build_manager, make_genesis, seed

    count = _count(benchmark, 1000, 40)
    manager = build_manager([tonomy_pay])
    genesis = make_genesis(manager, ("alice", "bob"), parameters=ROOMY)
    chain = Chain.open(tmp_path / "chain", genesis, manager, validator_seed=seed("validator"))  # durable, as a node runs
    execute_s: list[float] = []
    commit_s: list[float] = []
    verify_s: list[float] = []
    chain._execute = _timed(chain._execute, execute_s)  # type: ignore[method-assign]
    chain._commit = _timed(chain._commit, commit_s)  # type: ignore[method-assign]
    block_time = [chain.head.time]

    def next_time() -> int:
        block_time[0] += 100
        return block_time[0]

    funding = build_transaction(chain.chain_id, chain.head, _fund_actions(), [seed("validator")])
    chain.submit(funding)
    chain.produce_block(next_time())
    nonce = [0]

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        batch = _transfers(chain.chain_id, chain.head, seed("alice"), count, nonce[0])
        nonce[0] += count
        return (batch,), {}

    def run(batch: list[bytes]) -> None:
        start = time.perf_counter()
        for tx in batch:
            chain.submit(tx)
        verify_s.append(time.perf_counter() - start)
        chain.produce_block(next_time())

    try:
        execute_s.clear()
        commit_s.clear()
        benchmark.pedantic(run, setup=setup, rounds=1 if benchmark.disabled else 5)
        assert chain.query("pay", "balance", {"account": "bob", "symbol": SYMBOL}) == nonce[0]
        block = chain.get_block(chain.head.height)
        assert block is not None and len(block.transactions) == count
        receipts = [chain.get_receipt(tx.id) for tx in block.transactions]
        assert all(r is not None and r.ok for r in receipts)
        rounds = len(verify_s)
        per_tx = 1000.0 / (count * rounds)
        benchmark.extra_info.update(
            side="absolute",
            transfers_per_block=count,
            verify_ms_per_tx=round(sum(verify_s) * per_tx, 4),
            execute_ms_per_tx=round(sum(execute_s[-rounds:]) * per_tx, 4),
            commit_ms_per_block=round(sum(commit_s[-rounds:]) * 1000 / rounds, 2),
            transfers_per_second=round(count * rounds / (sum(verify_s) + sum(execute_s[-rounds:]) + sum(commit_s[-rounds:])), 1),
        )
        assert codec.decode(chain.get_state("pay", b"bal/bob/" + SYMBOL.encode())[0] or codec.encode(0)) == nonce[0]
    finally:
        chain.close()
