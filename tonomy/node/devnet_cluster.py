"""``tonomy devnet --validators N``: N validator processes on this machine.

Each validator is an ordinary ``tonomy node`` process with its own data directory
(``<devnet>/node<i>/``, LMDB, node identity key, consensus safety file and WAL), the
shared genesis, its validator key, an API port and a p2p port on 127.0.0.1, and every
other validator as a peer (``NODEKEY@127.0.0.1:PORT``). They finalize blocks through
the consensus engine over the encrypted p2p layer, exactly as validators on separate
machines would (``tonomy node --genesis FILE --peer HOST:PORT``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tonomy.net.identity import NodeIdentity
from tonomy.node.config import RUNTIME_FILE
from tonomy.node.core_share import shared_core_env
from tonomy.node.devnet import Devnet

DEFAULT_P2P_PORT = 26656


@dataclass
class ValidatorProcess:
    index: int
    data_dir: Path
    command: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    extra_env: dict[str, str] | None = None
    _log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = open(self.log_path, "ab")
        env = {**os.environ, **self.extra_env} if self.extra_env else None
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"validator {self.index} exited with {self.process.returncode}; see {self.log_path}")
            try:
                doc = json.loads((self.data_dir / RUNTIME_FILE).read_text())
            except (FileNotFoundError, ValueError):
                doc = {}
            if doc.get("pid") == self.process.pid:
                self.url = str(doc["api"])
                return self.url
            time.sleep(0.05)
        raise TimeoutError(f"validator {self.index} did not start within {timeout}s; see {self.log_path}")

    def stop(self, timeout: float = 30.0) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()


def validator_processes(
    devnet: Devnet, *, api_host: str, api_port: int, p2p_port: int, block_time_ms: int
) -> list[ValidatorProcess]:
    """The command line of each validator (API and p2p ports counted up from the bases)."""
    count = devnet.validator_count()
    identities = [NodeIdentity.load_or_create(devnet.node_dir(i) / "node.key") for i in range(count)]
    processes = []
    for i in range(count):
        command = [
            sys.executable, "-m", "tonomy", "node",
            "--data-dir", str(devnet.node_dir(i)),
            "--genesis", str(devnet.genesis_file),
            "--validator-key", str(devnet.validator_key_file_of(i)),
            "--api", f"{api_host}:{api_port + i if api_port else 0}",
            "--p2p", f"127.0.0.1:{p2p_port + i}",
            "--block-time-ms", str(block_time_ms),
            "--devnet-wallet", str(devnet.keys_dir),  # the web UI's Pay page signs with the demo keys
        ]  # fmt: skip
        for j in range(count):
            if j != i:
                command += ["--peer", f"{identities[j].public_key.hex()}@127.0.0.1:{p2p_port + j}"]
        processes.append(ValidatorProcess(i, devnet.node_dir(i), command, devnet.root / f"node{i}.log", extra_env=shared_core_env(count)))
    return processes


def run_cluster(processes: list[ValidatorProcess], on_ready: object, poll: object, stop_after: float | None = None) -> None:
    """Start every validator, call ``on_ready(urls)``, then ``poll()`` every second until
    Ctrl-C (or ``stop_after`` seconds); always stops the validators (SIGTERM)."""
    previous = signal.getsignal(signal.SIGINT)
    previous_term = signal.getsignal(signal.SIGTERM)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the validators the same way Ctrl-C does

    signal.signal(signal.SIGTERM, terminate)
    try:
        for validator in processes:
            validator.start()
        urls = [validator.wait_ready(60.0) for validator in processes]
        on_ready(urls)  # type: ignore[operator]
        started = time.monotonic()
        while stop_after is None or time.monotonic() - started < stop_after:
            time.sleep(1.0)
            for validator in processes:
                assert validator.process is not None
                if validator.process.poll() is not None:
                    raise RuntimeError(f"validator {validator.index} stopped; see {validator.log_path}")
            poll()  # type: ignore[operator]
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for validator in processes:
            validator.stop()
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)


__all__ = ["DEFAULT_P2P_PORT", "ValidatorProcess", "run_cluster", "validator_processes"]


if os.name != "posix":  # pragma: no cover - the devnet uses POSIX signals
    raise ImportError("the multi-validator devnet needs a POSIX system")
