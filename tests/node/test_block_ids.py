"""``GET /v1/blocks/transaction-ids``: committed blocks' ids, long-polled; the same answer
whether the ids come from the in-memory recent blocks or from the chain."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tonomy import _core
from tonomy.node.block_ids import MAX_BLOCKS, RECENT_BLOCKS, RecentBlockIds
from tonomy.node.client import NodeClient
from tonomy.node.errors import UntrustedAnswerError
from tonomy.testing.node_process import NodeProcess

pytestmark = pytest.mark.timeout(180)
PATH = "/v1/blocks/transaction-ids"


@pytest.fixture(scope="module")
def http(running_node: NodeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running_node.url, timeout=30) as c:
        yield c


def test_recent_blocks_are_bounded_and_keyed_by_height() -> None:
    recent = RecentBlockIds(capacity=2)
    recent.add(5, [b"a" * 32, b"b" * 32])
    recent.add(6, [])
    assert recent.get(5) == b"a" * 32 + b"b" * 32 and recent.get(6) == b""
    recent.add(7, [b"c" * 32])
    assert recent.get(5) is None and recent.get(6) == b"" and recent.get(7) == b"c" * 32
    recent.add(6, [b"d" * 32])  # a height reported again holds what was reported last
    assert recent.get(6) == b"d" * 32


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"from_height": "-1"},
        {"from_height": "abc"},
        {"from_height": "1.5"},
        {"from_height": str(2**64)},
        {"from_height": str(2**63)},
        {"from_height": ""},
        {"from_height": "1", "timeout": "-1"},
        {"from_height": "1", "timeout": "61"},
        {"from_height": "1", "timeout": "nan"},
        {"from_height": "1", "timeout": "x"},
    ],
)
def test_bad_parameters_are_refused(http: httpx.Client, params: dict[str, str]) -> None:
    response = http.get(PATH, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "api.bad_request"


def test_a_height_far_ahead_answers_at_once_with_no_blocks(http: httpx.Client, client: NodeClient) -> None:
    started = time.monotonic()
    doc = http.get(PATH, params={"from_height": str(client.head().height + 1000), "timeout": "30"}).json()
    assert doc["blocks"] == [] and time.monotonic() - started < 20


def test_one_answer_is_bounded_in_blocks(http: httpx.Client, client: NodeClient) -> None:
    doc = http.get(PATH, params={"from_height": "0"}).json()
    heights = [block["height"] for block in doc["blocks"]]
    assert heights == list(range(len(heights))) and 0 < len(heights) <= MAX_BLOCKS
    if client.head().height >= MAX_BLOCKS:
        assert len(heights) == MAX_BLOCKS


def test_the_next_block_is_long_polled(client: NodeClient) -> None:
    following = client.head().height + 1
    blocks = client.block_transaction_ids(following, timeout=30)
    assert blocks and blocks[0].height == following
    assert blocks[0].transaction_ids == client.block(following).transaction_ids


def test_ids_match_the_blocks_from_memory_and_from_the_chain(client: NodeClient, make_tx: Callable[..., Any]) -> None:
    head = client.head()
    txs = [make_tx(head) for _ in range(3)]
    ids = [result for result in client.submit_many(txs) if isinstance(result, bytes)]
    assert ids == [_core.decode_signed_transaction(tx).id for tx in txs]
    heights = {client.wait(tx_id, timeout=60).height for tx_id in ids}
    first, last = min(heights), max(heights)  # type: ignore[type-var]
    assert first is not None and last is not None

    def answered() -> list[tuple[int, list[bytes]]]:
        blocks = client.block_transaction_ids(first)
        return [(b.height, b.transaction_ids) for b in blocks if b.height <= last]

    recent = answered()
    expected = [(h, client.block(h).transaction_ids) for h in range(first, last + 1)]
    assert recent == expected and sorted(i for _, block in recent for i in block) == sorted(ids)
    # Once the blocks have left the recent window the chain answers, the same.
    deadline = time.monotonic() + 120
    while client.head().height <= last + RECENT_BLOCKS:
        assert time.monotonic() < deadline, "the node did not produce enough blocks"
        time.sleep(0.2)
    assert answered() == expected


def _lying(blocks: list[dict[str, Any]]) -> NodeClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"head": 9, "blocks": blocks})

    return NodeClient("http://node.invalid", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    "blocks",
    [
        [{"height": 6, "transaction_ids": ""}],  # not the height asked for
        [{"height": 5, "transaction_ids": ""}, {"height": 7, "transaction_ids": ""}],  # a gap
        [{"height": 5, "transaction_ids": "00" * 31}],  # a cut id
        [{"height": 5, "transaction_ids": "zz"}],
        [{"height": 5}],
        ["x"],
    ],
)
def test_an_unreadable_answer_is_untrusted(blocks: list[dict[str, Any]]) -> None:
    with _lying(blocks) as client, pytest.raises(UntrustedAnswerError):
        client.block_transaction_ids(5)


def test_wait_many_finds_each_commit_height_and_leaves_out_what_never_commits(
    client: NodeClient, make_tx: Callable[..., Any]
) -> None:
    head = client.head()
    results = client.submit_many([make_tx(head) for _ in range(4)])
    ids = [r for r in results if isinstance(r, bytes)]
    assert len(ids) == 4
    never = bytes(32)
    found = client.wait_many([*ids, never], head.height, timeout=5)
    assert set(found) == set(ids)
    for tx_id in ids:
        assert client.status(tx_id).height == found[tx_id]
    assert client.wait_many([], head.height, timeout=5) == {}
