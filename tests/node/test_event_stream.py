"""The event stream (``GET /v1/events``) of a real node process: resumable, gap-free, bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tonomy.node.client import NodeClient
from tonomy.node.devnet import Devnet
from tonomy.node.errors import BadRequestError
from tonomy.node.event_stream import PAGE_EVENTS, Position, StreamSlots, parse_cursor
from tonomy.node.errors import TooManyStreamsError
from tonomy.node.sse import parse_sse
from tonomy.testing.devnet_node import start_devnet_node
from tonomy.testing.node_process import NodeProcess

TRANSFER = {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1, "memo": ""}


@pytest.fixture(scope="module")
def devnet_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Devnet, NodeProcess]]:
    devnet, node = start_devnet_node(tmp_path_factory.mktemp("stream"))
    try:
        yield devnet, node
    finally:
        node.stop()


def _pay(devnet: Devnet, node: NodeProcess, count: int, memo: str) -> list[bytes]:
    from tonomy.chain.txbuilder import action, build_transaction
    from tonomy.node.keys import read_key_file

    seed = read_key_file(devnet.key_file("alice")).seed
    ids = []
    with NodeClient(node.url) as client:
        head = client.head()
        for n in range(count):
            data = {**TRANSFER, "memo": f"{memo}-{n}"}
            tx = build_transaction(head.chain_id, head, [action("pay", "transfer", data, ["alice@active"])], [seed])
            ids.append(client.submit(tx))
        for tx_id in ids:
            assert client.wait(tx_id).committed
    return ids


def _take(client: NodeClient, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for event in client.events(idle_timeout=10, **kwargs):
        out.append(event)
        if len(out) == count:
            break
    return out


def _assert_contiguous(events: list[dict[str, Any]]) -> None:
    """Ids strictly increase and, inside a block, indexes go 0, 1, 2, ... without a hole."""
    positions = [(e["height"], e["index"]) for e in events]
    assert positions == sorted(set(positions)), "duplicates or disorder"
    for before, after in zip(positions, positions[1:]):
        if before[0] == after[0]:
            assert after[1] == before[1] + 1, (before, after)
        else:
            assert after[1] == 0, (before, after)
    assert all(e["id"] == f"{e['height']}:{e['index']}" for e in events)


def test_resume_from_a_cursor_has_no_gap_and_no_duplicate(devnet_node: tuple[Devnet, NodeProcess]) -> None:
    devnet, node = devnet_node
    _pay(devnet, node, 6, "first")
    with NodeClient(node.url) as client:
        head_events = len(_all_events_so_far(client))
        first = _take(client, 5, from_height=0)
        # More payments commit while the client is away, then it resumes from its cursor.
        later = _pay(devnet, node, 8, "later")
        total = head_events + 8 * _events_per_transfer(client, later[0])
        rest = _take(client, total - 5, cursor=first[-1]["id"])
        whole = _take(client, total, from_height=0)
    resumed = first + rest
    _assert_contiguous(resumed)
    assert resumed == whole
    seen = {bytes.fromhex(e["tx_id"]) for e in resumed}
    assert set(later) <= seen
    memos = [e for e in resumed if e["plugin"] == "pay" and e["name"] == "transferred"]
    assert memos, "a transfer emits a pay event"


def _events_per_transfer(client: NodeClient, tx_id: bytes) -> int:
    receipt = client.status(tx_id).receipt
    assert receipt is not None
    return len(receipt.events)


def _all_events_so_far(client: NodeClient) -> list[dict[str, Any]]:
    """Every event up to the head, read through the stream and cut where it goes quiet."""
    url = client.url + "/v1/events"
    out: list[dict[str, Any]] = []
    with httpx.stream("GET", url, params={"from_height": "0", "heartbeat": 0.3}, timeout=10) as response:
        for message in parse_sse(response.iter_lines()):
            if message.comment == "heartbeat":
                return out
            if message.comment is None:
                import json

                out.append(json.loads(message.data))
    return out


def test_last_event_id_header_resumes_like_a_cursor(devnet_node: tuple[Devnet, NodeProcess]) -> None:
    devnet, node = devnet_node
    _pay(devnet, node, 2, "header")
    with NodeClient(node.url) as client:
        everything = _all_events_so_far(client)
    assert len(everything) >= 3
    cut = everything[1]["id"]
    with httpx.stream("GET", node.url + "/v1/events", headers={"Last-Event-ID": cut}, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        messages = parse_sse(response.iter_lines())
        got = [next(m for m in messages if m.comment is None)]
    assert got[0].id == everything[2]["id"]


def test_a_live_stream_sees_new_events_and_heartbeats(devnet_node: tuple[Devnet, NodeProcess]) -> None:
    devnet, node = devnet_node
    received: list[Any] = []
    heartbeats = 0
    opened = threading.Event()

    def pay_soon() -> None:
        opened.wait(10)
        time.sleep(0.8)  # quiet first: the stream must send heartbeats meanwhile
        received.append(_pay(devnet, node, 1, "live")[0])

    payer = threading.Thread(target=pay_soon)
    payer.start()
    event: dict[str, Any] | None = None
    with httpx.stream("GET", node.url + "/v1/events", params={"heartbeat": 0.2}, timeout=10) as response:
        opened.set()
        import json

        for message in parse_sse(response.iter_lines()):
            if message.comment == "heartbeat":
                heartbeats += 1
                continue
            if message.comment is None:
                event = json.loads(message.data)
                break
    payer.join()
    assert heartbeats >= 2
    assert event is not None and bytes.fromhex(event["tx_id"]) == received[0]


HOSTILE = [
    {"cursor": "abc"},
    {"cursor": "1:"},
    {"cursor": ":1"},
    {"cursor": "-1:0"},
    {"cursor": "1:0:0"},
    {"cursor": "1.5:0"},
    {"cursor": "99999999999999999999:0"},
    {"cursor": "1:9999999"},
    {"cursor": "１:０"},
    {"cursor": "0x1:0"},
    {"cursor": "1:0\n"},
    {"cursor": "9" * 41},
    {"cursor": "999999999:0"},  # ahead of the head
    {"cursor": "0:0"},  # block 0 has no events: not an event id
    {"from_height": "-1"},
    {"from_height": "abc"},
    {"from_height": "99999999999999999999"},
    {"from_height": "999999999"},
    {"from_height": "0", "cursor": "3:0"},
    {"heartbeat": "0"},
    {"heartbeat": "61"},
    {"heartbeat": "nan"},
    {"heartbeat": "inf"},
    {"heartbeat": "1e400"},
]


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_stream_parameters_are_refused_before_the_stream(
    devnet_node: tuple[Devnet, NodeProcess], params: dict[str, str]
) -> None:
    _, node = devnet_node
    response = httpx.get(node.url + "/v1/events", params=params, timeout=10)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "api.bad_request"


def test_hostile_last_event_id_headers(devnet_node: tuple[Devnet, NodeProcess]) -> None:
    _, node = devnet_node
    for value in ("garbage", "1:2:3", "9" * 41, "99999999999999999999:0"):
        response = httpx.get(node.url + "/v1/events", headers={"Last-Event-ID": value}, timeout=10)
        assert response.status_code == 400, (value, response.text)
        assert response.json()["code"] == "api.bad_request"
    with NodeClient(node.url) as client:
        with pytest.raises(BadRequestError):
            next(client.events(cursor="nope"))


def test_the_stream_ends_when_the_node_stops(tmp_path: Path) -> None:
    _, node = start_devnet_node(tmp_path / "stopping")
    ended = threading.Event()

    def read() -> None:
        with NodeClient(node.url) as client:
            for _ in client.events(heartbeat=0.5, idle_timeout=20):
                pass
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert node.stop() == 0
    assert ended.wait(10)
    assert time.monotonic() - started < 5, "an open stream held up the shutdown"


# -- the parts, without a node ----------------------------------------------------------


def test_cursor_parsing() -> None:
    assert parse_cursor("12:3") == Position(12, 4)
    assert parse_cursor("0:0") == Position(0, 1)
    for bad in ("", "12", "12:", "a:b", "12:-1", " 1:2", "1:2 ", "1:1000000"):
        with pytest.raises(BadRequestError):
            parse_cursor(bad)


def test_stream_slots_are_bounded() -> None:
    slots = StreamSlots(limit=2)
    first = slots.acquire()
    slots.acquire()
    with pytest.raises(TooManyStreamsError):
        slots.acquire()
    first.release()
    first.release()  # the body and the response both release: counted once
    assert slots.open == 1
    slots.acquire()
    assert slots.open == 2


def test_a_page_is_bounded() -> None:
    class ManyEvents:
        """A chain whose block 1 holds more events than one page."""

        def get_events(self, start: int, end: int, limit: int) -> list[dict[str, Any]]:
            count = PAGE_EVENTS + 7 if start == 1 else 0
            return [{"tx_id": b"\x01" * 32, "tx_index": 0, "plugin": "p", "name": "e", "data": b""}] * count

    from tonomy.node.event_stream import read_page

    events, after = read_page(ManyEvents(), Position(1, 0), 5)
    assert len(events) == PAGE_EVENTS and after == Position(1, PAGE_EVENTS)
    events, after = read_page(ManyEvents(), after, 5)
    assert [e["index"] for e in events] == list(range(PAGE_EVENTS, PAGE_EVENTS + 7)) and after == Position(6, 0)


def _open_raw_stream(url: str) -> Any:
    import socket
    from urllib.parse import urlparse

    parts = urlparse(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(b"GET /v1/events?heartbeat=5 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    head = sock.recv(4096)
    return sock, head.split(b"\r\n", 1)[0]


def _open_streams(url: str) -> int:
    response = httpx.get(url + "/metrics", timeout=10)
    line = next(line for line in response.text.splitlines() if line.startswith("tonomy_event_streams "))
    return int(line.split()[1])


def test_open_streams_are_bounded_and_counted(devnet_node: tuple[Devnet, NodeProcess]) -> None:
    from tonomy.node.event_stream import MAX_STREAMS

    _, node = devnet_node
    sockets = []
    try:
        for _ in range(MAX_STREAMS):
            sock, status = _open_raw_stream(node.url)
            sockets.append(sock)
            assert status == b"HTTP/1.1 200 OK", status
        assert _open_streams(node.url) == MAX_STREAMS
        refused = httpx.get(node.url + "/v1/events", timeout=10)
        assert refused.status_code == 503 and refused.json()["code"] == "api.too_many_streams"
    finally:
        for sock in sockets:
            sock.close()
    deadline = time.monotonic() + 15
    while _open_streams(node.url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _open_streams(node.url) == 0, "closed streams must give their slots back"
