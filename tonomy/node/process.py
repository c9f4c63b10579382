"""The node process: the chain thread, the block loop and the API server on one event loop.

Start-up opens the chain from disk (a restart continues from the last committed
block), binds the API socket, then starts producing. SIGINT/SIGTERM stop it
gracefully: the block in progress finishes and commits, the API stops taking
requests, the chain closes. A kill at any moment loses nothing committed, since
each block commits in one durable LMDB transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO, Any

import uvicorn

from tonomy.node.api import NodeServices, build_app
from tonomy.node.block_loop import BlockListener, BlockLoop
from tonomy.node.chain_open import open_chain
from tonomy.node.chain_port import ChainPort
from tonomy.node.chain_worker import ChainWorker
from tonomy.node.commit_watch import CommitWatch
from tonomy.node.config import LOCK_FILE, RUNTIME_FILE, NodeConfig, api_url
from tonomy.node.errors import DataDirInUseError, NodeConfigError
from tonomy.node.gc_tuning import settle_after_start_up
from tonomy.node.schedule import BlockSchedule

log = logging.getLogger("tonomy.node")

#: How long a stopping node lets open requests finish before it closes their connections.
SHUTDOWN_GRACE_S = 5

ReadyListener = Callable[[str, Any], None]
"""``listener(api_url, head_header)`` once the API accepts requests."""


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the node owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data directory for the node's lifetime."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(data_dir / LOCK_FILE, "a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirInUseError(f"another node is running on {data_dir}") from None
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process dies


def bind_api_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it a response written in two parts waits
    # for the client's delayed ACK: ~40 ms per request on loopback (measured).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise NodeConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _write_runtime_file(data_dir: Path, url: str, extra: dict[str, Any] | None = None) -> Path:
    path = data_dir / RUNTIME_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "api": url, **(extra or {})}) + "\n")
    tmp.replace(path)
    return path


async def run_node(
    config: NodeConfig,
    *,
    opener: Callable[[NodeConfig], ChainPort] = open_chain,
    on_ready: ReadyListener | None = None,
    on_block: BlockListener | None = None,
    stop: asyncio.Event | None = None,
    settle_gc: bool = False,
) -> None:
    """Run a node until SIGINT/SIGTERM (or ``stop`` is set).

    ``settle_gc`` (for a process that runs only the node, like the CLI's) tunes the cyclic
    garbage collector once the node has started: see :mod:`tonomy.node.gc_tuning`.
    """
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with data_dir_lock(config.data_dir):
            await _serve(config, opener, on_ready, on_block, stop, settle_gc)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _serve(
    config: NodeConfig,
    opener: Callable[[NodeConfig], ChainPort],
    on_ready: ReadyListener | None,
    on_block: BlockListener | None,
    stop: asyncio.Event,
    settle_gc: bool,
) -> None:
    worker = ChainWorker()
    watch = CommitWatch()
    runtime_file: Path | None = None
    network: Any = None
    plugin_services: Any = None
    try:
        await worker.open(lambda: opener(config))
        head = await worker.call(lambda chain: chain.head)
        validators = await worker.call(_validator_keys)
        is_validator = config.validator_key_file is not None
        multi = len(validators) > 1
        services = NodeServices(worker=worker, watch=watch, producing=is_validator, head=head)
        services.head_signal.advanced(head.height)
        if config.rate_limit_per_s > 0:
            services.rate_limit = (config.rate_limit_per_s, config.rate_burst)
            services.rate_limit_loopback = config.rate_limit_loopback
        if config.devnet_wallet_dir is not None:
            from tonomy.node.devnet_wallet import DevnetWallet

            services.wallet = DevnetWallet(config.devnet_wallet_dir)
        services.web_pages = _web_pages()
        driver: Any = None

        def committed(header: Any, ids: list[bytes]) -> None:
            if services.head is None or header.height > services.head.height:
                services.block_committed(header, len(ids))
                if plugin_services is not None:
                    plugin_services.block_committed(header.height, len(ids))
            watch.committed(header.height, ids)
            if on_block is not None:
                on_block(header, len(ids))

        def synced(header: Any, ids: list[bytes]) -> None:
            committed(header, ids)
            if driver is not None:
                driver.on_synced()

        runtime_extra: dict[str, Any] = {}
        if config.networked or multi:
            from tonomy.node.network import NodeNetwork

            network = NodeNetwork(
                data_dir=config.data_dir,
                chain_id=head.chain_id,
                worker=worker,
                on_synced=synced,
                on_transaction_admitted=watch.admitted,
            )
            host, port = config.p2p_address or ("127.0.0.1", 0)
            p2p_host, p2p_port = await network.start(host, port, config.peers)
            services.on_admitted = network.publish_transaction
            runtime_extra = {"p2p": f"{network.identity.public_key.hex()}@{p2p_host}:{p2p_port}"}
        plugin_services = await _start_plugin_services(config, worker, network)
        services.plugin_services = plugin_services
        app = build_app(services, max_body_bytes=config.max_body_bytes)
        sock = bind_api_socket(config.api_host, config.api_port)
        host, port = sock.getsockname()[:2]
        server = _Server(
            uvicorn.Config(
                app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=SHUTDOWN_GRACE_S
            )
        )
        server_task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not server_task.done():
            await asyncio.sleep(0.01)
        if server_task.done():
            server_task.result()  # re-raise why the server could not start
            raise NodeConfigError("the API server stopped during start-up")
        url = api_url(host, port)
        blocks: BlockLoop | None = None
        if is_validator and not multi:
            listener = on_block if network is None else _announcing(on_block, network)
            blocks = BlockLoop(services, BlockSchedule(config.block_time_ms), listener)
            try:
                await blocks.produce_due()  # the chain's time catches up with the clock before anyone builds on it
            except Exception:  # the block loop meets it again at once: logs it, halts or retries
                log.debug("the first due block was not produced before start-up", exc_info=True)
            head = services.head
        runtime_file = _write_runtime_file(config.data_dir, url, runtime_extra)
        log.info("node API at %s, head height %d", url, head.height)
        if on_ready is not None:
            on_ready(url, head)
        producer: asyncio.Task[None] | None = None
        if is_validator and multi:
            from tonomy.node.consensus_driver import DEFAULT_TIMEOUTS_MS, SYNC_FOLLOW_GRACE_S, ConsensusDriver
            from tonomy.node.keys import read_key_file

            assert network is not None and config.validator_key_file is not None

            def decided(header: Any, ids: list[bytes]) -> None:
                committed(header, ids)
                network.announce()

            driver = ConsensusDriver(
                worker=worker,
                chain_id=head.chain_id,
                seed=read_key_file(config.validator_key_file).seed,
                data_dir=config.data_dir,
                publish=network.publish_consensus,
                on_decided=decided,
                block_time_ms=config.block_time_ms,
                timeouts_ms=config.consensus_timeouts_ms or DEFAULT_TIMEOUTS_MS,
                equivocate=os.environ.get("TONOMY_TEST_EQUIVOCATE") == "1",
                publish_transaction=network.publish_transaction,
            )
            network.subscribe_consensus(driver.on_proposal, driver.on_vote)
            network.sync.follow_grace = SYNC_FOLLOW_GRACE_S  # blocks come through consensus first
            producer = asyncio.create_task(driver.run(stop))
        elif blocks is not None:
            producer = asyncio.create_task(blocks.run(stop))
        if settle_gc:
            settle_after_start_up()
        stop_task = asyncio.create_task(stop.wait())
        await asyncio.wait({stop_task, server_task}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        if producer is not None:
            await producer  # the block in progress commits before the chain closes
        watch.release_all()  # open long-polls answer now instead of holding the shutdown
        services.head_signal.close()  # and event streams end
        server.should_exit = True
        await server_task
        stop_task.cancel()
    finally:
        watch.release_all()
        if plugin_services is not None:
            await plugin_services.close()
        if network is not None:
            await network.close()
        await worker.close()
        if runtime_file is not None:
            runtime_file.unlink(missing_ok=True)


def _validator_keys(chain: Any) -> list[bytes]:
    genesis = getattr(chain, "genesis", None)
    return list(genesis.validators) if genesis is not None else []


def _announcing(on_block: BlockListener | None, network: Any) -> BlockListener:
    """A single validator with peers tells them each new head, so followers sync it."""

    def listener(header: Any, count: int) -> None:
        network.announce()
        if on_block is not None:
            on_block(header, count)

    return listener


async def _start_plugin_services(config: NodeConfig, worker: Any, network: Any) -> Any:
    """Plugins' node-local services (``tonomy_node_services``), started and wired to p2p."""
    from tonomy.node.plugin_services import PluginServices, collect_node_services
    from tonomy.plugin import build_plugin_manager

    found = collect_node_services(build_plugin_manager())
    if not found:
        return None
    services = PluginServices(found)
    await services.start(config.data_dir, worker, None if network is None else network.manager)
    return services


def _web_pages() -> list[Any]:
    """The web UI's pages: the host's and every installed plugin's (``tonomy_web_pages``)."""
    from tonomy.plugin import build_plugin_manager
    from tonomy.web.pages import collect_web_pages

    return collect_web_pages(build_plugin_manager())


__all__ = ["ReadyListener", "bind_api_socket", "data_dir_lock", "run_node"]
