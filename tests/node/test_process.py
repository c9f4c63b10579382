"""Node process pieces that need no chain: the API socket, the data-dir lock, the address option."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tonomy.node.config import NodeConfig, api_url, parse_api_address
from tonomy.node.errors import DataDirInUseError, NodeConfigError
from tonomy.node.process import bind_api_socket, data_dir_lock


def test_api_socket_disables_nagle_on_accepted_connections() -> None:
    listener = bind_api_socket("127.0.0.1", 0)
    try:
        host, port = listener.getsockname()[:2]
        listener.setblocking(True)
        with socket.create_connection((host, port), timeout=5):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        listener.close()


def test_port_in_use_is_a_clear_error() -> None:
    first = bind_api_socket("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))  # without SO_REUSEADDR a listening port conflicts
        blocker.listen()
        with pytest.raises(NodeConfigError, match="cannot listen"):
            bind_api_socket("127.0.0.1", blocker.getsockname()[1])
        blocker.close()
        assert port
    finally:
        first.close()


def test_data_dir_lock_is_exclusive(tmp_path: Path) -> None:
    with data_dir_lock(tmp_path / "d"):
        with pytest.raises(DataDirInUseError) as info:
            with data_dir_lock(tmp_path / "d"):
                pass
        assert info.value.code == "node.data_dir_in_use"
    with data_dir_lock(tmp_path / "d"):  # released
        pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:8640", ("127.0.0.1", 8640)), ("localhost:0", ("localhost", 0)), ("[::1]:9000", ("::1", 9000))],
)
def test_api_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_api_address(text) == expected


@pytest.mark.parametrize("text", ["", "8640", ":8640", "host:", "host:http", "host:70000", "[nope]:1", "h:-1"])
def test_bad_api_addresses(text: str) -> None:
    with pytest.raises(NodeConfigError):
        parse_api_address(text)


def test_urls_and_config_bounds(tmp_path: Path) -> None:
    assert api_url("::1", 80) == "http://[::1]:80"
    assert api_url("127.0.0.1", 80) == "http://127.0.0.1:80"
    for bad in ({"block_time_ms": 5}, {"api_port": 70000}, {"max_body_bytes": 10}):
        with pytest.raises(NodeConfigError):
            NodeConfig(tmp_path, tmp_path / "g.json", **bad)  # type: ignore[arg-type]
