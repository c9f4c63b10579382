"""/metrics in the Prometheus text format, and per-client rate limits, on real node processes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tonomy.node.client import NodeClient
from tonomy.node.metrics import Metrics
from tonomy.node.rate_limit import TokenBuckets
from tonomy.testing.network import Network
from tonomy.testing.node_process import NodeProcess

SAMPLE = re.compile(r'^[a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9]+$')


def _metrics(url: str) -> dict[str, float]:
    response = httpx.get(url + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    values: dict[str, float] = {}
    for line in response.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ ", line), line
            continue
        assert SAMPLE.match(line), line
        name, _, value = line.rpartition(" ")
        values[name] = float(value)
    return values


def test_metrics_count_blocks_transactions_rejects_and_requests(
    running_node: NodeProcess, client: NodeClient, make_tx: object
) -> None:
    head = client.head()
    tx = make_tx(head)  # type: ignore[operator]
    status = client.submit_and_wait(tx)
    assert status.committed
    response = httpx.post(client.url + "/v1/transactions", json={"transaction": tx.hex(), "encoding": "hex"}, timeout=10)
    assert response.json()["code"] == "tx.duplicate"
    httpx.get(client.url + "/v1/blocks/1", timeout=10)
    httpx.get(client.url + "/v1/no/such/thing", timeout=10)
    values = _metrics(client.url)
    assert values["tonomy_blocks_total"] >= 1
    assert values["tonomy_transactions_total"] >= 1
    assert values['tonomy_transaction_rejects_total{code="tx.duplicate"}'] >= 1
    assert values['tonomy_api_requests_total{method="GET",route="/v1/blocks/{height}",status="200"}'] >= 1
    assert values['tonomy_api_requests_total{method="GET",route="unmatched",status="404"}'] >= 1
    assert values["tonomy_head_height"] >= status.height  # type: ignore[operator]
    assert not any("/v1/blocks/1\"" in name for name in values), "raw paths must never become labels"


def test_metrics_text_escapes_label_values() -> None:
    metrics = Metrics()
    metrics.rejected('we"ird\\code\n')
    text = metrics.render()
    assert 'code="we\\"ird\\\\code\\n"' in text


def test_series_are_bounded() -> None:
    metrics = Metrics()
    for n in range(5000):
        metrics.rejected(f"code{n}")
    assert len(metrics.rejects) == 1000


def test_token_bucket_refills_and_bounds_its_table() -> None:
    now = [0.0]
    buckets = TokenBuckets(2.0, 3, max_clients=2, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take("a") == 0.0
    buckets.take("b")
    buckets.take("c")
    assert buckets.clients == 2  # "a" was the least recently seen: forgotten
    with pytest.raises(ValueError):
        TokenBuckets(0, 1)


@pytest.fixture(scope="module")
def limited_node(network: Network) -> Iterator[NodeProcess]:
    node = network.node("limited")
    node.extra_args = ["--rate-limit", "2", "--rate-burst", "4", "--rate-limit-loopback"]
    node.start()
    try:
        yield node
    finally:
        node.stop()


def test_a_client_over_its_rate_gets_429_problems(limited_node: NodeProcess) -> None:
    time.sleep(2.5)  # whatever the start-up used, the bucket is full again
    with httpx.Client(timeout=10) as http:
        answers = [http.get(limited_node.url + "/v1/health") for _ in range(10)]
        statuses = [r.status_code for r in answers]
        assert statuses[:4] == [200] * 4
        limited = [r for r in answers if r.status_code == 429]
        assert len(limited) >= 5
        assert limited[0].headers["content-type"] == "application/problem+json"
        assert limited[0].json()["code"] == "api.rate_limited"
        assert int(limited[0].headers["retry-after"]) >= 1
        # Even a huge body is refused before it is read.
        big = http.post(limited_node.url + "/v1/transactions", content=b"x" * (4 << 20))
        assert big.status_code == 429
        time.sleep(1.2)
        assert http.get(limited_node.url + "/v1/health").status_code == 200


def test_the_rate_limit_spares_loopback_by_default(running_node: NodeProcess) -> None:
    with httpx.Client(timeout=10) as http:
        statuses = {http.get(running_node.url + "/v1/health").status_code for _ in range(300)}
    assert statuses == {200}


def test_rate_limit_options_are_checked(tmp_path: Path) -> None:
    from tonomy.node.config import NodeConfig
    from tonomy.node.errors import NodeConfigError

    for rate, burst in ((-1, 10), (10, 0), (2_000_000, 1)):
        with pytest.raises(NodeConfigError):
            NodeConfig(tmp_path, tmp_path / "g.json", rate_limit_per_s=rate, rate_burst=burst)
