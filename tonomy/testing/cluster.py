"""A multi-validator network of real ``tonomy node`` processes on loopback, for tests and
benchmarks: one genesis with N validator keys, one data directory and one p2p port per
node, every node configured with every other as a peer (``KEY@127.0.0.1:PORT``).

With ``proxied=True`` every peer link (node i dialling node j) goes through its own TCP
proxy (:mod:`tonomy.testing.proxy`), so a test can partition the network with real
sockets: :meth:`Cluster.partition` cuts every link between groups, :meth:`Cluster.heal`
restores them."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tonomy.net.identity import NodeIdentity
from tonomy.node.core_share import shared_core_env
from tonomy.node.keys import KeyPair, write_key_file
from tonomy.testing.network import GENESIS_TIME_MS
from tonomy.testing.node_process import NodeProcess

#: Short consensus timeouts for tests (ms): propose, prevote, precommit as base and delta.
TEST_TIMEOUTS = "1500,500,600,300,600,300"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    root: Path
    genesis_file: Path
    keys: dict[str, KeyPair]
    validator_keys: list[Path]
    nodes: list[NodeProcess] = field(default_factory=list)
    proxy: Any = None
    #: (dialler index, target index) -> its proxy link, when proxied.
    links: dict[tuple[int, int], Any] = field(default_factory=dict)

    def start(self, timeout: float = 60.0) -> None:
        """Start every node and wait for the first finalized block on each.

        Waiting matters: a transaction built on the genesis head (whose time is the
        genesis time, long past) passes admission but has expired by block 1's time.
        """
        for node in self.nodes:
            node.start(timeout)
        for node in self.nodes:
            wait_until(lambda n=node: (node_height(n.url) or 0) >= 1, timeout, what="the first block")

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
        if self.proxy is not None:
            self.proxy.close()
            self.proxy = None

    def partition(self, *groups: list[int]) -> None:
        """Cut every link between nodes of different groups (both directions)."""
        group_of = {index: number for number, group in enumerate(groups) for index in group}
        self.proxy.cut(link for (i, j), link in self.links.items() if group_of.get(i) != group_of.get(j))

    def heal(self) -> None:
        self.proxy.heal(self.links.values())

    def clients(self) -> list[Any]:
        from tonomy.node.client import NodeClient

        return [NodeClient(node.url) for node in self.nodes]


def make_cluster(
    root: Path,
    validators: int = 4,
    accounts: tuple[str, ...] = ("alice", "bob"),
    *,
    block_time_ms: int = 100,
    timeouts: str = TEST_TIMEOUTS,
    parameters: dict[str, dict[str, Any]] | None = None,
    proxied: bool = False,
) -> Cluster:
    from tonomy.chain.genesis import Genesis, GenesisAccount
    from tonomy.node.devnet import installed_plugins

    root.mkdir(parents=True, exist_ok=True)
    validator_keys = []
    publics = []
    for i in range(validators):
        key = KeyPair.generate()
        path = root / f"validator-{i}.key"
        write_key_file(path, key)
        validator_keys.append(path)
        publics.append(key.public_key)
    keys = {name: KeyPair.generate(name) for name in accounts}
    genesis = Genesis(
        chain_name="cluster-tests",
        initial_time_ms=GENESIS_TIME_MS,
        validators=tuple(publics),
        accounts=tuple(GenesisAccount(name, "person", (key.public_key,)) for name, key in keys.items()),
        plugins=tuple(installed_plugins()),
        parameters=parameters or {},
    )
    genesis.save(root / "genesis.json")
    ports = [free_port() for _ in range(validators)]
    identities = []
    for i in range(validators):
        identities.append(NodeIdentity.load_or_create(root / f"node{i}" / "node.key"))
    cluster = Cluster(root, root / "genesis.json", keys, validator_keys)
    if proxied:
        from tonomy.testing.proxy import Proxy

        cluster.proxy = Proxy()
        for i in range(validators):
            for j in range(validators):
                if i != j:
                    cluster.links[(i, j)] = cluster.proxy.link(("127.0.0.1", ports[j]))
    for i in range(validators):
        dial = {j: cluster.links[(i, j)].port if proxied else ports[j] for j in range(validators) if j != i}
        peers = [f"{identities[j].public_key.hex()}@127.0.0.1:{port}" for j, port in dial.items()]
        args = ["--p2p", f"127.0.0.1:{ports[i]}", "--consensus-timeouts-ms", timeouts]
        for peer in peers:
            args += ["--peer", peer]
        cluster.nodes.append(
            NodeProcess(
                root / f"node{i}", cluster.genesis_file, validator_keys[i], block_time_ms=block_time_ms, extra_args=args,
                extra_env={"PYTHONFAULTHANDLER": "1", **shared_core_env(validators)},
            )
        )
    return cluster


_http: Any = None


def _client() -> Any:
    """One shared HTTP client: a fresh ``httpx.get`` builds a TLS context each time, which
    costs far more than the request on a loaded machine."""
    global _http
    if _http is None:
        import httpx

        _http = httpx.Client(timeout=10)
    return _http


def node_height(url: str) -> int | None:
    """A node's height from its health endpoint (None while it is down or not answering)."""
    import httpx

    try:
        return int(_client().get(f"{url}/v1/health", timeout=3).json()["height"])
    except (httpx.HTTPError, ValueError, KeyError):
        return None


def header_at(url: str, height: int) -> dict[str, Any]:
    return dict(_client().get(f"{url}/v1/blocks/{height}").json()["header"])


def assert_same_chain(urls: list[str], up_to: int) -> None:
    """Every node holds the same block hash and state root at every height up to ``up_to``."""
    for height in range(1, up_to + 1):
        seen = {(doc["hash"], doc["state_root"]) for doc in (header_at(url, height) for url in urls)}
        assert len(seen) == 1, f"nodes disagree at height {height}: {seen}"


def wait_until(predicate: Any, timeout: float, every: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"{what} not reached within {timeout}s")


__all__ = ["TEST_TIMEOUTS", "Cluster", "assert_same_chain", "free_port", "header_at", "make_cluster", "node_height", "wait_until"]
