"""A real node process: signed transactions over HTTP commit, state verifies client-side,
a lying node is caught, a restart continues from disk, shutdown is graceful."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.errors import NotFoundError
from tonomy.node.client import NodeClient
from tonomy.node.errors import DataDirInUseError, NodeUnavailableError, UntrustedAnswerError
from tonomy.testing.node_process import NodeProcess

from tonomy.testing.network import Network, fresh_account_name

pytestmark = pytest.mark.timeout(180)


def test_submit_wait_and_verify_state(client: NodeClient, make_tx: Callable[..., bytes]) -> None:
    name = fresh_account_name("dave")
    tx = make_tx(client.head(), name)
    tx_id = client.submit(tx)
    assert tx_id == _core.decode_signed_transaction(tx).id
    status = client.wait(tx_id, timeout=30)
    assert status.committed and status.height is not None
    assert status.receipt is not None and status.receipt.ok
    assert status.receipt.tx_id == tx_id and status.receipt.height == status.height
    assert tx_id in client.block(status.height).transaction_ids

    found = client.state("tonomy", b"acct/" + name.encode())
    assert found.value is not None and found.header.height >= status.height
    absent = client.state("tonomy", b"acct/nobody-here")
    assert absent.value is None  # proven absent, not merely missing
    before = client.state("tonomy", b"acct/" + name.encode(), height=status.height - 1)
    at = client.state("tonomy", b"acct/" + name.encode(), height=status.height)
    assert before.value is None and at.value == found.value  # history, proven against each block's header
    assert before.header.height == status.height - 1


def test_status_endpoint_and_duplicate(client: NodeClient, make_tx: Callable[..., bytes]) -> None:
    tx = make_tx(client.head())
    tx_id = client.submit(tx)
    assert client.status(tx_id).status in ("pending", "committed")
    with pytest.raises(Exception) as info:
        client.submit(tx)
    assert getattr(info.value, "code", None) == "tx.duplicate"
    assert client.wait(tx_id).committed
    with pytest.raises(Exception) as info:
        client.submit(tx)  # committed now: still a duplicate
    assert getattr(info.value, "code", None) == "tx.duplicate"


def test_wait_times_out_with_pending_status(
    running_node: NodeProcess, network: Network, make_tx: Callable[..., bytes], tmp_path: Any
) -> None:
    # A node without a validator key commits nothing; it must say so instead of hanging.
    observer = network.node("observer", validator=False)
    observer.start()
    try:
        with NodeClient(observer.url) as c:
            with pytest.raises(NodeUnavailableError):
                c.submit(make_tx(c.head()))
            assert c.health()["producing"] is False
            assert c.head().height == 0 and c.block(0).header.height == 0  # genesis, served as a block
    finally:
        assert observer.stop() == 0


def test_blocks_and_head(client: NodeClient) -> None:
    head = client.block()
    assert head.header.height >= 1
    again = client.block(head.header.height)
    assert again.header.hash == head.header.hash
    genesis_child = client.block(1)
    assert genesis_child.header.height == 1
    assert client.health()["height"] >= head.header.height


def test_blocks_are_chained(client: NodeClient) -> None:
    top = client.head().height
    headers = [client.block(h).header for h in range(max(1, top - 5), top + 1)]
    for parent, child in zip(headers, headers[1:]):
        assert child.previous_hash == parent.hash
        assert child.time > parent.time


class _Liar(httpx.BaseTransport):
    """A node that rewrites its answers: what the client must not believe."""

    def __init__(self, inner: httpx.BaseTransport, rewrite: Callable[[dict[str, Any]], None]) -> None:
        self.inner = inner
        self.rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        doc = json.loads(response.content)
        self.rewrite(doc)
        return httpx.Response(response.status_code, json=doc)


def _flip(hex_text: str) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[len(raw) // 2] ^= 1
    return raw.hex()


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda d: d.update(value=_flip(d["value"])),
        lambda d: d.update(value=None),
        lambda d: d.update(proof=_flip(d["proof"])),
        lambda d: d["header"].update(hash=_flip(d["header"]["hash"])),
        lambda d: d["header"].update(encoded=_flip(d["header"]["encoded"])),
        lambda d: d.update(proof="zz"),
    ],
)
def test_a_lying_node_is_caught(running_node: NodeProcess, rewrite: Callable[[dict[str, Any]], None]) -> None:
    key = b"acct/alice"
    with NodeClient(running_node.url) as honest:
        assert honest.state("tonomy", key).value is not None
    with NodeClient(running_node.url, transport=_Liar(httpx.HTTPTransport(), rewrite)) as liar:
        with pytest.raises(UntrustedAnswerError) as info:
            liar.state("tonomy", key)
    assert info.value.code == "client.untrusted_answer"


def test_restart_continues_from_disk(network: Network, make_tx: Callable[..., bytes]) -> None:
    node = network.node("restart")
    node.start()
    try:
        with NodeClient(node.url) as c:
            name = fresh_account_name("erin")
            status = c.submit_and_wait(make_tx(c.head(), name))
            assert status.committed
            before = c.head()
    finally:
        assert node.stop() == 0  # SIGTERM: graceful, exit code 0
    assert "stopped" in node.log_tail()
    node.start()
    try:
        with NodeClient(node.url) as c:
            assert c.head().height >= before.height
            assert c.block(before.height).header.hash == before.hash
            assert c.status(status.id).committed
            assert c.state("tonomy", b"acct/" + name.encode()).value is not None
    finally:
        assert node.process is not None
        node.process.send_signal(signal.SIGINT)
        assert node.stop() == 0


def test_one_node_per_data_dir(running_node: NodeProcess, network: Network) -> None:
    second = NodeProcess(running_node.data_dir, network.genesis_file, network.validator_key_file)
    with pytest.raises(RuntimeError) as info:
        second.start(timeout=60)
    assert DataDirInUseError.code in str(info.value)


def test_unknown_block_is_not_found(client: NodeClient) -> None:
    with pytest.raises(NotFoundError):
        client.block(10**12)


def test_shutdown_answers_open_waits(network: Network, make_tx: Callable[..., bytes]) -> None:
    """SIGTERM while a client long-polls: the wait answers and the node exits promptly."""
    import threading
    import time

    node = network.node("slow-blocks", block_time_ms=60_000)  # the transaction stays pending
    node.start()
    answers: list[Any] = []
    with NodeClient(node.url) as c:
        tx_id = c.submit(make_tx(c.head()))

        def wait() -> None:
            try:
                answers.append(c.wait(tx_id, timeout=50).status)
            except Exception as exc:  # the node went away: also an answer, never a hang
                answers.append(exc)

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.5)
        started = time.monotonic()
        assert node.stop(timeout=20) == 0
        waiter.join(20)
        assert not waiter.is_alive() and time.monotonic() - started < 15
    assert answers and answers[0] in ("pending", "committed") or isinstance(answers[0], Exception), answers
