"""The node's blob routes (``/v1/x/vault/blobs``): round trip, and hostile input answered with
stable codes while the store stays as it was."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tonomy.testing.network import make_network
from tonomy.testing.node_process import NodeProcess

from tonomy_vault.blobs import blob_hash


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    net = make_network(tmp_path_factory.mktemp("blobapi"))
    process = net.node("node")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def stored(node: NodeProcess) -> list[Path]:
    return sorted(p for p in (node.data_dir / "plugins" / "vault" / "blobs").rglob("*") if p.is_file())


def test_put_and_get(node: NodeProcess) -> None:
    blob = os.urandom(1000)
    answer = httpx.put(f"{node.url}/v1/x/vault/blobs", content=blob, timeout=10)
    assert answer.status_code == 201 and answer.json() == {"content_hash": blob_hash(blob).hex(), "size": 1000}
    got = httpx.get(f"{node.url}/v1/x/vault/blobs/{blob_hash(blob).hex()}", timeout=10)
    assert got.status_code == 200 and got.content == blob


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("PUT", "/blobs", b"", 422, "vault.malformed"),
        ("PUT", "/blobs", os.urandom(2 << 20), 413, "api.body_too_large"),
        ("GET", "/blobs/zz", None, 422, "vault.malformed"),
        ("GET", "/blobs/" + "00" * 31, None, 422, "vault.malformed"),
        ("GET", "/blobs/" + "00" * 33, None, 422, "vault.malformed"),
        ("GET", "/blobs/" + "00" * 32, None, 404, "vault.not_found"),
        ("POST", "/blobs", b"x", 405, "api.method_not_allowed"),
    ],
)
def test_hostile_requests(node: NodeProcess, method: str, path: str, body: bytes | None, status: int, code: str) -> None:
    before = stored(node)
    answer = httpx.request(method, f"{node.url}/v1/x/vault{path}", content=body, timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert stored(node) == before
