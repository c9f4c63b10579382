"""The UI's endpoints on a real node: the shell and apps, the page list, the devnet wallet; hostile input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tonomy.node.client import NodeClient
from tonomy.node.devnet import Devnet
from tonomy.node.devnet_wallet import DevnetWallet, is_loopback
from tonomy.node.errors import DevnetWalletError
from tonomy.testing.network import Network, make_network
from tonomy.testing.node_process import NodeProcess
from tonomy.web.routes import CSP

Node = tuple[Devnet, NodeProcess]


def test_the_shell_and_apps_are_served_with_a_strict_csp(devnet_node: Node) -> None:
    _, node = devnet_node
    paths = ("/", "/app/explorer/index.html", "/app/explorer/", "/app/pay/index.html", "/web/shell.js", "/web/signer.js",
             "/web/voting.js", "/app/identity/index.html", "/app/dao/index.html", "/app/governance/index.html", "/id/login",
             "/pay/request/1")
    for path in paths:
        response = httpx.get(node.url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
    page = httpx.get(node.url + "/", timeout=10).text
    assert "http://" not in page and "https://" not in page, "the shell must load nothing from elsewhere"


def test_the_page_list_names_the_host_and_plugin_pages(devnet_node: Node) -> None:
    _, node = devnet_node
    pages = httpx.get(node.url + "/v1/web/pages", timeout=10).json()["pages"]
    assert [(p["app"], p["url"], p["nav_label"]) for p in pages] == [
        ("explorer", "/app/explorer/index.html", "Explorer"),
        ("dao", "/app/dao/index.html", "DAOs"),
        ("devconsole", "/app/devconsole/index.html", "Developer"),
        ("governance", "/app/governance/index.html", "Governance"),
        ("identity", "/app/identity/index.html", "Tonomy ID"),
        ("pay", "/app/pay/index.html", "Pay"),
    ]


def test_the_login_page_is_served_at_its_well_known_address(devnet_node: Node) -> None:
    _, node = devnet_node
    served = httpx.get(node.url + "/id/login?request=abc", timeout=10)
    assert served.status_code == 200 and served.text == httpx.get(node.url + "/app/identity/login.html", timeout=10).text
    assert "/app/identity/login.js" in served.text  # absolute asset paths: it works at both addresses
    for other in ("/id/", "/id/login/../index.html", "/id/other"):
        assert httpx.get(node.url + other, timeout=10).status_code == 404, other


def test_the_codec_endpoint_encodes_canonically(devnet_node: Node) -> None:
    from tonomy.plugin import decode_record, encode_record

    _, node = devnet_node
    value = {"b": [1, -2, {"$bytes": "00ff"}], "a": "text é", "t": True, "n": None}
    answer = httpx.post(node.url + "/v1/codec/encode", json={"value": value}, timeout=10)
    assert answer.status_code == 200
    encoded = bytes.fromhex(answer.json()["encoded"])
    expected = {"b": [1, -2, b"\x00\xff"], "a": "text é", "t": True, "n": None}
    assert encoded == encode_record(expected) and decode_record(encoded) == expected


@pytest.mark.parametrize(
    "body, status",
    [
        ({"value": 1.5}, 400),
        ({"value": {"$bytes": "0g"}}, 400),
        ({"value": {"$x": 1}}, 400),
        ({"value": 2**200}, 400),
        ({"value": "x" * 200_000}, 400),
        ({"value": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}, 400),
        ({"other": 1}, 400),
        ([1], 400),
    ],
)
def test_hostile_codec_requests_are_refused(devnet_node: Node, body: Any, status: int) -> None:
    _, node = devnet_node
    answer = httpx.post(node.url + "/v1/codec/encode", json=body, timeout=10)
    assert answer.status_code in (status, 413), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/app/pay/../../../etc/passwd",
        "/app/pay/%2e%2e/%2e%2e/pyproject.toml",
        "/app/pay/..%2f__init__.py",
        "/app/nothing/index.html",
        "/app/pay/missing.html",
        "/web/../api.py",
        "/app/explorer/%00.html",
    ],
)
def test_static_paths_cannot_escape_their_folder(devnet_node: Node, path: str) -> None:
    _, node = devnet_node
    response = httpx.get(node.url + path, timeout=10)
    assert response.status_code in (404, 400), (path, response.status_code)
    assert "tonomy" not in response.text.lower() or response.headers["content-type"] == "application/problem+json"


def test_the_devnet_wallet_signs_for_demo_accounts(devnet_node: Node) -> None:
    _, node = devnet_node
    assert httpx.get(node.url + "/v1/devnet/wallet", timeout=10).json() == {
        "devnet_only": True,
        "accounts": ["alice", "bob", "carol"],
    }
    data = {"from": "carol", "to": "bob", "symbol": "TONO", "amount": 7, "memo": "w"}
    body = {"account": "carol", "plugin": "pay", "name": "transfer", "data": data}
    answer = httpx.post(node.url + "/v1/devnet/wallet/actions", json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    with NodeClient(node.url) as client:
        status = client.wait(bytes.fromhex(answer.json()["id"]))
        assert status.receipt is not None and status.receipt.ok
        # The same request again is a new transaction (fresh nonce), not a duplicate.
        again = httpx.post(node.url + "/v1/devnet/wallet/actions", json=body, timeout=10)
        assert again.status_code == 202 and again.json()["id"] != answer.json()["id"]
        assert client.wait(bytes.fromhex(again.json()["id"])).committed


HOSTILE_WALLET: list[tuple[Any, int, str]] = [
    ({"account": "validator", "plugin": "pay", "name": "transfer", "data": {}}, 400, "api.devnet_wallet"),
    ({"account": "tonomy", "plugin": "pay", "name": "transfer", "data": {}}, 400, "api.devnet_wallet"),
    ({"account": "../keys/alice", "plugin": "pay", "name": "transfer", "data": {}}, 400, "api.devnet_wallet"),
    ({"account": "dave", "plugin": "pay", "name": "transfer", "data": {}}, 400, "api.devnet_wallet"),
    ({"account": "alice", "plugin": "Pay!", "name": "transfer", "data": {}}, 400, "api.bad_request"),
    ({"account": "alice", "plugin": "pay", "name": "x" * 100, "data": {}}, 400, "api.bad_request"),
    ({"account": "alice", "plugin": "pay", "name": "transfer", "data": []}, 400, "api.bad_request"),
    ({"account": "alice", "plugin": "pay", "name": "transfer", "data": {"amount": 1.5}}, 400, "api.bad_request"),
    ({"account": "alice", "plugin": "pay", "name": "transfer", "data": {}, "extra": 1}, 400, "api.bad_request"),
    ({"account": 5, "plugin": "pay", "name": "transfer", "data": {}}, 400, "api.bad_request"),
    ({"account": "alice", "plugin": "pay", "name": "transfer", "data": {"from": "alice"}}, 422, "tx.invalid_data"),
    ({"account": "alice", "plugin": "nope", "name": "transfer", "data": {}}, 422, "tx.unknown_plugin"),
    ("not json at all", 400, "api.bad_request"),
]


@pytest.mark.parametrize(("body", "status", "code"), HOSTILE_WALLET)
def test_hostile_wallet_requests_are_refused(devnet_node: Node, body: Any, status: int, code: str) -> None:
    _, node = devnet_node
    with NodeClient(node.url) as client:
        before = client.head().height
    if isinstance(body, str):
        response = httpx.post(node.url + "/v1/devnet/wallet/actions", content=body, timeout=10)
    else:
        response = httpx.post(node.url + "/v1/devnet/wallet/actions", json=body, timeout=10)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    with NodeClient(node.url) as client:
        for height in range(before + 1, client.head().height + 1):
            block = client.block(height)
            assert not block.transaction_ids, "a refused wallet request committed something"


def test_the_wallet_cannot_spend_another_accounts_funds(devnet_node: Node) -> None:
    _, node = devnet_node
    theft = {"from": "bob", "to": "alice", "symbol": "TONO", "amount": 1, "memo": ""}
    with NodeClient(node.url) as client:
        before = client.query("pay", "balance", {"account": "bob", "symbol": "TONO"})
        answer = httpx.post(
            node.url + "/v1/devnet/wallet/actions",
            json={"account": "alice", "plugin": "pay", "name": "transfer", "data": theft},
            timeout=10,
        )
        assert answer.status_code == 202  # signed by alice: admitted, and refused by Pay when it runs
        status = client.wait(bytes.fromhex(answer.json()["id"]))
        assert status.receipt is not None and not status.receipt.ok
        assert client.query("pay", "balance", {"account": "bob", "symbol": "TONO"}) == before


def test_a_node_without_the_wallet_has_no_wallet_endpoints(tmp_path: Path) -> None:
    network: Network = make_network(tmp_path / "net")
    node = network.node("plain")
    node.start()
    try:
        for method, path in (("GET", "/v1/devnet/wallet"), ("POST", "/v1/devnet/wallet/actions")):
            response = httpx.request(method, node.url + path, json={}, timeout=10)
            assert response.status_code in (404, 405) and response.json()["code"] in ("api.not_found", "api.method_not_allowed")
        pages = httpx.get(node.url + "/v1/web/pages", timeout=10).json()["pages"]
        assert [p["app"] for p in pages] == ["explorer", "dao", "devconsole", "governance", "identity", "pay"]
    finally:
        node.stop()


def test_wallet_refuses_foreign_and_system_keys(tmp_path: Path) -> None:
    from tonomy.node.keys import KeyPair, write_key_file

    for name in ("alice", "validator", "validator-0", "tonomy", "Bad Name"):
        write_key_file(tmp_path / f"{name}.key", KeyPair.generate(None))
    wallet = DevnetWallet(tmp_path)
    assert wallet.accounts() == ["alice"]
    for name in ("validator", "validator-0", "tonomy", "Bad Name", "../alice", "bob", ""):
        with pytest.raises(DevnetWalletError):
            wallet.seed(name)


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.9.1")
    assert not any(is_loopback(h) for h in ("10.0.0.1", "192.168.1.1", "localhost", "", None, "::ffff:8.8.8.8"))
