"""The artifact store: chunked uploads, size limits, quotas, the hash checked on seal and on fetch."""

from __future__ import annotations

from typing import Any

import pytest
from marketnet import Market
from tonomy_marketplace.artifacts import CHUNK_SIZE
from tonomy_marketplace.client import FetchError, fetch

from tonomy import _core


class ChainReader:
    def __init__(self, market: Market, lie: dict[int, bytes] | None = None) -> None:
        self.market, self.lie = market, lie or {}

    def query(self, plugin: str, name: str, params: Any) -> Any:
        if name == "chunk" and params["index"] in self.lie:
            return self.lie[params["index"]]
        return self.market.query(plugin, name, params)


def begin(market: Market, who: str, digest: bytes, size: int) -> Any:
    return market.act("marketplace", "upload_begin", {"uploader": who, "hash": digest, "size": size}, who)


def test_upload_fetch_round_trip_and_hash_checks(market: Market) -> None:
    content = bytes(range(256)) * ((CHUNK_SIZE * 2 + 1000) // 256)
    digest = market.upload("dave", content)
    assert fetch(ChainReader(market), digest) == content
    assert market.query("marketplace", "quota", {"account": "dave"})["used"] == len(content)
    # a node that lies about one chunk is caught
    with pytest.raises(FetchError) as lied:
        fetch(ChainReader(market, {1: b"\x00" * CHUNK_SIZE}), digest)
    assert lied.value.code == "marketplace.hash_mismatch"
    with pytest.raises(FetchError):
        fetch(ChainReader(market, {0: b"short"}), digest)
    with pytest.raises(FetchError) as unknown:
        fetch(ChainReader(market), bytes(32))
    assert unknown.value.code == "marketplace.unknown_artifact"
    # content addressed: the same bytes cannot be stored twice
    assert begin(market, "erin", digest, len(content)).error_code == "marketplace.artifact_exists"


def test_a_wrong_hash_is_never_sealed(market: Market) -> None:
    content = b"the real package"
    wrong = _core.hash_plain(b"another package")
    assert begin(market, "dave", wrong, len(content)).status == "executed"
    market.ok("marketplace", "upload_chunk", {"uploader": "dave", "hash": wrong, "index": 0, "data": content}, "dave")
    market.fails("marketplace.hash_mismatch", "marketplace", "upload_seal", {"uploader": "dave", "hash": wrong}, "dave")
    assert market.query("marketplace", "artifact", {"hash": wrong})["sealed"] is False
    assert market.query("marketplace", "chunk", {"hash": wrong, "index": 0}) is None  # never half an artifact
    market.ok("marketplace", "upload_abort", {"uploader": "dave", "hash": wrong}, "dave")
    assert market.query("marketplace", "artifact", {"hash": wrong}) is None
    assert market.query("marketplace", "quota", {"account": "dave"})["used"] == 0


def test_hostile_uploads_are_refused_without_a_trace(market: Market) -> None:
    digest = _core.hash_plain(b"x" * (CHUNK_SIZE + 10))
    assert begin(market, "dave", digest, 600 * 1024).error_code == "marketplace.too_large"
    assert begin(market, "dave", digest, CHUNK_SIZE + 10).status == "executed"
    chunk = {"uploader": "dave", "hash": digest}
    market.fails("marketplace.bad_chunk", "marketplace", "upload_chunk", {**chunk, "index": 2, "data": b"x"}, "dave")
    market.fails("marketplace.bad_chunk", "marketplace", "upload_chunk", {**chunk, "index": 1, "data": b"x" * 11}, "dave")
    market.fails("marketplace.bad_chunk", "marketplace", "upload_chunk", {**chunk, "index": 0, "data": b"x" * 10}, "dave")
    market.ok("marketplace", "upload_chunk", {**chunk, "index": 1, "data": b"x" * 10}, "dave")
    market.fails("marketplace.bad_chunk", "marketplace", "upload_chunk", {**chunk, "index": 1, "data": b"x" * 10}, "dave")
    market.fails("marketplace.incomplete", "marketplace", "upload_seal", chunk, "dave")
    # somebody else cannot add to, seal or abort dave's upload
    market.fails("marketplace.artifact_exists", "marketplace", "upload_chunk", {"uploader": "erin", "hash": digest, "index": 0, "data": b"x" * CHUNK_SIZE}, "erin")
    market.fails("tx.missing_authorization", "marketplace", "upload_abort", chunk, "erin")
    market.ok("marketplace", "upload_chunk", {**chunk, "index": 0, "data": b"x" * CHUNK_SIZE}, "dave")
    market.ok("marketplace", "upload_seal", chunk, "dave")
    market.fails("marketplace.artifact_exists", "marketplace", "upload_abort", chunk, "dave")


def test_the_quota_bounds_what_one_account_stores(market: Market) -> None:
    size = 500 * 1024
    for index in range(8):
        assert begin(market, "dave", _core.hash_plain(bytes([index])), size).status == "executed"
    receipt = begin(market, "dave", _core.hash_plain(b"one more"), size)
    assert receipt.error_code == "marketplace.quota_exceeded"
    assert market.query("marketplace", "quota", {"account": "dave"})["used"] == 8 * size
