"""Run the example shop (``examples/shop``) as a real process beside a devnet node, for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tonomy.testing.cluster import free_port

#: Where the example lives in a checkout of the repository.
EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "shop"


@contextmanager
def running_example_shop(node_url: str, devnet_root: Path, data: Path, *, ready_within_s: float = 90) -> Iterator[str]:
    """Start the shop on a free port (its own app account, paid by the devnet), yield its URL, stop it.

    The shop's output goes to ``data/shop.log``; a shop that dies or never answers fails
    with that log, so the reason is in the test report.
    """
    port = free_port()
    command = [sys.executable, "-m", "shop_app", "--node", node_url, "--devnet", str(devnet_root), "--port", str(port),
               "--data", str(data), "--account", f"shop{port}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(EXAMPLE_DIR), os.environ.get("PYTHONPATH", "")])}
    log_path = data / "shop.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://localhost:{port}"
        try:
            deadline = time.monotonic() + ready_within_s
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if httpx.get(url + "/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
