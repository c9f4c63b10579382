"""``tonomy devnet --validators 4``: four validator processes, one genesis, funded demo
accounts, heights advancing on every node; Ctrl-C stops them all and a rerun continues."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def free_port_range(count: int) -> int:
    for _ in range(50):
        base = random.randint(30_000, 60_000)
        try:
            for port in range(base, base + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free port range")


def run_devnet(root: Path, base: int, until: str, timeout: float = 90.0) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "tonomy", "devnet", "--data-dir", str(root), "--validators", "4",
           "--api", "127.0.0.1:0", "--p2p-port", str(base), "--block-time-ms", "200"]  # fmt: skip
    out = root.parent / f"{root.name}.out"
    with open(out, "wb") as handle:
        process = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
        deadline = time.monotonic() + timeout
        try:
            while until not in out.read_text(errors="replace"):
                assert process.poll() is None, out.read_text(errors="replace")
                assert time.monotonic() < deadline, out.read_text(errors="replace")
                time.sleep(0.2)
            urls = [json.loads((root / f"node{i}" / "node.json").read_text())["api"] for i in range(4)]
            heights = [httpx.get(f"{url}/v1/health", timeout=5).json()["height"] for url in urls]
            assert min(heights) >= 1
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(60)
    return code, out.read_text(errors="replace")


def test_devnet_runs_four_validators_and_continues(tmp_path: Path) -> None:
    root = tmp_path / "devnet"
    base = free_port_range(4)
    code, text = run_devnet(root, base, "heights")
    assert code == 0, text
    assert "funded alice, bob, carol" in text
    assert "devnet stopped" in text
    genesis = json.loads((root / "genesis.json").read_text())
    assert len(genesis["validators"]) == 4
    for i in range(4):
        assert (root / f"node{i}" / "data.mdb").exists()
        assert (root / f"node{i}" / "consensus-safety").exists()
        assert not (root / f"node{i}" / "node.json").exists()  # every validator stopped cleanly
    # A second run continues the same chain (no new genesis, no second funding).
    code, text = run_devnet(root, base, "heights")
    assert code == 0, text
    assert "funded alice" not in text
