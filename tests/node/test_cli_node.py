"""The node CLI commands in real processes: keys new/show, node argument errors, devnet start-up."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tonomy.node.client import NodeClient

pytestmark = pytest.mark.timeout(120)


def tonomy(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tonomy", *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_keys_new_and_show(tmp_path: Path) -> None:
    path = tmp_path / "me.key"
    made = tonomy("keys", "new", str(path), "--account", "alice")
    assert made.returncode == 0, made.stderr
    public = made.stdout.strip()
    assert len(bytes.fromhex(public)) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = tonomy("keys", "show", str(path), "--json")
    assert json.loads(shown.stdout) == {"public_key": public, "account": "alice"}
    assert json.loads(path.read_text())["seed"] not in shown.stdout + made.stdout  # the secret stays in the file

    again = tonomy("keys", "new", str(path))
    assert again.returncode == 1 and "keys.invalid_file" in again.stderr
    path.chmod(0o644)
    refused = tonomy("keys", "show", str(path))
    assert refused.returncode == 1 and "keys.insecure_permissions" in refused.stderr


def test_node_usage_errors(tmp_path: Path) -> None:
    genesis = tmp_path / "g.json"
    genesis.write_text("{}")
    bad_api = tonomy("node", "--data-dir", str(tmp_path / "d"), "--genesis", str(genesis), "--api", "nope")
    assert bad_api.returncode == 2 and "HOST:PORT" in bad_api.stderr
    bad_time = tonomy("node", "--data-dir", str(tmp_path / "d"), "--genesis", str(genesis), "--block-time-ms", "1")
    assert bad_time.returncode == 2
    bad_genesis = tonomy("node", "--data-dir", str(tmp_path / "d"), "--genesis", str(genesis), "--api", "127.0.0.1:0")
    assert bad_genesis.returncode == 1 and "error [" in bad_genesis.stderr and "Traceback" not in bad_genesis.stderr


PAY_INSTALLED = importlib.util.find_spec("tonomy_pay") is not None


def _wait_funded(client: NodeClient, data: Path, moved: int) -> None:
    """Funded once; ``moved`` units went from alice to bob since (through the Pay CLI)."""
    from tonomy.chain import codec
    from tonomy.node.devnet import DEMO_FUNDING

    deadline = time.monotonic() + 30
    while not (data / "funded").exists():
        assert time.monotonic() < deadline, "the devnet did not fund its demo accounts"
        time.sleep(0.05)
    expected = {"alice": DEMO_FUNDING - moved, "bob": DEMO_FUNDING + moved, "carol": DEMO_FUNDING}
    for name, units in expected.items():
        assert client.query("pay", "balance", {"account": name, "symbol": "TONO"}) == units
        proven = client.state("pay", f"bal/{name}/TONO".encode())
        assert proven.value is not None and codec.decode(proven.value) == units


def test_devnet_starts_and_continues(tmp_path: Path) -> None:
    data = tmp_path / "dev"
    heights = []
    for _ in range(2):
        process = subprocess.Popen(
            [sys.executable, "-m", "tonomy", "devnet", "--data-dir", str(data), "--validators", "1", "--api", "127.0.0.1:0",
             "--block-time-ms", "50"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            runtime = data / "chain" / "node.json"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if runtime.exists():
                    doc = json.loads(runtime.read_text())
                    if doc["pid"] == process.pid:
                        break
                time.sleep(0.05)
            else:
                raise AssertionError("devnet did not start")
            with NodeClient(doc["api"]) as client:
                time.sleep(0.3)
                heights.append(client.head().height)
                for name in ("alice", "bob", "carol"):
                    assert client.state("tonomy", f"acct/{name}".encode()).value is not None
                if PAY_INSTALLED:  # funded through real signed transactions, verifiable by proof
                    _wait_funded(client, data, moved=2_500_000 * (len(heights) - 1))
                    paid = tonomy(
                        "pay", "--node", doc["api"], "--account", "alice", "--key-file", str(data / "keys" / "alice.key"),
                        "transfer", "bob", "2.5", "TONO",
                    )  # fmt: skip
                    assert paid.returncode == 0, paid.stderr
        finally:
            process.terminate()
            out, _ = process.communicate(timeout=30)
        assert process.returncode == 0, out
        assert "Tonomy devnet" in out and "devnet stopped" in out
    assert heights[1] > heights[0]  # the second run continued the first one's chain
    for name in ("validator", "alice", "bob", "carol"):
        assert stat.S_IMODE((data / "keys" / f"{name}.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "keys").stat().st_mode) == 0o700
    assert os.path.exists(data / "genesis.json")
