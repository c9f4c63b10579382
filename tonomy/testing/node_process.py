"""Run a real ``tonomy node`` in a subprocess, for end-to-end tests and benchmarks.

The node listens on 127.0.0.1 with a free port (``--api 127.0.0.1:0``) and writes
its address into ``node.json`` in its data directory once the API accepts
requests; :meth:`NodeProcess.start` waits for that file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

RUNTIME_FILE = "node.json"  # tonomy.node.config.RUNTIME_FILE


class NodeProcess:
    def __init__(
        self,
        data_dir: Path,
        genesis_file: Path,
        validator_key: Path | None,
        *,
        block_time_ms: int = 100,
        log_file: Path | None = None,
        extra_env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.genesis_file = genesis_file
        self.validator_key = validator_key
        self.block_time_ms = block_time_ms
        self.log_file = log_file or data_dir.parent / f"{data_dir.name}.log"
        self.extra_env = extra_env or {}
        self.extra_args = list(extra_args or [])
        self.runtime: dict[str, object] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self._log: IO[bytes] | None = None

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "tonomy", "node",
            "--data-dir", str(self.data_dir),
            "--genesis", str(self.genesis_file),
            "--api", "127.0.0.1:0",
            "--block-time-ms", str(self.block_time_ms),
        ]  # fmt: skip
        if self.validator_key is not None:
            cmd += ["--validator-key", str(self.validator_key)]
        return cmd + self.extra_args

    def start(self, timeout: float = 60.0) -> str:
        """Start the node and return its API URL once it accepts requests."""
        self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.poll_ready():
                return self.url
            time.sleep(0.02)
        self.kill()
        raise TimeoutError(f"the node did not start within {timeout}s:\n{self.log_tail()}")

    def spawn(self) -> None:
        """Start the process without waiting for its API (see :meth:`poll_ready`)."""
        self._log = open(self.log_file, "ab")
        env = {**os.environ, **self.extra_env}
        self.process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def poll_ready(self) -> bool:
        """True once the spawned node accepts requests (``url`` is then its API); never blocks."""
        if self.process is None:
            return False
        if self.process.poll() is not None:
            raise RuntimeError(f"the node exited with {self.process.returncode}:\n{self.log_tail()}")
        try:
            doc = json.loads((self.data_dir / RUNTIME_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return False
        if doc.get("pid") != self.process.pid:  # a file left by a killed node: not ours
            return False
        self.url = str(doc["api"])
        self.runtime = doc
        return True

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the graceful path."""
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int:
        """SIGKILL: the crash path."""
        return self._end(signal.SIGKILL, 30.0)

    def _end(self, sig: signal.Signals, timeout: float) -> int:
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(sig)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    def pause(self) -> None:
        """SIGSTOP: the process freezes (a stalled machine), sockets stay open."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def __enter__(self) -> NodeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


__all__ = ["NodeProcess"]
